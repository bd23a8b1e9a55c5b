using System;
using System.IO;
using SimdCheckpoint.Cli.Commands;
using SimdCheckpoint.Cli.Tests.Models;
using SimdCheckpoint.Cli.Tests.Support;
using SimdCheckpoint.Npy;
using Xunit;

namespace SimdCheckpoint.Cli.Tests;

/// <summary>`simdcheckpoint run`: the kernels it compiles at run time give the bits of the same model compiled at build time.</summary>
public sealed class RunCommandTests(SharedModelCache cache) : IDisposable
{
    private readonly CliModelFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData("auto", KernelPath.Auto)]
    [InlineData("vector512", KernelPath.Vector512)]
    [InlineData("vector256", KernelPath.Vector256)]
    [InlineData("vector128", KernelPath.Vector128)]
    [InlineData("scalar", KernelPath.Scalar)]
    public void Run_output_is_bit_identical_to_the_build_time_type(string pathName, KernelPath path)
    {
        string output = _files.PathOf("y.npy");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = RunCommand.Run(new RunArguments(_files.Model, _files.InputPath, output, _files.Weights, Path: pathName, CacheDirectory: cache.Path), stdout, stderr);
        Assert.True(exit == 0, stderr.ToString());

        NpyArray y = NpyFile.Read(output);
        Assert.Equal([CliModelFiles.Batch, CliTiny.Spec.OutputSize], y.Shape);
        float[] expected = new float[CliModelFiles.Batch * CliTiny.Spec.OutputSize];
        using var session = new InferenceSession<CliTiny>(CliModelFiles.ReferenceWeights(), CliModelFiles.Batch);
        session.Forward(_files.Input, expected, CliModelFiles.Batch, path);
        Bits.Equal(expected, y.Data, "y");
        Assert.Contains("run: ", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains($"{CliModelFiles.Batch} sample(s)", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Inputs_by_outputs_weights_give_the_same_bits()
    {
        string a = _files.PathOf("a.npy"), b = _files.PathOf("b.npy");
        Assert.Equal(0, RunCommand.Run(new RunArguments(_files.Model, _files.InputPath, a, _files.Weights, CacheDirectory: cache.Path), TextWriter.Null, TextWriter.Null));
        Assert.Equal(0, RunCommand.Run(new RunArguments(_files.Model, _files.InputPath, b, _files.WeightsInputsByOutputs, Layout: "inputs-by-outputs", CacheDirectory: cache.Path), TextWriter.Null, TextWriter.Null));
        Bits.Equal(NpyFile.Read(a).Data, NpyFile.Read(b).Data, "y");
    }

    [Fact]
    public void The_command_line_parses_every_option()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        string output = _files.PathOf("y.npy");
        int exit = CommandLineInvocation.Invoke(
            RunCommand.Create(cache.Path),
            ["--model", _files.Model, "--input", _files.InputPath, "--output", output, "--weights", _files.Weights, "--layout", "outputs-by-inputs", "--path", "scalar"],
            stdout,
            stderr);
        Assert.True(exit == 0, stderr.ToString());
        Assert.Contains("path Scalar", stdout.ToString(), StringComparison.Ordinal);
        Assert.True(File.Exists(output));
    }
}
