using System;
using System.CommandLine;
using System.IO;
using SimdCheckpoint.Cli.Commands;
using SimdCheckpoint.Cli.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Cli.Tests;

/// <summary>What `--help` tells a new user about the model commands.</summary>
public sealed class HelpTests(SharedModelCache cache)
{
    public static TheoryData<string> ModelCommands => ["run", "grad", "inspect", "generate", "embed"];

    [Theory]
    [MemberData(nameof(ModelCommands))]
    public void Help_of_every_model_command_says_onnx_models_work(string name)
    {
        Command command = name switch
        {
            "run" => RunCommand.Create(cache.Path),
            "grad" => GradCommand.Create(cache.Path),
            "inspect" => InspectCommand.Create(cache.Path),
            "embed" => EmbedCommand.Create(cache.Path),
            _ => GenerateCommand.Create(),
        };
        var root = new RootCommand { command };
        var stdout = new StringWriter();
        int exit = CommandLineInvocation.Invoke(root, [name, "--help"], stdout, TextWriter.Null);
        string help = stdout.ToString();

        Assert.Equal(0, exit);
        Assert.Contains("an .onnx model", help, StringComparison.Ordinal);
        Assert.DoesNotContain("not supported", help, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("rnu", "run", 1)]
    [InlineData("gard", "grad", 1)]
    [InlineData("rnnn", "run", 2)]
    [InlineData("inspetc", "inspect", 1)]
    [InlineData("run", "run", 0)]
    public void Edit_distance_counts_a_swapped_pair_as_one_edit(string a, string b, int distance) =>
        Assert.Equal(distance, CommandLineInvocation.EditDistance(a, b));
}
