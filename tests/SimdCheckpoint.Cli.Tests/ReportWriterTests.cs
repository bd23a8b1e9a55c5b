using System;
using System.Linq;
using SimdCheckpoint.Cli.Experiment;
using Xunit;

namespace SimdCheckpoint.Cli.Tests;

/// <summary>Test 3's sentences say only what the spread of the timings allows, whatever the numbers of a run.</summary>
public sealed class ReportWriterTests
{
    private static ExperimentResults Results(params SpeedRow[] rows)
    {
        var results = new ExperimentResults { Machine = "test", StartedUtc = "now", Quick = true, Seed = 1, AutoPath = "Scalar" };
        results.Speed.AddRange(rows);
        return results;
    }

    /// <summary>A row whose interquartile range is median ± spread.</summary>
    private static SpeedRow Row(string operation, string schedule, double median, double spread, int forwards, double storeAllMedian) =>
        new(operation, schedule, 64, 41, median, median - spread, median + spread, median - (2 * spread), median + (2 * spread), median / storeAllMedian, forwards, 1000);

    private const string Backward = "backward (dX, dW, db)";
    private const string Checkpointed = "forward with checkpoints";

    [Fact]
    public void A_faster_median_inside_the_spread_is_not_called_fastest_nor_explained()
    {
        ExperimentResults r = Results(
            Row("forward", "none (plain Forward)", 3.2, 0.1, 32, 3.2),
            Row(Backward, "store-all", 10.0, 0.5, 32, 10.0),
            Row(Backward, "uniform(4)", 9.8, 0.5, 53, 10.0),
            Row(Backward, "revolve(2)", 20.0, 0.5, 172, 10.0));
        string text = string.Join("\n", ReportWriter.SpeedFindings(r));

        Assert.Contains("slower beyond the spread: revolve(2)", text, StringComparison.Ordinal);
        Assert.Contains("within the spread, so not ranked against it: uniform(4)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("fastest", text, StringComparison.Ordinal);
        Assert.DoesNotContain("cache", text, StringComparison.Ordinal);
        Assert.Equal(ReportWriter.Spread.Within, ReportWriter.Compare(r.Speed[2], r.Speed[1]));
        Assert.Equal(ReportWriter.Spread.Slower, ReportWriter.Compare(r.Speed[3], r.Speed[1]));
    }

    [Fact]
    public void The_comparison_with_the_cost_model_counts_what_this_run_measured()
    {
        // Per layer 0.1 ms: uniform(4)'s prediction is (10 + 21 · 0.1) / 10 = 1.21, revolve(2)'s (10 + 140 · 0.1) / 10 = 2.4.
        ExperimentResults r = Results(
            Row("forward", "none (plain Forward)", 3.2, 0.1, 32, 3.2),
            Row(Backward, "store-all", 10.0, 0.2, 32, 10.0),
            Row(Backward, "uniform(4)", 11.0, 0.2, 53, 10.0),
            Row(Backward, "revolve(2)", 25.0, 0.2, 172, 10.0));
        Assert.Equal(1.21, ReportWriter.PredictedRelative(r, r.Speed[2])!.Value, 10);
        string text = string.Join("\n", ReportWriter.SpeedFindings(r));

        Assert.Contains("above the prediction for 1 of 2 schedules and below it for 1", text, StringComparison.Ordinal);
        Assert.Contains("for 0 of them the prediction lies", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Where the measured ratio is higher", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_checkpointed_forward_below_the_plain_one_is_flagged_as_noise()
    {
        ExperimentResults r = Results(
            Row("forward", "none (plain Forward)", 3.2, 0.2, 32, 3.2),
            Row(Checkpointed, "store-all", 3.4, 0.2, 32, 3.4),
            Row(Checkpointed, "sqrt", 3.1, 0.2, 32, 3.4),
            Row(Checkpointed, "revolve(2)", 2.5, 0.1, 32, 3.4),
            Row(Backward, "store-all", 10.0, 0.2, 32, 10.0));
        string[] findings = [.. ReportWriter.SpeedFindings(r)];
        string text = string.Join("\n", findings);

        Assert.Contains("below the plain forward's for sqrt, within the spread: noise, not a speed-up", text, StringComparison.Ordinal);
        Assert.Contains("For revolve(2) it came out below the plain forward beyond the spread", text, StringComparison.Ordinal);
        Assert.DoesNotContain(findings, f => f.Contains("store-all,", StringComparison.Ordinal) && f.Contains("below", StringComparison.Ordinal));
        Assert.Same(r.Speed[0], ReportWriter.Baseline(r, r.Speed[2]));
        Assert.Null(ReportWriter.Baseline(r, r.Speed[4]));
    }
}
