using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using SimdCheckpoint.Cli.Tests.Support;
using SimdCheckpoint.Npy;
using Xunit;

namespace SimdCheckpoint.Cli.Tests;

/// <summary>
/// The built `simdcheckpoint` as a user runs it, in its own process: $SIMDCHECKPOINT_CACHE, exit codes, and what
/// reaches stdout and stderr.
/// </summary>
public sealed class ProcessTests : IDisposable
{
    private readonly CliModelFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static (int Exit, string Stdout, string Stderr) Cli(string cacheDirectory, params string[] args) => CliProcess.Run(cacheDirectory, args);

    [Fact]
    public void The_cache_named_by_SIMDCHECKPOINT_CACHE_serves_the_second_process()
    {
        string cache = _files.PathOf("cache");
        string y1 = _files.PathOf("y1.npy"), y2 = _files.PathOf("y2.npy");
        var first = Cli(cache, "run", "--model", _files.Model, "--weights", _files.Weights, "--input", _files.InputPath, "--output", y1);
        Assert.True(first.Exit == 0, first.Stderr);
        Assert.Contains("compiled the kernels of cli-tiny.json", first.Stderr, StringComparison.Ordinal);
        var second = Cli(cache, "run", "--model", _files.Model, "--weights", _files.Weights, "--input", _files.InputPath, "--output", y2, "--verbose");
        Assert.True(second.Exit == 0, second.Stderr);
        Assert.Contains("kernels of cli-tiny.json from the cache", second.Stderr, StringComparison.Ordinal);
        string entry = Assert.Single(Directory.GetFiles(cache));
        Assert.Contains(entry, second.Stderr, StringComparison.Ordinal);
        Assert.Contains("wrote", second.Stdout, StringComparison.Ordinal);

        float[] expected = new float[CliModelFiles.Batch * 5];
        using var session = new InferenceSession<Models.CliTiny>(CliModelFiles.ReferenceWeights(), CliModelFiles.Batch);
        session.Forward(_files.Input, expected, CliModelFiles.Batch);
        Bits.Equal(expected, NpyFile.Read(y1).Data, "y1");
        Bits.Equal(expected, NpyFile.Read(y2).Data, "y2");
    }

    [Fact]
    public void Help_lists_the_commands_and_help_of_a_command_is_its_options()
    {
        var all = Cli(_files.PathOf("cache"), "help");
        Assert.True(all.Exit == 0, all.Stderr);
        foreach (string command in new[] { "experiment", "selfcheck", "mathcheck", "bench", "run", "grad", "inspect", "generate" })
        {
            Assert.Contains("  " + command + " ", all.Stdout, StringComparison.Ordinal);
        }

        var run = Cli(_files.PathOf("cache"), "help", "run");
        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Contains("--model", run.Stdout, StringComparison.Ordinal);
        Assert.Contains(".onnx model", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rnu", "'run'")]
    [InlineData("gard", "'grad'")]
    [InlineData("inspetc", "'inspect'")]
    [InlineData("selfchek", "'selfcheck'")]
    public void A_misspelt_command_is_one_error_with_a_suggestion(string typed, string suggested)
    {
        var result = Cli(_files.PathOf("cache"), typed, "--model", _files.Model, "--input", _files.InputPath);
        Assert.Equal(2, result.Exit);
        string error = Assert.Single(result.Stderr.Split('\n'), l => l.Contains("error:", StringComparison.Ordinal));
        Assert.Contains($"'{typed}' is not a command. Did you mean {suggested}?", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unrecognized", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_input_exits_with_2_and_one_line_on_stderr()
    {
        var result = Cli(_files.PathOf("cache"), "grad", "--model", _files.Model, "--weights", _files.Weights, "--input", _files.PathOf("missing.npy"), "--output", _files.PathOf("dx.npy"));
        Assert.Equal(2, result.Exit);
        Assert.Equal($"simdcheckpoint grad: error: {_files.PathOf("missing.npy")}: no such file (a .npy array).", result.Stderr.TrimEnd());
        Assert.Equal(string.Empty, result.Stdout);
    }
}
