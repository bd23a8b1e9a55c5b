using System;
using System.IO;
using SimdCheckpoint.Checkpointing;
using SimdCheckpoint.Cli.Commands;
using SimdCheckpoint.Cli.Tests.Models;
using SimdCheckpoint.Cli.Tests.Support;
using SimdCheckpoint.Npy;
using Xunit;

namespace SimdCheckpoint.Cli.Tests;

/// <summary>
/// The CLI on the PyTorch-exported ONNX models: `run` and `grad` give the bits of the same file compiled at build time
/// with [NetworkFile("x.onnx")] (weights from the file's initializers in both), and `run` agrees with PyTorch's saved
/// outputs within 1e-5 relative; a file it cannot compile is a one-line error naming the node.
/// </summary>
public sealed class OnnxCommandTests(SharedModelCache cache) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sck-cli-onnx-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Mlp_relu() => RunMatchesBuildTime<TorchMlpRelu>("mlp_relu");

    [Fact]
    public void Mlp_gelu_tanh_softmax() => RunMatchesBuildTime<TorchMlpGeluTanhSoftmax>("mlp_gelu_tanh_softmax");

    [Fact]
    public void Mlp_silu_leaky_sigmoid() => RunMatchesBuildTime<TorchMlpSiluLeakySigmoid>("mlp_silu_leaky_sigmoid");

    [Fact]
    public void Mlp_flatten_with_a_four_dimensional_input() => RunMatchesBuildTime<TorchMlpFlatten>("mlp_flatten_dropout");

    [Fact]
    public void Matmul_add() => RunMatchesBuildTime<TorchMatMulAdd>("matmul_add");

    [Theory]
    [InlineData("sqrt")]
    [InlineData("revolve:1")]
    public void Grad_matches_the_build_time_checkpoint_session(string schedule)
    {
        const string model = "mlp_silu_leaky_sigmoid";
        NpyArray input = NpyFile.Read(ModelPath(model + ".input.npy"));
        string dx = Path.Combine(_directory, "dx.npy");
        var stderr = new StringWriter();
        int exit = GradCommand.Run(new GradArguments(ModelPath(model + ".onnx"), ModelPath(model + ".input.npy"), dx, Schedule: schedule, CacheDirectory: cache.Path), TextWriter.Null, stderr);
        Assert.True(exit == 0, stderr.ToString());

        int batch = input.Shape[0];
        NetworkSpec spec = TorchMlpSiluLeakySigmoid.Spec;
        var session = new CheckpointSession<TorchMlpSiluLeakySigmoid>(
            NetworkWeights<TorchMlpSiluLeakySigmoid>.FromOnnx(ModelPath(model + ".onnx")), batch, CheckpointSchedule.StoreAll(spec.Layers.Count));
        float[] expected = new float[batch * spec.InputSize];
        session.Backward(input.Data, expected, batch);
        Bits.Equal(expected, NpyFile.Read(dx).Data, $"dX under {schedule}");
    }

    [Fact]
    public void A_graph_with_an_unsupported_node_is_a_one_line_error_naming_it()
    {
        byte[] bytes = File.ReadAllBytes(ModelPath("mlp_relu.onnx"));
        ReplaceAscii(bytes, "Relu", "Selu");
        string model = Path.Combine(_directory, "selu.onnx");
        File.WriteAllBytes(model, bytes);
        var stderr = new StringWriter();
        int exit = RunCommand.Run(new RunArguments(model, ModelPath("mlp_relu.input.npy"), Path.Combine(_directory, "y.npy"), CacheDirectory: cache.Path), TextWriter.Null, stderr);

        Assert.Equal(2, exit);
        string message = stderr.ToString().Trim();
        Assert.DoesNotContain('\n', message);
        Assert.Contains("selu.onnx: node '/Selu' (Selu) is an operator SimdCheckpoint does not compile", message, StringComparison.Ordinal);
        Assert.Contains("[SCK0016]", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_model_is_a_one_line_error()
    {
        byte[] bytes = File.ReadAllBytes(ModelPath("mlp_relu.onnx"));
        string model = Path.Combine(_directory, "cut.onnx");
        File.WriteAllBytes(model, bytes.AsSpan(0, 100).ToArray());
        var stderr = new StringWriter();
        int exit = RunCommand.Run(new RunArguments(model, ModelPath("mlp_relu.input.npy"), Path.Combine(_directory, "y.npy"), CacheDirectory: cache.Path), TextWriter.Null, stderr);

        Assert.Equal(2, exit);
        Assert.Contains("Malformed ONNX file", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("[SCK0017]", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Weights_given_to_an_onnx_model_that_are_not_safetensors_say_the_model_carries_its_own()
    {
        foreach (string weights in new[] { ModelPath("mlp_relu.input.npy"), ModelPath("mlp_relu.onnx") })
        {
            var stderr = new StringWriter();
            int exit = RunCommand.Run(
                new RunArguments(ModelPath("mlp_relu.onnx"), ModelPath("mlp_relu.input.npy"), Path.Combine(_directory, "y.npy"), Weights: weights, CacheDirectory: cache.Path), TextWriter.Null, stderr);

            Assert.Equal(2, exit);
            string message = stderr.ToString().Trim();
            Assert.DoesNotContain('\n', message);
            Assert.Contains(Path.GetFileName(weights) + ": is ", message, StringComparison.Ordinal);
            Assert.Contains("not a safetensors file", message, StringComparison.Ordinal);
            Assert.Contains("An ONNX model carries its weights", message, StringComparison.Ordinal);
            Assert.DoesNotContain("declares a header", message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_float64_input_is_named_by_its_type()
    {
        // The graph input's TypeProto.Tensor.elem_type, FLOAT (1), made DOUBLE (11).
        byte[] bytes = File.ReadAllBytes(ModelPath("mlp_relu.onnx"));
        byte[] inputType = [.. "\n\u0005input\u0012\u0013\n\u0011\b\u0001"u8];
        int at = bytes.AsSpan().IndexOf(inputType);
        Assert.True(at >= 0, "the graph input's type was not found in mlp_relu.onnx");
        bytes[at + inputType.Length - 1] = 11;
        string model = Path.Combine(_directory, "double.onnx");
        File.WriteAllBytes(model, bytes);
        var stderr = new StringWriter();
        int exit = RunCommand.Run(new RunArguments(model, ModelPath("mlp_relu.input.npy"), Path.Combine(_directory, "y.npy"), CacheDirectory: cache.Path), TextWriter.Null, stderr);

        Assert.Equal(2, exit);
        Assert.Contains("of element type DOUBLE", stderr.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("element type 11", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Grad_writes_dW_and_db_of_an_onnx_model_under_its_layer_names()
    {
        const string model = "mlp_silu_leaky_sigmoid";
        NpyArray input = NpyFile.Read(ModelPath(model + ".input.npy"));
        string dx = Path.Combine(_directory, "dx.npy"), dw = Path.Combine(_directory, "dw.safetensors");
        var stderr = new StringWriter();
        int exit = GradCommand.Run(
            new GradArguments(ModelPath(model + ".onnx"), ModelPath(model + ".input.npy"), dx, Schedule: "revolve:2", CacheDirectory: cache.Path, WeightGradients: dw), TextWriter.Null, stderr);
        Assert.True(exit == 0, stderr.ToString());

        int batch = input.Shape[0];
        NetworkSpec spec = TorchMlpSiluLeakySigmoid.Spec;
        var session = new CheckpointSession<TorchMlpSiluLeakySigmoid>(
            NetworkWeights<TorchMlpSiluLeakySigmoid>.FromOnnx(ModelPath(model + ".onnx")), batch, CheckpointSchedule.StoreAll(spec.Layers.Count));
        var gradients = new LayerGradients(spec);
        session.Backward(input.Data, new float[batch * spec.InputSize], batch, default, gradients);
        GradCommandTests.AssertWeightGradients(dw, gradients, WeightLayout.OutputsByInputs);
    }

    private void RunMatchesBuildTime<TNetwork>(string model)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        string y = Path.Combine(_directory, model + ".y.npy");
        var stderr = new StringWriter();
        int exit = RunCommand.Run(new RunArguments(ModelPath(model + ".onnx"), ModelPath(model + ".input.npy"), y, CacheDirectory: cache.Path), TextWriter.Null, stderr);
        Assert.True(exit == 0, stderr.ToString());

        NpyArray input = NpyFile.Read(ModelPath(model + ".input.npy"));
        int batch = input.Shape[0];
        float[] expected = new float[batch * TNetwork.Spec.OutputSize];
        using var session = new InferenceSession<TNetwork>(NetworkWeights<TNetwork>.FromOnnx(ModelPath(model + ".onnx")), batch);
        session.Forward(input.Data, expected, batch);
        float[] actual = NpyFile.Read(y).Data;
        Bits.Equal(expected, actual, model);

        float[] torch = NpyFile.Read(ModelPath(model + ".torch.npy")).Data;
        for (int i = 0; i < torch.Length; i++)
        {
            double bound = 1e-5 * Math.Max(Math.Abs(torch[i]), 1.0 / 64);
            Assert.True(Math.Abs((double)actual[i] - torch[i]) <= bound, $"{model}: output {i} is {actual[i]:R}, PyTorch's {torch[i]:R}");
        }
    }

    private static string ModelPath(string name) => Path.Combine(AppContext.BaseDirectory, "Models", "onnx", name);

    private static void ReplaceAscii(byte[] bytes, string from, string to)
    {
        byte[] a = System.Text.Encoding.ASCII.GetBytes(from), b = System.Text.Encoding.ASCII.GetBytes(to);
        for (int i = 0; i + a.Length <= bytes.Length; i++)
        {
            if (bytes.AsSpan(i, a.Length).SequenceEqual(a))
            {
                b.CopyTo(bytes, i);
            }
        }
    }
}
