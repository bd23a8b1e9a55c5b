using System;
using System.IO;
using System.Linq;
using System.Text;
using SimdCheckpoint.Cli.Commands;
using SimdCheckpoint.Cli.Tests.Support;
using SimdCheckpoint.Npy;
using Xunit;

namespace SimdCheckpoint.Cli.Tests;

/// <summary>
/// Every class of bad input gives exit code 2 and one line on stderr that names the file or option and says what is
/// wrong; never a stack trace.
/// </summary>
public sealed class ErrorTests(SharedModelCache cache) : IDisposable
{
    private readonly CliModelFiles _files = new();

    public void Dispose() => _files.Dispose();

    private string Output => _files.PathOf("y.npy");

    /// <summary>Runs a command, asserts exit code 2 and a single error line naming <paramref name="subject"/>; returns the line.</summary>
    private static string AssertBadInput(Func<TextWriter, TextWriter, int> command, string subject, params string[] says)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = command(stdout, stderr);
        string text = stderr.ToString();
        Assert.True(exit == 2, $"exit {exit}; stderr: {text}; stdout: {stdout}");
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        string[] errors = [.. text.Split('\n').Where(l => l.Contains("error:", StringComparison.Ordinal))];
        string line = Assert.Single(errors);
        Assert.Contains(subject, line, StringComparison.Ordinal);
        foreach (string phrase in says)
        {
            Assert.Contains(phrase, line, StringComparison.Ordinal);
        }

        return line;
    }

    private Func<TextWriter, TextWriter, int> Run(string? model = null, string? input = null, string? weights = "", string layout = "outputs-by-inputs", string? output = null) =>
        (o, e) => RunCommand.Run(new RunArguments(model ?? _files.Model, input ?? _files.InputPath, output ?? Output, weights == string.Empty ? _files.Weights : weights, layout, CacheDirectory: cache.Path), o, e);

    private Func<TextWriter, TextWriter, int> Grad(string schedule = "store-all", string? outputGradient = null) =>
        (o, e) => GradCommand.Run(new GradArguments(_files.Model, _files.InputPath, _files.PathOf("dx.npy"), outputGradient, _files.Weights, Schedule: schedule, CacheDirectory: cache.Path), o, e);

    private string WriteFile(string name, string text)
    {
        string path = _files.PathOf(name);
        File.WriteAllText(path, text);
        return path;
    }

    private string WriteNpy(string name, int[] shape)
    {
        string path = _files.PathOf(name);
        NpyFile.Write(path, CliModelFiles.SeededArray(shape, 5), shape);
        return path;
    }

    [Fact]
    public void Missing_files_are_named()
    {
        string missing = _files.PathOf("missing");
        AssertBadInput(Run(model: missing + ".json"), "missing.json", "no such file");
        AssertBadInput(Run(input: missing + ".npy"), "missing.npy", "no such file");
        AssertBadInput(Run(weights: missing + ".safetensors"), "missing.safetensors", "no such file");
        AssertBadInput(Grad(outputGradient: missing + "-dy.npy"), "missing-dy.npy", "no such file");
        AssertBadInput((o, e) => InspectCommand.Run(new InspectArguments(missing + ".json", CacheDirectory: cache.Path), o, e), "missing.json", "no such file");
        AssertBadInput((o, e) => GenerateCommand.Run(new GenerateArguments(missing + ".json"), o, e), "missing.json", "no such file");
        AssertBadInput(Run(output: _files.PathOf("no-such-directory/y.npy")), "y.npy", "does not exist");
    }

    [Fact]
    public void Inputs_of_the_wrong_shape_are_rejected_with_the_shape_they_need()
    {
        AssertBadInput(Run(input: WriteNpy("x53.npy", [5, 3])), "x53.npy", "(5, 3)", "20 inputs");
        AssertBadInput(Run(input: WriteNpy("x20.npy", [20])), "x20.npy", "(20,)", "(1, 20)");
        AssertBadInput(Run(input: WriteNpy("x0.npy", [0, 20])), "x0.npy", "no samples");
        AssertBadInput(Grad(outputGradient: WriteNpy("dy-rows.npy", [4, 5])), "dy-rows.npy", "4 row(s)", "has 5");
        AssertBadInput(Grad(outputGradient: WriteNpy("dy-width.npy", [5, 6])), "dy-width.npy", "5 outputs");
    }

    [Fact]
    public void Npy_files_of_another_dtype_or_truncated_are_rejected()
    {
        string f8 = WriteNpy("x-f8.npy", [5, 20]);
        byte[] bytes = File.ReadAllBytes(f8);
        int at = Encoding.ASCII.GetString(bytes).IndexOf("<f4", StringComparison.Ordinal);
        bytes[at + 2] = (byte)'8';
        File.WriteAllBytes(f8, bytes);
        AssertBadInput(Run(input: f8), "x-f8.npy", "'<f8'", "float32");

        string truncated = WriteNpy("x-short.npy", [5, 20]);
        bytes = File.ReadAllBytes(truncated);
        File.WriteAllBytes(truncated, bytes[..^4]);
        AssertBadInput(Run(input: truncated), "x-short.npy", "truncated");

        AssertBadInput(Run(input: WriteFile("x-text.npy", "1,2,3\n")), "x-text.npy");
    }

    [Fact]
    public void Spec_errors_give_the_file_line_and_column()
    {
        AssertBadInput(
            Run(model: WriteFile("bad-activation.json", """{ "layers": [ { "inputs": 20, "outputs": 5, "activation": "relux" } ] }""")),
            "bad-activation.json(1,",
            "relux",
            "[SCK");
        AssertBadInput(Run(model: WriteFile("not-json.json", "{ \"layers\": [ ")), "not-json.json(1,", "not valid JSON");
        AssertBadInput(
            Run(model: WriteFile("mismatch.json", """{ "layers": [ { "inputs": 20, "outputs": 5 }, { "inputs": 6, "outputs": 2 } ] }""")),
            "mismatch.json(1,",
            "[SCK");
        AssertBadInput((o, e) => InspectCommand.Run(new InspectArguments(WriteFile("no-layers.json", """{ "layers": [] }"""), CacheDirectory: cache.Path), o, e), "no-layers.json(1,");
    }

    [Fact]
    public void Weights_that_do_not_fit_the_model_name_the_file_and_tensor()
    {
        // Transposed weights: the message says which --layout reads them.
        AssertBadInput(Run(weights: _files.WeightsInputsByOutputs), "cli-tiny-kn.safetensors", "'fc1.weight'", "[20, 24]", "--layout inputs-by-outputs");
        AssertBadInput(Run(layout: "inputs-by-outputs"), "cli-tiny.safetensors", "'fc1.weight'", "[24, 20]", "--layout outputs-by-inputs");

        // A network with other widths, and one with other layer names.
        string other = _files.PathOf("other.safetensors");
        CliModelFiles.WriteWeights(other, new NetworkSpec("other", [new DenseLayerSpec("fc1", 20, 24), new DenseLayerSpec("fc2", 24, 16), new DenseLayerSpec("fc3", 16, 9), new DenseLayerSpec("out", 9, 5)]), WeightLayout.OutputsByInputs);
        // Written by SafetensorsWriter.WriteNetwork, the file carries its network's fingerprint, which differs.
        AssertBadInput(Run(weights: other), "other.safetensors", "spec fingerprint", "20 -> 24 -> 16 -> 9 -> 5");
        string renamed = _files.PathOf("renamed.safetensors");
        CliModelFiles.WriteWeights(renamed, new NetworkSpec("renamed", [new DenseLayerSpec("a", 20, 24, Activation.Gelu), new DenseLayerSpec("b", 24, 17, Activation.Tanh), new DenseLayerSpec("c", 17, 9, Activation.Silu), new DenseLayerSpec("d", 9, 5)]), WeightLayout.OutputsByInputs);
        // The same network under other layer names: the fingerprint matches (names are not part of it), the tensors do not.
        AssertBadInput(Run(weights: renamed), "renamed.safetensors", "no tensor 'fc1.weight'");

        AssertBadInput(Run(weights: WriteFile("garbage.safetensors", "this is not safetensors")), "garbage.safetensors");
        string truncated = _files.PathOf("short.safetensors");
        File.WriteAllBytes(truncated, File.ReadAllBytes(_files.Weights)[..^8]);
        AssertBadInput(Run(weights: truncated), "short.safetensors");
    }

    [Fact]
    public void Unknown_model_formats_files_that_are_not_onnx_and_a_spec_without_weights_are_explained()
    {
        AssertBadInput(Run(model: WriteFile("model.onnx", "onnx")), "model.onnx", "Malformed ONNX file", "[SCK0017]");
        AssertBadInput(Run(model: WriteFile("model.yaml", "layers: []")), "model.yaml", "unknown model format '.yaml'");
        AssertBadInput(Run(weights: null), "cli-tiny.json", "--weights");
    }

    [Fact]
    public void Bad_schedules_are_rejected_before_anything_runs()
    {
        AssertBadInput(Grad("revolve:0"), "--schedule", "revolve:0");
        AssertBadInput(Grad("uniform"), "--schedule", "'uniform' is not a schedule");
        AssertBadInput(Grad("everything"), "--schedule", "store-all");
        AssertBadInput(Grad("budget:lots"), "--schedule", "'lots' is not a byte count");
        AssertBadInput(Grad("budget:100"), "--schedule", "cannot hold the 1,024 bytes");

        // The error quotes the size as written, and a segment or slot count past the depth is not quietly another schedule.
        AssertBadInput(Grad("budget:64XB"), "--schedule", "'64XB' is not a byte count");
        AssertBadInput(Grad("uniform:99"), "--schedule", "uniform:99", "4 layer(s)", "1 to 4");
        AssertBadInput(Grad("revolve:99"), "--schedule", "revolve:99", "4 layer(s)", "1 to 4");
    }

    [Fact]
    public void A_weights_file_that_is_not_safetensors_is_named_as_what_it_is()
    {
        AssertBadInput(Run(weights: _files.InputPath), "x.npy", "is a NumPy .npy array, not a safetensors file", "--weights takes a .safetensors file");
    }

    [Theory]
    [InlineData("64KiB", 65536)]
    [InlineData("1MiB", 1048576)]
    [InlineData("1.5MiB", 1572864)]
    [InlineData("500KB", 500000)]
    [InlineData("2 MB", 2000000)]
    [InlineData("1GiB", 1073741824)]
    [InlineData("4096", 4096)]
    [InlineData("4096B", 4096)]
    public void Byte_counts_take_binary_and_decimal_suffixes(string text, long bytes) =>
        Assert.Equal(bytes, ByteSize.Parse(text, "--schedule"));

    [Fact]
    public void Command_line_mistakes_exit_with_2_and_say_what_to_run()
    {
        AssertBadInput((o, e) => CommandLineInvocation.Invoke(RunCommand.Create(cache.Path), ["--input", "x.npy", "--output", "y.npy"], o, e), "--model", "required");
        AssertBadInput((o, e) => CommandLineInvocation.Invoke(RunCommand.Create(cache.Path), ["-m", _files.Model, "-i", _files.InputPath, "-o", Output, "--path", "avx9"], o, e), "avx9");
        AssertBadInput((o, e) => CommandLineInvocation.Invoke(GradCommand.Create(cache.Path), ["-m", _files.Model, "-i", _files.InputPath, "-o", Output, "--layout", "nk"], o, e), "nk");
        AssertBadInput((o, e) => GenerateCommand.Run(new GenerateArguments(_files.Model, Type: "class"), o, e), "--type");
        AssertBadInput((o, e) => GenerateCommand.Run(new GenerateArguments(_files.Model, Namespace: "A..B"), o, e), "--namespace");
    }
}
