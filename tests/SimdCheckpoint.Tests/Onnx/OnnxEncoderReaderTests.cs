using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using SimdCheckpoint.Onnx;
using SimdCheckpoint.Tests.Encoders;
using Xunit;

namespace SimdCheckpoint.Tests.Onnx;

/// <summary>
/// The encoder reader on the six committed BERT exports (tests/models/bert: two models at opsets 11, 13 and 17): each
/// is the encoder its JSON spec declares, and every tensor the runtime asks for is found, in the runtime's layout,
/// with the bits of the safetensors file. Then single-node edits of bert_gelu.op13.onnx (an operator swapped, a
/// constant changed, a node removed, a permutation changed): each is a problem that names the node, never an exception.
/// </summary>
public sealed class OnnxEncoderReaderTests
{
    private const string Unsupported = "SCK0016";

    public static TheoryData<string, int> Exports() => new()
    {
        { "bert_gelu", 11 }, { "bert_gelu", 13 }, { "bert_gelu", 17 },
        { "bert_tanh", 11 }, { "bert_tanh", 13 }, { "bert_tanh", 17 },
    };

    [Theory]
    [MemberData(nameof(Exports))]
    public void Each_export_is_the_encoder_its_json_spec_declares(string model, int opset)
    {
        OnnxEncoderReadResult read = Read(model, opset);

        Assert.Empty(read.Problems);
        NetworkSpec expected = NetworkSpec.FromJsonFile(EncoderModel.FilePath(model + ".json"));
        Assert.NotNull(read.Spec);
        Assert.Equal(expected.Encoder, read.Config);
        Assert.Equal(expected.Fingerprint, read.Spec.Fingerprint);
        Assert.Equal(expected, read.Spec);
    }

    [Theory]
    [MemberData(nameof(Exports))]
    public void Every_tensor_the_runtime_loads_is_mapped_with_the_safetensors_bits(string model, int opset)
    {
        OnnxEncoderReadResult read = Read(model, opset);
        EncoderModel reference = EncoderModel.Load(model);

        // The safetensors file holds exactly the tensors the runtime asks for, under the same names.
        Assert.Equal(reference.Tensors.Keys.OrderBy(k => k, StringComparer.Ordinal), read.Tensors.Keys.OrderBy(k => k, StringComparer.Ordinal));
        foreach ((string name, OnnxEncoderTensor source) in read.Tensors)
        {
            Assert.Equal(name, source.Name);
            float[] expected = reference.Tensors[name];
            float[] actual = source.ReadFloats();
            Assert.True(
                expected.AsSpan().SequenceEqual(actual),
                $"{model}.op{opset}: '{name}' from '{source.Tensor.Name}' {source.Tensor.ShapeText} (transpose {source.Transpose}) differs from the safetensors tensor");
        }

        // MatMul weights are [in, out]; only the pooler's Gemm (transB = 1) keeps PyTorch's [out, in].
        Assert.True(read.Tensors["encoder.layer.0.attention.self.query.weight"].Transpose);
        Assert.True(read.Tensors["encoder.layer.1.intermediate.dense.weight"].Transpose);
        Assert.False(read.Tensors["embeddings.word_embeddings.weight"].Transpose);
        if (read.Tensors.TryGetValue("pooler.dense.weight", out OnnxEncoderTensor? pooler))
        {
            Assert.False(pooler.Transpose);
            Assert.Equal("Gemm", pooler.Node.OpType);
        }
    }

    [Theory]
    [MemberData(nameof(Exports))]
    public void The_graph_names_of_the_inputs_and_outputs_are_found_by_role(string model, int opset)
    {
        OnnxEncoderReadResult read = Read(model, opset);
        bool gelu = model == "bert_gelu";

        var expected = new Dictionary<string, string>
        {
            ["input_ids"] = "input_ids",
            ["attention_mask"] = "attention_mask",
            ["last_hidden_state"] = "last_hidden_state",
        };
        if (gelu)
        {
            expected["token_type_ids"] = "token_type_ids";
            expected["pooler_output"] = "pooler_output";
        }

        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), read.GraphNames.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void Bytes_that_are_not_a_model_are_a_malformed_file_problem()
    {
        OnnxEncoderReadResult read = OnnxEncoderReader.Read([0x0A, 0xFF, 0x01], "broken", "broken.onnx");

        Assert.Null(read.Spec);
        SpecProblem problem = Assert.Single(read.Problems);
        Assert.Equal("SCK0017", problem.Id);
        Assert.StartsWith("broken.onnx: ", problem.Message, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- single-node edits of bert_gelu.op13.onnx

    public static TheoryData<string, string, string> Edits() => new()
    {
        // edit, the node it changes, what the problem must name
        { "op:Sigmoid", "/encoder/layer.0/attention/self/Softmax", "/encoder/layer.0/attention/self/Softmax' (Sigmoid)" },
        { "op:Sigmoid", "/encoder/layer.1/intermediate/intermediate_act_fn/Erf", "/encoder/layer.1/intermediate/intermediate_act_fn/Erf' (Sigmoid)" },
        { "op:Mul", "/encoder/layer.0/attention/self/Div", "/encoder/layer.0/attention/self/Div' (Mul)" },
        { "op:Relu", "/embeddings/LayerNorm/Sqrt", "/embeddings/LayerNorm/Sqrt' (Relu)" },
        { "op:Gemm", "/encoder/layer.1/attention/self/value/MatMul", "/encoder/layer.1/attention/self/value/MatMul' (Gemm)" },
        { "op:Tanh", "/pooler/activation/Tanh", string.Empty }, // unchanged: the control, read without problems
        { "op:Sigmoid", "/pooler/activation/Tanh", "/pooler/activation/Tanh' (Sigmoid)" },
        { "constant:3.0", "/encoder/layer.0/attention/self/Div", "/encoder/layer.0/attention/self/Div' (Div)" },
        { "constant:2.8284", "/encoder/layer.1/attention/self/Div", "/encoder/layer.1/attention/self/Div' (Div)" },
        { "constant:-1.0", "/Mul", "/Mul' (Mul)" },
        { "constant:-1e30", "/Mul", string.Empty }, // any finite constant ≤ −10⁴ masks exactly
        { "constant:1.5", "/encoder/layer.0/intermediate/intermediate_act_fn/Div", "/encoder/layer.0/intermediate/intermediate_act_fn/Div' (Div)" },
        { "constant:3.0", "/encoder/layer.1/output/LayerNorm/Pow", "/encoder/layer.1/output/LayerNorm/Pow' (Pow)" },
        { "remove", "/encoder/layer.0/intermediate/intermediate_act_fn/Erf", "intermediate_act_fn/Erf_output_0" },
        { "remove", "/encoder/layer.1/attention/self/Transpose_2", "/encoder/layer.1/attention/self/Transpose_2_output_0" },
        { "remove", "/embeddings/LayerNorm/Add_1", "/embeddings/LayerNorm/Add_1_output_0" },
        { "perm:0,1,2,3", "/encoder/layer.0/attention/self/Transpose", "/encoder/layer.0/attention/self/Transpose' (Transpose)" },
        { "perm:0,2,1,3", "/encoder/layer.0/attention/self/Transpose_2", "/encoder/layer.0/attention/self/Transpose_2' (Transpose)" },
        { "perm:0,1,3,2", "/encoder/layer.1/attention/self/Transpose_3", "/encoder/layer.1/attention/self/Transpose_3' (Transpose)" },
        { "int:axis=2", "/encoder/layer.0/attention/self/Softmax", "/encoder/layer.0/attention/self/Softmax' (Softmax)" },
        { "int:to=7", "/Cast", "/Cast' (Cast)" },
        { "int:axis=0", "/pooler/Gather", "/pooler/Gather' (Gather)" },
        { "int:transB=2", "/pooler/dense/Gemm", "/pooler/dense/Gemm' (Gemm)" },
    };

    [Theory]
    [MemberData(nameof(Edits))]
    public void A_single_node_edit_is_a_problem_that_names_the_node(string edit, string node, string named)
    {
        byte[] model = Edit(File.ReadAllBytes(EncoderModel.FilePath("bert_gelu.op13.onnx")), node, edit);

        OnnxEncoderReadResult read = OnnxEncoderReader.Read(model, "bert_gelu", "edited.onnx");

        if (named.Length == 0)
        {
            Assert.Empty(read.Problems);
            Assert.Equal(NetworkSpec.FromJsonFile(EncoderModel.FilePath("bert_gelu.json")).Encoder, read.Config);
            return;
        }

        Assert.Null(read.Spec);
        Assert.Null(read.Config);
        Assert.Empty(read.Tensors);
        Assert.NotEmpty(read.Problems);
        Assert.All(read.Problems, p => Assert.Equal(Unsupported, p.Id));
        Assert.All(read.Problems, p => Assert.StartsWith("edited.onnx: ", p.Message, StringComparison.Ordinal));
        Assert.Contains(read.Problems, p => p.Message.Contains(named, StringComparison.Ordinal));
        Assert.DoesNotContain(read.Problems, p => p.Message.Contains("unexpectedly", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_node_swapped_for_another_operator_or_removed_is_a_problem_never_an_exception()
    {
        // Every node of the graph is accounted for by a pattern: change any one and the reader must say so.
        byte[] file = File.ReadAllBytes(EncoderModel.FilePath("bert_gelu.op13.onnx"));
        List<string> names = NodeNames(file);
        Assert.Equal(257, names.Count);
        foreach (string node in names)
        {
            foreach (string edit in new[] { "op:Identity", "remove" })
            {
                OnnxEncoderReadResult read = OnnxEncoderReader.Read(Edit(file, node, edit), "bert_gelu", "edited.onnx");

                Assert.True(read.Spec is null && read.Problems.Count > 0, $"{edit} of '{node}' was read without a problem");
                Assert.All(read.Problems, p => Assert.Equal(Unsupported, p.Id));
                Assert.DoesNotContain(read.Problems, p => p.Message.Contains("unexpectedly", StringComparison.Ordinal));
            }
        }
    }

    private static OnnxEncoderReadResult Read(string model, int opset)
    {
        string file = model + ".op" + opset + ".onnx";
        return OnnxEncoderReader.Read(File.ReadAllBytes(EncoderModel.FilePath(file)), model, file);
    }

    // ---------------------------------------------------------------- editing a model's nodes (onnx.proto field numbers)

    // ModelProto.graph = 7; GraphProto.node = 1; NodeProto: input 1, output 2, name 3, op_type 4, attribute 5;
    // AttributeProto: name 1, i 3, t 5, ints 8; TensorProto.raw_data = 9.
    private static List<string> NodeNames(byte[] file) =>
        Nodes(Parse(file)).Select(n => Text(n.Children!.First(f => f.Number == 3))).ToList();

    /// <summary>
    /// One edit of the node named <paramref name="node"/>: "op:T" sets its operator, "remove" deletes it, "perm:a,b,…"
    /// sets its perm, "int:name=v" an integer attribute, and "constant:v" the float value of the Constant node whose
    /// output is its second input.
    /// </summary>
    private static byte[] Edit(byte[] file, string node, string edit)
    {
        List<ProtoField> model = Parse(file);
        List<ProtoField> graph = model.First(f => f.Number == 7).Children!;
        List<ProtoField> nodes = Nodes(model);
        ProtoField target = nodes.Single(n => Text(n.Children!.First(f => f.Number == 3)) == node);
        List<ProtoField> fields = target.Children!;
        string kind = edit.Split(':')[0];
        string value = edit.Contains(':', StringComparison.Ordinal) ? edit[(edit.IndexOf(':', StringComparison.Ordinal) + 1)..] : string.Empty;
        switch (kind)
        {
            case "op":
                Replace(fields, fields.First(f => f.Number == 4), Leaf(4, value));
                break;
            case "remove":
                graph.Remove(target);
                break;
            case "perm":
                ProtoField perm = Attribute(fields, "perm");
                perm.Children!.RemoveAll(f => f.Number == 8);
                foreach (string v in value.Split(','))
                {
                    perm.Children.Add(new ProtoField { Number = 8, Wire = ProtoField.Varint, Value = (ulong)long.Parse(v, System.Globalization.CultureInfo.InvariantCulture) });
                }

                break;
            case "int":
                string[] parts = value.Split('=');
                ProtoField attribute = Attribute(fields, parts[0]);
                attribute.Children!.First(f => f.Number == 3).Value = unchecked((ulong)long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
                break;
            case "constant":
                string input = Text(fields.Where(f => f.Number == 1).ElementAt(1));
                ProtoField constant = nodes.Single(n => n.Children!.Any(f => f.Number == 2 && Text(f) == input));
                ProtoField tensor = Attribute(constant.Children!, "value").Children!.First(f => f.Number == 5);
                float number = float.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                Replace(tensor.Children!, tensor.Children!.First(f => f.Number == 9), new ProtoField { Number = 9, Wire = ProtoField.LengthDelimited, Bytes = BitConverter.GetBytes(number) });
                break;
            default:
                throw new ArgumentException("unknown edit " + edit, nameof(edit));
        }

        return ProtoField.Serialize(model, []);
    }

    private static List<ProtoField> Parse(byte[] file) =>
        ProtoField.Parse(file, 0, file.Length, 0) ?? throw new InvalidOperationException("not a protobuf message");

    private static List<ProtoField> Nodes(List<ProtoField> model) =>
        model.First(f => f.Number == 7).Children!.Where(f => f.Number == 1 && f.Children is not null).ToList();

    private static ProtoField Attribute(List<ProtoField> node, string name) =>
        node.First(f => f.Number == 5 && f.Children is not null && Text(f.Children.First(a => a.Number == 1)) == name);

    /// <summary>A leaf's bytes as text; a short string can look like a message to the schema-less parser, so serialize it back.</summary>
    private static string Text(ProtoField field) =>
        Encoding.UTF8.GetString(field.Children is null ? field.Bytes : ProtoField.Serialize(field.Children, []));

    private static ProtoField Leaf(int number, string text) =>
        new() { Number = number, Wire = ProtoField.LengthDelimited, Bytes = Encoding.UTF8.GetBytes(text) };

    private static void Replace(List<ProtoField> siblings, ProtoField old, ProtoField replacement) =>
        siblings[siblings.IndexOf(old)] = replacement;
}
