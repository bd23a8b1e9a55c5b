using System;
using System.Collections.Generic;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SimdCheckpoint;

/// <summary>
/// A network as declared: a directed acyclic graph of typed nodes joined by named tensors, the single description the
/// source generator compiles into kernels and the runtime uses to validate weights and buffers. A chain of dense
/// layers is one such graph (<see cref="NetworkSpec(string, IEnumerable{DenseLayerSpec})"/>). Immutable and compared
/// by value.
/// </summary>
public sealed partial class NetworkSpec : IEquatable<NetworkSpec>
{
    /// <summary>The input tensor of a chain.</summary>
    public const string ChainInput = "input";

    /// <summary>The output tensor of a chain.</summary>
    public const string ChainOutput = "output";

    private readonly TensorSpec[] _inputs;
    private readonly NodeSpec[] _nodes;
    private readonly TensorSpec[] _outputs;
    private readonly DenseLayerSpec[] _layers;
    private readonly Dictionary<string, (int Producer, int Width)> _tensors;
    private string? _fingerprint;

    /// <summary>
    /// Creates a chain: each layer reads the one before it, the first reads the network's input <see cref="ChainInput"/>,
    /// the last writes its output <see cref="ChainOutput"/>, and layer <c>X</c> in between writes <c>X.output</c>
    /// (the chain's wiring replaces any the layers were given).
    /// </summary>
    /// <exception cref="NetworkSpecException">The layers do not form a valid network; every problem is listed.</exception>
    public NetworkSpec(string name, IEnumerable<DenseLayerSpec> layers)
        : this(name, Chain(layers), isChain: true)
    {
    }

    /// <summary>
    /// Creates a graph: <paramref name="nodes"/>, in an order in which each reads only network inputs and tensors that
    /// nodes before it write, every node wired (<see cref="DenseLayerSpec.WithTensors"/>), and the tensors the network
    /// returns.
    /// </summary>
    /// <exception cref="NetworkSpecException">The graph is not a valid network; every problem is listed.</exception>
    public NetworkSpec(string name, IEnumerable<TensorSpec> inputs, IEnumerable<NodeSpec> nodes, IEnumerable<string> outputs)
        : this(name, Graph(inputs, nodes, outputs), isChain: false)
    {
    }

    private NetworkSpec(string name, (TensorSpec[] Inputs, NodeSpec[] Nodes, string[] Outputs) graph, bool isChain)
    {
        if (name is null)
        {
            throw new ArgumentNullException(nameof(name));
        }

        List<SpecProblem> problems = SpecRules.Validate(graph.Inputs, graph.Nodes, graph.Outputs, isChain);
        if (problems.Count > 0)
        {
            throw new NetworkSpecException(name, problems);
        }

        Name = name;
        _inputs = graph.Inputs;
        _nodes = graph.Nodes;
        _tensors = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
        foreach (TensorSpec input in _inputs)
        {
            _tensors.Add(input.Name, (-1, input.Width));
        }

        var layers = new List<DenseLayerSpec>();
        long flops = 0;
        long parameters = 0;
        for (int i = 0; i < _nodes.Length; i++)
        {
            NodeSpec node = _nodes[i];
            _tensors.Add(node.OutputTensor!, (i, node.OutputWidth));
            if (node is DenseLayerSpec dense)
            {
                layers.Add(dense);
            }

            flops += node.FlopsPerRow;
            parameters += node.ParameterCount;
        }

        _layers = layers.ToArray();
        _outputs = new TensorSpec[graph.Outputs.Length];
        var outputSet = new HashSet<string>(graph.Outputs, StringComparer.Ordinal);
        int widest = 0;
        for (int o = 0; o < graph.Outputs.Length; o++)
        {
            _outputs[o] = new TensorSpec(graph.Outputs[o], _tensors[graph.Outputs[o]].Width);
        }

        foreach (NodeSpec node in _nodes)
        {
            if (!outputSet.Contains(node.OutputTensor!))
            {
                widest = Math.Max(widest, node.OutputWidth);
            }
        }

        IsChain = ComputeIsChain();
        MaxHiddenSize = widest;
        FlopsPerSample = flops;
        ParameterCount = parameters;
    }

    /// <summary>The network's name (the generated type's name, or the spec file's <c>name</c>).</summary>
    public string Name { get; }

    /// <summary>The tensors the caller provides.</summary>
    public IReadOnlyList<TensorSpec> Inputs => _inputs;

    /// <summary>Every node, in the order they run (each reads only inputs and tensors earlier nodes write).</summary>
    public IReadOnlyList<NodeSpec> Nodes => _nodes;

    /// <summary>The tensors the network returns.</summary>
    public IReadOnlyList<TensorSpec> Outputs => _outputs;

    /// <summary>The dense layers, in the order they run; for a chain, every node.</summary>
    public IReadOnlyList<DenseLayerSpec> Layers => _layers;

    /// <summary>
    /// Whether the network is a chain: one input, one output, and nothing but dense layers, each reading the one before
    /// it. The backward pass and its checkpoint schedules run on chains.
    /// </summary>
    public bool IsChain { get; }

    /// <summary>The width of the network's input; see <see cref="Inputs"/> for a network of several.</summary>
    /// <exception cref="InvalidOperationException">The network has more than one input.</exception>
    public int InputSize => _inputs.Length == 1 ? _inputs[0].Width : throw Several("inputs", _inputs.Length);

    /// <summary>The width of the network's output; see <see cref="Outputs"/> for a network of several.</summary>
    /// <exception cref="InvalidOperationException">The network has more than one output.</exception>
    public int OutputSize => _outputs.Length == 1 ? _outputs[0].Width : throw Several("outputs", _outputs.Length);

    /// <summary>The widest tensor between two nodes (0 when every node writes a network output).</summary>
    public int MaxHiddenSize { get; }

    /// <summary>Floating-point operations per sample of a forward pass, counting each fused multiply-add as two.</summary>
    public long FlopsPerSample { get; }

    /// <summary>The number of weights and biases.</summary>
    public long ParameterCount { get; }

    /// <summary>
    /// Sixteen hexadecimal digits of SHA-256 over what the kernels compile: each layer's K, N, activation and its
    /// parameter, in order (not the names), and for a graph that is not a chain, which tensor each node reads (by its
    /// writer, not its name). Weights saved for one spec carry it, so a file made for a network that has since changed
    /// is rejected by name rather than run.
    /// </summary>
    public string Fingerprint
    {
        get
        {
            if (_fingerprint is null)
            {
                StringBuilder text;
                if (IsChain)
                {
                    text = new StringBuilder("simdcheckpoint-spec-1\n");
                    foreach (DenseLayerSpec l in _layers)
                    {
                        text.Append(l.Inputs.ToString(CultureInfo.InvariantCulture)).Append(' ')
                            .Append(l.Outputs.ToString(CultureInfo.InvariantCulture)).Append(' ')
                            .Append(ActivationInfo.NameOf(l.Activation)).Append(' ')
                            .Append(SpecHash.SingleBits(l.Alpha).ToString("x8", CultureInfo.InvariantCulture)).Append('\n');
                    }
                }
                else
                {
                    text = new StringBuilder("simdcheckpoint-spec-2\n");
                    foreach (TensorSpec input in _inputs)
                    {
                        text.Append("input ").Append(input.Width.ToString(CultureInfo.InvariantCulture)).Append('\n');
                    }

                    foreach (NodeSpec node in _nodes)
                    {
                        text.Append(node.CompiledForm).Append(" <-");
                        foreach (string t in node.InputTensors)
                        {
                            text.Append(' ').Append(Source(t));
                        }

                        text.Append('\n');
                    }

                    foreach (TensorSpec output in _outputs)
                    {
                        text.Append("output ").Append(Source(output.Name)).Append('\n');
                    }
                }

                byte[] hash;
                using (SHA256 sha = SHA256.Create())
                {
                    hash = sha.ComputeHash(Encoding.UTF8.GetBytes(text.ToString()));
                }

                var hex = new StringBuilder(16);
                for (int i = 0; i < 8; i++)
                {
                    hex.Append(hash[i].ToString("x2", CultureInfo.InvariantCulture));
                }

                _fingerprint = hex.ToString();
            }

            return _fingerprint;
        }
    }

    /// <summary>"784 -> 256 -> 128 -> 10" for a chain; the inputs, node count and outputs of another graph.</summary>
    public string Shape
    {
        get
        {
            var sb = new StringBuilder();
            if (IsChain)
            {
                sb.Append(InputSize.ToString(CultureInfo.InvariantCulture));
                foreach (DenseLayerSpec layer in _layers)
                {
                    sb.Append(" -> ").Append(layer.Outputs.ToString(CultureInfo.InvariantCulture));
                }

                return sb.ToString();
            }

            sb.Append(Join(_inputs)).Append(" -> ").Append(_nodes.Length.ToString(CultureInfo.InvariantCulture)).Append(" nodes -> ").Append(Join(_outputs));
            return sb.ToString();
        }
    }

    /// <summary>The tensor named <paramref name="name"/>: a network input or what a node writes.</summary>
    /// <exception cref="KeyNotFoundException">The network has no such tensor.</exception>
    public TensorSpec Tensor(string name)
    {
        if (name is null)
        {
            throw new ArgumentNullException(nameof(name));
        }

        return _tensors.TryGetValue(name, out (int Producer, int Width) t)
            ? new TensorSpec(name, t.Width)
            : throw new KeyNotFoundException("Network '" + Name + "' has no tensor named '" + name + "'.");
    }

    /// <summary>The node that writes <paramref name="tensor"/>, or -1 for a network input.</summary>
    /// <exception cref="KeyNotFoundException">The network has no such tensor.</exception>
    public int ProducerOf(string tensor) =>
        _tensors.TryGetValue(tensor, out (int Producer, int Width) t) ? t.Producer : throw new KeyNotFoundException("Network '" + Name + "' has no tensor named '" + tensor + "'.");

    /// <summary>This network under another name (the name of the type that compiles it, say).</summary>
    public NetworkSpec WithName(string name)
    {
        if (name is null)
        {
            throw new ArgumentNullException(nameof(name));
        }

        if (IsChain)
        {
            return Chain(name, _layers, _inputs[0].Name, _outputs[0].Name);
        }

        return new NetworkSpec(name, (_inputs, _nodes, Names(_outputs)), isChain: false) { Encoder = Encoder };
    }

    /// <summary>How <paramref name="other"/> differs from this network in what the kernels compile, or null when it does not.</summary>
    internal string? DescribeDifference(NetworkSpec other)
    {
        if (other._layers.Length != _layers.Length)
        {
            return "it has " + other._layers.Length.ToString(CultureInfo.InvariantCulture) + " layers (" + other.Shape + "), not "
                + _layers.Length.ToString(CultureInfo.InvariantCulture) + " (" + Shape + ")";
        }

        for (int i = 0; i < _layers.Length; i++)
        {
            DenseLayerSpec a = _layers[i], b = other._layers[i];
            if (!a.SameKernel(b))
            {
                return "its layer " + i.ToString(CultureInfo.InvariantCulture) + " is " + b.ShapeText + ", not " + a.ShapeText;
            }
        }

        return other.Fingerprint == Fingerprint ? null : "its layers are wired into another graph";
    }

    /// <inheritdoc/>
    public bool Equals(NetworkSpec? other)
    {
        if (other is null || !string.Equals(Name, other.Name, StringComparison.Ordinal)
            || _nodes.Length != other._nodes.Length || _inputs.Length != other._inputs.Length || _outputs.Length != other._outputs.Length)
        {
            return false;
        }

        for (int i = 0; i < _inputs.Length; i++)
        {
            if (!_inputs[i].Equals(other._inputs[i]))
            {
                return false;
            }
        }

        for (int i = 0; i < _nodes.Length; i++)
        {
            if (!_nodes[i].Equals(other._nodes[i]))
            {
                return false;
            }
        }

        for (int i = 0; i < _outputs.Length; i++)
        {
            if (!_outputs[i].Equals(other._outputs[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as NetworkSpec);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        int h = SpecHash.Of(Name);
        foreach (NodeSpec node in _nodes)
        {
            h = SpecHash.Combine(h, node.GetHashCode());
        }

        return h;
    }

    /// <inheritdoc/>
    public override string ToString() => Name + " (" + Shape + ")";

    /// <summary>A chain whose input and output tensors have the given names (an ONNX file's, say).</summary>
    /// <exception cref="NetworkSpecException">The layers do not form a valid network.</exception>
    internal static NetworkSpec Chain(string name, IEnumerable<DenseLayerSpec> layers, string input, string output) =>
        new(name, Chain(layers, input, output), isChain: true);

    private static (TensorSpec[] Inputs, NodeSpec[] Nodes, string[] Outputs) Chain(IEnumerable<DenseLayerSpec> layers, string input = ChainInput, string output = ChainOutput)
    {
        if (layers is null)
        {
            throw new ArgumentNullException(nameof(layers));
        }

        var list = new List<DenseLayerSpec>(layers);
        var nodes = new NodeSpec[list.Count];
        string previous = input;
        for (int i = 0; i < list.Count; i++)
        {
            DenseLayerSpec layer = list[i] ?? throw new ArgumentException("Layer " + i.ToString(CultureInfo.InvariantCulture) + " is null.", nameof(layers));
            string written = i == list.Count - 1 ? output : layer.Name + ".output";
            nodes[i] = layer.Wire(new[] { previous }, written);
            previous = written;
        }

        TensorSpec[] inputs = list.Count == 0 ? Array.Empty<TensorSpec>() : new[] { new TensorSpec(input, list[0].Inputs) };
        return (inputs, nodes, list.Count == 0 ? Array.Empty<string>() : new[] { output });
    }

    private static (TensorSpec[] Inputs, NodeSpec[] Nodes, string[] Outputs) Graph(IEnumerable<TensorSpec> inputs, IEnumerable<NodeSpec> nodes, IEnumerable<string> outputs)
    {
        if (inputs is null)
        {
            throw new ArgumentNullException(nameof(inputs));
        }

        if (nodes is null)
        {
            throw new ArgumentNullException(nameof(nodes));
        }

        if (outputs is null)
        {
            throw new ArgumentNullException(nameof(outputs));
        }

        TensorSpec[] inputArray = new List<TensorSpec>(inputs).ToArray();
        NodeSpec[] nodeArray = new List<NodeSpec>(nodes).ToArray();
        string[] outputArray = new List<string>(outputs).ToArray();
        for (int i = 0; i < inputArray.Length; i++)
        {
            if (inputArray[i] is null)
            {
                throw new ArgumentException("Input " + i.ToString(CultureInfo.InvariantCulture) + " is null.", nameof(inputs));
            }
        }

        for (int i = 0; i < nodeArray.Length; i++)
        {
            if (nodeArray[i] is null)
            {
                throw new ArgumentException("Node " + i.ToString(CultureInfo.InvariantCulture) + " is null.", nameof(nodes));
            }
        }

        for (int i = 0; i < outputArray.Length; i++)
        {
            if (outputArray[i] is null)
            {
                throw new ArgumentException("Output " + i.ToString(CultureInfo.InvariantCulture) + " is null.", nameof(outputs));
            }
        }

        return (inputArray, nodeArray, outputArray);
    }

    private bool ComputeIsChain()
    {
        if (_inputs.Length != 1 || _outputs.Length != 1 || _layers.Length != _nodes.Length)
        {
            return false;
        }

        string previous = _inputs[0].Name;
        foreach (NodeSpec node in _nodes)
        {
            if (node.InputTensors.Count != 1 || node.InputTensors[0] != previous)
            {
                return false;
            }

            previous = node.OutputTensor!;
        }

        return previous == _outputs[0].Name;
    }

    /// <summary>Where a tensor comes from, by position rather than name: "n3" (node 3) or "i0" (input 0).</summary>
    private string Source(string tensor)
    {
        int producer = ProducerOf(tensor);
        if (producer >= 0)
        {
            return "n" + producer.ToString(CultureInfo.InvariantCulture);
        }

        for (int i = 0; i < _inputs.Length; i++)
        {
            if (_inputs[i].Name == tensor)
            {
                return "i" + i.ToString(CultureInfo.InvariantCulture);
            }
        }

        return "?";
    }

    private static string[] Names(TensorSpec[] tensors)
    {
        string[] names = new string[tensors.Length];
        for (int i = 0; i < tensors.Length; i++)
        {
            names[i] = tensors[i].Name;
        }

        return names;
    }

    private static string Join(TensorSpec[] tensors)
    {
        var parts = new List<string>();
        foreach (TensorSpec t in tensors)
        {
            parts.Add(t.ToString());
        }

        return "(" + string.Join(", ", parts) + ")";
    }

    private InvalidOperationException Several(string what, int count) =>
        new("Network '" + Name + "' has " + count.ToString(CultureInfo.InvariantCulture) + " " + what + "; see " + (what == "inputs" ? nameof(Inputs) : nameof(Outputs)) + ".");
}
