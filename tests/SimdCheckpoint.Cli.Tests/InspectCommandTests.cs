using System;
using System.Globalization;
using System.IO;
using System.Linq;
using SimdCheckpoint.Checkpointing;
using SimdCheckpoint.Cli.Commands;
using SimdCheckpoint.Cli.Tests.Models;
using SimdCheckpoint.Cli.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Cli.Tests;

/// <summary>`simdcheckpoint inspect`: the layers table, and each schedule's figures equal the planner's prediction.</summary>
public sealed class InspectCommandTests(SharedModelCache cache)
{
    private static string[] Fields(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static long Number(string text) => long.Parse(text, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);

    private static string Inspect(SharedModelCache cache)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = InspectCommand.Run(new InspectArguments(CliModelFiles.SpecPath("cli-tiny.json"), CacheDirectory: cache.Path), stdout, stderr);
        Assert.True(exit == 0, stderr.ToString());
        return stdout.ToString();
    }

    [Fact]
    public void Inspect_lists_every_layer_with_its_parameters_and_flops_and_the_totals()
    {
        string[] lines = Inspect(cache).Split('\n');
        NetworkSpec spec = CliTiny.Spec;
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            DenseLayerSpec layer = spec.Layers[i];
            string[] row = Fields(lines.Single(l => Fields(l) is [var index, var name, ..] && index == i.ToString(CultureInfo.InvariantCulture) && name == layer.Name));
            Assert.Equal([layer.Inputs.ToString(CultureInfo.InvariantCulture), "->", layer.Outputs.ToString(CultureInfo.InvariantCulture)], row[2..5]);
            Assert.Equal(layer.ParameterCount, Number(row[^2]));
            Assert.Equal(2L * layer.Inputs * layer.Outputs, Number(row[^1]));
        }

        Assert.Equal(["gelu", "tanh", "silu", "identity"], spec.Layers.Select((l, i) => Fields(lines.Single(x => Fields(x) is [var index, ..] && index == i.ToString(CultureInfo.InvariantCulture)))[5]));
        string[] total = Fields(lines.Single(l => Fields(l) is ["total", ..]));
        Assert.Equal(new long[] { spec.ParameterCount, spec.FlopsPerSample }, total[1..].Select(Number));
    }

    [Fact]
    public void Inspect_memory_per_schedule_is_the_planners_prediction_at_batch_1_and_64()
    {
        string[] lines = Inspect(cache).Split('\n');
        NetworkWeights<CliTiny> weights = CliModelFiles.ReferenceWeights();
        var schedules = InspectCommand.Schedules(CliTiny.Spec.Layers.Count);
        Assert.Contains(schedules, s => s.Name == "store-all");
        Assert.Contains(schedules, s => s.Name.StartsWith("sqrt", StringComparison.Ordinal));
        Assert.Contains(schedules, s => s.Name.StartsWith("revolve", StringComparison.Ordinal));
        Assert.Contains(schedules, s => s.Name.StartsWith("uniform", StringComparison.Ordinal));
        foreach (CheckpointSchedule schedule in schedules)
        {
            var session = new CheckpointSession<CliTiny>(weights, 64, schedule);
            BackwardStatistics one = session.Predict(1), many = session.Predict(64);
            string[] row = Fields(lines.Single(l => Fields(l) is [var name, ..] && name == schedule.Name));
            Assert.Equal(new long[] { schedule.MaxCheckpoints, one.ForwardEvaluations, one.PeakActivationBytes, many.PeakActivationBytes }, row[1..].Select(Number));
        }

        using var forward = new InferenceSession<CliTiny>(weights, 64);
        string[] forwardRow = Fields(lines.Single(l => l.TrimStart().StartsWith("forward only", StringComparison.Ordinal)));
        Assert.Equal(forward.ActivationBytes, Number(forwardRow[^1]));
    }
}
