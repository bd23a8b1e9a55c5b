using System;
using System.Collections.Generic;
using System.Globalization;

namespace SimdCheckpoint;

/// <summary>
/// Embedding lookup: for each token, row <c>id</c> of the word table, plus row <c>type</c> of the token-type table (type 0
/// when the node reads no token types), plus row <c>position</c> of the position table, added in that order
/// (<c>(word + type) + position</c>, as BERT does). Reads the token ids and, optionally, the token types (integer tensors
/// of width 1); writes <see cref="Hidden"/> floats per token. Its tensors are <c>{Name}.word_embeddings.weight</c>
/// [vocabulary, hidden], <c>{Name}.position_embeddings.weight</c> [positions, hidden] and
/// <c>{Name}.token_type_embeddings.weight</c> [type vocabulary, hidden]. An id outside the table is an error that names
/// the position, never a read outside it.
/// </summary>
public sealed class EmbeddingSpec : NodeSpec
{
    /// <summary>Creates an unwired embedding node.</summary>
    public EmbeddingSpec(string name, int hidden, int vocabulary, int positions, int typeVocabulary)
        : this(name, hidden, vocabulary, positions, typeVocabulary, null, null)
    {
    }

    private EmbeddingSpec(string name, int hidden, int vocabulary, int positions, int typeVocabulary, string[]? inputs, string? output)
        : base(name, inputs, output)
    {
        Hidden = hidden;
        Vocabulary = vocabulary;
        Positions = positions;
        TypeVocabulary = typeVocabulary;
    }

    /// <inheritdoc/>
    public override NodeKind Kind => NodeKind.Embedding;

    /// <summary>The width of each embedding.</summary>
    public int Hidden { get; }

    /// <summary>The rows of the word table: token ids are 0 to <c>Vocabulary − 1</c>.</summary>
    public int Vocabulary { get; }

    /// <summary>The rows of the position table: the longest sequence the network takes.</summary>
    public int Positions { get; }

    /// <summary>The rows of the token-type table (at least 1; type 0 is used when the node reads no token types).</summary>
    public int TypeVocabulary { get; }

    /// <summary>Whether the node reads token types (its second input).</summary>
    public bool ReadsTokenTypes => InputTensors.Count == 2;

    /// <inheritdoc/>
    public override long ParameterCount => ((long)Vocabulary + Positions + TypeVocabulary) * Hidden;

    /// <inheritdoc/>
    public override long FlopsPerRow => 2L * Hidden;

    /// <inheritdoc/>
    public override int OutputWidth => Hidden;

    /// <inheritdoc/>
    internal override int Arity => InputTensors.Count == 2 ? 2 : 1;

    internal override string CompiledForm =>
        "embedding " + Int(Hidden) + " " + Int(Vocabulary) + " " + Int(Positions) + " " + Int(TypeVocabulary) + " " + Int(InputTensors.Count);

    /// <summary>A copy reading <paramref name="inputIds"/> (and <paramref name="tokenTypes"/>, when not null) and writing <paramref name="output"/>.</summary>
    public EmbeddingSpec WithTensors(string inputIds, string? tokenTypes, string output) =>
        new(Name, Hidden, Vocabulary, Positions, TypeVocabulary, tokenTypes is null ? new[] { inputIds } : new[] { inputIds, tokenTypes }, output);

    internal override NodeSpec Wire(string[] inputs, string output) => new EmbeddingSpec(Name, Hidden, Vocabulary, Positions, TypeVocabulary, inputs, output);

    internal override void Validate(int index, IReadOnlyList<int> inputWidths, SpecProblems problems)
    {
        string who = Describe(index);
        problems.CheckDimension(Hidden, "hidden", who, index, SpecField.Outputs);
        problems.CheckDimension(Vocabulary, "vocabulary", who, index, SpecField.Network);
        problems.CheckDimension(Positions, "positions", who, index, SpecField.Network);
        problems.CheckDimension(TypeVocabulary, "typeVocabulary", who, index, SpecField.Network);
        EncoderNodeChecks.IntegerInputs(this, index, inputWidths, problems, InputTensors.Count);
    }

    private protected override bool SameOperation(NodeSpec other) =>
        other is EmbeddingSpec e && Hidden == e.Hidden && Vocabulary == e.Vocabulary && Positions == e.Positions && TypeVocabulary == e.TypeVocabulary;

    private protected override int OperationHash() => SpecHash.Combine(Hidden, Vocabulary, Positions, TypeVocabulary);

    /// <inheritdoc/>
    public override string ToString() =>
        Name + ": embedding " + Int(Vocabulary) + " ids, " + Int(Positions) + " positions, " + Int(TypeVocabulary) + " types -> " + Int(Hidden);

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// Layer normalisation over the hidden axis of one tensor, or of the sum of two (a residual connection: the first input
/// plus the second, element by element): y = (s − mean) / sqrt(var + ε) · γ + β, with the mean and the variance in the
/// fixed order of the README's contract. Its tensors are <c>{Name}.weight</c> (γ) and <c>{Name}.bias</c> (β).
/// </summary>
public sealed class LayerNormSpec : NodeSpec
{
    /// <summary>Creates an unwired layer-normalisation node.</summary>
    public LayerNormSpec(string name, int width, float epsilon)
        : this(name, width, epsilon, null, null)
    {
    }

    private LayerNormSpec(string name, int width, float epsilon, string[]? inputs, string? output)
        : base(name, inputs, output)
    {
        Width = width;
        Epsilon = epsilon;
    }

    /// <inheritdoc/>
    public override NodeKind Kind => NodeKind.LayerNorm;

    /// <summary>The normalised axis' length.</summary>
    public int Width { get; }

    /// <summary>ε, added to the variance before the square root.</summary>
    public float Epsilon { get; }

    /// <summary>Whether the node normalises the sum of two tensors (a residual connection).</summary>
    public bool AddsResidual => InputTensors.Count == 2;

    /// <inheritdoc/>
    public override long ParameterCount => 2L * Width;

    /// <inheritdoc/>
    public override long FlopsPerRow => (AddsResidual ? 8L : 7L) * Width;

    /// <inheritdoc/>
    public override int OutputWidth => Width;

    /// <inheritdoc/>
    internal override int Arity => InputTensors.Count == 2 ? 2 : 1;

    internal override string CompiledForm =>
        "layer_norm " + Width.ToString(CultureInfo.InvariantCulture) + " " + SpecHash.SingleBits(Epsilon).ToString("x8", CultureInfo.InvariantCulture) + " " + InputTensors.Count.ToString(CultureInfo.InvariantCulture);

    /// <summary>A copy normalising <paramref name="input"/> (plus <paramref name="residual"/>, when not null) into <paramref name="output"/>.</summary>
    public LayerNormSpec WithTensors(string input, string? residual, string output) =>
        new(Name, Width, Epsilon, residual is null ? new[] { input } : new[] { input, residual }, output);

    internal override NodeSpec Wire(string[] inputs, string output) => new LayerNormSpec(Name, Width, Epsilon, inputs, output);

    internal override void Validate(int index, IReadOnlyList<int> inputWidths, SpecProblems problems)
    {
        string who = Describe(index);
        problems.CheckDimension(Width, "width", who, index, SpecField.Outputs);
        if (!(Epsilon > 0f) || float.IsInfinity(Epsilon))
        {
            problems.Add(SpecDiagnosticIds.InvalidGraph, who + " has epsilon " + Epsilon.ToString("R", CultureInfo.InvariantCulture) + "; it must be a positive finite number.", index, SpecField.Network);
        }

        EncoderNodeChecks.Widths(this, index, inputWidths, problems, Width);
    }

    private protected override bool SameOperation(NodeSpec other) =>
        other is LayerNormSpec l && Width == l.Width && SpecHash.SingleBits(Epsilon) == SpecHash.SingleBits(l.Epsilon);

    private protected override int OperationHash() => SpecHash.Combine(Width, (int)SpecHash.SingleBits(Epsilon));

    /// <inheritdoc/>
    public override string ToString() =>
        Name + ": layer_norm " + Width.ToString(CultureInfo.InvariantCulture) + (AddsResidual ? " of a residual sum" : string.Empty) + ", epsilon " + Epsilon.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>
/// Multi-head self-attention over each sequence: reads the queries, keys and values (each <see cref="Hidden"/> floats
/// per token, head h in columns h·d to h·d + d − 1, d = hidden / heads) and the attention mask (an integer per token, 1
/// for a real token, 0 for padding); writes the context, <see cref="Hidden"/> floats per token. Per head and query:
/// scores over the keys whose mask is 1, divided by √d, the canonical softmax, and the probabilities times the values,
/// in the fixed order of the README's contract. Holds no parameters.
/// </summary>
public sealed class AttentionSpec : NodeSpec
{
    /// <summary>Creates an unwired attention node.</summary>
    public AttentionSpec(string name, int hidden, int heads)
        : this(name, hidden, heads, null, null)
    {
    }

    private AttentionSpec(string name, int hidden, int heads, string[]? inputs, string? output)
        : base(name, inputs, output)
    {
        Hidden = hidden;
        Heads = heads;
    }

    /// <inheritdoc/>
    public override NodeKind Kind => NodeKind.Attention;

    /// <summary>The width of the queries, keys, values and context.</summary>
    public int Hidden { get; }

    /// <summary>The number of heads; each is <c>Hidden / Heads</c> wide.</summary>
    public int Heads { get; }

    /// <summary>The width of one head.</summary>
    public int HeadSize => Heads > 0 ? Hidden / Heads : 0;

    /// <inheritdoc/>
    public override long ParameterCount => 0;

    /// <summary>Per token, not counting the part that grows with the sequence's length (see <see cref="FlopsPerToken"/>).</summary>
    public override long FlopsPerRow => 0;

    /// <summary>Floating-point operations per token of a sequence of <paramref name="keys"/> real tokens: QKᵀ and P·V.</summary>
    public long FlopsPerToken(int keys) => 4L * Hidden * keys;

    /// <inheritdoc/>
    public override int OutputWidth => Hidden;

    /// <inheritdoc/>
    internal override int Arity => 4;

    internal override string CompiledForm =>
        "attention " + Hidden.ToString(CultureInfo.InvariantCulture) + " " + Heads.ToString(CultureInfo.InvariantCulture);

    /// <summary>A copy reading the queries, keys, values and mask, and writing the context.</summary>
    public AttentionSpec WithTensors(string query, string key, string value, string mask, string output) =>
        new(Name, Hidden, Heads, new[] { query, key, value, mask }, output);

    internal override NodeSpec Wire(string[] inputs, string output) => new AttentionSpec(Name, Hidden, Heads, inputs, output);

    internal override void Validate(int index, IReadOnlyList<int> inputWidths, SpecProblems problems)
    {
        string who = Describe(index);
        problems.CheckDimension(Hidden, "hidden", who, index, SpecField.Outputs);
        problems.CheckDimension(Heads, "heads", who, index, SpecField.Network);
        if (Hidden > 0 && Heads > 0 && Hidden % Heads != 0)
        {
            problems.Add(
                SpecDiagnosticIds.InvalidGraph,
                who + " splits " + Hidden.ToString(CultureInfo.InvariantCulture) + " columns into " + Heads.ToString(CultureInfo.InvariantCulture) + " heads; hidden must be a multiple of heads.",
                index,
                SpecField.Network);
        }

        if (inputWidths.Count == 4)
        {
            EncoderNodeChecks.Widths(this, index, new[] { inputWidths[0], inputWidths[1], inputWidths[2] }, problems, Hidden);
            EncoderNodeChecks.IntegerInputs(this, index, new[] { 0, 0, 0, inputWidths[3] }, problems, 4, first: 3);
        }
    }

    private protected override bool SameOperation(NodeSpec other) => other is AttentionSpec a && Hidden == a.Hidden && Heads == a.Heads;

    private protected override int OperationHash() => SpecHash.Combine(Hidden, Heads);

    /// <inheritdoc/>
    public override string ToString() =>
        Name + ": attention, " + Heads.ToString(CultureInfo.InvariantCulture) + " heads of " + HeadSize.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// The first token of each sequence: reads one row per token and writes one row per sequence (the pooler's input).
/// Holds no parameters.
/// </summary>
public sealed class FirstTokenSpec : NodeSpec
{
    /// <summary>Creates an unwired first-token node.</summary>
    public FirstTokenSpec(string name, int width)
        : this(name, width, null, null)
    {
    }

    private FirstTokenSpec(string name, int width, string[]? inputs, string? output)
        : base(name, inputs, output)
    {
        Width = width;
    }

    /// <inheritdoc/>
    public override NodeKind Kind => NodeKind.FirstToken;

    /// <summary>The width of a row.</summary>
    public int Width { get; }

    /// <inheritdoc/>
    public override long ParameterCount => 0;

    /// <inheritdoc/>
    public override long FlopsPerRow => 0;

    /// <inheritdoc/>
    public override int OutputWidth => Width;

    /// <inheritdoc/>
    internal override int Arity => 1;

    internal override string CompiledForm => "first_token " + Width.ToString(CultureInfo.InvariantCulture);

    /// <summary>A copy reading <paramref name="input"/> and writing <paramref name="output"/>.</summary>
    public FirstTokenSpec WithTensors(string input, string output) => new(Name, Width, new[] { input }, output);

    internal override NodeSpec Wire(string[] inputs, string output) => new FirstTokenSpec(Name, Width, inputs, output);

    internal override void Validate(int index, IReadOnlyList<int> inputWidths, SpecProblems problems)
    {
        problems.CheckDimension(Width, "width", Describe(index), index, SpecField.Outputs);
        EncoderNodeChecks.Widths(this, index, inputWidths, problems, Width);
    }

    private protected override bool SameOperation(NodeSpec other) => other is FirstTokenSpec f && Width == f.Width;

    private protected override int OperationHash() => Width;

    /// <inheritdoc/>
    public override string ToString() => Name + ": first token of " + Width.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The width checks the encoder's nodes share.</summary>
internal static class EncoderNodeChecks
{
    public static void Widths(NodeSpec node, int index, IReadOnlyList<int> inputWidths, SpecProblems problems, int width)
    {
        for (int t = 0; t < inputWidths.Count && t < node.InputTensors.Count; t++)
        {
            if (inputWidths[t] > 0 && width > 0 && inputWidths[t] != width)
            {
                problems.Add(
                    SpecDiagnosticIds.SizeMismatch,
                    node.Describe(index) + " takes rows of " + width.ToString(CultureInfo.InvariantCulture) + ", but it reads '" + node.InputTensors[t] + "', which is "
                        + inputWidths[t].ToString(CultureInfo.InvariantCulture) + " wide.",
                    index,
                    SpecField.Inputs);
            }
        }
    }

    /// <summary>Token ids, token types and masks are one integer per token: tensors of width 1.</summary>
    public static void IntegerInputs(NodeSpec node, int index, IReadOnlyList<int> inputWidths, SpecProblems problems, int count, int first = 0)
    {
        for (int t = first; t < inputWidths.Count && t < count && t < node.InputTensors.Count; t++)
        {
            if (inputWidths[t] > 1)
            {
                problems.Add(
                    SpecDiagnosticIds.SizeMismatch,
                    node.Describe(index) + " reads '" + node.InputTensors[t] + "' as one integer per token, but it is " + inputWidths[t].ToString(CultureInfo.InvariantCulture) + " wide.",
                    index,
                    SpecField.Inputs);
            }
        }
    }
}
