using System;
using System.Globalization;

namespace SimdCheckpoint;

/// <summary>
/// A BERT-style transformer encoder by its sizes: what a Hugging Face <c>config.json</c> gives, and what the JSON spec's
/// <c>"encoder"</c> object holds. <see cref="NetworkSpec.ForEncoder"/> turns it into a graph of embedding, layer-norm,
/// dense and attention nodes named as Hugging Face's BERT names its tensors (<c>embeddings.word_embeddings.weight</c>,
/// <c>encoder.layer.0.attention.self.query.weight</c>, …, <c>pooler.dense.weight</c>). Immutable and compared by value.
/// </summary>
public sealed class EncoderConfig : IEquatable<EncoderConfig>
{
    /// <summary>The default name of the token-id input.</summary>
    public const string DefaultInputIds = "input_ids";

    /// <summary>The default name of the attention-mask input.</summary>
    public const string DefaultAttentionMask = "attention_mask";

    /// <summary>The default name of the token-type input.</summary>
    public const string DefaultTokenTypeIds = "token_type_ids";

    /// <summary>The default name of the last layer's output.</summary>
    public const string DefaultLastHiddenState = "last_hidden_state";

    /// <summary>The default name of the pooler's output.</summary>
    public const string DefaultPoolerOutput = "pooler_output";

    /// <summary>Creates a configuration; <see cref="NetworkSpec.ForEncoder"/> checks it.</summary>
    public EncoderConfig(
        int layers,
        int hidden,
        int heads,
        int intermediate,
        int vocabulary,
        int positions,
        int typeVocabulary,
        float epsilon,
        Activation activation,
        bool pooler,
        bool tokenTypeInput)
    {
        Layers = layers;
        Hidden = hidden;
        Heads = heads;
        Intermediate = intermediate;
        Vocabulary = vocabulary;
        Positions = positions;
        TypeVocabulary = typeVocabulary;
        Epsilon = epsilon;
        Activation = activation;
        Pooler = pooler;
        TokenTypeInput = tokenTypeInput;
    }

    /// <summary>The number of encoder layers.</summary>
    public int Layers { get; }

    /// <summary>The hidden size.</summary>
    public int Hidden { get; }

    /// <summary>The number of attention heads (hidden must be a multiple of it).</summary>
    public int Heads { get; }

    /// <summary>The width of the feed-forward block's first layer.</summary>
    public int Intermediate { get; }

    /// <summary>The word table's rows.</summary>
    public int Vocabulary { get; }

    /// <summary>The position table's rows: the longest sequence.</summary>
    public int Positions { get; }

    /// <summary>The token-type table's rows.</summary>
    public int TypeVocabulary { get; }

    /// <summary>The layer norms' ε.</summary>
    public float Epsilon { get; }

    /// <summary>The feed-forward block's activation (gelu, gelu_tanh, relu, …).</summary>
    public Activation Activation { get; }

    /// <summary>Whether the network ends with the pooler (dense + tanh on the first token), output <c>pooler_output</c>.</summary>
    public bool Pooler { get; }

    /// <summary>Whether the caller gives token types (input <c>token_type_ids</c>); without it every token has type 0.</summary>
    public bool TokenTypeInput { get; }

    /// <summary>The width of one head.</summary>
    public int HeadSize => Heads > 0 ? Hidden / Heads : 0;

    /// <inheritdoc/>
    public bool Equals(EncoderConfig? other) =>
        other is not null && Layers == other.Layers && Hidden == other.Hidden && Heads == other.Heads && Intermediate == other.Intermediate
        && Vocabulary == other.Vocabulary && Positions == other.Positions && TypeVocabulary == other.TypeVocabulary
        && SpecHash.SingleBits(Epsilon) == SpecHash.SingleBits(other.Epsilon) && Activation == other.Activation && Pooler == other.Pooler
        && TokenTypeInput == other.TokenTypeInput;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as EncoderConfig);

    /// <inheritdoc/>
    public override int GetHashCode() =>
        SpecHash.Combine(SpecHash.Combine(Layers, Hidden, Heads, Intermediate, Vocabulary), SpecHash.Combine(Positions, TypeVocabulary, (int)SpecHash.SingleBits(Epsilon), (int)Activation), (Pooler ? 1 : 0) + (TokenTypeInput ? 2 : 0));

    /// <inheritdoc/>
    public override string ToString() =>
        string.Format(
            CultureInfo.InvariantCulture,
            "{0} layers, hidden {1}, {2} heads, intermediate {3} ({4}), vocabulary {5}, {6} positions, {7} token types, epsilon {8}{9}",
            Layers,
            Hidden,
            Heads,
            Intermediate,
            ActivationInfo.NameOf(Activation),
            Vocabulary,
            Positions,
            TypeVocabulary,
            Epsilon.ToString("R", CultureInfo.InvariantCulture),
            Pooler ? ", pooler" : string.Empty);
}
