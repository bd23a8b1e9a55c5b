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
