using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using SimdCheckpoint.Onnx;
using SimdCheckpoint.Reference;
using SimdCheckpoint.Safetensors;
using SimdCheckpoint.Tests.Networks;
using SimdCheckpoint.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Tests.Onnx;

/// <summary>
/// The ONNX reader on hand-written models (<see cref="OnnxBuilder"/>): the forms PyTorch does not export load into
/// <see cref="SmallOnnxShape"/> and run with the scalar reference's bits on weights built here independently of the
/// reader; every unsupported graph is SCK0016 and every malformed file SCK0017 / <see cref="WeightsFormatException"/>,
/// with a message that names the node (and its operator) or the tensor and says why; and the spec fingerprint that
/// ties ONNX and safetensors weights to the compiled network.
/// </summary>
public sealed class OnnxReaderTests
{
    private const string Unsupported = "SCK0016";
    private const string Malformed = "SCK0017";

    // The standard model: 6 -> 5 ReLU -> 3, as nn.Linear exports it (Gemm, transB = 1, weights [N, K]).
    private static readonly float[] W1 = Values(5 * 6, 1);
    private static readonly float[] B1 = Values(5, 2);
    private static readonly float[] W2 = Values(3 * 5, 3);
    private static readonly float[] B2 = Values(3, 4);

    private static DenseLayerWeights Layer1 => new(W1, B1, WeightLayout.OutputsByInputs);

    private static DenseLayerWeights Layer2 => new(W2, B2, WeightLayout.OutputsByInputs);

    // ---------------------------------------------------------------- supported forms PyTorch does not export

    [Fact]
    public void The_standard_model_loads_and_runs_like_the_reference()
    {
        // The baseline the other forms vary, so that a failure there is about the form and not the set-up.
        AssertRunsLike(Standard().Build(), Layer1, Layer2);
        NetworkSpec spec = NetworkSpec.FromOnnx(Standard().Build(), "small.onnx");
        Assert.Equal("small", spec.Name);
        Assert.Equal(new[] { "fc1", "fc2" }, spec.Layers.Select(l => l.Name));
        Assert.Equal(new[] { Activation.Relu, Activation.Identity }, spec.Layers.Select(l => l.Activation));
    }

    [Fact]
    public void Dropout_with_and_without_a_mask_output_and_Identity_pass_through()
    {
        byte[] model = Layers()
            .Initializer(new TensorValue("training_mode", [], []) { DataType = 9, RawBytes = [0] })
            .Node("Gemm", ["input", "fc1.weight", "fc1.bias"], ["h1"], "/fc1/Gemm", ("transB", 1L))
            .Node("Dropout", ["h1"], ["d1"], "/Dropout")
            .Node("Relu", ["d1"], ["a1"], "/Relu")
            .Node("Identity", ["a1"], ["i1"], "/Identity")
            .Node("Dropout", ["i1", string.Empty, "training_mode"], ["d2", "mask"], "/Dropout_1")
            .Node("Gemm", ["d2", "fc2.weight", "fc2.bias"], ["g2"], "/fc2/Gemm", ("transB", 1L))
            .Node("Dropout", ["g2"], ["d3", "mask3"], "/Dropout_2")
            .Node("Identity", ["d3"], ["output"], "/Identity_1")
            .Build();
        AssertRunsLike(model, Layer1, Layer2);
    }

    [Fact]
    public void Flatten_of_a_rank_3_input()
    {
        byte[] model = Layers()
            .Input("input", null, 2, 3)
            .Node("Flatten", ["input"], ["flat"], "/Flatten", ("axis", 1L))
            .Node("Gemm", ["flat", "fc1.weight", "fc1.bias"], ["h1"], "/fc1/Gemm", ("transB", 1L))
            .Node("Relu", ["h1"], ["a1"], "/Relu")
            .Node("Gemm", ["a1", "fc2.weight", "fc2.bias"], ["output"], "/fc2/Gemm", ("transB", 1L))
            .Build(withInput: false);
        AssertRunsLike(model, Layer1, Layer2);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Gemm_with_transB_0_takes_a_K_by_N_weight(bool explicitAttribute)
    {
        float[] w1t = Transpose(W1, 5, 6);
        (string, object)[] attributes = explicitAttribute ? [("transB", 0L)] : [];
        byte[] model = Standard(fc1Weight: new TensorValue("fc1.weight", [6, 5], w1t), fc1Attributes: attributes, transB: false).Build();
        AssertRunsLike(model, new DenseLayerWeights(w1t, B1, WeightLayout.InputsByOutputs), Layer2);
    }

    [Fact]
    public void Gemm_with_a_1_by_N_bias()
    {
        byte[] model = Standard(fc1Bias: new TensorValue("fc1.bias", [1, 5], B1)).Build();
        AssertRunsLike(model, Layer1, Layer2);
    }

    [Theory]
    [InlineData(new long[0])]
    [InlineData(new long[] { 1 })]
    [InlineData(new long[] { 1, 1 })]
    public void Gemm_with_a_scalar_bias_broadcasts_it(long[] dims)
    {
        byte[] model = Standard(fc1Bias: new TensorValue("c", dims, [0.375f])).Build();
        AssertRunsLike(model, new DenseLayerWeights(W1, Enumerable.Repeat(0.375f, 5).ToArray(), WeightLayout.OutputsByInputs), Layer2);
    }

    [Fact]
    public void Gemm_without_C_has_a_zero_bias()
    {
        byte[] model = Layers()
            .Node("Gemm", ["input", "fc1.weight"], ["h1"], "/fc1/Gemm", ("transB", 1L))
            .Node("Relu", ["h1"], ["a1"], "/Relu")
            .Node("Gemm", ["a1", "fc2.weight", string.Empty], ["output"], "/fc2/Gemm", ("transB", 1L)) // C omitted by an empty name
            .Build();
        AssertRunsLike(model, new DenseLayerWeights(W1, new float[5], WeightLayout.OutputsByInputs), new DenseLayerWeights(W2, new float[3], WeightLayout.OutputsByInputs));
    }

    [Fact]
    public void Weights_in_float_data_instead_of_raw_data()
    {
        byte[] model = Standard(
            fc1Weight: new TensorValue("fc1.weight", [5, 6], W1) { Raw = false },
            fc1Bias: new TensorValue("fc1.bias", [5], B1) { Raw = false }).Build();
        AssertRunsLike(model, Layer1, Layer2);
    }

    [Fact]
    public void MatMul_and_Add_with_the_bias_as_the_first_input()
    {
        float[] w1t = Transpose(W1, 5, 6);
        byte[] model = new OnnxBuilder()
            .Input("input", null, 6)
            .Output("output", null, 3)
            .Initializer("W1", [6, 5], w1t)
            .Initializer("b1", [5], B1)
            .Initializer("fc2.weight", [3, 5], W2)
            .Initializer("fc2.bias", [3], B2)
            .Node("MatMul", ["input", "W1"], ["m1"], "/MatMul")
            .Node("Add", ["b1", "m1"], ["h1"], "/Add")
            .Node("Relu", ["h1"], ["a1"], "/Relu")
            .Node("Gemm", ["a1", "fc2.weight", "fc2.bias"], ["output"], "/fc2/Gemm", ("transB", 1L))
            .Build();
        AssertRunsLike(model, new DenseLayerWeights(w1t, B1, WeightLayout.InputsByOutputs), Layer2);
    }

    [Fact]
    public void Initializers_also_listed_as_graph_inputs()
    {
        // Exporters before IR version 4 (and torch with keep_initializers_as_inputs=True) list every initializer in
        // graph.input; here they come before the real input, so it is not graph.input[0].
        byte[] model = StandardNodes(Layers()
                .Input("fc1.weight", 5, 6)
                .Input("fc1.bias", 5)
                .Input("fc2.weight", 3, 5)
                .Input("fc2.bias", 3)
                .Input("input", null, 6))
            .Build(withInput: false);
        AssertRunsLike(model, Layer1, Layer2);
    }

    [Theory]
    [InlineData("none", Activation.Gelu)]
    [InlineData("tanh", Activation.GeluTanh)]
    [InlineData(null, Activation.Gelu)]
    public void Opset_20_Gelu_node(string? approximate, Activation expected)
    {
        (string, object)[] attributes = approximate is null ? [] : [("approximate", approximate)];
        byte[] model = Standard(activation: ("Gelu", attributes)).With(opset: 20).Build();
        NetworkSpec spec = NetworkSpec.FromOnnx(model, "gelu.onnx");
        Assert.Equal(new[] { expected, Activation.Identity }, spec.Layers.Select(l => l.Activation));
        Assert.Equal("6 -> 5 -> 3", spec.Shape);
    }

    [Theory]
    [InlineData(11, 1L)]
    [InlineData(11, -1L)]
    [InlineData(11, null)] // opset < 13 defaults to axis 1
    [InlineData(13, null)] // opset >= 13 defaults to axis -1
    [InlineData(13, 1L)]
    public void Softmax_over_the_last_axis(int opset, long? axis)
    {
        (string, object)[] attributes = axis is long a ? [("axis", a)] : [];
        byte[] model = SoftmaxModel(attributes).With(opset: opset).Build();
        NetworkSpec spec = NetworkSpec.FromOnnx(model, "softmax.onnx");
        Assert.Equal(new[] { Activation.Relu, Activation.Softmax }, spec.Layers.Select(l => l.Activation));
    }

    [Fact]
    public void LeakyRelu_without_alpha_has_the_onnx_default_0_01()
    {
        byte[] model = Standard(activation: ("LeakyRelu", [])).Build();
        NetworkSpec spec = NetworkSpec.FromOnnx(model, "leaky.onnx");
        Assert.Equal(Activation.LeakyRelu, spec.Layers[0].Activation);
        Assert.Equal(0.01f, spec.Layers[0].Alpha);

        byte[] given = Standard(activation: ("LeakyRelu", [("alpha", 0.25f)])).Build();
        Assert.Equal(0.25f, NetworkSpec.FromOnnx(given, "leaky.onnx").Layers[0].Alpha);
    }

    [Fact]
    public void Gemm_alpha_and_beta_are_multiplied_into_the_weights_once()
    {
        byte[] model = Standard(fc1Attributes: [("alpha", 2f), ("beta", 0.5f)]).Build();
        float[] scaledW = W1.Select(w => w * 2f).ToArray();
        float[] scaledB = B1.Select(b => b * 0.5f).ToArray();
        AssertRunsLike(model, new DenseLayerWeights(scaledW, scaledB, WeightLayout.OutputsByInputs), Layer2);

        // And the unscaled weights would give other outputs: the test can tell.
        Assert.NotEqual(Run(Layer1, Layer2), Run(new DenseLayerWeights(scaledW, scaledB, WeightLayout.OutputsByInputs), Layer2));
    }

    // ---------------------------------------------------------------- unsupported graphs: SCK0016

    [Fact]
    public void An_unsupported_operator_is_named_with_its_node()
    {
        byte[] model = Layers()
            .Initializer("k", [5, 6, 1], W1)
            .Node("Conv", ["input", "k"], ["c"], "/conv/Conv")
            .Node("Gemm", ["c", "fc2.weight", "fc2.bias"], ["output"], "/fc2/Gemm", ("transB", 1L))
            .Build();
        AssertUnsupported(model, "node '/conv/Conv' (Conv) is an operator SimdCheckpoint does not compile");
    }

    [Fact]
    public void An_unnamed_node_is_named_by_its_operator_and_output()
    {
        byte[] model = Standard(activation: ("Elu", [])).Build();
        AssertUnsupported(model, "the Elu node with output 'a1' is an operator SimdCheckpoint does not compile");
    }

    [Fact]
    public void A_branch_is_rejected()
    {
        byte[] model = Layers()
            .Node("Gemm", ["input", "fc1.weight", "fc1.bias"], ["h1"], "/fc1/Gemm", ("transB", 1L))
            .Node("Relu", ["h1"], ["a1"], "/Relu")
            .Node("Tanh", ["h1"], ["t1"], "/Tanh")
            .Node("Gemm", ["a1", "fc2.weight", "fc2.bias"], ["output"], "/fc2/Gemm", ("transB", 1L))
            .Build();
        AssertUnsupported(model, "node '/Relu' (Relu) reads 'h1', which 2 nodes read (node '/Relu' (Relu), node '/Tanh' (Tanh))", "each value feeds one node");
    }

    [Fact]
    public void A_side_branch_off_the_chain_is_named()
    {
        // A node that reads a weight (not the chain): every such node is one problem.
        byte[] model = StandardNodes(Layers())
            .Node("Transpose", ["fc1.weight"], ["unused"], "/Transpose")
            .Build();
        AssertUnsupported(model, "node '/Transpose' (Transpose) is not on the chain of layers from the input 'input' to the output 'output'");
    }

    [Fact]
    public void An_activation_before_any_dense_layer()
    {
        byte[] model = Layers()
            .Node("Relu", ["input"], ["r0"], "/Relu_0")
            .Node("Gemm", ["r0", "fc1.weight", "fc1.bias"], ["h1"], "/fc1/Gemm", ("transB", 1L))
            .Node("Relu", ["h1"], ["a1"], "/Relu")
            .Node("Gemm", ["a1", "fc2.weight", "fc2.bias"], ["output"], "/fc2/Gemm", ("transB", 1L))
            .Build();
        AssertUnsupported(model, "node '/Relu_0' (Relu) comes before the first Gemm or MatMul");
    }

    [Fact]
    public void Two_activations_in_a_row()
    {
        byte[] model = Layers()
            .Node("Gemm", ["input", "fc1.weight", "fc1.bias"], ["h1"], "/fc1/Gemm", ("transB", 1L))
            .Node("Relu", ["h1"], ["a1"], "/Relu")
            .Node("Sigmoid", ["a1"], ["s1"], "/Sigmoid")
            .Node("Gemm", ["s1", "fc2.weight", "fc2.bias"], ["output"], "/fc2/Gemm", ("transB", 1L))
            .Build();
        AssertUnsupported(model, "node '/Sigmoid' (Sigmoid) follows another activation");
    }

    [Fact]
    public void A_silu_pattern_after_another_activation_is_a_problem_not_a_crash()
    {
        // Found by OnnxFuzzTests (mlp_silu_leaky_sigmoid.onnx with the graph input renamed to the SiLU pattern's input,
        // '/fc1/Gemm_output_0'): when the Sigmoid→Mul (SiLU) pattern's activation could not be applied, the walk went
        // on with a null value name and Dictionary.TryGetValue threw ArgumentNullException out of Read (and out of the
        // source generator, which shares the reader).
        byte[] model = Layers()
            .Node("Gemm", ["input", "fc1.weight", "fc1.bias"], ["h1"], "/fc1/Gemm", ("transB", 1L))
            .Node("Relu", ["h1"], ["a1"], "/Relu")
            .Node("Sigmoid", ["a1"], ["s1"], "/Sigmoid")
            .Node("Mul", ["a1", "s1"], ["m1"], "/Mul")
            .Node("Gemm", ["m1", "fc2.weight", "fc2.bias"], ["output"], "/fc2/Gemm", ("transB", 1L))
            .Build();
        AssertUnsupported(model, "node '/Sigmoid' (Sigmoid) follows another activation");

        byte[] first = Layers()
            .Node("Sigmoid", ["input"], ["s0"], "/Sigmoid")
            .Node("Mul", ["input", "s0"], ["m0"], "/Mul")
            .Node("Gemm", ["m0", "fc1.weight", "fc1.bias"], ["h1"], "/fc1/Gemm", ("transB", 1L))
            .Node("Relu", ["h1"], ["a1"], "/Relu")
            .Node("Gemm", ["a1", "fc2.weight", "fc2.bias"], ["output"], "/fc2/Gemm", ("transB", 1L))
            .Build();
        AssertUnsupported(first, "node '/Sigmoid' (Sigmoid) comes before the first Gemm or MatMul");
    }

    [Fact]
    public void A_Gemm_with_one_input_is_a_problem_that_says_so()
    {
        // Found by OnnxFuzzTests (mlp_silu_leaky_sigmoid.onnx with the LeakyRelu node's op_type replaced by "Gemm"):
        // the walker stopped without reporting anything, so FromOnnx threw a NetworkSpecException with no problem
        // in it ("Invalid network 'x.onnx':") and the weights loader a WeightsMismatchException that said nothing.
        byte[] model = Layers()
            .Node("Gemm", ["input", "fc1.weight", "fc1.bias"], ["h1"], "/fc1/Gemm", ("transB", 1L))
            .Node("Gemm", ["h1"], ["a1"], "/Gemm")
            .Node("Gemm", ["a1", "fc2.weight", "fc2.bias"], ["output"], "/fc2/Gemm", ("transB", 1L))
            .Build();
        AssertUnsupported(model, "node '/Gemm' (Gemm) has 1 input(s); a Gemm takes the data A, the weight B and an optional bias C.");
    }

    [Fact]
    public void Gemm_with_transA_1()
    {
        byte[] model = Standard(fc1Attributes: [("transA", 1L)]).Build();
        AssertUnsupported(model, "node '/fc1/Gemm' (Gemm) has transA = 1");
    }

    [Fact]
    public void Weights_computed_by_the_graph()
    {
        byte[] model = Layers()
            .Node("Transpose", ["fc1.weight"], ["w1t"], "/Transpose")
            .Node("Gemm", ["input", "w1t", "fc1.bias"], ["h1"], "/fc1/Gemm")
            .Node("Relu", ["h1"], ["a1"], "/Relu")
            .Node("Gemm", ["a1", "fc2.weight", "fc2.bias"], ["output"], "/fc2/Gemm", ("transB", 1L))
            .Build();
        AssertUnsupported(model, "node '/fc1/Gemm' (Gemm) multiplies by 'w1t', which the graph computes", "must be an initializer");
    }

    [Fact]
    public void A_double_weight()
    {
        byte[] doubles = W1.SelectMany(w => BitConverter.GetBytes((double)w)).ToArray();
        byte[] model = Standard(fc1Weight: new TensorValue("fc1.weight", [5, 6], W1) { DataType = 11, RawBytes = doubles }).Build();
        AssertUnsupported(model, "node '/fc1/Gemm' (Gemm) has the weight 'fc1.weight' of type DOUBLE", "float32");
    }

    [Fact]
    public void A_bias_of_the_wrong_length()
    {
        byte[] model = Standard(fc1Bias: new TensorValue("fc1.bias", [4], B1[..4])).Build();
        AssertUnsupported(model, "node '/fc1/Gemm' (Gemm) has the bias 'fc1.bias' of shape [4]; a layer with N = 5 takes a bias of shape [5]");
    }

    [Fact]
    public void Softmax_on_axis_0()
    {
        byte[] model = SoftmaxModel([("axis", 0L)]).Build();
        AssertUnsupported(model, "node '/Softmax' (Softmax) has axis 0", "last axis");
    }

    [Fact]
    public void Dropout_in_training_mode()
    {
        byte[] model = Layers()
            .Initializer(new TensorValue("training_mode", [], []) { DataType = 9, RawBytes = [1] })
            .Node("Gemm", ["input", "fc1.weight", "fc1.bias"], ["h1"], "/fc1/Gemm", ("transB", 1L))
            .Node("Relu", ["h1"], ["a1"], "/Relu")
            .Node("Dropout", ["a1", string.Empty, "training_mode"], ["d1"], "/Dropout")
            .Node("Gemm", ["d1", "fc2.weight", "fc2.bias"], ["output"], "/fc2/Gemm", ("transB", 1L))
            .Build();
        AssertUnsupported(model, "node '/Dropout' (Dropout) has a training_mode input that is not the constant false");
    }

    [Fact]
    public void A_node_in_a_custom_domain()
    {
        byte[] model = Layers()
            .Node("Gemm", ["input", "fc1.weight", "fc1.bias"], ["h1"], "/fc1/Gemm", ("transB", 1L))
            .NodeIn("com.microsoft", "FastGelu", ["h1"], ["a1"], "/FastGelu")
            .Node("Gemm", ["a1", "fc2.weight", "fc2.bias"], ["output"], "/fc2/Gemm", ("transB", 1L))
            .Build();
        AssertUnsupported(model, "node '/FastGelu' (FastGelu) is in the operator domain 'com.microsoft'");
    }

    [Theory]
    [InlineData(8)]
    [InlineData(22)]
    public void An_opset_outside_9_to_21(int opset)
    {
        byte[] model = Standard().With(opset: opset).Build();
        AssertUnsupported(model, $"the graph uses opset {opset}; SimdCheckpoint reads opsets 9 to 21");
    }

    [Fact]
    public void Two_graph_inputs()
    {
        byte[] model = Standard().Input("input", null, 6).Input("extra", null, 4).Build();
        AssertUnsupported(model, "the graph has 2 input(s) and 1 output(s) ('input', 'extra' → 'output')");
    }

    [Fact]
    public void A_chain_that_ends_before_the_graph_output()
    {
        byte[] model = Layers()
            .Node("Gemm", ["input", "fc1.weight", "fc1.bias"], ["h1"], "/fc1/Gemm", ("transB", 1L))
            .Node("Relu", ["h1"], ["a1"], "/Relu")
            .Node("Gemm", ["a1", "fc2.weight", "fc2.bias"], ["logits"], "/fc2/Gemm", ("transB", 1L))
            .Build();
        AssertUnsupported(model, "the graph ends the chain from its input at 'logits', which is not the graph output 'output'");
    }

    [Fact]
    public void A_model_with_no_dense_layer()
    {
        byte[] model = Layers().Node("Identity", ["input"], ["output"], "/Identity").Build();
        AssertUnsupported(model, "the graph has no Gemm or MatMul node");
    }

    [Fact]
    public void An_input_whose_feature_count_is_not_the_first_weights_K()
    {
        byte[] model = StandardNodes(Layers().Input("input", null, 7)).Build(withInput: false);
        AssertUnsupported(model, "node '/fc1/Gemm' (Gemm) multiplies the input 'input' of 7 features per sample by a weight with K = 6");

        // The same with the initializers listed first in graph.input: the message still names the real input.
        byte[] listed = StandardNodes(Layers().Input("fc1.weight", 5, 6).Input("fc1.bias", 5).Input("input", null, 7))
            .Build(withInput: false);
        AssertUnsupported(listed, "node '/fc1/Gemm' (Gemm) multiplies the input 'input' of 7 features per sample by a weight with K = 6");
    }

    [Fact]
    public void A_model_that_loads_into_a_type_of_another_shape_is_a_mismatch()
    {
        // Supported but not SmallOnnxShape: the spec reads, the weights do not load.
        byte[] model = Standard(activation: ("Tanh", [])).Build();
        Assert.Equal(Activation.Tanh, NetworkSpec.FromOnnx(model).Layers[0].Activation);
        WeightsMismatchException e = Assert.Throws<WeightsMismatchException>(() => NetworkWeights<SmallOnnxShape>.FromOnnx(model, "tanh.onnx"));
        Assert.Contains("its layer 0 is 6 -> 5 tanh, not 6 -> 5 relu", e.Message, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- malformed files: SCK0017

    [Fact]
    public void An_empty_file()
    {
        AssertMalformed([], "the model has no graph");
    }

    [Fact]
    public void Random_bytes()
    {
        var random = new Random(17);
        for (int i = 0; i < 20; i++)
        {
            byte[] bytes = new byte[random.Next(1, 2000)];
            random.NextBytes(bytes);
            AssertMalformed(bytes, "Malformed ONNX file: ");
        }
    }

    [Fact]
    public void Every_prefix_of_a_model_is_the_same_network_or_rejected()
    {
        byte[] model = Standard().Build();
        string fingerprint = SmallOnnxShape.Spec.Fingerprint;
        int same = 0, rejected = 0;
        for (int length = 0; length < model.Length; length++)
        {
            byte[] prefix = model[..length];
            NetworkSpec? read = OnnxNetworkReader.Read(prefix, "prefix", "prefix.onnx").Spec; // never throws
            Assert.True(read is null || read.Fingerprint == fingerprint);
            try
            {
                Assert.Equal(fingerprint, NetworkSpec.FromOnnx(prefix, "prefix.onnx").Fingerprint);
                NetworkWeights<SmallOnnxShape>.FromOnnx(prefix, "prefix.onnx");
                same++;
            }
            catch (NetworkSpecException e)
            {
                Assert.Equal(Malformed, Assert.Single(e.Problems).Id);
                Assert.Throws<WeightsFormatException>(() => NetworkWeights<SmallOnnxShape>.FromOnnx(prefix, "prefix.onnx"));
                rejected++;
            }
        }

        // The builder writes opset_import after the graph: the one prefix that stops between them is the same
        // network (without an opset); every other one cuts a message short.
        Assert.Equal(1, same);
        Assert.Equal(model.Length - 1, rejected);
    }

    [Fact]
    public void Raw_data_shorter_than_the_shape_names_the_tensor()
    {
        byte[] shortData = Bytes(W1)[..^4];
        byte[] model = Standard(fc1Weight: new TensorValue("fc1.weight", [5, 6], W1) { RawBytes = shortData }).Build();
        Assert.Equal(SmallOnnxShape.Spec.Fingerprint, NetworkSpec.FromOnnx(model).Fingerprint); // the graph is fine
        WeightsFormatException e = Assert.Throws<WeightsFormatException>(() => NetworkWeights<SmallOnnxShape>.FromOnnx(model, "short.onnx"));
        Assert.Equal("fc1.weight", e.TensorName);
        Assert.Equal("short.onnx", e.SourceName);
        Assert.Contains("tensor 'fc1.weight' has the shape [5, 6] (30 floats) but 116 bytes of raw_data", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Float_data_shorter_than_the_shape_names_the_tensor()
    {
        byte[] model = Standard(fc1Bias: new TensorValue("fc1.bias", [5], B1[..3]) { Raw = false }).Build();
        WeightsFormatException e = Assert.Throws<WeightsFormatException>(() => NetworkWeights<SmallOnnxShape>.FromOnnx(model, "short.onnx"));
        Assert.Equal("fc1.bias", e.TensorName);
        Assert.Contains("tensor 'fc1.bias' has the shape [5] (5 floats) but 3 values in float_data", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void External_data_says_to_save_the_weights_inside()
    {
        byte[] model = Standard(fc1Weight: new TensorValue("fc1.weight", [5, 6], W1) { Raw = false, RawBytes = [], External = true }).Build();
        WeightsFormatException e = Assert.Throws<WeightsFormatException>(() => NetworkWeights<SmallOnnxShape>.FromOnnx(model, "external.onnx"));
        Assert.Equal("fc1.weight", e.TensorName);
        Assert.Contains("tensor 'fc1.weight' keeps its data in an external file; save the model with its weights inside it", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_length_prefix_larger_than_the_file()
    {
        // Field 7 (the graph), length-delimited, 1000 bytes long; 3 follow.
        AssertMalformed([0x3A, 0xE8, 0x07, 1, 2, 3], "the model has a length of 1000 bytes where only 3 remain");

        // The same inside a valid model: the graph output (the graph's last field) claims more bytes than the graph has left.
        byte[] model = Standard().Build();
        int name = Find(model, [0x0A, 0x06, .. Encoding.UTF8.GetBytes("output")]); // ValueInfoProto { name = "output" … }
        Assert.Equal(0x62, model[name - 2]); // GraphProto.output (field 12, length-delimited)
        Assert.True(model[name - 1] < 0x7F);
        model[name - 1] = 0x7F; // its length (one byte here)
        AssertMalformed(model, "the graph has a length of 127 bytes where only");
    }

    [Fact]
    public void Invalid_utf8_in_a_name()
    {
        byte[] model = Standard().Build();
        int at = Find(model, Encoding.UTF8.GetBytes("/Relu"));
        model[at + 1] = 0xFF;
        AssertMalformed(model, "node 1 has a string that is not valid UTF-8");
    }

    [Fact]
    public void An_11_byte_varint()
    {
        // Field 1 (ir_version), a varint of eleven bytes; ten are the most a 64-bit value takes.
        AssertMalformed([0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], "the model has a varint longer than 10 bytes");
    }

    [Fact]
    public void Groups_and_field_number_0_are_malformed()
    {
        AssertMalformed([0x1B], "the model has wire type 3 (groups are not used by ONNX)"); // field 3, start group
        AssertMalformed([0x00, 0x01], "the model has a field number of 0");
    }

    // ---------------------------------------------------------------- spec fingerprints

    [Fact]
    public void Onnx_weights_of_another_network_name_both_fingerprints_and_the_layer()
    {
        string file = TorchModelTests.ModelPath("mlp_relu.onnx");
        string fileFingerprint = NetworkSpec.FromOnnxFile(file).Fingerprint;
        Assert.Equal(TorchMlpRelu.Spec.Fingerprint, fileFingerprint);
        Assert.NotEqual(TorchMatMulAdd.Spec.Fingerprint, fileFingerprint);

        WeightsMismatchException e = Assert.Throws<WeightsMismatchException>(() => NetworkWeights<TorchMatMulAdd>.FromOnnx(file));
        Assert.Contains($"spec fingerprint {fileFingerprint}", e.Message, StringComparison.Ordinal);
        Assert.Contains($"fingerprint {TorchMatMulAdd.Spec.Fingerprint}", e.Message, StringComparison.Ordinal);
        Assert.Contains("its layer 0 is 20 -> 32 relu, not 24 -> 16 relu", e.Message, StringComparison.Ordinal);
        Assert.Equal(file, e.SourceName);
    }

    [Fact]
    public void Onnx_weights_that_differ_in_a_later_layer_name_it()
    {
        // 6 -> 5 relu -> 3 sigmoid against SmallOnnxShape's identity: the difference is layer 1's.
        byte[] model = Layers()
            .Node("Gemm", ["input", "fc1.weight", "fc1.bias"], ["h1"], "/fc1/Gemm", ("transB", 1L))
            .Node("Relu", ["h1"], ["a1"], "/Relu")
            .Node("Gemm", ["a1", "fc2.weight", "fc2.bias"], ["g2"], "/fc2/Gemm", ("transB", 1L))
            .Node("Sigmoid", ["g2"], ["output"], "/Sigmoid")
            .Build();
        WeightsMismatchException e = Assert.Throws<WeightsMismatchException>(() => NetworkWeights<SmallOnnxShape>.FromOnnx(model, "sigmoid.onnx"));
        Assert.Contains("its layer 1 is 5 -> 3 sigmoid, not 5 -> 3 identity", e.Message, StringComparison.Ordinal);
        Assert.Contains(NetworkSpec.FromOnnx(model).Fingerprint, e.Message, StringComparison.Ordinal);
        Assert.Contains(SmallOnnxShape.Spec.Fingerprint, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Safetensors_WriteNetwork_records_the_fingerprint()
    {
        var stream = new MemoryStream();
        SafetensorsWriter.WriteNetwork(stream, SmallOnnxShape.Spec, [Layer1, Layer2]);
        stream.Position = 0;
        using (SafetensorsReader reader = SafetensorsReader.Open(stream, "small.safetensors", leaveOpen: true))
        {
            Assert.Equal(SmallOnnxShape.Spec.Fingerprint, reader.Metadata[SafetensorsWriter.SpecFingerprintKey]);
        }

        stream.Position = 0;
        NetworkWeights<SmallOnnxShape> weights = NetworkWeights<SmallOnnxShape>.FromSafetensors(stream, WeightLayout.OutputsByInputs, "small.safetensors");
        AssertRunsLike(weights, Layer1, Layer2);
    }

    [Fact]
    public void Safetensors_with_another_fingerprint_are_rejected_naming_both()
    {
        const string wrong = "0123456789abcdef";
        byte[] file = SafetensorsOf(new Dictionary<string, string> { [SafetensorsWriter.SpecFingerprintKey] = wrong, ["shape"] = "6 -> 5 -> 3" });
        WeightsMismatchException e = Assert.Throws<WeightsMismatchException>(
            () => NetworkWeights<SmallOnnxShape>.FromSafetensors(new MemoryStream(file), WeightLayout.OutputsByInputs, "edited.safetensors"));
        Assert.Contains($"spec fingerprint {wrong}", e.Message, StringComparison.Ordinal);
        Assert.Contains($"fingerprint {SmallOnnxShape.Spec.Fingerprint}", e.Message, StringComparison.Ordinal);
        Assert.Equal("edited.safetensors", e.SourceName);
    }

    [Fact]
    public void Safetensors_without_a_fingerprint_still_load()
    {
        foreach (Dictionary<string, string>? metadata in new Dictionary<string, string>?[] { null, new() { ["format"] = "pt" } })
        {
            byte[] file = SafetensorsOf(metadata);
            NetworkWeights<SmallOnnxShape> weights = NetworkWeights<SmallOnnxShape>.FromSafetensors(new MemoryStream(file), WeightLayout.OutputsByInputs, "torch.safetensors");
            AssertRunsLike(weights, Layer1, Layer2);
        }
    }

    [Fact]
    public void Fingerprint_ignores_names()
    {
        var a = new NetworkSpec("a", [new DenseLayerSpec("fc1", 6, 5, Activation.Relu), new DenseLayerSpec("fc2", 5, 3)]);
        var b = new NetworkSpec("other", [new DenseLayerSpec("x", 6, 5, Activation.Relu), new DenseLayerSpec("y", 5, 3)]);
        Assert.NotEqual(a, b);
        Assert.Equal(a.Fingerprint, b.Fingerprint);
        Assert.Equal(SmallOnnxShape.Spec.Fingerprint, a.Fingerprint);
        Assert.Matches("^[0-9a-f]{16}$", a.Fingerprint);

        // LeakyRelu's default alpha and an explicit 0.01 compile to the same kernels.
        var implicitAlpha = new NetworkSpec("n", [new DenseLayerSpec("l", 4, 4, Activation.LeakyRelu)]);
        var explicitAlpha = new NetworkSpec("n", [new DenseLayerSpec("l", 4, 4, Activation.LeakyRelu, 0.01f)]);
        Assert.Equal(implicitAlpha.Fingerprint, explicitAlpha.Fingerprint);
    }

    [Fact]
    public void Fingerprint_differs_when_what_the_kernels_compile_differs()
    {
        string Of(params DenseLayerSpec[] layers) => new NetworkSpec("n", layers).Fingerprint;
        string[] fingerprints =
        [
            Of(new("a", 6, 5, Activation.Relu), new("b", 5, 3)),
            Of(new("a", 7, 5, Activation.Relu), new("b", 5, 3)), // K
            Of(new("a", 6, 4, Activation.Relu), new("b", 4, 3)), // N (and the next K)
            Of(new("a", 6, 5, Activation.Relu), new("b", 5, 2)), // the last N
            Of(new("a", 6, 5, Activation.Tanh), new("b", 5, 3)), // activation
            Of(new("a", 6, 5, Activation.Relu), new("b", 5, 3, Activation.Softmax)),
            Of(new("a", 6, 5, Activation.Gelu), new("b", 5, 3)),
            Of(new("a", 6, 5, Activation.GeluTanh), new("b", 5, 3)),
            Of(new("a", 6, 5, Activation.LeakyRelu, 0.01f), new("b", 5, 3)),
            Of(new("a", 6, 5, Activation.LeakyRelu, 0.2f), new("b", 5, 3)), // alpha
            Of(new("a", 6, 5, Activation.LeakyRelu, BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(0.2f) + 1)), new("b", 5, 3)), // alpha, one ulp
            Of(new DenseLayerSpec("a", 6, 5, Activation.Relu)), // a layer fewer
            Of(new("a", 6, 5, Activation.Relu), new("b", 5, 3), new("c", 3, 3)), // a layer more
        ];
        Assert.Equal(fingerprints.Length, fingerprints.Distinct().Count());
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>Seeded values in [-1, 1).</summary>
    private static float[] Values(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
    }

    private static float[] Transpose(float[] m, int rows, int columns)
    {
        float[] t = new float[m.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                t[(c * rows) + r] = m[(r * columns) + c];
            }
        }

        return t;
    }

    private static byte[] Bytes(float[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    private static int Find(byte[] haystack, byte[] needle)
    {
        int at = haystack.AsSpan().IndexOf(needle);
        Assert.True(at >= 0);
        Assert.Equal(-1, haystack.AsSpan(at + 1).IndexOf(needle)); // unique, so the edit is where the test says
        return at;
    }

    /// <summary>The output, and the weights of both layers, without the input or any node.</summary>
    private static ModelBuilder Layers(TensorValue? fc1Weight = null, TensorValue? fc1Bias = null) => new ModelBuilder()
        .Output("output", null, 3)
        .Initializer(fc1Weight ?? new TensorValue("fc1.weight", [5, 6], W1))
        .Initializer(fc1Bias ?? new TensorValue("fc1.bias", [5], B1))
        .Initializer(new TensorValue("fc2.weight", [3, 5], W2))
        .Initializer(new TensorValue("fc2.bias", [3], B2));

    /// <summary>The standard nodes (Gemm → Relu → Gemm) on a builder that has the rest.</summary>
    private static ModelBuilder StandardNodes(ModelBuilder b) => b
        .Node("Gemm", ["input", "fc1.weight", "fc1.bias"], ["h1"], "/fc1/Gemm", ("transB", 1L))
        .Node("Relu", ["h1"], ["a1"], "/Relu")
        .Node("Gemm", ["a1", "fc2.weight", "fc2.bias"], ["output"], "/fc2/Gemm", ("transB", 1L));

    /// <summary>Gemm → activation → Gemm, 6 → 5 → 3, with the parts a test varies.</summary>
    private static ModelBuilder Standard(
        TensorValue? fc1Weight = null,
        TensorValue? fc1Bias = null,
        (string Op, (string, object)[] Attributes)? activation = null,
        (string, object)[]? fc1Attributes = null,
        bool transB = true)
    {
        (string op, (string, object)[] attributes) = activation ?? ("Relu", []);
        (string, object)[] extra = fc1Attributes ?? [];
        (string, object)[] gemm1 = transB ? [("transB", 1L), .. extra] : extra;
        return Layers(fc1Weight, fc1Bias)
            .Node("Gemm", ["input", "fc1.weight", fc1Bias?.Name ?? "fc1.bias"], ["h1"], "/fc1/Gemm", gemm1)
            .Node(op, ["h1"], ["a1"], op == "Relu" ? "/Relu" : string.Empty, attributes)
            .Node("Gemm", ["a1", "fc2.weight", "fc2.bias"], ["output"], "/fc2/Gemm", ("transB", 1L));
    }

    private static ModelBuilder SoftmaxModel((string, object)[] attributes) => Layers()
        .Node("Gemm", ["input", "fc1.weight", "fc1.bias"], ["h1"], "/fc1/Gemm", ("transB", 1L))
        .Node("Relu", ["h1"], ["a1"], "/Relu")
        .Node("Gemm", ["a1", "fc2.weight", "fc2.bias"], ["g2"], "/fc2/Gemm", ("transB", 1L))
        .Node("Softmax", ["g2"], ["output"], "/Softmax", attributes);

    private static byte[] SafetensorsOf(Dictionary<string, string>? metadata)
    {
        var stream = new MemoryStream();
        IReadOnlyList<DenseLayerSpec> layers = SmallOnnxShape.Spec.Layers;
        SafetensorsWriter.Write(
            stream,
            [
                new SafetensorsTensor(layers[0].Name + ".weight", [5, 6], W1),
                new SafetensorsTensor(layers[0].Name + ".bias", [5], B1),
                new SafetensorsTensor(layers[1].Name + ".weight", [3, 5], W2),
                new SafetensorsTensor(layers[1].Name + ".bias", [3], B2),
            ],
            metadata);
        return stream.ToArray();
    }

    private static float[] Run(params DenseLayerWeights[] layers)
    {
        const int batch = 7;
        float[] input = Values(batch * 6, 99);
        float[] output = new float[batch * 3];
        new ReferenceNetwork(SmallOnnxShape.Spec, layers).Forward(input, output, batch);
        return output;
    }

    /// <summary>The model reads as SmallOnnxShape's spec, loads, and runs with the reference's bits on every path.</summary>
    private static void AssertRunsLike(byte[] model, params DenseLayerWeights[] expected)
    {
        Assert.Equal(SmallOnnxShape.Spec.Fingerprint, NetworkSpec.FromOnnx(model, "small.onnx").Fingerprint);
        AssertRunsLike(NetworkWeights<SmallOnnxShape>.FromOnnx(model, "small.onnx"), expected);
    }

    private static void AssertRunsLike(NetworkWeights<SmallOnnxShape> weights, params DenseLayerWeights[] expected)
    {
        const int batch = 7;
        float[] input = Values(batch * 6, 99);
        float[] want = Run(expected);
        using var session = new InferenceSession<SmallOnnxShape>(weights, batch);
        foreach (KernelPath path in Enum.GetValues<KernelPath>())
        {
            float[] output = new float[batch * 3];
            session.Forward(input, output, batch, path);
            Bits.Equal(want, output, $"on {path}");
        }
    }

    /// <summary>SCK0016 from NetworkSpec.FromOnnx, one problem that says all of <paramref name="says"/>; a mismatch for the weights.</summary>
    private static void AssertUnsupported(byte[] model, params string[] says)
    {
        OnnxNetworkReadResult read = OnnxNetworkReader.Read(model, "bad", "bad.onnx");
        Assert.Null(read.Spec);

        NetworkSpecException e = Assert.Throws<NetworkSpecException>(() => NetworkSpec.FromOnnx(model, "bad.onnx"));
        Assert.Equal("bad.onnx", e.NetworkName);
        SpecProblem problem = Assert.Single(e.Problems);
        Assert.Equal(Unsupported, problem.Id);
        Assert.StartsWith("bad.onnx: ", problem.Message, StringComparison.Ordinal);
        foreach (string s in says)
        {
            Assert.Contains(s, problem.Message, StringComparison.Ordinal);
        }

        Assert.Contains($"{Unsupported}: {problem.Message}", e.Message, StringComparison.Ordinal);

        WeightsMismatchException w = Assert.Throws<WeightsMismatchException>(() => NetworkWeights<SmallOnnxShape>.FromOnnx(model, "bad.onnx"));
        Assert.Contains(problem.Message, w.Message, StringComparison.Ordinal);
    }

    /// <summary>SCK0017 from NetworkSpec.FromOnnx and a WeightsFormatException, both saying <paramref name="says"/>.</summary>
    private static void AssertMalformed(byte[] model, string says)
    {
        Assert.Null(OnnxNetworkReader.Read(model, "bad", "bad.onnx").Spec);

        NetworkSpecException e = Assert.Throws<NetworkSpecException>(() => NetworkSpec.FromOnnx(model, "bad.onnx"));
        SpecProblem problem = Assert.Single(e.Problems);
        Assert.Equal(Malformed, problem.Id);
        Assert.StartsWith("bad.onnx: Malformed ONNX file: ", problem.Message, StringComparison.Ordinal);
        Assert.Contains(says, problem.Message, StringComparison.Ordinal);

        WeightsFormatException w = Assert.Throws<WeightsFormatException>(() => NetworkWeights<SmallOnnxShape>.FromOnnx(model, "bad.onnx"));
        Assert.Contains(says, w.Message, StringComparison.Ordinal);
        Assert.Equal("bad.onnx", w.SourceName);
    }

    /// <summary>An <see cref="OnnxBuilder"/> that adds the standard input unless told otherwise, and takes the opset fluently.</summary>
    private sealed class ModelBuilder
    {
        private readonly OnnxBuilder _builder = new();
        private bool _hasInput;

        public ModelBuilder Node(string op, string[] inputs, string[] outputs, string name, params (string, object)[] attributes)
        {
            _builder.Node(op, inputs, outputs, name, attributes);
            return this;
        }

        public ModelBuilder NodeIn(string domain, string op, string[] inputs, string[] outputs, string name)
        {
            _builder.NodeIn(domain, op, inputs, outputs, name);
            return this;
        }

        public ModelBuilder Initializer(TensorValue tensor)
        {
            _builder.Initializer(tensor);
            return this;
        }

        public ModelBuilder Initializer(string name, long[] dims, float[] data) => Initializer(new TensorValue(name, dims, data));

        public ModelBuilder Input(string name, params long?[] dims)
        {
            _builder.Input(name, dims);
            _hasInput |= name == "input";
            return this;
        }

        public ModelBuilder Output(string name, params long?[] dims)
        {
            _builder.Output(name, dims);
            return this;
        }

        public ModelBuilder With(int opset)
        {
            _builder.Opset = opset;
            return this;
        }

        /// <summary>The model; the standard input [batch, 6] first, unless one named "input" was given or <paramref name="withInput"/> is false.</summary>
        public byte[] Build(bool withInput = true)
        {
            if (withInput && !_hasInput)
            {
                // OnnxBuilder writes inputs in the order given; this one is added last, which is fine for one input.
                _builder.Input("input", null, 6);
            }

            return _builder.Build();
        }
    }
}
