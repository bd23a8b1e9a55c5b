using System;
using System.Collections.Generic;
using System.Globalization;

namespace SimdCheckpoint;

/// <summary>
/// The rules a network declaration must satisfy, in one place for every way of declaring one (attributes, JSON, ONNX,
/// code): the graph's wiring here, each node kind's own sizes and parameters in its <see cref="NodeSpec.Validate"/>.
/// The generator maps each problem to a source location; the runtime throws them.
/// </summary>
internal static class SpecRules
{
    /// <summary>The largest input or output size of one layer.</summary>
    public const int MaxDimension = 1 << 24;

    /// <summary>
    /// The most floats the packed weights of one network may take: they live in one array, and each layer's panels are
    /// padded to at most 64 columns.
    /// </summary>
    public const long MaxPackedFloats = int.MaxValue - (1 << 20);

    /// <summary>The name a layer gets when its declaration gives none.</summary>
    public static string DefaultLayerName(int index) => "dense" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Checks a whole network; an empty list means it is valid. <paramref name="chain"/> says the wiring was made by the
    /// chain rule (each layer reads the one before it), so its problems are told in the words of layers, not tensors.
    /// </summary>
    public static List<SpecProblem> Validate(IReadOnlyList<TensorSpec> inputs, IReadOnlyList<NodeSpec> nodes, IReadOnlyList<string> outputs, bool chain)
    {
        var problems = new SpecProblems(chain);
        if (nodes.Count == 0)
        {
            problems.Add(SpecDiagnosticIds.EmptyNetwork, "The network has no layers; declare at least one dense layer.", -1, SpecField.Network);
            return problems.List;
        }

        foreach (TensorSpec input in inputs)
        {
            string? nameProblem = CheckName(input.Name);
            if (nameProblem is not null)
            {
                problems.Add(SpecDiagnosticIds.InvalidGraph, "A network input " + nameProblem, -1, SpecField.Tensors);
            }
            else if (!problems.Define(input.Name, -1, null, input.Width))
            {
                problems.Add(SpecDiagnosticIds.InvalidGraph, "The network input '" + input.Name + "' is declared twice.", -1, SpecField.Tensors);
            }

            if (!chain)
            {
                problems.CheckDimension(input.Width, "width", "the network input '" + input.Name + "'", -1, SpecField.Tensors);
            }
        }

        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        var read = new HashSet<string>(StringComparer.Ordinal);
        long packed = 0;
        for (int i = 0; i < nodes.Count; i++)
        {
            NodeSpec node = nodes[i];
            string who = node.Describe(i);
            string? nameProblem = CheckName(node.Name);
            if (nameProblem is not null)
            {
                problems.Add(SpecDiagnosticIds.InvalidLayerName, who + " " + nameProblem, i, SpecField.Name);
            }
            else if (names.TryGetValue(node.Name, out int first))
            {
                problems.Add(
                    SpecDiagnosticIds.InvalidLayerName,
                    who + " has the same name as layer " + first.ToString(CultureInfo.InvariantCulture) + "; layer names must be unique because they name the weight tensors.",
                    i,
                    SpecField.Name);
            }
            else
            {
                names.Add(node.Name, i);
            }

            var widths = new int[node.InputTensors.Count];
            if (node.InputTensors.Count != node.Arity)
            {
                problems.Add(
                    SpecDiagnosticIds.InvalidGraph,
                    who + " reads " + node.InputTensors.Count.ToString(CultureInfo.InvariantCulture) + " tensor(s); a " + KindName(node.Kind) + " node reads "
                        + node.Arity.ToString(CultureInfo.InvariantCulture) + ".",
                    i,
                    SpecField.Tensors);
            }

            for (int t = 0; t < node.InputTensors.Count; t++)
            {
                string tensor = node.InputTensors[t];
                read.Add(tensor);
                if (problems.TryWidth(tensor, out int width))
                {
                    widths[t] = width;
                }
                else
                {
                    widths[t] = -1;
                    problems.Add(
                        SpecDiagnosticIds.InvalidGraph,
                        who + " reads '" + tensor + "', which no earlier layer writes and is not a network input"
                            + (SpecProblems.IsWrittenLater(tensor, nodes, i) ? " (the layer that writes it comes later: list layers in the order they run)." : "."),
                        i,
                        SpecField.Tensors);
                }
            }

            node.Validate(i, widths, problems);

            string? output = node.OutputTensor;
            string? outputProblem = output is null ? "writes no tensor." : CheckName(output) is { } p ? "writes a tensor that " + p : null;
            if (outputProblem is not null)
            {
                problems.Add(SpecDiagnosticIds.InvalidGraph, who + " " + outputProblem, i, SpecField.Tensors);
            }
            else if (!problems.Define(output!, i, node.Name, node.OutputWidth))
            {
                problems.Add(SpecDiagnosticIds.InvalidGraph, who + " writes '" + output + "', which " + problems.DescribeProducer(output!) + " already writes; every tensor has one writer.", i, SpecField.Tensors);
            }

            if (node is DenseLayerSpec dense && dense.Inputs > 0 && dense.Outputs > 0)
            {
                long paddedOutputs = RoundUp(dense.Outputs, 64);
                packed += (dense.Inputs * paddedOutputs) + paddedOutputs + 64;
            }
        }

        if (outputs.Count == 0)
        {
            problems.Add(SpecDiagnosticIds.InvalidGraph, "The network has no outputs; name at least one tensor a layer writes.", -1, SpecField.Tensors);
        }

        var seenOutputs = new HashSet<string>(StringComparer.Ordinal);
        foreach (string output in outputs)
        {
            if (!seenOutputs.Add(output))
            {
                problems.Add(SpecDiagnosticIds.InvalidGraph, "The network output '" + output + "' is named twice.", -1, SpecField.Tensors);
            }
            else if (!problems.TryProducer(output, out int producer))
            {
                problems.Add(SpecDiagnosticIds.InvalidGraph, "The network output '" + output + "' is not written by any layer.", -1, SpecField.Tensors);
            }
            else if (producer < 0)
            {
                problems.Add(SpecDiagnosticIds.InvalidGraph, "The network output '" + output + "' is a network input; outputs must be computed by a layer.", -1, SpecField.Tensors);
            }
        }

        for (int i = 0; i < nodes.Count; i++)
        {
            string? output = nodes[i].OutputTensor;
            if (output is not null && !read.Contains(output) && !seenOutputs.Contains(output))
            {
                problems.Add(
                    SpecDiagnosticIds.InvalidGraph,
                    nodes[i].Describe(i) + " writes '" + output + "', which no layer reads and is not a network output: the layer would compute nothing used.",
                    i,
                    SpecField.Tensors);
            }
        }

        if (packed > MaxPackedFloats)
        {
            problems.Add(
                SpecDiagnosticIds.NetworkTooLarge,
                "The network's packed weights would take about " + packed.ToString(CultureInfo.InvariantCulture) + " floats; at most "
                    + MaxPackedFloats.ToString(CultureInfo.InvariantCulture) + " are supported.",
                -1,
                SpecField.Network);
        }

        return problems.List;
    }

    /// <summary>Returns why <paramref name="name"/> cannot name a layer or tensor ("has an empty name."), or null when it can.</summary>
    public static string? CheckName(string? name)
    {
        if (name is null || name.Length == 0)
        {
            return "has an empty name.";
        }

        foreach (char c in name)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return "has the name \"" + name + "\", which contains white space or a control character.";
            }
        }

        return null;
    }

    /// <summary>"layer 2 ('fc3')": how messages name a layer.</summary>
    public static string Describe(string? name, int index) =>
        "layer " + index.ToString(CultureInfo.InvariantCulture) + (string.IsNullOrEmpty(name) ? string.Empty : " ('" + name + "')");

    /// <summary>The node kind as specs spell it ("dense").</summary>
    public static string KindName(NodeKind kind) => kind switch
    {
        NodeKind.Dense => "dense",
        NodeKind.Embedding => "embedding",
        NodeKind.LayerNorm => "layer_norm",
        NodeKind.Attention => "attention",
        NodeKind.FirstToken => "first_token",
        _ => ((int)kind).ToString(CultureInfo.InvariantCulture),
    };

    private static long RoundUp(long value, long multiple) => (value + multiple - 1) / multiple * multiple;
}

/// <summary>The problems found while checking one network, and the tensors defined so far (their writer and width).</summary>
internal sealed class SpecProblems
{
    private readonly Dictionary<string, (int Producer, string? ProducerName, int Width)> _tensors = new(StringComparer.Ordinal);
    private readonly bool _chain;

    public SpecProblems(bool chain)
    {
        _chain = chain;
    }

    public List<SpecProblem> List { get; } = new();

    public void Add(string id, string message, int index, SpecField field) => List.Add(new SpecProblem(id, message, index, field));

    /// <summary>Records that <paramref name="producer"/> (-1: the network's input) writes <paramref name="name"/>; false if something already does.</summary>
    public bool Define(string name, int producer, string? producerName, int width)
    {
        if (_tensors.ContainsKey(name))
        {
            return false;
        }

        _tensors.Add(name, (producer, producerName, width));
        return true;
    }

    public bool TryWidth(string name, out int width)
    {
        bool found = _tensors.TryGetValue(name, out (int Producer, string? ProducerName, int Width) t);
        width = found ? t.Width : 0;
        return found;
    }

    public bool TryProducer(string name, out int producer)
    {
        bool found = _tensors.TryGetValue(name, out (int Producer, string? ProducerName, int Width) t);
        producer = found ? t.Producer : -1;
        return found;
    }

    public string DescribeProducer(string name) =>
        _tensors.TryGetValue(name, out (int Producer, string? ProducerName, int Width) t) && t.Producer >= 0
            ? SpecRules.Describe(t.ProducerName, t.Producer)
            : "the network input";

    public static bool IsWrittenLater(string tensor, IReadOnlyList<NodeSpec> nodes, int after)
    {
        for (int j = after; j < nodes.Count; j++)
        {
            if (string.Equals(nodes[j].OutputTensor, tensor, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    public void CheckDimension(int value, string what, string who, int index, SpecField field)
    {
        if (value <= 0)
        {
            Add(SpecDiagnosticIds.NonPositiveSize, who + " has " + what + " = " + value.ToString(CultureInfo.InvariantCulture) + "; sizes must be at least 1.", index, field);
        }
        else if (value > SpecRules.MaxDimension)
        {
            Add(
                SpecDiagnosticIds.NetworkTooLarge,
                who + " has " + what + " = " + value.ToString(CultureInfo.InvariantCulture) + "; at most " + SpecRules.MaxDimension.ToString(CultureInfo.InvariantCulture) + " are supported.",
                index,
                field);
        }
    }

    /// <summary>A dense layer whose K differs from the width of the tensor it reads.</summary>
    public void SizeMismatch(DenseLayerSpec layer, int index, int width)
    {
        string tensor = layer.InputTensors[0];
        _tensors.TryGetValue(tensor, out (int Producer, string? ProducerName, int Width) t);
        string who = layer.Describe(index);
        string k = layer.Inputs.ToString(CultureInfo.InvariantCulture);
        string w = width.ToString(CultureInfo.InvariantCulture);
        if (_chain && t.Producer == index - 1 && t.Producer >= 0)
        {
            // The chain's words: the layer before it.
            Add(SpecDiagnosticIds.SizeMismatch, who + " takes " + k + " inputs, but the layer before it, " + SpecRules.Describe(t.ProducerName, t.Producer) + ", gives " + w + " outputs.", index, SpecField.Inputs);
            return;
        }

        string writer = t.Producer >= 0 ? SpecRules.Describe(t.ProducerName, t.Producer) + " writes it " : "it is a network input ";
        Add(SpecDiagnosticIds.SizeMismatch, who + " takes " + k + " inputs, but it reads '" + tensor + "', and " + writer + w + " wide.", index, SpecField.Inputs);
    }
}
