using System;
using System.Collections.Generic;
using System.Globalization;

namespace SimdCheckpoint;

public sealed partial class NetworkSpec
{
    /// <summary>The encoder this network was built from (<see cref="ForEncoder"/>), or null for any other graph.</summary>
    public EncoderConfig? Encoder { get; private set; }

    /// <summary>
    /// A BERT-style encoder as a graph. Inputs: <c>input_ids</c>, <c>attention_mask</c> and, when
    /// <see cref="EncoderConfig.TokenTypeInput"/>, <c>token_type_ids</c> (one integer per token each). Nodes, named as
    /// Hugging Face's BERT names the tensors they hold: <c>embeddings</c> and <c>embeddings.LayerNorm</c>; per layer i,
    /// under <c>encoder.layer.{i}.</c>: <c>attention.self.query</c>, <c>.key</c>, <c>.value</c> (dense), the attention
    /// node <c>attention.self</c>, <c>attention.output.dense</c>, <c>attention.output.LayerNorm</c> (of the residual sum),
    /// <c>intermediate.dense</c> (with the activation), <c>output.dense</c> and <c>output.LayerNorm</c>; with the pooler,
    /// <c>pooler.first_token</c> and <c>pooler.dense</c> (tanh). Outputs: <c>last_hidden_state</c> and, with the pooler,
    /// <c>pooler_output</c>.
    /// </summary>
    /// <exception cref="NetworkSpecException">The configuration does not describe a valid encoder; every problem is listed.</exception>
    public static NetworkSpec ForEncoder(string name, EncoderConfig config)
    {
        if (name is null)
        {
            throw new ArgumentNullException(nameof(name));
        }

        if (config is null)
        {
            throw new ArgumentNullException(nameof(config));
        }

        var problems = new List<SpecProblem>();
        void Positive(int value, string what)
        {
            if (value <= 0)
            {
                problems.Add(new SpecProblem(SpecDiagnosticIds.InvalidGraph, "The encoder's \"" + what + "\" is " + value.ToString(CultureInfo.InvariantCulture) + "; it must be at least 1.", -1, SpecField.Network));
            }
        }

        Positive(config.Layers, "layers");
        Positive(config.Hidden, "hidden");
        Positive(config.Heads, "heads");
        Positive(config.Intermediate, "intermediate");
        Positive(config.Vocabulary, "vocabulary");
        Positive(config.Positions, "positions");
        Positive(config.TypeVocabulary, "typeVocabulary");
        if (problems.Count > 0)
        {
            throw new NetworkSpecException(name, problems);
        }

        int h = config.Hidden;
        var inputs = new List<TensorSpec> { new(EncoderConfig.DefaultInputIds, 1), new(EncoderConfig.DefaultAttentionMask, 1) };
        if (config.TokenTypeInput)
        {
            inputs.Add(new TensorSpec(EncoderConfig.DefaultTokenTypeIds, 1));
        }

        var nodes = new List<NodeSpec>
        {
            new EmbeddingSpec("embeddings", h, config.Vocabulary, config.Positions, config.TypeVocabulary)
                .WithTensors(EncoderConfig.DefaultInputIds, config.TokenTypeInput ? EncoderConfig.DefaultTokenTypeIds : null, "embeddings.sum"),
        };

        string hidden = config.Layers == 0 ? EncoderConfig.DefaultLastHiddenState : "encoder.layer.0.input";
        nodes.Add(new LayerNormSpec("embeddings.LayerNorm", h, config.Epsilon).WithTensors("embeddings.sum", null, hidden));
        for (int i = 0; i < config.Layers; i++)
        {
            string p = "encoder.layer." + i.ToString(CultureInfo.InvariantCulture) + ".";
            string next = i + 1 == config.Layers ? EncoderConfig.DefaultLastHiddenState : "encoder.layer." + (i + 1).ToString(CultureInfo.InvariantCulture) + ".input";
            nodes.Add(new DenseLayerSpec(p + "attention.self.query", h, h).WithTensors(hidden, p + "query"));
            nodes.Add(new DenseLayerSpec(p + "attention.self.key", h, h).WithTensors(hidden, p + "key"));
            nodes.Add(new DenseLayerSpec(p + "attention.self.value", h, h).WithTensors(hidden, p + "value"));
            nodes.Add(new AttentionSpec(p + "attention.self", h, config.Heads).WithTensors(p + "query", p + "key", p + "value", EncoderConfig.DefaultAttentionMask, p + "context"));
            nodes.Add(new DenseLayerSpec(p + "attention.output.dense", h, h).WithTensors(p + "context", p + "attention.projected"));
            nodes.Add(new LayerNormSpec(p + "attention.output.LayerNorm", h, config.Epsilon).WithTensors(p + "attention.projected", hidden, p + "attention.output"));
            nodes.Add(new DenseLayerSpec(p + "intermediate.dense", h, config.Intermediate, config.Activation).WithTensors(p + "attention.output", p + "intermediate"));
            nodes.Add(new DenseLayerSpec(p + "output.dense", config.Intermediate, h).WithTensors(p + "intermediate", p + "output.projected"));
            nodes.Add(new LayerNormSpec(p + "output.LayerNorm", h, config.Epsilon).WithTensors(p + "output.projected", p + "attention.output", next));
            hidden = next;
        }

        var outputs = new List<string> { EncoderConfig.DefaultLastHiddenState };
        if (config.Pooler)
        {
            nodes.Add(new FirstTokenSpec("pooler.first_token", h).WithTensors(EncoderConfig.DefaultLastHiddenState, "pooler.first_token"));
            nodes.Add(new DenseLayerSpec("pooler.dense", h, h, Activation.Tanh).WithTensors("pooler.first_token", EncoderConfig.DefaultPoolerOutput));
            outputs.Add(EncoderConfig.DefaultPoolerOutput);
        }

        return new NetworkSpec(name, inputs, nodes, outputs) { Encoder = config };
    }
}
