using System;
using System.IO;
using System.Linq;
using SimdCheckpoint.Cli.Commands;
using SimdCheckpoint.Cli.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Cli.Tests;

/// <summary>`simdcheckpoint generate`: the text a build generates for the same model, type and namespace.</summary>
public sealed class GenerateCommandTests : IDisposable
{
    private readonly CliModelFiles _files = new();

    public void Dispose() => _files.Dispose();

    /// <summary>What this project's build generated for <see cref="Models.CliTiny"/> (EmitCompilerGeneratedFiles).</summary>
    private static string BuildTimeSource() => File.ReadAllText(BuildTimeFile());

    private static string BuildTimeFile()
    {
        string directory = CliModelFiles.GeneratedFilesDirectory();
        string[] files = Directory.Exists(directory)
            ? Directory.GetFiles(directory, "SimdCheckpoint.Cli.Tests.Models.CliTiny.g.cs", SearchOption.AllDirectories)
            : [];
        Assert.True(files.Length == 1, $"expected the build's generated CliTiny.g.cs under {directory}; found {files.Length}");
        return files[0];
    }

    [Fact]
    public void Generate_prints_exactly_the_build_time_source()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = GenerateCommand.Run(new GenerateArguments(_files.Model, Namespace: "SimdCheckpoint.Cli.Tests.Models", Type: "CliTiny", Gradients: true), stdout, stderr);
        Assert.True(exit == 0, stderr.ToString());
        string expected = BuildTimeSource();
        Assert.True(expected == stdout.ToString(), FirstDifference(expected, stdout.ToString()));
    }

    [Fact]
    public void Generate_writes_a_file_byte_for_byte_equal_to_the_build_time_file()
    {
        string target = _files.PathOf("CliTiny.g.cs");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(0, CommandLineInvocation.Invoke(
            GenerateCommand.Create(),
            ["--model", _files.Model, "--namespace", "SimdCheckpoint.Cli.Tests.Models", "--type", "CliTiny", "--gradients", "--out", target],
            stdout,
            stderr));
        Assert.Equal(string.Empty, stdout.ToString());
        Assert.Equal(File.ReadAllBytes(BuildTimeFile()), File.ReadAllBytes(target));
        Assert.Contains("SimdCheckpoint.Cli.Tests.Models.CliTiny", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_type_is_named_after_the_spec_in_the_cli_namespace()
    {
        var stdout = new StringWriter();
        Assert.Equal(0, GenerateCommand.Run(new GenerateArguments(_files.Model), stdout, TextWriter.Null));
        string text = stdout.ToString();
        Assert.Contains("namespace SimdCheckpoint.Models", text, StringComparison.Ordinal);
        Assert.Contains("partial class CliTinyNetwork : global::SimdCheckpoint.IGeneratedNetwork<CliTinyNetwork>", text, StringComparison.Ordinal);
    }

    private static string FirstDifference(string expected, string actual)
    {
        string[] e = expected.Split('\n'), a = actual.Split('\n');
        int line = Enumerable.Range(0, Math.Min(e.Length, a.Length)).FirstOrDefault(i => e[i] != a[i], Math.Min(e.Length, a.Length));
        return $"first difference at line {line + 1}: expected '{(line < e.Length ? e[line] : "<end>")}', got '{(line < a.Length ? a[line] : "<end>")}'";
    }
}
