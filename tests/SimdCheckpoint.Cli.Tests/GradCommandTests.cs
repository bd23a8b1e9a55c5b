using System;
using System.Globalization;
using System.IO;
using System.Text.RegularExpressions;
using SimdCheckpoint.Checkpointing;
using SimdCheckpoint.Cli.Commands;
using SimdCheckpoint.Cli.Tests.Models;
using SimdCheckpoint.Cli.Tests.Support;
using SimdCheckpoint.Npy;
using Xunit;

namespace SimdCheckpoint.Cli.Tests;

/// <summary>`simdcheckpoint grad`: dX of the run-time compiled kernels against a CheckpointSession of the build-time type.</summary>
public sealed class GradCommandTests(SharedModelCache cache) : IDisposable
{
    private readonly CliModelFiles _files = new();

    public void Dispose() => _files.Dispose();

    public static TheoryData<string, bool> Schedules => new()
    {
        { "store-all", false },
        { "revolve:2", false },
        { "sqrt", true },
        { "revolve:2", true },
    };

    [Theory]
    [MemberData(nameof(Schedules))]
    public void Input_gradient_is_bit_identical_to_the_build_time_type(string scheduleName, bool withOutputGradient)
    {
        string output = _files.PathOf("dx.npy");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var arguments = new GradArguments(
            _files.Model, _files.InputPath, output, withOutputGradient ? _files.OutputGradientPath : null, _files.Weights, Schedule: scheduleName, CacheDirectory: cache.Path);
        int exit = GradCommand.Run(arguments, stdout, stderr);
        Assert.True(exit == 0, stdout + "\n" + stderr);

        NpyArray dx = NpyFile.Read(output);
        Assert.Equal(CliModelFiles.InputShape, dx.Shape);
        CheckpointSchedule schedule = ScheduleChoice.Parse(scheduleName).Create(CliTiny.Spec, CliModelFiles.Batch);
        var session = new CheckpointSession<CliTiny>(CliModelFiles.ReferenceWeights(), CliModelFiles.Batch, schedule);
        float[] expected = new float[_files.Input.Length];
        BackwardStatistics figures = session.Backward(_files.Input, expected, CliModelFiles.Batch, withOutputGradient ? _files.OutputGradient : default);
        Bits.Equal(expected, dx.Data, "dX");

        string text = stdout.ToString();
        Assert.Contains("every measured figure equals the planner's prediction", text, StringComparison.Ordinal);
        Assert.Equal((figures.PeakActivationBytes, figures.PeakActivationBytes), Figures(text, "peak activation bytes"));
        Assert.Equal((figures.ForwardEvaluations, figures.ForwardEvaluations), Figures(text, "forward evaluations"));
        Assert.Equal((figures.LayersReversed, figures.LayersReversed), Figures(text, "layers reversed"));
        Assert.Contains(withOutputGradient ? "dy.npy" : "all ones", text, StringComparison.Ordinal);
    }

    /// <summary>The measured and predicted columns of a figure's row.</summary>
    private static (long Measured, long Predicted) Figures(string text, string row)
    {
        Match m = Regex.Match(text, "^  " + Regex.Escape(row) + @" +([\d,]+) +([\d,]+)$", RegexOptions.Multiline);
        Assert.True(m.Success, $"no '{row}' row in:\n{text}");
        return (long.Parse(m.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture), long.Parse(m.Groups[2].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Every_schedule_gives_store_all_bits_and_a_budget_is_kept()
    {
        float[]? storeAll = null;
        foreach (string schedule in new[] { "store-all", "sqrt", "uniform:3", "revolve:1", "revolve:3", "budget:1KiB", "budget:1600" })
        {
            string output = _files.PathOf("dx-" + schedule.Replace(':', '-') + ".npy");
            var stdout = new StringWriter();
            int exit = GradCommand.Run(new GradArguments(_files.Model, _files.InputPath, output, Weights: _files.Weights, Schedule: schedule, Path: "scalar", CacheDirectory: cache.Path), stdout, TextWriter.Null);
            Assert.True(exit == 0, schedule + ": " + stdout);
            float[] dx = NpyFile.Read(output).Data;
            storeAll ??= dx;
            Bits.Equal(storeAll, dx, schedule);
        }
    }
}
