using System;
using System.Collections.Generic;
using System.Globalization;

namespace SimdCheckpoint.Onnx;

/// <summary>One parameter of an encoder read from ONNX: the tensor that holds it and how to turn it into the runtime's layout.</summary>
internal sealed class OnnxEncoderTensor
{
    public OnnxEncoderTensor(string name, OnnxTensor tensor, bool transpose, OnnxNode node)
    {
        Name = name;
        Tensor = tensor;
        Transpose = transpose;
        Node = node;
    }

    /// <summary>The Hugging Face name the runtime asks for (<c>encoder.layer.0.attention.self.query.weight</c>).</summary>
    public string Name { get; }

    /// <summary>The initializer, or the value of the <c>Constant</c> node, that holds it.</summary>
    public OnnxTensor Tensor { get; }

    /// <summary>
    /// True when the tensor is a matrix stored [in, out] (a MatMul's weight, or a Gemm's with transB = 0): the runtime's
    /// dense weights are PyTorch's [out, in], so it must be transposed.
    /// </summary>
    public bool Transpose { get; }

    /// <summary>The node that reads it (for messages).</summary>
    public OnnxNode Node { get; }

    /// <summary>The values in the runtime's layout (transposed when <see cref="Transpose"/>).</summary>
    /// <exception cref="OnnxFormatException">The tensor's data cannot be read as float32.</exception>
    public float[] ReadFloats()
    {
        float[] data = Tensor.ReadFloats();
        if (!Transpose)
        {
            return data;
        }

        int rows = (int)Tensor.Dims[0], columns = (int)Tensor.Dims[1];
        var transposed = new float[data.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                transposed[(c * rows) + r] = data[(r * columns) + c];
            }
        }

        return transposed;
    }
}

/// <summary>The encoder an ONNX graph describes, where its parameters are, or the problems that prevent reading it.</summary>
internal sealed class OnnxEncoderReadResult
{
    public OnnxEncoderReadResult(
        NetworkSpec? spec,
        IReadOnlyDictionary<string, OnnxEncoderTensor> tensors,
        IReadOnlyDictionary<string, string> graphNames,
        List<SpecProblem> problems,
        OnnxModel? model)
    {
        Spec = spec;
        Tensors = tensors;
        GraphNames = graphNames;
        Problems = problems;
        Model = model;
    }

    /// <summary>The <see cref="NetworkSpec.ForEncoder"/> graph, or null when there are problems.</summary>
    public NetworkSpec? Spec { get; }

    /// <summary>The sizes the graph was recognised with, or null when there are problems.</summary>
    public EncoderConfig? Config => Spec?.Encoder;

    /// <summary>Every tensor the runtime loads (<c>{node}.weight</c>, <c>{node}.bias</c>, the embedding tables) by its Hugging Face name; empty when there are problems.</summary>
    public IReadOnlyDictionary<string, OnnxEncoderTensor> Tensors { get; }

    /// <summary>
    /// The graph's own name for each of the spec's inputs and outputs (<c>input_ids</c>, <c>attention_mask</c>,
    /// <c>token_type_ids</c>, <c>last_hidden_state</c>, <c>pooler_output</c>), recognised by role; empty when there are problems.
    /// </summary>
    public IReadOnlyDictionary<string, string> GraphNames { get; }

    public IReadOnlyList<SpecProblem> Problems { get; }

    public OnnxModel? Model { get; }
}

/// <summary>
/// Reads a BERT-style encoder out of the graph <c>torch.onnx.export</c> (PyTorch 1.13, opsets 11 to 17) writes for
/// Hugging Face's <c>BertModel</c> in eval mode, as the <see cref="NetworkSpec.ForEncoder"/> graph plus where each
/// parameter is. Recognised, node by node (tests/models/bert/README.md lists the exported graphs):
/// <list type="bullet">
/// <item>embeddings: <c>Gather(word table, input_ids)</c> + <c>Gather(type table, token_type_ids)</c> (or of a zeros
/// buffer <c>Slice</c>d and <c>Expand</c>ed) + <c>Gather(position table, Slice(arange constant))</c>, then a layer norm;</item>
/// <item>layer norm: <c>LayerNormalization</c> (opset 17) or ReduceMean, Sub, Pow 2, ReduceMean, Add ε, Sqrt, Div, Mul γ, Add β;</item>
/// <item>mask: <c>Unsqueeze</c> to [B, 1, 1, S], <c>Cast</c> to float, <c>Sub(1, ·)</c>, <c>Mul</c> by a finite constant ≤ −10⁴;</item>
/// <item>per layer: Q, K, V as <c>MatMul</c> + <c>Add</c> of a bias; heads split by <c>Reshape</c> to [B, S, heads, headDim]
/// and <c>Transpose</c> [0, 2, 1, 3] (K: [0, 2, 3, 1]); <c>MatMul(Q, Kᵀ)</c>, <c>Div</c> by √headDim (or <c>Mul</c> by its
/// reciprocal), <c>Add</c> of the mask, <c>Softmax</c> on the last axis, <c>MatMul</c> by V, <c>Transpose</c>, <c>Reshape</c>
/// to [B, S, hidden]; the output dense, the residual <c>Add</c> and a layer norm; the intermediate dense with exact GELU
/// (Div √2, Erf, Add 1, Mul, Mul ½), tanh GELU (x³ by Mul or Pow, 0.044715, √(2/π), Tanh, …), <c>Gelu</c> or <c>Relu</c>;
/// the output dense, the residual <c>Add</c> and a layer norm;</item>
/// <item>pooler: <c>Gather(last hidden state, 0, axis 1)</c>, <c>Gemm</c> (or MatMul + Add), <c>Tanh</c>.</item>
/// </list>
/// Shape plumbing (Shape, Gather of a shape, Unsqueeze, Concat, Constant) is accepted only where those patterns put it.
/// Every node the patterns do not account for, and every check that fails, is a problem naming the node; nothing throws.
/// </summary>
internal static class OnnxEncoderReader
{
    public const int MinOpset = 11;
    public const int MaxOpset = 17;

    /// <summary>The mask's additive constant must be at most this: exp of it underflows to zero, so masked keys get exactly zero weight.</summary>
    public const float MaskThreshold = -1e4f;

    /// <summary>Reads the encoder; never throws (bad bytes and anything unexpected are problems in the result).</summary>
    public static OnnxEncoderReadResult Read(byte[] data, string networkName, string fileName)
    {
        OnnxModel? model = null;
        try
        {
            model = OnnxModel.Parse(data);
            return new Matcher(model, networkName, fileName).Run();
        }
        catch (OnnxFormatException e) when (model is null)
        {
            return Failed(model, Problem(SpecDiagnosticIds.MalformedOnnx, fileName + ": " + e.Message));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug of the reader, not of the file; still a problem the caller can show, never a crash of the build.
            return Failed(model, Problem(
                model is null ? SpecDiagnosticIds.MalformedOnnx : SpecDiagnosticIds.UnsupportedOnnxModel,
                fileName + ": reading the encoder failed unexpectedly (" + e.GetType().Name + ": " + e.Message + ")."));
        }
    }

    private static OnnxEncoderReadResult Failed(OnnxModel? model, SpecProblem problem) =>
        new(null, new Dictionary<string, OnnxEncoderTensor>(), new Dictionary<string, string>(), new List<SpecProblem> { problem }, model);

    private static SpecProblem Problem(string id, string message) => new(id, message, -1, SpecField.Network);

    /// <summary>Thrown by <see cref="Matcher.Fail"/> after the problem is recorded, to leave a pattern that does not match.</summary>
    private sealed class MatchFailedException : Exception
    {
    }

    private sealed class Matcher
    {
        private static readonly long[] HeadsFirst = [0, 2, 1, 3];
        private static readonly long[] KeyTransposed = [0, 2, 3, 1];
        private static readonly long[] LastTwoSwapped = [0, 1, 3, 2];

        private readonly OnnxModel _model;
        private readonly OnnxGraph _graph;
        private readonly string _networkName;
        private readonly string _file;
        private readonly List<SpecProblem> _problems = new();
        private readonly Dictionary<string, OnnxTensor> _constants = new(StringComparer.Ordinal);
        private readonly Dictionary<string, OnnxNode> _producers = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<OnnxNode>> _consumers = new(StringComparer.Ordinal);
        private readonly Dictionary<string, OnnxValueInfo> _inputs = new(StringComparer.Ordinal);
        private readonly HashSet<OnnxNode> _used = new();
        private readonly Dictionary<string, OnnxEncoderTensor> _tensors = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _graphNames = new(StringComparer.Ordinal);

        private int _hidden;
        private int _heads;
        private int _intermediate = -1;
        private float? _epsilon;
        private Activation? _activation;

        public Matcher(OnnxModel model, string networkName, string file)
        {
            _model = model;
            _graph = model.Graph;
            _networkName = networkName;
            _file = file;
        }

        public OnnxEncoderReadResult Run()
        {
            NetworkSpec? spec = null;
            try
            {
                spec = Match();
            }
            catch (MatchFailedException)
            {
                // Fail recorded why.
            }

            if (_problems.Count > 0 || spec is null)
            {
                if (_problems.Count == 0)
                {
                    Report(null, "is not an encoder the reader recognises.");
                }

                return new OnnxEncoderReadResult(null, new Dictionary<string, OnnxEncoderTensor>(), new Dictionary<string, string>(), _problems, _model);
            }

            return new OnnxEncoderReadResult(spec, _tensors, _graphNames, _problems, _model);
        }

        private NetworkSpec? Match()
        {
            long opset = _model.Opset;
            if (opset != 0 && (opset < MinOpset || opset > MaxOpset))
            {
                throw Fail(null, "uses opset " + Text(opset) + "; the encoder reader reads opsets " + Text(MinOpset) + " to " + Text(MaxOpset)
                    + " (re-export with opset_version in that range).");
            }

            Index();

            // Roles of the inputs: the ids and the token types are the indices of embedding Gathers, the mask is the other one.
            (string ids, string? types, string mask) = InputRoles();
            string sum = Embeddings(ids, types);
            string hidden = LayerNorm(sum, "embeddings.LayerNorm");
            string maskValue = Mask(mask);

            int layers = 0;
            while (true)
            {
                List<OnnxNode> readers = Readers(hidden);
                if (!readers.Exists(n => n.OpType == "MatMul"))
                {
                    break;
                }

                if (layers > _graph.Nodes.Count)
                {
                    throw Fail(null, "has more layers than nodes (a cycle?).");
                }

                hidden = Layer(hidden, layers, maskValue);
                layers++;
            }

            if (layers == 0)
            {
                throw Fail(_producers[hidden], "is followed by no encoder layer (expected the query, key and value MatMuls reading '" + hidden + "').");
            }

            string? pooled = Pooler(hidden);
            Outputs(hidden, pooled);
            Unused();
            if (_problems.Count > 0)
            {
                return null;
            }

            OnnxTensor word = _tensors["embeddings.word_embeddings.weight"].Tensor;
            OnnxTensor positions = _tensors["embeddings.position_embeddings.weight"].Tensor;
            OnnxTensor typeTable = _tensors["embeddings.token_type_embeddings.weight"].Tensor;
            var config = new EncoderConfig(
                layers,
                _hidden,
                _heads,
                _intermediate,
                (int)word.Dims[0],
                (int)positions.Dims[0],
                (int)typeTable.Dims[0],
                _epsilon ?? 0f,
                _activation ?? Activation.Identity,
                pooled is not null,
                types is not null);
            try
            {
                return NetworkSpec.ForEncoder(_networkName, config);
            }
            catch (NetworkSpecException e)
            {
                foreach (SpecProblem p in e.Problems)
                {
                    _problems.Add(new SpecProblem(p.Id, _file + ": " + p.Message, p.LayerIndex, p.Field));
                }

                return null;
            }
        }

        // ---- The graph's wiring -------------------------------------------------------------------------------------

        /// <summary>Producers, consumers and constants of every value; reports every dangling or twice-written value.</summary>
        private void Index()
        {
            foreach (OnnxTensor t in _graph.Initializers)
            {
                _constants[t.Name] = t;
            }

            foreach (OnnxValueInfo v in _graph.Inputs)
            {
                if (!_constants.ContainsKey(v.Name))
                {
                    _inputs[v.Name] = v;
                }
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (string name in _constants.Keys)
            {
                seen.Add(name);
            }

            foreach (string name in _inputs.Keys)
            {
                seen.Add(name);
            }

            var later = new HashSet<string>(StringComparer.Ordinal);
            foreach (OnnxNode n in _graph.Nodes)
            {
                foreach (string o in n.Outputs)
                {
                    if (o.Length > 0)
                    {
                        later.Add(o);
                    }
                }
            }

            foreach (OnnxNode n in _graph.Nodes)
            {
                if (n.Domain.Length != 0 && n.Domain != "ai.onnx")
                {
                    Report(n, "is in the operator domain '" + n.Domain + "'; the encoder reader reads the default ONNX domain only.");
                }

                foreach (string i in n.Inputs)
                {
                    if (i.Length == 0)
                    {
                        continue;
                    }

                    if (!seen.Contains(i))
                    {
                        Report(n, later.Contains(i)
                            ? "reads '" + i + "' before the node that computes it (ONNX nodes are in topological order)."
                            : "reads '" + i + "', which no node, initializer or graph input provides.");
                    }

                    if (!_consumers.TryGetValue(i, out List<OnnxNode>? list))
                    {
                        list = new List<OnnxNode>();
                        _consumers[i] = list;
                    }

                    if (!list.Contains(n))
                    {
                        list.Add(n);
                    }
                }

                if (n.Outputs.Count == 0 || n.Outputs[0].Length == 0)
                {
                    Report(n, "has no first output.");
                }

                foreach (string o in n.Outputs)
                {
                    if (o.Length == 0)
                    {
                        continue;
                    }

                    if (!seen.Add(o))
                    {
                        Report(n, "writes '" + o + "', which " + (_producers.TryGetValue(o, out OnnxNode? first) ? first.Describe() : "an initializer or graph input") + " already provides.");
                        continue;
                    }

                    _producers[o] = n;
                }

                if (n.OpType == "Constant" && n.Outputs.Count == 1 && n.Attribute("value")?.Tensor is { } value)
                {
                    _constants[n.Outputs[0]] = value;
                }
            }

            foreach (OnnxValueInfo o in _graph.Outputs)
            {
                if (!seen.Contains(o.Name))
                {
                    Report(null, "has the output '" + o.Name + "', which no node computes.");
                }
            }

            if (_problems.Count > 0)
            {
                throw new MatchFailedException();
            }
        }

        /// <summary>The input ids, the token types (null when the graph makes them from a zeros buffer) and the mask.</summary>
        private (string Ids, string? Types, string Mask) InputRoles()
        {
            var indexed = new List<(string Input, OnnxNode Gather, OnnxTensor Table)>();
            var others = new List<string>();
            foreach (OnnxValueInfo v in _graph.Inputs)
            {
                if (!_inputs.ContainsKey(v.Name))
                {
                    continue;
                }

                OnnxNode? gather = null;
                OnnxTensor? table = null;
                foreach (OnnxNode n in Readers(v.Name))
                {
                    if (n.OpType == "Gather" && n.Inputs.Count == 2 && n.Inputs[1] == v.Name && FloatMatrix(n.Inputs[0]) is { } t)
                    {
                        if (gather is not null)
                        {
                            throw Fail(n, "is a second embedding lookup of the input '" + v.Name + "' (the first is " + gather.Describe() + ").");
                        }

                        gather = n;
                        table = t;
                    }
                }

                if (gather is null)
                {
                    others.Add(v.Name);
                }
                else
                {
                    indexed.Add((v.Name, gather, table!));
                }
            }

            if (indexed.Count is < 1 or > 2 || others.Count != 1)
            {
                var names = new List<string>();
                foreach (string n in _inputs.Keys)
                {
                    names.Add("'" + n + "'");
                }

                throw Fail(null, "has the inputs " + (names.Count == 0 ? "(none)" : string.Join(", ", names)) + "; an encoder takes input_ids and "
                    + "token_type_ids (each the indices of an embedding Gather; token_type_ids optional) and attention_mask.");
            }

            int word = 0;
            if (indexed.Count == 2)
            {
                bool firstNamed = indexed[0].Table.Name.EndsWith("word_embeddings.weight", StringComparison.Ordinal);
                bool secondNamed = indexed[1].Table.Name.EndsWith("word_embeddings.weight", StringComparison.Ordinal);
                if (firstNamed != secondNamed)
                {
                    word = firstNamed ? 0 : 1;
                }
                else if (indexed[0].Input == EncoderConfig.DefaultInputIds || indexed[1].Input == EncoderConfig.DefaultInputIds)
                {
                    word = indexed[0].Input == EncoderConfig.DefaultInputIds ? 0 : 1;
                }
                else if (indexed[0].Table.Dims[0] != indexed[1].Table.Dims[0])
                {
                    // The word table is the larger one (a vocabulary against a handful of token types).
                    word = indexed[0].Table.Dims[0] > indexed[1].Table.Dims[0] ? 0 : 1;
                }
                else
                {
                    throw Fail(indexed[0].Gather, "and " + indexed[1].Gather.Describe() + " look up tables of the same size by inputs of unknown roles; "
                        + "name the inputs input_ids and token_type_ids.");
                }
            }

            string ids = indexed[word].Input;
            string? types = indexed.Count == 2 ? indexed[1 - word].Input : null;
            string mask = others[0];
            foreach (string input in types is null ? new[] { ids, mask } : new[] { ids, mask, types })
            {
                OnnxValueInfo v = _inputs[input];
                if (v.ElementType != 0 && v.ElementType != 7 && v.ElementType != 6)
                {
                    throw Fail(null, "has the input '" + input + "' of element type " + Text(v.ElementType) + "; token ids, types and the mask are int64 (or int32).");
                }

                if (v.Dims is { Count: not 2 })
                {
                    throw Fail(null, "has the input '" + input + "' of rank " + Text(v.Dims.Count) + "; encoder inputs are [batch, sequence].");
                }
            }

            _graphNames[EncoderConfig.DefaultInputIds] = ids;
            _graphNames[EncoderConfig.DefaultAttentionMask] = mask;
            if (types is not null)
            {
                _graphNames[EncoderConfig.DefaultTokenTypeIds] = types;
            }

            return (ids, types, mask);
        }

        // ---- Embeddings -----------------------------------------------------------------------------------------------

        /// <summary>word + token type + position embeddings; returns the sum the first layer norm reads.</summary>
        private string Embeddings(string ids, string? types)
        {
            OnnxNode word = EmbeddingGather(ids);
            OnnxTensor wordTable = _constants[word.Inputs[0]];
            _hidden = (int)wordTable.Dims[1];
            Map("embeddings.word_embeddings.weight", word.Inputs[0], word, false, wordTable.Dims[0], _hidden);

            bool sawTypes = false, sawPositions = false;
            string sum = word.Outputs[0];
            for (int term = 0; term < 2; term++)
            {
                OnnxNode add = Next(sum, "Add", _producers[sum], "the sum of the word, token type and position embeddings");
                string other = Other(add, sum);
                OnnxNode? gather = Producer(other);
                if (gather is null || gather.OpType != "Gather" || gather.Inputs.Count != 2 || FloatMatrix(gather.Inputs[0]) is null)
                {
                    throw Fail(add, "adds '" + other + "' to the embeddings; expected a Gather from a token type or position table.");
                }

                OnnxTensor table = _constants[gather!.Inputs[0]];
                CheckGatherAxis(gather, 0);
                string indices = gather.Inputs[1];
                if (table.Dims[1] != _hidden)
                {
                    throw Fail(gather, "looks up rows of " + Text(table.Dims[1]) + " values in '" + table.Name + "'; the word embeddings have " + Text(_hidden) + ".");
                }

                if (types is not null && indices == types)
                {
                    Once(ref sawTypes, gather, "token type");
                    Map("embeddings.token_type_embeddings.weight", gather.Inputs[0], gather, false, table.Dims[0], _hidden);
                }
                else if (Producer(indices) is { } source && IsPositionIds(source, gather))
                {
                    Once(ref sawPositions, gather, "position");
                    Map("embeddings.position_embeddings.weight", gather.Inputs[0], gather, false, table.Dims[0], _hidden);
                }
                else if (types is null && Producer(indices) is { } zeros && IsZeroTypes(zeros))
                {
                    Once(ref sawTypes, gather, "token type");
                    Map("embeddings.token_type_embeddings.weight", gather.Inputs[0], gather, false, table.Dims[0], _hidden);
                }
                else
                {
                    throw Fail(gather, "looks up '" + table.Name + "' by '" + indices + "'; expected token_type_ids, a zeros buffer (Slice, Expand) "
                        + "or the position ids (Slice of a constant 0, 1, …, positions − 1).");
                }

                _used.Add(add);
                _used.Add(gather);
                sum = add.Outputs[0];
            }

            return sum;
        }

        private OnnxNode EmbeddingGather(string ids)
        {
            foreach (OnnxNode n in Readers(ids))
            {
                if (n.OpType == "Gather" && n.Inputs.Count == 2 && n.Inputs[1] == ids && FloatMatrix(n.Inputs[0]) is not null)
                {
                    CheckGatherAxis(n, 0);
                    _used.Add(n);
                    return n;
                }
            }

            throw Fail(null, "looks up no embedding table by '" + ids + "'.");
        }

        private void Once(ref bool seen, OnnxNode gather, string what)
        {
            if (seen)
            {
                throw Fail(gather, "adds the " + what + " embeddings a second time.");
            }

            seen = true;
        }

        /// <summary>Slice(constant [1, P] = 0 … P − 1, starts 0, ends = the sequence length, axis 1); P must be the table's rows.</summary>
        private bool IsPositionIds(OnnxNode slice, OnnxNode gather)
        {
            if (slice.OpType != "Slice" || slice.Inputs.Count < 3 || !_constants.TryGetValue(slice.Inputs[0], out OnnxTensor? data)
                || !data.TryReadIntegers(out long[] values) || data.Dims.Count != 2 || data.Dims[0] != 1)
            {
                return false;
            }

            for (int i = 0; i < values.Length; i++)
            {
                if (values[i] != i)
                {
                    return false;
                }
            }

            SequenceSlice(slice);
            long rows = _constants[gather.Inputs[0]].Dims[0];
            if (values.Length != rows)
            {
                throw Fail(slice, "slices position ids 0 … " + Text(values.Length - 1) + " for a table of " + Text(rows) + " positions; they must match.");
            }

            return true;
        }

        /// <summary>Token types all zero: Expand(Slice(zeros [1, P])) as transformers' buffer exports, a Slice of zeros, or a zeros constant.</summary>
        private bool IsZeroTypes(OnnxNode node)
        {
            OnnxNode? expand = null;
            OnnxNode? source = node;
            if (node.OpType == "Expand" && node.Inputs.Count == 2)
            {
                expand = node;
                source = Producer(node.Inputs[0]);
            }

            string zeros;
            if (source is { OpType: "Slice" } && source.Inputs.Count >= 3)
            {
                zeros = source.Inputs[0];
            }
            else if (source is { OpType: "Constant" } && source.Outputs.Count == 1)
            {
                zeros = source.Outputs[0];
            }
            else
            {
                return false;
            }

            if (!_constants.TryGetValue(zeros, out OnnxTensor? data) || !data.TryReadIntegers(out long[] values) || !Array.TrueForAll(values, v => v == 0))
            {
                return false;
            }

            if (source.OpType == "Slice")
            {
                SequenceSlice(source);
            }

            if (expand is not null)
            {
                ShapeOnly(expand.Inputs[1], expand, 64);
                _used.Add(expand);
            }

            return true;
        }

        /// <summary>Slice(data, starts [0], ends [sequence length], axes [1] or [−1], steps [1]): the first S of a [1, P] buffer.</summary>
        private void SequenceSlice(OnnxNode slice)
        {
            if (!Is(IntConstant(slice.Inputs[1]), 0))
            {
                throw Fail(slice, "starts at '" + slice.Inputs[1] + "'; expected the constant [0].");
            }

            if (slice.Inputs.Count < 4 || !(Is(IntConstant(slice.Inputs[3]), 1) || Is(IntConstant(slice.Inputs[3]), -1)))
            {
                throw Fail(slice, "does not slice axis 1; expected the constant axes [1].");
            }

            if (slice.Inputs.Count >= 5 && slice.Inputs[4].Length > 0 && !Is(IntConstant(slice.Inputs[4]), 1))
            {
                throw Fail(slice, "has steps other than [1].");
            }

            DynamicDim(slice.Inputs[2], 1, slice, "the sequence length");
            _used.Add(slice);
        }

        // ---- Mask -----------------------------------------------------------------------------------------------------

        /// <summary>(1 − float(mask[:, None, None, :])) · c with c ≤ −10⁴; returns the additive mask.</summary>
        private string Mask(string mask)
        {
            // Unsqueeze to [B, 1, 1, S] and Cast to float, in any order, each Unsqueeze inserting known axes.
            int rank = 2;
            var ones = new List<bool> { false, false }; // true where a unit axis was inserted
            bool cast = false;
            string value = mask;
            OnnxNode? last = null;
            while (true)
            {
                List<OnnxNode> readers = Readers(value);
                if (readers.Count != 1 || (readers[0].OpType != "Unsqueeze" && readers[0].OpType != "Cast"))
                {
                    break;
                }

                OnnxNode n = readers[0];
                if (n.OpType == "Cast")
                {
                    if (cast || n.Attribute("to")?.Int != OnnxModel.FloatType)
                    {
                        throw Fail(n, "casts the attention mask to type " + Text(n.Attribute("to")?.Int ?? 0) + "; expected one Cast to float (to = 1).");
                    }

                    cast = true;
                }
                else
                {
                    long[] axes = Axes(n);
                    int outRank = rank + axes.Length;
                    var normalized = new List<int>();
                    foreach (long a in axes)
                    {
                        long axis = a < 0 ? a + outRank : a;
                        if (axis < 0 || axis >= outRank || normalized.Contains((int)axis))
                        {
                            throw Fail(n, "has the axes " + List(axes) + ", which are not valid for a rank-" + Text(rank) + " input.");
                        }

                        normalized.Add((int)axis);
                    }

                    normalized.Sort();
                    foreach (int axis in normalized)
                    {
                        ones.Insert(axis, true);
                    }

                    rank = outRank;
                }

                _used.Add(n);
                last = n;
                value = n.Outputs[0];
            }

            if (!cast || rank != 4 || ones[0] || !ones[1] || !ones[2] || ones[3])
            {
                throw Fail(last, "ends the attention mask's Unsqueeze and Cast nodes with " + (cast ? "a float" : "no Cast to float and a")
                    + " tensor of rank " + Text(rank) + "; expected mask[:, None, None, :] as float ([batch, 1, 1, sequence]).");
            }

            OnnxNode sub = Next(value, "Sub", last!, "1 − mask");
            if (sub.Inputs[1] != value || !IsScalar(sub.Inputs[0], 1f, 0f))
            {
                throw Fail(sub, "is not 1 − mask (expected Sub(1.0, '" + value + "')).");
            }

            OnnxNode mul = Next(sub.Outputs[0], "Mul", sub, "(1 − mask) · a large negative constant");
            string c = Other(mul, sub.Outputs[0]);
            float v = Scalar(c, mul, "the mask's constant");
            if (float.IsNaN(v) || float.IsInfinity(v) || v > MaskThreshold)
            {
                throw Fail(mul, "multiplies the mask by " + Text(v) + "; it must be finite and at most −10000, so that masked keys get exactly zero weight "
                    + "(an infinite one makes 0 · −∞ = NaN on the real tokens).");
            }

            _used.Add(sub);
            _used.Add(mul);
            return mul.Outputs[0];
        }

        // ---- One encoder layer ----------------------------------------------------------------------------------------

        private string Layer(string x, int index, string mask)
        {
            string p = "encoder.layer." + Text(index) + ".";
            OnnxNode producer = _producers[x];
            var projections = new List<OnnxNode>();
            foreach (OnnxNode n in Readers(x))
            {
                if (n.OpType == "MatMul" && n.Inputs.Count == 2 && n.Inputs[0] == x)
                {
                    projections.Add(n);
                }
            }

            if (projections.Count != 3)
            {
                throw Fail(producer, "writes '" + x + "', which " + Describe(Readers(x)) + " read; expected the query, key and value MatMuls and the residual Add of layer " + Text(index) + ".");
            }

            // Each projection: dense, Reshape to heads, Transpose. K's transpose puts headDim before the sequence.
            var split = new (OnnxNode MatMul, OnnxNode Add, string Heads, bool KeyLayout)[3];
            for (int i = 0; i < 3; i++)
            {
                (OnnxNode add, string output) = DenseBias(projections[i], _hidden, _hidden);
                (string heads, bool key) = SplitHeads(output, add);
                split[i] = (projections[i], add, heads, key);
            }

            int k = Array.FindIndex(split, s => s.KeyLayout);
            if (k < 0 || Array.FindLastIndex(split, s => s.KeyLayout) != k)
            {
                // Name the transpose that should have been the key's: the one whose output is the scores' second factor.
                foreach ((OnnxNode _, OnnxNode _, string heads, bool key) in split)
                {
                    List<OnnxNode> readers = Readers(heads);
                    if (!key && readers.Count == 1 && readers[0] is { OpType: "MatMul" } reader && reader.Inputs.Count == 2 && reader.Inputs[1] == heads
                        && Array.Exists(split, s => s.Heads == reader.Inputs[0]))
                    {
                        throw Fail(_producers[heads], "transposes the key to " + List(Perm(_producers[heads])) + "; the scores Q·Kᵀ need [0, 2, 3, 1].");
                    }
                }

                throw Fail(split[0].MatMul, "and the other projections of layer " + Text(index) + " do not transpose exactly one of them as the key ([0, 2, 3, 1]).");
            }

            int q = -1, v = -1;
            for (int i = 0; i < 3; i++)
            {
                if (i == k)
                {
                    continue;
                }

                OnnxNode reader = Next(split[i].Heads, "MatMul", _producers[split[i].Heads], "the attention scores or context");
                if (reader.Inputs[0] == split[i].Heads)
                {
                    q = i;
                }
                else
                {
                    v = i;
                }
            }

            if (q < 0 || v < 0)
            {
                throw Fail(split[k == 0 ? 1 : 0].MatMul, "and the other projections of layer " + Text(index) + " are not one query (the scores' first factor) and one value (the context's second).");
            }

            OnnxNode scores = Next(split[q].Heads, "MatMul", _producers[split[q].Heads], "the attention scores Q·Kᵀ");
            if (scores.Inputs[1] != split[k].Heads)
            {
                throw Fail(scores, "multiplies the query by '" + scores.Inputs[1] + "'; expected the transposed key '" + split[k].Heads + "'.");
            }

            MapDense(p + "attention.self.query", split[q].MatMul, split[q].Add);
            MapDense(p + "attention.self.key", split[k].MatMul, split[k].Add);
            MapDense(p + "attention.self.value", split[v].MatMul, split[v].Add);

            // Scale by 1/√headDim: a Div by √headDim, or a Mul by its reciprocal.
            int headDim = _hidden / _heads;
            double root = Math.Sqrt(headDim);
            OnnxNode scale = NextOf(scores.Outputs[0], scores, "the scaling by 1/√" + Text(headDim), "Div", "Mul");
            if (scale.OpType == "Div")
            {
                if (scale.Inputs[0] != scores.Outputs[0])
                {
                    throw Fail(scale, "divides by the scores; expected scores / √" + Text(headDim) + ".");
                }

                float c = Scalar(scale.Inputs[1], scale, "the scale");
                if (!(Math.Abs(c - root) <= 1e-6 * root))
                {
                    throw Fail(scale, "divides the scores by " + Text(c) + "; expected √headDim = √" + Text(headDim) + " = " + Text((float)root) + ".");
                }
            }
            else
            {
                float c = Scalar(Other(scale, scores.Outputs[0]), scale, "the scale");
                if (!(Math.Abs(c - (1 / root)) <= 1e-6 / root))
                {
                    throw Fail(scale, "multiplies the scores by " + Text(c) + "; expected 1/√headDim = 1/√" + Text(headDim) + " = " + Text((float)(1 / root)) + ".");
                }
            }

            OnnxNode masked = Next(scale.Outputs[0], "Add", scale, "the attention mask's addition");
            if (Other(masked, scale.Outputs[0]) != mask)
            {
                throw Fail(masked, "adds '" + Other(masked, scale.Outputs[0]) + "' to the scores; expected the attention mask '" + mask + "'.");
            }

            OnnxNode softmax = Next(masked.Outputs[0], "Softmax", masked, "the attention probabilities");
            long axis = softmax.Attribute("axis")?.Int ?? (_model.Opset != 0 && _model.Opset < 13 ? 1 : -1);
            if (axis != -1 && axis != 3)
            {
                throw Fail(softmax, "has axis " + Text(axis) + "; the attention softmax is over the keys, the last axis (3 or −1).");
            }

            OnnxNode context = Next(softmax.Outputs[0], "MatMul", softmax, "the context probabilities · V");
            if (context.Inputs[0] != softmax.Outputs[0] || context.Inputs[1] != split[v].Heads)
            {
                throw Fail(context, "is not probabilities · V (expected MatMul('" + softmax.Outputs[0] + "', '" + split[v].Heads + "')).");
            }

            OnnxNode merge = Next(context.Outputs[0], "Transpose", context, "the heads merged back");
            CheckPerm(merge, HeadsFirst, "the heads merged back");
            OnnxNode reshape = Next(merge.Outputs[0], "Reshape", merge, "the heads merged back to [batch, sequence, hidden]");
            MergeShape(reshape);
            _used.UnionWith(new[] { scores, scale, masked, softmax, context, merge, reshape });

            // attention.output: dense, residual, layer norm.
            OnnxNode outMatMul = Next(reshape.Outputs[0], "MatMul", reshape, "attention.output.dense");
            (OnnxNode outAdd, string projected) = DenseBias(outMatMul, _hidden, _hidden);
            MapDense(p + "attention.output.dense", outMatMul, outAdd);
            string attention = LayerNorm(Residual(projected, x, outAdd), p + "attention.output.LayerNorm");

            // intermediate and output.
            OnnxNode interMatMul = FindReader(attention, "MatMul", _producers[attention], "intermediate.dense", n => n.Inputs[0] == attention);
            (OnnxNode interAdd, string intermediate) = DenseBias(interMatMul, _hidden, _intermediate);
            if (_intermediate < 0)
            {
                _intermediate = (int)_constants[interMatMul.Inputs[1]].Dims[1];
            }

            MapDense(p + "intermediate.dense", interMatMul, interAdd);
            string activated = ActivationPattern(intermediate, interAdd);
            OnnxNode downMatMul = Next(activated, "MatMul", _producers[activated], "output.dense");
            (OnnxNode downAdd, string down) = DenseBias(downMatMul, _intermediate, _hidden);
            MapDense(p + "output.dense", downMatMul, downAdd);
            return LayerNorm(Residual(down, attention, downAdd), p + "output.LayerNorm");
        }

        /// <summary>Add(projected, residual) in either order; returns the sum.</summary>
        private string Residual(string projected, string residual, OnnxNode from)
        {
            OnnxNode add = Next(projected, "Add", from, "the residual connection");
            if (Other(add, projected) != residual)
            {
                throw Fail(add, "adds '" + Other(add, projected) + "'; expected the residual '" + residual + "'.");
            }

            _used.Add(add);
            return add.Outputs[0];
        }

        /// <summary>Reshape to [B, S, heads, headDim] then Transpose [0, 2, 1, 3] (or the key's [0, 2, 3, 1]); returns the heads and whether they are the key's.</summary>
        private (string Heads, bool Key) SplitHeads(string projected, OnnxNode from)
        {
            OnnxNode reshape = Next(projected, "Reshape", from, "the split into heads");
            if (reshape.Inputs.Count != 2 || reshape.Inputs[0] != projected)
            {
                throw Fail(reshape, "does not reshape '" + projected + "' by a shape.");
            }

            CheckAllowZero(reshape);
            long heads, headDim;
            OnnxNode? concat = Producer(reshape.Inputs[1]);
            if (concat is { OpType: "Concat" })
            {
                if (concat.Inputs.Count != 4 || (concat.Attribute("axis")?.Int ?? 0) != 0)
                {
                    throw Fail(concat, "is not the 4-element shape [batch, sequence, heads, headDim] of the split into heads.");
                }

                DynamicDim(concat.Inputs[0], 0, concat, "the batch size");
                DynamicDim(concat.Inputs[1], 1, concat, "the sequence length");
                heads = One(IntConstant(concat.Inputs[2]));
                headDim = One(IntConstant(concat.Inputs[3]));
                _used.Add(concat);
            }
            else if (IntConstant(reshape.Inputs[1]) is { Length: 4 } shape && shape[0] == 0 && shape[1] == 0)
            {
                heads = shape[2];
                headDim = shape[3];
            }
            else
            {
                throw Fail(reshape, "reshapes by '" + reshape.Inputs[1] + "'; expected the shape [batch, sequence, heads, headDim] (a Concat, or the constant [0, 0, heads, headDim]).");
            }

            if (heads <= 0 || headDim <= 0 || heads * headDim != _hidden)
            {
                throw Fail(concat ?? reshape, "splits " + Text(_hidden) + " values into " + Text(heads) + " heads of " + Text(headDim) + "; expected heads · headDim = hidden.");
            }

            if (_heads == 0)
            {
                _heads = (int)heads;
            }
            else if (_heads != heads)
            {
                throw Fail(concat ?? reshape, "splits into " + Text(heads) + " heads; the other attention projections use " + Text(_heads) + ".");
            }

            OnnxNode transpose = Next(reshape.Outputs[0], "Transpose", reshape, "the heads moved before the sequence");
            long[] perm = Perm(transpose);
            _used.Add(reshape);
            _used.Add(transpose);
            if (Same(perm, KeyTransposed))
            {
                return (transpose.Outputs[0], true);
            }

            CheckPerm(transpose, HeadsFirst, "the heads moved before the sequence ([0, 2, 1, 3]; the key's [0, 2, 3, 1])");
            List<OnnxNode> readers = Readers(transpose.Outputs[0]);
            if (readers.Count == 1 && readers[0].OpType == "Transpose" && Same(Perm(readers[0]), LastTwoSwapped))
            {
                // permute(0, 2, 1, 3) then transpose(−1, −2), unfolded.
                _used.Add(readers[0]);
                return (readers[0].Outputs[0], true);
            }

            return (transpose.Outputs[0], false);
        }

        /// <summary>The Reshape of the merged heads: [batch, sequence, hidden] (a Concat, or a constant [0, 0, hidden or −1]).</summary>
        private void MergeShape(OnnxNode reshape)
        {
            if (reshape.Inputs.Count != 2)
            {
                throw Fail(reshape, "does not reshape by a shape.");
            }

            CheckAllowZero(reshape);
            OnnxNode? concat = Producer(reshape.Inputs[1]);
            if (concat is { OpType: "Concat" })
            {
                if (concat.Inputs.Count != 3 || (concat.Attribute("axis")?.Int ?? 0) != 0)
                {
                    throw Fail(concat, "is not the 3-element shape [batch, sequence, hidden] of the merged heads.");
                }

                DynamicDim(concat.Inputs[0], 0, concat, "the batch size");
                DynamicDim(concat.Inputs[1], 1, concat, "the sequence length");
                long h = One(IntConstant(concat.Inputs[2]));
                if (h != _hidden && h != -1)
                {
                    throw Fail(concat, "merges the heads into '" + concat.Inputs[2] + "' values; expected the constant [" + Text(_hidden) + "].");
                }

                _used.Add(concat);
            }
            else if (!(IntConstant(reshape.Inputs[1]) is { Length: 3 } shape && shape[0] == 0 && shape[1] == 0 && (shape[2] == _hidden || shape[2] == -1)))
            {
                throw Fail(reshape, "reshapes by '" + reshape.Inputs[1] + "'; expected [batch, sequence, " + Text(_hidden) + "].");
            }
        }

        // ---- Dense layers, layer norms, activations, the pooler ------------------------------------------------------

        /// <summary>MatMul(x, W [k, n]) then Add of a bias [n] in either order; -1 for k or n means any.</summary>
        private (OnnxNode Add, string Output) DenseBias(OnnxNode matMul, int k, int n)
        {
            if (matMul.Inputs.Count != 2 || FloatMatrix(matMul.Inputs[1]) is not { } w)
            {
                throw Fail(matMul, "does not multiply by a constant weight matrix (expected an initializer [in, out] as its second input).");
            }

            if ((k >= 0 && w.Dims[0] != k) || (n >= 0 && w.Dims[1] != n))
            {
                throw Fail(matMul, "has the weight '" + w.Name + "' of shape " + w.ShapeText + "; expected [" + (k >= 0 ? Text(k) : "in") + ", " + (n >= 0 ? Text(n) : "out") + "].");
            }

            OnnxNode add = Next(matMul.Outputs[0], "Add", matMul, "the bias of the dense layer");
            string bias = Other(add, matMul.Outputs[0]);
            if (!_constants.TryGetValue(bias, out OnnxTensor? b) || b.DataType != OnnxModel.FloatType || b.Dims.Count != 1 || b.Dims[0] != w.Dims[1])
            {
                throw Fail(add, "adds '" + bias + "' to the MatMul; expected a float constant bias [" + Text(w.Dims[1]) + "].");
            }

            _used.Add(matMul);
            _used.Add(add);
            return (add, add.Outputs[0]);
        }

        private void MapDense(string name, OnnxNode matMul, OnnxNode add)
        {
            OnnxTensor w = _constants[matMul.Inputs[1]];
            Map(name + ".weight", matMul.Inputs[1], matMul, true, w.Dims[0], w.Dims[1]);
            Map(name + ".bias", Other(add, matMul.Outputs[0]), add, false, w.Dims[1]);
        }

        /// <summary>LayerNormalization, or the ReduceMean … Add(β) pattern; records ε (one for all) and maps γ and β.</summary>
        private string LayerNorm(string x, string name)
        {
            OnnxNode from = _producers[x];
            List<OnnxNode> readers = Readers(x);
            OnnxNode? fused = readers.Find(n => n.OpType == "LayerNormalization");
            string weight, bias, output;
            OnnxNode weightNode, biasNode;
            float epsilon;
            if (fused is not null)
            {
                if (fused.Inputs.Count != 3 || fused.Inputs[0] != x || fused.Inputs[2].Length == 0)
                {
                    throw Fail(fused, "does not normalise '" + x + "' with a scale and a bias.");
                }

                long axis = fused.Attribute("axis")?.Int ?? -1;
                if (axis != -1 && axis != 2)
                {
                    throw Fail(fused, "has axis " + Text(axis) + "; " + name + " normalises the last axis (−1).");
                }

                for (int i = 1; i < fused.Outputs.Count; i++)
                {
                    if (fused.Outputs[i].Length > 0 && Readers(fused.Outputs[i]).Count > 0)
                    {
                        throw Fail(fused, "has its mean or inverse deviation read by another node; only the normalised output is supported.");
                    }
                }

                epsilon = fused.Attribute("epsilon")?.Float ?? 1e-5f;
                weight = fused.Inputs[1];
                bias = fused.Inputs[2];
                weightNode = biasNode = fused;
                output = fused.Outputs[0];
                _used.Add(fused);
            }
            else
            {
                OnnxNode mean = FindReader(x, "ReduceMean", from, name + " (its mean)", n => n.Inputs[0] == x);
                CheckLastAxis(mean, name);
                OnnxNode sub = FindReader(x, "Sub", from, name + " (x − mean)", n => n.Inputs.Count == 2 && n.Inputs[0] == x && n.Inputs[1] == mean.Outputs[0]);
                OnnxNode pow = FindReader(sub.Outputs[0], "Pow", sub, name + " (the squares)", n => n.Inputs[0] == sub.Outputs[0]);
                if (!IsScalar(pow.Inputs.Count == 2 ? pow.Inputs[1] : string.Empty, 2f, 0f))
                {
                    throw Fail(pow, "raises to '" + (pow.Inputs.Count == 2 ? pow.Inputs[1] : string.Empty) + "'; expected the constant 2.");
                }

                OnnxNode variance = Next(pow.Outputs[0], "ReduceMean", pow, name + " (the variance)");
                CheckLastAxis(variance, name);
                OnnxNode plus = Next(variance.Outputs[0], "Add", variance, name + " (variance + ε)");
                epsilon = Scalar(Other(plus, variance.Outputs[0]), plus, name + "'s ε");
                OnnxNode sqrt = Next(plus.Outputs[0], "Sqrt", plus, name + " (the deviation)");
                OnnxNode div = Next(sqrt.Outputs[0], "Div", sqrt, name + " ((x − mean) / deviation)");
                if (div.Inputs[0] != sub.Outputs[0] || div.Inputs[1] != sqrt.Outputs[0])
                {
                    throw Fail(div, "is not (x − mean) / deviation (expected Div('" + sub.Outputs[0] + "', '" + sqrt.Outputs[0] + "')).");
                }

                OnnxNode mul = Next(div.Outputs[0], "Mul", div, name + " (the scale γ)");
                OnnxNode add = Next(mul.Outputs[0], "Add", mul, name + " (the shift β)");
                weight = Other(mul, div.Outputs[0]);
                bias = Other(add, mul.Outputs[0]);
                weightNode = mul;
                biasNode = add;
                output = add.Outputs[0];
                _used.UnionWith(new[] { mean, sub, pow, variance, plus, sqrt, div, mul, add });
            }

            if (float.IsNaN(epsilon) || float.IsInfinity(epsilon) || epsilon < 0)
            {
                throw Fail(fused ?? from, name + " has ε = " + Text(epsilon) + "; it must be finite and not negative.");
            }

            if (_epsilon is null)
            {
                _epsilon = epsilon;
            }
            else if (SpecHash.SingleBits(_epsilon.Value) != SpecHash.SingleBits(epsilon))
            {
                throw Fail(fused ?? from, name + " has ε = " + Text(epsilon) + "; the other layer norms have " + Text(_epsilon.Value) + " (an encoder has one ε).");
            }

            Map(name + ".weight", weight, weightNode, false, _hidden);
            Map(name + ".bias", bias, biasNode, false, _hidden);
            return output;
        }

        private void CheckLastAxis(OnnxNode reduce, string name)
        {
            long[] axes = Axes(reduce);
            if (!(Is(axes, -1) || Is(axes, 2)))
            {
                throw Fail(reduce, "reduces the axes " + List(axes) + "; " + name + " reduces the last axis ([−1]).");
            }

            if ((reduce.Attribute("keepdims")?.Int ?? 1) != 1)
            {
                throw Fail(reduce, "has keepdims = 0; " + name + " keeps the reduced axis.");
            }
        }

        /// <summary>The feed-forward activation after the intermediate dense <paramref name="h"/>; returns its output.</summary>
        private string ActivationPattern(string h, OnnxNode from)
        {
            List<OnnxNode> readers = Readers(h);
            Activation activation;
            string output;
            if (readers.Count == 1 && readers[0].OpType is "Gelu" or "Relu")
            {
                OnnxNode n = readers[0];
                string approximate = n.Attribute("approximate")?.String ?? "none";
                if (n.OpType == "Gelu" && approximate != "none" && approximate != "tanh")
                {
                    throw Fail(n, "has approximate = '" + approximate + "'; Gelu's are 'none' and 'tanh'.");
                }

                activation = n.OpType == "Relu" ? Activation.Relu : approximate == "tanh" ? Activation.GeluTanh : Activation.Gelu;
                output = n.Outputs[0];
                _used.Add(n);
            }
            else if (readers.Find(n => n.Inputs.Count == 2 && ((n.OpType == "Div" && n.Inputs[0] == h) || (n.OpType == "Mul" && IsScalar(Other(n, h), 0.70710678f, 1e-6f)))) is { } scaled)
            {
                // x · ½ · (1 + erf(x / √2))
                if (scaled.OpType == "Div" && !IsScalar(scaled.Inputs[1], 1.41421356f, 1e-6f))
                {
                    throw Fail(scaled, "divides by '" + scaled.Inputs[1] + "'; GELU's is the constant √2 = 1.4142135.");
                }

                OnnxNode erf = Next(scaled.Outputs[0], "Erf", scaled, "GELU's erf");
                OnnxNode plus = Next(erf.Outputs[0], "Add", erf, "GELU's 1 + erf");
                if (!IsScalar(Other(plus, erf.Outputs[0]), 1f, 0f))
                {
                    throw Fail(plus, "adds '" + Other(plus, erf.Outputs[0]) + "' to the erf; GELU's is the constant 1.");
                }

                _used.UnionWith(new[] { scaled, erf, plus });
                output = HalfTimes(h, plus);
                activation = Activation.Gelu;
            }
            else if (readers.Find(n => n.Inputs.Count == 2 && n.Inputs[0] == h && (n.OpType == "Pow" || (n.OpType == "Mul" && n.Inputs[1] == h))) is { } first)
            {
                // ½ · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))
                string cube;
                if (first.OpType == "Pow")
                {
                    if (!IsScalar(first.Inputs[1], 3f, 0f))
                    {
                        throw Fail(first, "is not x³ (expected the exponent 3).");
                    }

                    cube = first.Outputs[0];
                }
                else
                {
                    OnnxNode cubed = Next(first.Outputs[0], "Mul", first, "GELU's x³");
                    if (Other(cubed, first.Outputs[0]) != h)
                    {
                        throw Fail(cubed, "is not x · x² (expected Mul('" + h + "', '" + first.Outputs[0] + "')).");
                    }

                    _used.Add(cubed);
                    cube = cubed.Outputs[0];
                }

                OnnxNode scaledCube = Next(cube, "Mul", _producers[cube], "GELU's 0.044715 · x³");
                if (!IsScalar(Other(scaledCube, cube), 0.044715f, 1e-6f))
                {
                    throw Fail(scaledCube, "multiplies x³ by '" + Other(scaledCube, cube) + "'; tanh GELU's is the constant 0.044715.");
                }

                OnnxNode inner = Next(scaledCube.Outputs[0], "Add", scaledCube, "GELU's x + 0.044715 · x³");
                if (Other(inner, scaledCube.Outputs[0]) != h)
                {
                    throw Fail(inner, "adds '" + Other(inner, scaledCube.Outputs[0]) + "'; expected x ('" + h + "').");
                }

                OnnxNode scaled2 = Next(inner.Outputs[0], "Mul", inner, "GELU's √(2/π) · (…)");
                if (!IsScalar(Other(scaled2, inner.Outputs[0]), 0.7978845608f, 1e-6f))
                {
                    throw Fail(scaled2, "multiplies by '" + Other(scaled2, inner.Outputs[0]) + "'; tanh GELU's is the constant √(2/π) = 0.7978846.");
                }

                OnnxNode tanh = Next(scaled2.Outputs[0], "Tanh", scaled2, "GELU's tanh");
                OnnxNode plus = Next(tanh.Outputs[0], "Add", tanh, "GELU's 1 + tanh");
                if (!IsScalar(Other(plus, tanh.Outputs[0]), 1f, 0f))
                {
                    throw Fail(plus, "adds '" + Other(plus, tanh.Outputs[0]) + "' to the tanh; GELU's is the constant 1.");
                }

                _used.UnionWith(new[] { first, scaledCube, inner, scaled2, tanh, plus });
                output = HalfTimes(h, plus);
                activation = Activation.GeluTanh;
            }
            else
            {
                throw Fail(from, "is read by " + Describe(readers) + "; expected the feed-forward activation: exact GELU (Div √2, Erf, Add 1, Mul, Mul ½), "
                    + "tanh GELU (Mul, Mul, Mul 0.044715, Add, Mul √(2/π), Tanh, Add 1, Mul, Mul ½), Gelu or Relu.");
            }

            if (_activation is null)
            {
                _activation = activation;
            }
            else if (_activation != activation)
            {
                throw Fail(from, "is followed by " + ActivationInfo.NameOf(activation) + "; the first layer's activation is " + ActivationInfo.NameOf(_activation.Value) + ".");
            }

            return output;
        }

        /// <summary>x · (1 + f) · ½ from the node computing (1 + f): Mul(x, ·) then Mul(·, ½), or Mul(Mul(x, ½), ·).</summary>
        private string HalfTimes(string x, OnnxNode onePlus)
        {
            OnnxNode times = Next(onePlus.Outputs[0], "Mul", onePlus, "GELU's x · (1 + …)");
            string other = Other(times, onePlus.Outputs[0]);
            _used.Add(times);
            if (other == x)
            {
                OnnxNode half = Next(times.Outputs[0], "Mul", times, "GELU's · ½");
                if (!IsScalar(Other(half, times.Outputs[0]), 0.5f, 0f))
                {
                    throw Fail(half, "multiplies by '" + Other(half, times.Outputs[0]) + "'; GELU's is the constant 0.5.");
                }

                _used.Add(half);
                return half.Outputs[0];
            }

            if (Producer(other) is { OpType: "Mul" } halfX && halfX.Inputs.Count == 2 && (halfX.Inputs[0] == x || halfX.Inputs[1] == x) && IsScalar(Other(halfX, x), 0.5f, 0f))
            {
                _used.Add(halfX);
                return times.Outputs[0];
            }

            throw Fail(times, "multiplies by '" + other + "'; expected x ('" + x + "') or ½ · x.");
        }

        /// <summary>Gather(hidden, 0, axis 1) → Gemm or MatMul + Add → Tanh; returns the pooler's output, or null without a pooler.</summary>
        private string? Pooler(string hidden)
        {
            List<OnnxNode> readers = Readers(hidden);
            if (readers.Count == 0)
            {
                return null;
            }

            OnnxNode from = _producers[hidden];
            OnnxNode gather = Next(hidden, "Gather", from, "the pooler's first token (Gather index 0 on axis 1)");
            if (gather.Inputs.Count != 2 || gather.Inputs[0] != hidden || !_constants.TryGetValue(gather.Inputs[1], out OnnxTensor? index)
                || index.Dims.Count != 0 || !Is(IntConstant(gather.Inputs[1]), 0))
            {
                throw Fail(gather, "does not take the first token: expected the index a scalar constant 0.");
            }

            CheckGatherAxis(gather, 1);
            _used.Add(gather);
            OnnxNode dense = NextOf(gather.Outputs[0], gather, "pooler.dense", "Gemm", "MatMul");
            string output;
            if (dense.OpType == "MatMul")
            {
                (OnnxNode add, string o) = DenseBias(dense, _hidden, _hidden);
                MapDense("pooler.dense", dense, add);
                output = o;
            }
            else
            {
                long transB = dense.Attribute("transB")?.Int ?? 0;
                if ((dense.Attribute("transA")?.Int ?? 0) != 0 || (transB != 0 && transB != 1)
                    || (dense.Attribute("alpha")?.Float ?? 1f) != 1f || (dense.Attribute("beta")?.Float ?? 1f) != 1f)
                {
                    throw Fail(dense, "has transA, transB, alpha or beta other than 0, 0 or 1, 1 and 1.");
                }

                if (dense.Inputs.Count != 3 || dense.Inputs[0] != gather.Outputs[0] || dense.Inputs[2].Length == 0)
                {
                    throw Fail(dense, "does not multiply the first token by a weight and add a bias.");
                }

                bool outputsByInputs = transB == 1;
                Map("pooler.dense.weight", dense.Inputs[1], dense, !outputsByInputs, _hidden, _hidden);
                Map("pooler.dense.bias", dense.Inputs[2], dense, false, _hidden);
                _used.Add(dense);
                output = dense.Outputs[0];
            }

            OnnxNode tanh = Next(output, "Tanh", _producers[output], "the pooler's tanh");
            _used.Add(tanh);
            return tanh.Outputs[0];
        }

        private void Outputs(string hidden, string? pooled)
        {
            bool sawHidden = false, sawPooled = false;
            foreach (OnnxValueInfo o in _graph.Outputs)
            {
                if (o.Name == hidden)
                {
                    sawHidden = true;
                }
                else if (o.Name == pooled)
                {
                    sawPooled = true;
                }
                else
                {
                    Report(_producers.TryGetValue(o.Name, out OnnxNode? p) ? p : null, "writes the graph output '" + o.Name
                        + "'; an encoder's outputs are the last hidden state and the pooler's output.");
                }
            }

            if (!sawHidden)
            {
                Report(_producers[hidden], "writes the last hidden state '" + hidden + "', which is not a graph output.");
            }

            if (pooled is not null && !sawPooled)
            {
                Report(_producers[pooled], "writes the pooler's output '" + pooled + "', which is not a graph output.");
            }

            _graphNames[EncoderConfig.DefaultLastHiddenState] = hidden;
            if (pooled is not null)
            {
                _graphNames[EncoderConfig.DefaultPoolerOutput] = pooled;
            }
        }

        private void Unused()
        {
            foreach (OnnxNode n in _graph.Nodes)
            {
                if (!_used.Contains(n) && n.OpType != "Constant")
                {
                    Report(n, "is not part of the encoder the reader recognised (embeddings, layer norms, attention, feed-forward, pooler); "
                        + "the reader compiles exactly those.");
                }
            }
        }

        // ---- Shape plumbing -------------------------------------------------------------------------------------------

        /// <summary>
        /// One dimension of a runtime shape: Unsqueeze(Gather(Shape(t), k), axes [0]) (any t: batch and sequence are the
        /// same for every tensor the patterns measure), or the constant [0] (Reshape's "copy this dimension").
        /// </summary>
        private void DynamicDim(string value, int k, OnnxNode from, string what)
        {
            if (Is(IntConstant(value), 0) && from.OpType == "Concat")
            {
                return;
            }

            OnnxNode? unsqueeze = Producer(value);
            if (unsqueeze is not { OpType: "Unsqueeze" } || unsqueeze.Inputs.Count == 0 || !Is(Axes(unsqueeze), 0))
            {
                throw Fail(unsqueeze ?? from, "is where " + what + " was expected: Unsqueeze(axes [0]) of Gather(Shape(…), " + Text(k) + ").");
            }

            OnnxNode? gather = Producer(unsqueeze.Inputs[0]);
            if (gather is not { OpType: "Gather" } || gather.Inputs.Count != 2 || (gather.Attribute("axis")?.Int ?? 0) != 0
                || !_constants.TryGetValue(gather.Inputs[1], out OnnxTensor? index) || index.Dims.Count != 0 || One(IntConstant(gather.Inputs[1])) != k)
            {
                throw Fail(gather ?? unsqueeze, "is where " + what + " was expected: Gather(Shape(…), the scalar " + Text(k) + ", axis 0).");
            }

            OnnxNode? shape = Producer(gather.Inputs[0]);
            if (shape is not { OpType: "Shape" } || shape.Attribute("start") is not null || shape.Attribute("end") is not null)
            {
                throw Fail(shape ?? gather, "is where " + what + " was expected: a whole Shape (no start or end).");
            }

            _used.Add(unsqueeze);
            _used.Add(gather);
            _used.Add(shape);
        }

        /// <summary>
        /// A value computed from shapes and integer constants only (the Expand of the zeros buffer: any shape it makes
        /// leaves the types zero); marks its nodes. Graph inputs are reachable only through Shape.
        /// </summary>
        private void ShapeOnly(string value, OnnxNode from, int budget)
        {
            var stack = new Stack<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            stack.Push(value);
            while (stack.Count > 0)
            {
                string v = stack.Pop();
                if (v.Length == 0 || !seen.Add(v))
                {
                    continue;
                }

                if (_constants.TryGetValue(v, out OnnxTensor? c))
                {
                    if (c.DataType != 7 && c.DataType != 6 && c.DataType != 9)
                    {
                        throw Fail(from, "computes its shape from the " + c.DataTypeName + " constant '" + v + "'; expected integer shape arithmetic.");
                    }

                    if (_producers.TryGetValue(v, out OnnxNode? constant))
                    {
                        _used.Add(constant);
                    }

                    continue;
                }

                OnnxNode? p = Producer(v);
                if (p is null)
                {
                    throw Fail(from, "computes its shape from the input '" + v + "' itself; expected only its Shape.");
                }

                if (--budget < 0)
                {
                    throw Fail(from, "computes its shape with more nodes than the exporters write.");
                }

                switch (p.OpType)
                {
                    case "Shape":
                        _used.Add(p);
                        continue;
                    case "Gather" or "Unsqueeze" or "Squeeze" or "Concat" or "Reshape" or "ConstantOfShape" or "Mul" or "Equal" or "Where" or "Cast" or "Slice" or "Add" or "Sub":
                        _used.Add(p);
                        foreach (string i in p.Inputs)
                        {
                            stack.Push(i);
                        }

                        continue;
                    default:
                        throw Fail(p, "is in the shape computation of " + from.Describe() + "; expected only Shape, Gather, Unsqueeze, Concat, Reshape, "
                            + "ConstantOfShape, Mul, Equal, Where and integer constants there.");
                }
            }
        }

        // ---- Small matchers ------------------------------------------------------------------------------------------

        /// <summary>The readers of a value, except Shape nodes (they read only its shape; the patterns that use them mark them).</summary>
        private List<OnnxNode> Readers(string value)
        {
            var list = new List<OnnxNode>();
            if (_consumers.TryGetValue(value, out List<OnnxNode>? all))
            {
                foreach (OnnxNode n in all)
                {
                    if (n.OpType != "Shape")
                    {
                        list.Add(n);
                    }
                }
            }

            return list;
        }

        /// <summary>The one node that reads <paramref name="value"/>, which must be an <paramref name="op"/>.</summary>
        private OnnxNode Next(string value, string op, OnnxNode from, string what) => NextOf(value, from, what, op);

        private OnnxNode NextOf(string value, OnnxNode from, string what, params string[] ops)
        {
            string expected = string.Join(" or ", ops);
            List<OnnxNode> readers = Readers(value);
            if (readers.Count == 0)
            {
                throw Fail(from, "writes '" + value + "', which no node reads; expected a " + expected + " (" + what + ").");
            }

            if (readers.Count > 1)
            {
                throw Fail(from, "writes '" + value + "', which " + Describe(readers) + " read; expected only a " + expected + " (" + what + ").");
            }

            OnnxNode n = readers[0];
            if (Array.IndexOf(ops, n.OpType) < 0)
            {
                throw Fail(n, "reads '" + value + "' where a " + expected + " was expected (" + what + ").");
            }

            if (n.Outputs.Count == 0 || n.Outputs[0].Length == 0)
            {
                throw Fail(n, "has no output.");
            }

            if (n.OpType is "Add" or "Mul" or "Sub" or "Div" or "MatMul" or "Pow" && n.Inputs.Count != 2)
            {
                throw Fail(n, "has " + Text(n.Inputs.Count) + " inputs; a " + n.OpType + " has 2.");
            }

            return n;
        }

        /// <summary>The one reader of <paramref name="value"/> that is an <paramref name="op"/> and satisfies <paramref name="where"/>.</summary>
        private OnnxNode FindReader(string value, string op, OnnxNode from, string what, Func<OnnxNode, bool> where)
        {
            OnnxNode? found = null;
            foreach (OnnxNode n in Readers(value))
            {
                if (n.OpType == op && n.Inputs.Count >= 1 && n.Outputs.Count >= 1 && n.Outputs[0].Length > 0 && where(n))
                {
                    if (found is not null)
                    {
                        throw Fail(n, "and " + found.Describe() + " both read '" + value + "'; expected one " + op + " (" + what + ").");
                    }

                    found = n;
                }
            }

            if (found is null)
            {
                throw Fail(from, "writes '" + value + "', which " + Describe(Readers(value)) + " read; expected a " + op + " among them (" + what + ").");
            }

            return found!;
        }

        private OnnxNode? Producer(string value) => _producers.TryGetValue(value, out OnnxNode? n) ? n : null;

        /// <summary>The input of a binary node other than <paramref name="one"/> (empty when it does not read it).</summary>
        private static string Other(OnnxNode node, string one) =>
            node.Inputs.Count != 2 ? string.Empty : node.Inputs[0] == one ? node.Inputs[1] : node.Inputs[1] == one ? node.Inputs[0] : string.Empty;

        private OnnxTensor? FloatMatrix(string name) =>
            _constants.TryGetValue(name, out OnnxTensor? t) && t.DataType == OnnxModel.FloatType && t.Dims.Count == 2
            && t.Dims[0] > 0 && t.Dims[1] > 0 && t.Dims[0] <= int.MaxValue && t.Dims[1] <= int.MaxValue ? t : null;

        private long[]? IntConstant(string name) =>
            _constants.TryGetValue(name, out OnnxTensor? t) && t.TryReadIntegers(out long[] values) ? values : null;

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

        /// <summary>The value of a float scalar constant (one element of any rank).</summary>
        private float Scalar(string name, OnnxNode node, string what)
        {
            if (_constants.TryGetValue(name, out OnnxTensor? t) && t.ElementCount == 1 && t.DataType == OnnxModel.FloatType)
            {
                try
                {
                    return t.ReadFloats()[0];
                }
                catch (OnnxFormatException)
                {
                    // Reported below.
                }
            }

            throw Fail(node, "reads '" + name + "' as " + what + "; expected a float scalar constant.");
        }

        /// <summary>Unsqueeze's or ReduceMean's axes: the attribute (Unsqueeze before opset 13, ReduceMean before 18) or the constant second input.</summary>
        private long[] Axes(OnnxNode node)
        {
            if (node.Attribute("axes") is { } attribute)
            {
                return [.. attribute.Ints];
            }

            if (node.Inputs.Count >= 2 && IntConstant(node.Inputs[1]) is { } values)
            {
                return values;
            }

            throw Fail(node, "has no constant axes.");
        }

        private static long[] Perm(OnnxNode transpose) => transpose.Attribute("perm") is { } p ? [.. p.Ints] : [];

        private void CheckPerm(OnnxNode transpose, long[] expected, string what)
        {
            long[] perm = Perm(transpose);
            if (!Same(perm, expected))
            {
                throw Fail(transpose, "has perm " + List(perm) + "; expected " + List(expected) + " (" + what + ").");
            }
        }

        private void CheckGatherAxis(OnnxNode gather, long axis)
        {
            long actual = gather.Attribute("axis")?.Int ?? 0;
            if (actual != axis)
            {
                throw Fail(gather, "has axis " + Text(actual) + "; expected " + Text(axis) + ".");
            }
        }

        private void CheckAllowZero(OnnxNode reshape)
        {
            if ((reshape.Attribute("allowzero")?.Int ?? 0) != 0)
            {
                throw Fail(reshape, "has allowzero = 1; the reader reads Reshape's default (0 copies a dimension).");
            }
        }

        /// <summary>Records where a parameter is: a float constant of the expected ONNX shape.</summary>
        private void Map(string name, string value, OnnxNode node, bool transpose, params long[] dims)
        {
            if (!_constants.TryGetValue(value, out OnnxTensor? t))
            {
                throw Fail(node, "reads '" + value + "' as " + name + ", which the graph computes; it must be an initializer or a Constant.");
            }

            if (t.DataType != OnnxModel.FloatType)
            {
                throw Fail(node, "reads '" + value + "' as " + name + ", of type " + t.DataTypeName + "; the encoder's parameters are float32.");
            }

            if (!Same([.. t.Dims], dims))
            {
                throw Fail(node, "reads '" + value + "' of shape " + t.ShapeText + " as " + name + "; expected " + List(dims) + ".");
            }

            if (_tensors.ContainsKey(name))
            {
                throw Fail(node, "is a second " + name + ".");
            }

            _tensors[name] = new OnnxEncoderTensor(name, t, transpose, node);
            if (_producers.TryGetValue(value, out OnnxNode? constant))
            {
                _used.Add(constant);
            }
        }

        /// <summary>Whether <paramref name="values"/> are exactly <paramref name="expected"/>.</summary>
        private static bool Is(long[]? values, params long[] expected) => values is not null && Same(values, expected);

        /// <summary>The one value of a one-element list, or <see cref="long.MinValue"/> (which no check accepts).</summary>
        private static long One(long[]? values) => values is { Length: 1 } ? values[0] : long.MinValue;

        private static bool Same(long[] a, long[] b)
        {
            if (a.Length != b.Length)
            {
                return false;
            }

            for (int i = 0; i < a.Length; i++)
            {
                if (a[i] != b[i])
                {
                    return false;
                }
            }

            return true;
        }

        private static string Describe(List<OnnxNode> nodes)
        {
            if (nodes.Count == 0)
            {
                return "no nodes";
            }

            var parts = new List<string>();
            foreach (OnnxNode n in nodes)
            {
                parts.Add(n.Describe());
            }

            return string.Join(", ", parts);
        }

        private static string List(long[] values)
        {
            var parts = new string[values.Length];
            for (int i = 0; i < values.Length; i++)
            {
                parts[i] = Text(values[i]);
            }

            return "[" + string.Join(", ", parts) + "]";
        }

        private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

        private static string Text(float value) => value.ToString("R", CultureInfo.InvariantCulture);

        /// <summary>Records a problem and goes on (checks that can all be reported together).</summary>
        private void Report(OnnxNode? node, string message) =>
            _problems.Add(Problem(SpecDiagnosticIds.UnsupportedOnnxModel, _file + ": " + (node is null ? "the graph " : node.Describe() + " ") + message));

        /// <summary>Records a problem; the caller throws the result to leave the pattern being matched.</summary>
        private MatchFailedException Fail(OnnxNode? node, string message)
        {
            Report(node, message);
            return new MatchFailedException();
        }
    }
}
