using System;
using System.Collections.Generic;
using System.Globalization;

namespace SimdCheckpoint.Onnx;

/// <summary>Where one dense layer's weights and bias are in the ONNX file, and how to read them.</summary>
internal sealed class OnnxLayerSource
{
    public OnnxLayerSource(OnnxNode node, OnnxTensor weight, bool weightIsOutputsByInputs, float alpha, OnnxTensor? bias, float beta)
    {
        Node = node;
        Weight = weight;
        WeightIsOutputsByInputs = weightIsOutputsByInputs;
        Alpha = alpha;
        Bias = bias;
        Beta = beta;
    }

    /// <summary>The Gemm or MatMul node.</summary>
    public OnnxNode Node { get; }

    public OnnxTensor Weight { get; }

    /// <summary>True for Gemm with transB = 1 (PyTorch's nn.Linear): the weight is stored [N, K].</summary>
    public bool WeightIsOutputsByInputs { get; }

    /// <summary>Gemm's alpha (1 otherwise): the loader multiplies the weights by it once.</summary>
    public float Alpha { get; }

    /// <summary>Null when the layer has no bias (a MatMul without Add, or a Gemm without C): zeros.</summary>
    public OnnxTensor? Bias { get; }

    /// <summary>Gemm's beta (1 otherwise): the loader multiplies the bias by it once.</summary>
    public float Beta { get; }
}

/// <summary>The network an ONNX graph describes, or the problems that prevent reading one.</summary>
internal sealed class OnnxNetworkReadResult
{
    public OnnxNetworkReadResult(NetworkSpec? spec, List<SpecProblem> problems, List<OnnxLayerSource> layers, OnnxModel? model)
    {
        Spec = spec;
        Problems = problems;
        Layers = layers;
        Model = model;
    }

    public NetworkSpec? Spec { get; }

    public IReadOnlyList<SpecProblem> Problems { get; }

    /// <summary>One per layer of <see cref="Spec"/>.</summary>
    public IReadOnlyList<OnnxLayerSource> Layers { get; }

    public OnnxModel? Model { get; }
}

/// <summary>
/// Reads a chain of dense layers out of an ONNX graph, as <c>torch.onnx.export</c> and other exporters write it
/// (opsets 9 to 21): <c>Gemm</c> or <c>MatMul</c> (+ <c>Add</c> of a bias) per layer, each optionally followed by one
/// activation (<c>Relu</c>, <c>LeakyRelu</c>, <c>Sigmoid</c>, <c>Tanh</c>, <c>Softmax</c> on the last axis,
/// <c>Gelu</c>, or the GELU and SiLU patterns of elementary nodes), with <c>Flatten</c>, <c>Identity</c> and
/// <c>Dropout</c> (inference) passed through. The generator and the runtime share this code, so a file means the same
/// network at build time and at run time. Every node off the supported chain is a problem naming it.
/// </summary>
internal static class OnnxNetworkReader
{
    public const int MinOpset = 9;
    public const int MaxOpset = 21;

    private const float Sqrt2 = 1.41421356f;

    /// <summary>Reads the network; never throws for bad bytes (they are a problem in the result).</summary>
    public static OnnxNetworkReadResult Read(byte[] data, string networkName, string fileName)
    {
        OnnxModel model;
        try
        {
            model = OnnxModel.Parse(data);
        }
        catch (OnnxFormatException e)
        {
            var problems = new List<SpecProblem> { Network(SpecDiagnosticIds.MalformedOnnx, fileName + ": " + e.Message) };
            return new OnnxNetworkReadResult(null, problems, new List<OnnxLayerSource>(), null);
        }

        return new Walker(model, networkName, fileName).Run();
    }

    private static SpecProblem Network(string id, string message) => new(id, message, -1, SpecField.Network);

    private sealed class Walker
    {
        private readonly OnnxModel _model;
        private readonly OnnxGraph _graph;
        private readonly string _networkName;
        private readonly string _file;
        private readonly List<SpecProblem> _problems = new();
        private readonly Dictionary<string, OnnxTensor> _constants = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<OnnxNode>> _consumers = new(StringComparer.Ordinal);
        private readonly HashSet<OnnxNode> _used = new();
        private NetworkSpec? _spec;
        private readonly List<OnnxLayerSource> _sources = new();
        private readonly List<Activation> _activations = new();
        private readonly List<float?> _alphas = new();

        // The graph input the chain starts from (not always graph.input[0]: older exporters list the initializers there too).
        private string _inputName = string.Empty;
        private string _outputName = string.Empty;

        // Whether the last layer can still take an activation (nothing but pass-through nodes since its Gemm/MatMul).
        private bool _open;

        public Walker(OnnxModel model, string networkName, string file)
        {
            _model = model;
            _graph = model.Graph;
            _networkName = networkName;
            _file = file;
        }

        public OnnxNetworkReadResult Run()
        {
            long opset = _model.Opset;
            if (opset != 0 && (opset < MinOpset || opset > MaxOpset))
            {
                Fail(null, "uses opset " + opset.ToString(CultureInfo.InvariantCulture) + "; SimdCheckpoint reads opsets "
                    + MinOpset.ToString(CultureInfo.InvariantCulture) + " to " + MaxOpset.ToString(CultureInfo.InvariantCulture)
                    + " (re-export with opset_version in that range).");
                return Result();
            }

            foreach (OnnxTensor t in _graph.Initializers)
            {
                _constants[t.Name] = t;
            }

            foreach (OnnxNode n in _graph.Nodes)
            {
                if (n.Domain.Length != 0 && n.Domain != "ai.onnx")
                {
                    Fail(n, "is in the operator domain '" + n.Domain + "'; only the default ONNX domain is supported.");
                    continue;
                }

                if (n.OpType == "Constant" && n.Outputs.Count == 1)
                {
                    OnnxTensor? value = n.Attribute("value")?.Tensor;
                    if (value is not null)
                    {
                        _constants[n.Outputs[0]] = value;
                    }

                    _used.Add(n);
                    continue;
                }

                foreach (string name in n.Inputs)
                {
                    if (name.Length == 0)
                    {
                        continue;
                    }

                    if (!_consumers.TryGetValue(name, out List<OnnxNode>? list))
                    {
                        list = new List<OnnxNode>();
                        _consumers[name] = list;
                    }

                    if (!list.Contains(n))
                    {
                        list.Add(n);
                    }
                }
            }

            if (_problems.Count > 0)
            {
                return Result();
            }

            var inputs = new List<OnnxValueInfo>();
            foreach (OnnxValueInfo v in _graph.Inputs)
            {
                if (!_constants.ContainsKey(v.Name))
                {
                    inputs.Add(v);
                }
            }

            if (inputs.Count != 1 || _graph.Outputs.Count != 1)
            {
                Fail(null, "has " + inputs.Count.ToString(CultureInfo.InvariantCulture) + " input(s) and "
                    + _graph.Outputs.Count.ToString(CultureInfo.InvariantCulture) + " output(s) ("
                    + Names(inputs) + " → " + Names(_graph.Outputs) + "); a SimdCheckpoint network has exactly one of each.");
                return Result();
            }

            OnnxValueInfo input = inputs[0];
            _inputName = input.Name;
            string output = _graph.Outputs[0].Name;
            _outputName = output;
            if (input.ElementType != 0 && input.ElementType != OnnxModel.FloatType)
            {
                Fail(null, "has the input '" + input.Name + "' of element type " + OnnxTensor.TypeName(input.ElementType)
                    + "; SimdCheckpoint networks take FLOAT (float32) inputs.");
                return Result();
            }

            // Features per sample and rank, when the input's shape says; the batch dimension may be anything.
            long? features = null;
            int rank = input.Dims?.Count ?? -1;
            if (input.Dims is { } dims)
            {
                if (dims.Count < 2)
                {
                    Fail(null, "has the input '" + input.Name + "' of rank " + dims.Count.ToString(CultureInfo.InvariantCulture)
                        + "; a dense network takes [batch, features].");
                    return Result();
                }

                features = 1;
                for (int i = 1; i < dims.Count; i++)
                {
                    if (dims[i] is not long d || d <= 0 || d > int.MaxValue || features.Value * d > int.MaxValue)
                    {
                        features = null;
                        break;
                    }

                    features *= d;
                }
            }

            string current = input.Name;
            for (int guard = 0; guard <= _graph.Nodes.Count + 1; guard++)
            {
                _consumers.TryGetValue(current, out List<OnnxNode>? next);
                int count = next?.Count ?? 0;
                if (current == output && count == 0)
                {
                    break;
                }

                if (count == 0)
                {
                    Fail(null, "ends the chain from its input at '" + current + "', which is not the graph output '" + output + "'.");
                    return Result();
                }

                if (count == 2 && TryActivationPattern(current, next!, out string? after))
                {
                    if (after is null)
                    {
                        // The pattern's activation could not be applied here; SetActivation has reported why.
                        return Result();
                    }

                    current = after;
                    continue;
                }

                if (count > 1)
                {
                    var described = new List<string>();
                    foreach (OnnxNode n in next!)
                    {
                        described.Add(n.Describe());
                    }

                    Fail(next![0], "reads '" + current + "', which " + count.ToString(CultureInfo.InvariantCulture) + " nodes read ("
                        + string.Join(", ", described) + "); SimdCheckpoint compiles a chain of layers, where each value feeds one node "
                        + "(apart from the GELU and SiLU patterns).");
                    return Result();
                }

                OnnxNode node = next![0];
                string? result = Step(node, current, ref rank, ref features);
                if (result is null)
                {
                    return Result();
                }

                _used.Add(node);
                current = result;
            }

            foreach (OnnxNode n in _graph.Nodes)
            {
                if (!_used.Contains(n))
                {
                    Fail(n, "is not on the chain of layers from the input '" + input.Name + "' to the output '" + output
                        + "'; SimdCheckpoint compiles one chain and no side branches.");
                }
            }

            if (_problems.Count == 0 && _sources.Count == 0)
            {
                Fail(null, "has no Gemm or MatMul node, so no dense layer.");
            }

            if (_problems.Count == 0)
            {
                BuildSpec();
            }

            return Result();
        }

        private OnnxNetworkReadResult Result()
        {
            if (_problems.Count > 0 || _spec is null)
            {
                return new OnnxNetworkReadResult(null, _problems, new List<OnnxLayerSource>(), _model);
            }

            return new OnnxNetworkReadResult(_spec, _problems, _sources, _model);
        }

        private void BuildSpec()
        {
            var raw = new List<DenseLayerSpec>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < _sources.Count; i++)
            {
                OnnxLayerSource s = _sources[i];
                string name = LayerName(s.Weight.Name, i, names);
                names.Add(name);
                int k = (int)(s.WeightIsOutputsByInputs ? s.Weight.Dims[1] : s.Weight.Dims[0]);
                int n = (int)(s.WeightIsOutputsByInputs ? s.Weight.Dims[0] : s.Weight.Dims[1]);
                raw.Add(new DenseLayerSpec(name, k, n, _activations[i], _alphas[i]));
            }

            // The file's own names for the network's input and output; the layers between are wired as a chain.
            try
            {
                _spec = NetworkSpec.Chain(_networkName, raw, _inputName, _outputName);
            }
            catch (NetworkSpecException e)
            {
                foreach (SpecProblem p in e.Problems)
                {
                    string where = p.LayerIndex >= 0 ? _sources[p.LayerIndex].Node.Describe() + ": " : string.Empty;
                    _problems.Add(new SpecProblem(p.Id, _file + ": " + where + p.Message, p.LayerIndex, p.Field));
                }
            }
        }

        /// <summary>"fc1.weight" → "fc1" (PyTorch's parameter names); otherwise the default name.</summary>
        private static string LayerName(string weightName, int index, HashSet<string> taken)
        {
            const string suffix = ".weight";
            if (weightName.EndsWith(suffix, StringComparison.Ordinal) && weightName.Length > suffix.Length)
            {
                string name = weightName.Substring(0, weightName.Length - suffix.Length);
                if (SpecRules.CheckName(name) is null && !taken.Contains(name))
                {
                    return name;
                }
            }

            string fallback = SpecRules.DefaultLayerName(index);
            for (int j = 1; taken.Contains(fallback); j++)
            {
                fallback = SpecRules.DefaultLayerName(index) + "_" + j.ToString(CultureInfo.InvariantCulture);
            }

            return fallback;
        }

        /// <summary>One node of the chain; returns the tensor it produces, or null after reporting why it cannot.</summary>
        private string? Step(OnnxNode node, string current, ref int rank, ref long? features)
        {
            if (node.Inputs.Count == 0 || node.Inputs[0] != current || node.Outputs.Count == 0)
            {
                return Fail(node, "reads '" + current + "' as an input other than its first; SimdCheckpoint reads the data flowing through its first input.");
            }

            string output = node.Outputs[0];
            switch (node.OpType)
            {
                case "Identity":
                    return output;

                case "Dropout":
                    if (node.Inputs.Count >= 3 && node.Inputs[2].Length > 0
                        && !(_constants.TryGetValue(node.Inputs[2], out OnnxTensor? mode) && IsFalse(mode)))
                    {
                        return Fail(node, "has a training_mode input that is not the constant false; only inference Dropout (the identity) is supported.");
                    }

                    if (node.Outputs.Count > 1 && node.Outputs[1].Length > 0 && _consumers.ContainsKey(node.Outputs[1]))
                    {
                        return Fail(node, "has its mask output read by another node; only inference Dropout (the identity) is supported.");
                    }

                    return output;

                case "Flatten":
                    long axis = node.Attribute("axis")?.Int ?? 1;
                    if (!(axis == 1 || (rank == 2 && axis == -1)))
                    {
                        return Fail(node, "has axis " + axis.ToString(CultureInfo.InvariantCulture)
                            + "; only Flatten to [batch, features] (axis 1) is supported.");
                    }

                    if (_sources.Count > 0)
                    {
                        // After a dense layer the value is already [batch, N]: Flatten(axis 1) changes nothing.
                        return output;
                    }

                    rank = 2;
                    return output;

                case "Gemm":
                    return Gemm(node, current, rank, features);

                case "MatMul":
                    return MatMul(node, current, rank, features);

                case "Relu":
                    return SetActivation(node, Activation.Relu, null);

                case "Sigmoid":
                    return SetActivation(node, Activation.Sigmoid, null);

                case "Tanh":
                    return SetActivation(node, Activation.Tanh, null);

                case "LeakyRelu":
                    return SetActivation(node, Activation.LeakyRelu, node.Attribute("alpha")?.Float ?? 0.01f);

                case "Gelu":
                    string approximate = node.Attribute("approximate")?.String ?? "none";
                    if (approximate != "none" && approximate != "tanh")
                    {
                        return Fail(node, "has approximate = '" + approximate + "'; Gelu's are 'none' and 'tanh'.");
                    }

                    return SetActivation(node, approximate == "tanh" ? Activation.GeluTanh : Activation.Gelu, null);

                case "Softmax":
                    // Opsets before 13 default to axis 1 (flattening the rest), 13 and later to -1; on [batch, N] both mean the last axis.
                    long softmaxAxis = node.Attribute("axis")?.Int ?? (_model.Opset != 0 && _model.Opset < 13 ? 1 : -1);
                    if (softmaxAxis != -1 && softmaxAxis != 1)
                    {
                        return Fail(node, "has axis " + softmaxAxis.ToString(CultureInfo.InvariantCulture)
                            + "; only softmax over the last axis of [batch, N] (axis -1 or 1) is supported.");
                    }

                    return SetActivation(node, Activation.Softmax, null);

                case "Add":
                    return Fail(node, "adds to the output of something other than a MatMul; only a MatMul followed by the Add of a constant bias is supported.");

                default:
                    return Fail(node, "is an operator SimdCheckpoint does not compile. Supported: Gemm, MatMul (+ Add of a bias), Relu, LeakyRelu, "
                        + "Sigmoid, Tanh, Softmax (last axis), Gelu and the Div→Erf→Add→Mul→Mul GELU pattern, the Sigmoid→Mul SiLU pattern, "
                        + "Flatten, Identity and Dropout (inference).");
            }
        }

        private string? Gemm(OnnxNode node, string current, int rank, long? features)
        {
            if (rank > 2 && _sources.Count == 0)
            {
                return Fail(node, "reads the input of rank " + rank.ToString(CultureInfo.InvariantCulture)
                    + " directly; flatten it to [batch, features] first (a Flatten node).");
            }

            if ((node.Attribute("transA")?.Int ?? 0) != 0)
            {
                return Fail(node, "has transA = 1; the data must be the [batch, K] A input (transA = 0).");
            }

            long transB = node.Attribute("transB")?.Int ?? 0;
            if (transB != 0 && transB != 1)
            {
                return Fail(node, "has transB = " + transB.ToString(CultureInfo.InvariantCulture) + "; it must be 0 or 1.");
            }

            if (node.Inputs.Count < 2)
            {
                return Fail(node, "has " + node.Inputs.Count.ToString(CultureInfo.InvariantCulture)
                    + " input(s); a Gemm takes the data A, the weight B and an optional bias C.");
            }

            if (!TryWeight(node, node.Inputs[1], out OnnxTensor? weight))
            {
                return null;
            }

            int k = (int)(transB == 1 ? weight!.Dims[1] : weight!.Dims[0]);
            int n = (int)(transB == 1 ? weight.Dims[0] : weight.Dims[1]);
            OnnxTensor? bias = null;
            if (node.Inputs.Count >= 3 && node.Inputs[2].Length > 0)
            {
                if (!TryBias(node, node.Inputs[2], n, allowScalar: true, out bias))
                {
                    return null;
                }
            }

            if (!CheckK(node, k, features))
            {
                return null;
            }

            float alpha = node.Attribute("alpha")?.Float ?? 1f;
            float beta = node.Attribute("beta")?.Float ?? 1f;
            if (!IsFinite(alpha) || !IsFinite(beta))
            {
                return Fail(node, "has a non-finite alpha or beta.");
            }

            AddLayer(new OnnxLayerSource(node, weight, transB == 1, alpha, bias, beta));
            return node.Outputs[0];
        }

        private string? MatMul(OnnxNode node, string current, int rank, long? features)
        {
            if (rank > 2 && _sources.Count == 0)
            {
                return Fail(node, "reads the input of rank " + rank.ToString(CultureInfo.InvariantCulture)
                    + " directly; flatten it to [batch, features] first (a Flatten node).");
            }

            if (node.Inputs.Count != 2 || !TryWeight(node, node.Inputs[1], out OnnxTensor? weight))
            {
                return node.Inputs.Count != 2 ? Fail(node, "does not have two inputs.") : null;
            }

            int k = (int)weight!.Dims[0];
            int n = (int)weight.Dims[1];
            if (!CheckK(node, k, features))
            {
                return null;
            }

            string output = node.Outputs[0];
            OnnxTensor? bias = null;
            if (_consumers.TryGetValue(output, out List<OnnxNode>? next) && next.Count == 1 && next[0].OpType == "Add"
                && next[0].Inputs.Count == 2 && next[0].Outputs.Count == 1)
            {
                OnnxNode add = next[0];
                string other = add.Inputs[0] == output ? add.Inputs[1] : add.Inputs[0];
                if (_constants.ContainsKey(other))
                {
                    if (!TryBias(add, other, n, allowScalar: false, out bias))
                    {
                        return null;
                    }

                    _used.Add(add);
                    output = add.Outputs[0];
                }
            }

            AddLayer(new OnnxLayerSource(node, weight, false, 1f, bias, 1f));
            return output;
        }

        private void AddLayer(OnnxLayerSource source)
        {
            _sources.Add(source);
            _activations.Add(Activation.Identity);
            _alphas.Add(null);
            _open = true;
        }

        private bool CheckK(OnnxNode node, int k, long? features)
        {
            if (_sources.Count == 0 && features is long f && f != k)
            {
                Fail(node, "multiplies the input '" + _inputName + "' of " + f.ToString(CultureInfo.InvariantCulture)
                    + " features per sample by a weight with K = " + k.ToString(CultureInfo.InvariantCulture) + ".");
                return false;
            }

            return true;
        }

        private bool TryWeight(OnnxNode node, string name, out OnnxTensor? weight)
        {
            if (!_constants.TryGetValue(name, out weight))
            {
                Fail(node, "multiplies by '" + name + "', which the graph computes; the weights must be an initializer (a constant).");
                return false;
            }

            if (weight.Dims.Count != 2 || weight.Dims[0] <= 0 || weight.Dims[1] <= 0 || weight.Dims[0] > int.MaxValue || weight.Dims[1] > int.MaxValue)
            {
                Fail(node, "has the weight '" + name + "' of shape " + weight.ShapeText + "; a dense layer's weight is a matrix with positive dimensions.");
                return false;
            }

            if (weight.DataType != OnnxModel.FloatType)
            {
                Fail(node, "has the weight '" + name + "' of type " + weight.DataTypeName + "; SimdCheckpoint runs float32 weights.");
                return false;
            }

            return true;
        }

        private bool TryBias(OnnxNode node, string name, int n, bool allowScalar, out OnnxTensor? bias)
        {
            if (!_constants.TryGetValue(name, out bias))
            {
                Fail(node, "adds '" + name + "', which the graph computes; the bias must be an initializer (a constant).");
                return false;
            }

            long count = bias.ElementCount;
            bool vector = (bias.Dims.Count == 1 && bias.Dims[0] == n) || (bias.Dims.Count == 2 && bias.Dims[0] == 1 && bias.Dims[1] == n);
            bool scalar = allowScalar && count == 1 && bias.Dims.Count <= 2;
            if (!vector && !scalar)
            {
                Fail(node, "has the bias '" + name + "' of shape " + bias.ShapeText + "; a layer with N = "
                    + n.ToString(CultureInfo.InvariantCulture) + " takes a bias of shape [" + n.ToString(CultureInfo.InvariantCulture) + "]"
                    + (allowScalar ? ", [1, N] or a scalar." : " or [1, N]."));
                return false;
            }

            if (bias.DataType != OnnxModel.FloatType)
            {
                Fail(node, "has the bias '" + name + "' of type " + bias.DataTypeName + "; SimdCheckpoint runs float32 weights.");
                return false;
            }

            return true;
        }

        private string? SetActivation(OnnxNode node, Activation activation, float? alpha)
        {
            if (!_open)
            {
                return Fail(node, _sources.Count == 0
                    ? "comes before the first Gemm or MatMul; SimdCheckpoint applies activations to a dense layer's outputs."
                    : "follows another activation; SimdCheckpoint fuses one activation into each dense layer.");
            }

            _activations[_activations.Count - 1] = activation;
            _alphas[_alphas.Count - 1] = alpha;
            _open = false;
            return node.Outputs[0];
        }

        /// <summary>x·σ(x) (SiLU) or x·½(1 + erf(x/√2)) (GELU), as exporters spell them with elementary nodes.</summary>
        private bool TryActivationPattern(string x, List<OnnxNode> readers, out string? output)
        {
            output = null;
            OnnxNode a = readers[0], b = readers[1];
            if (a.OpType == "Mul" && b.OpType != "Mul")
            {
                (a, b) = (b, a);
            }

            // a: the first node of the pattern (Sigmoid or Div); b: Mul(x, …).
            if (b.OpType != "Mul" || b.Inputs.Count != 2 || b.Outputs.Count != 1)
            {
                return false;
            }

            string Other(OnnxNode mul, string one) => mul.Inputs[0] == one ? mul.Inputs[1] : mul.Inputs[1] == one ? mul.Inputs[0] : string.Empty;

            if (a.OpType == "Sigmoid" && a.Outputs.Count == 1 && Other(b, x) == a.Outputs[0] && Only(a.Outputs[0], b))
            {
                if (SetActivation(a, Activation.Silu, null) is null)
                {
                    return true;
                }

                _used.Add(a);
                _used.Add(b);
                output = b.Outputs[0];
                return true;
            }

            if (a.OpType == "Div" && a.Inputs.Count == 2 && a.Inputs[0] == x && a.Outputs.Count == 1 && IsScalar(a.Inputs[1], Sqrt2, 1e-6f)
                && Single(a.Outputs[0], "Erf") is { } erf && erf.Outputs.Count == 1
                && Single(erf.Outputs[0], "Add") is { } add && add.Inputs.Count == 2 && add.Outputs.Count == 1
                && IsScalar(Other(add, erf.Outputs[0]), 1f, 0f)
                && Other(b, x) == add.Outputs[0] && Only(add.Outputs[0], b)
                && Single(b.Outputs[0], "Mul") is { } half && half.Inputs.Count == 2 && half.Outputs.Count == 1
                && IsScalar(Other(half, b.Outputs[0]), 0.5f, 0f))
            {
                if (SetActivation(a, Activation.Gelu, null) is null)
                {
                    return true;
                }

                _used.Add(a);
                _used.Add(erf);
                _used.Add(add);
                _used.Add(b);
                _used.Add(half);
                output = half.Outputs[0];
                return true;
            }

            return false;
        }

        private bool Only(string tensor, OnnxNode node) =>
            _consumers.TryGetValue(tensor, out List<OnnxNode>? list) && list.Count == 1 && list[0] == node;

        private OnnxNode? Single(string tensor, string opType) =>
            _consumers.TryGetValue(tensor, out List<OnnxNode>? list) && list.Count == 1 && list[0].OpType == opType ? list[0] : null;

        private bool IsScalar(string name, float value, float relativeTolerance)
        {
            if (!_constants.TryGetValue(name, out OnnxTensor? t) || t.ElementCount != 1 || t.DataType != OnnxModel.FloatType)
            {
                return false;
            }

            float v;
            try
            {
                v = t.ReadFloats()[0];
            }
            catch (OnnxFormatException)
            {
                return false;
            }

            return Math.Abs(v - value) <= relativeTolerance * Math.Abs(value);
        }

        private static bool IsFalse(OnnxTensor t) => t.TryReadBoolScalar(out bool value) && !value;

        private static bool IsFinite(float f) => !float.IsNaN(f) && !float.IsInfinity(f);

        private static string Names(IEnumerable<OnnxValueInfo> values)
        {
            var names = new List<string>();
            foreach (OnnxValueInfo v in values)
            {
                names.Add("'" + v.Name + "'");
            }

            return names.Count == 0 ? "none" : string.Join(", ", names);
        }

        private string? Fail(OnnxNode? node, string message)
        {
            string id = SpecDiagnosticIds.UnsupportedOnnxModel;
            _problems.Add(Network(id, _file + ": " + (node is null ? "the graph " : node.Describe() + " ") + message));
            return null;
        }
    }
}
