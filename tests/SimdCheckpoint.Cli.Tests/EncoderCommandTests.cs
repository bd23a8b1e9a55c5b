using System;
using System.IO;
using SimdCheckpoint.Cli.Commands;
using SimdCheckpoint.Cli.Tests.Models;
using SimdCheckpoint.Cli.Tests.Support;
using SimdCheckpoint.Npy;
using Xunit;

namespace SimdCheckpoint.Cli.Tests;

/// <summary>
/// The CLI on encoders: `run` with named int64 inputs and named outputs gives the bits of the same ONNX file compiled
/// at build time and PyTorch's outputs within 2e-5, from an .onnx file or a JSON spec with safetensors weights; a
/// missing or unknown input name, or an id outside the vocabulary, is a one-line error; `inspect` prints the graph.
/// </summary>
public sealed class EncoderCommandTests(SharedModelCache cache) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sck-cli-encoder-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static string ModelPath(string name) => Path.Combine(AppContext.BaseDirectory, "Models", "bert", name);

    [Fact]
    public void Run_on_an_onnx_encoder_gives_the_build_time_bits_and_PyTorch_outputs()
    {
        string h = Path.Combine(_directory, "h.npy"), p = Path.Combine(_directory, "p.npy");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = RunCommand.Run(Arguments("bert_gelu.op13.onnx", null, ["input_ids", "attention_mask", "token_type_ids"], [$"last_hidden_state={h}", $"pooler_output={p}"]), stdout, stderr);
        Assert.True(exit == 0, stderr.ToString());
        Assert.Contains("3 sequence(s) of 9 tokens", stdout.ToString(), StringComparison.Ordinal);

        int[] ids = NpyFile.ReadIntegers(ModelPath("bert_gelu.input_ids.npy")).Data;
        int[] mask = NpyFile.ReadIntegers(ModelPath("bert_gelu.attention_mask.npy")).Data;
        int[] types = NpyFile.ReadIntegers(ModelPath("bert_gelu.token_type_ids.npy")).Data;
        var last = new float[3 * 9 * 32];
        var pooled = new float[3 * 32];
        using (var session = new EncoderSession<BertGeluOp13>(EncoderWeights<BertGeluOp13>.FromOnnx(ModelPath("bert_gelu.op13.onnx")), 3, 9))
        {
            session.Run(ids, mask, types, 3, 9, last, pooled);
        }

        NpyArray hidden = NpyFile.Read(h);
        Assert.Equal([3, 9, 32], hidden.Shape);
        Bits.Equal(last, hidden.Data, "last_hidden_state");
        Bits.Equal(pooled, NpyFile.Read(p).Data, "pooler_output");
        Close(NpyFile.Read(ModelPath("bert_gelu.last_hidden_state.npy")).Data, hidden.Data);
        Close(NpyFile.Read(ModelPath("bert_gelu.pooler_output.npy")).Data, NpyFile.Read(p).Data);
    }

    [Fact]
    public void Run_on_a_json_encoder_with_safetensors_weights_matches_PyTorch()
    {
        string h = Path.Combine(_directory, "h.npy");
        var stderr = new StringWriter();
        int exit = RunCommand.Run(Arguments("bert_tanh.json", ModelPath("bert_tanh.safetensors"), ["input_ids", "attention_mask"], [h]), TextWriter.Null, stderr);
        Assert.True(exit == 0, stderr.ToString());
        Close(NpyFile.Read(ModelPath("bert_tanh.last_hidden_state.npy")).Data, NpyFile.Read(h).Data);
    }

    [Fact]
    public void Input_mistakes_are_one_line_errors()
    {
        string h = Path.Combine(_directory, "h.npy");
        var stderr = new StringWriter();
        Assert.Equal(CommandLineInvocation.BadInput, RunCommand.Run(
            Arguments("bert_tanh.json", ModelPath("bert_tanh.safetensors"), ["input_ids", "token_type_ids"], [h]), TextWriter.Null, stderr));
        Assert.Contains("has no input named 'token_type_ids'; it has input_ids, attention_mask", stderr.ToString(), StringComparison.Ordinal);

        stderr = new StringWriter();
        RunArguments unnamed = Arguments("bert_tanh.json", ModelPath("bert_tanh.safetensors"), [], [h]) with { AllInputs = [ModelPath("bert_tanh.input_ids.npy")] };
        Assert.Equal(CommandLineInvocation.BadInput, RunCommand.Run(unnamed, TextWriter.Null, stderr));
        Assert.Contains("name each, as --input NAME=FILE.npy", stderr.ToString(), StringComparison.Ordinal);

        // bert_tanh's ids go up to 199; bert_gelu's vocabulary holds 100.
        stderr = new StringWriter();
        RunArguments foreign = Arguments("bert_gelu.op13.onnx", null, [], [h]) with { AllInputs = [$"input_ids={ModelPath("bert_tanh.input_ids.npy")}"] };
        Assert.Equal(CommandLineInvocation.BadInput, RunCommand.Run(foreign, TextWriter.Null, stderr));
        Assert.Contains("vocabulary holds ids 0 to 99", stderr.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Parameter", stderr.ToString(), StringComparison.Ordinal);
        Assert.Single(stderr.ToString().Trim().Split('\n'), line => line.Contains("error:", StringComparison.Ordinal));
    }

    [Fact]
    public void Inspect_prints_the_encoder_graph_and_its_activation_memory()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(0, InspectCommand.Run(new InspectArguments(ModelPath("bert_gelu.op13.onnx"), CacheDirectory: cache.Path), stdout, stderr));
        string text = stdout.ToString();
        Assert.Contains("2 layers, hidden 32, 4 heads, intermediate 64 (gelu)", text, StringComparison.Ordinal);
        Assert.Contains("encoder.layer.1.attention.self", text, StringComparison.Ordinal);
        Assert.Contains("attention 4x8", text, StringComparison.Ordinal);
        Assert.Contains("parameters: 23,520", text, StringComparison.Ordinal);
        Assert.Contains($"{EncoderMemory.ActivationBytes(BertGeluOp13.Spec, 8, 64):N0}", text, StringComparison.Ordinal);
    }

    private RunArguments Arguments(string model, string? weights, string[] inputs, string[] outputs)
    {
        string[] named = Array.ConvertAll(inputs, n => $"{n}={ModelPath((model.StartsWith("bert_gelu", StringComparison.Ordinal) ? "bert_gelu" : "bert_tanh") + "." + n + ".npy")}");
        return new RunArguments(ModelPath(model), named.Length > 0 ? named[0] : string.Empty, outputs[0], weights, CacheDirectory: cache.Path)
        {
            AllInputs = named,
            AllOutputs = outputs,
        };
    }

    private static void Close(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= 2e-5f, $"element {i}: {actual[i]:R}, PyTorch {expected[i]:R}");
        }
    }
}
