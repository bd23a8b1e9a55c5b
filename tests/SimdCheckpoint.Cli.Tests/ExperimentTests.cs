using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using SimdCheckpoint.Cli.Commands;
using SimdCheckpoint.Cli.Experiment;
using Xunit;

namespace SimdCheckpoint.Cli.Tests;

/// <summary>The main job's quick run, end to end: the report's structure, results.json, and test 1's verdict.</summary>
public sealed class ExperimentTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "simdcheckpoint-experiment-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void The_quick_experiment_writes_a_complete_report_with_zero_differences()
    {
        var console = new StringWriter();
        int exit = ExperimentCommand.Run(console, batch: 4, seed: 42, runs: null, quick: true, _directory);
        Assert.True(exit == 0, console.ToString());

        string report = File.ReadAllText(Path.Combine(_directory, ReportWriter.ReportFile));
        string[] headings = [.. report.Split('\n').Where(l => l.StartsWith("## ", StringComparison.Ordinal))];
        Assert.Equal(["## What checkpointing is for", "## Test 1: identical results", "## Test 2: memory scaling", "## Test 3: speed", "## Test 4: weights streamed from disk within a budget"], headings);
        Assert.Contains("Every value of every schedule and path has store-all's bits", report, StringComparison.Ordinal);
        Assert.Contains("Every measured peak and evaluation count equals the plan's prediction.", report, StringComparison.Ordinal);
        Assert.Contains($"![memory scaling]({ReportWriter.ScalingPlot})", report, StringComparison.Ordinal);
        Assert.Contains($"![memory versus time]({ReportWriter.TradeOffPlot})", report, StringComparison.Ordinal);
        Assert.Contains("executor's own arena counter", report, StringComparison.Ordinal);
        Assert.Contains("The process's peak resident set", report, StringComparison.Ordinal);
        Assert.DoesNotContain("fastest", report, StringComparison.Ordinal);

        foreach (string plot in new[] { ReportWriter.ScalingPlot, ReportWriter.TradeOffPlot })
        {
            byte[] png = File.ReadAllBytes(Path.Combine(_directory, plot));
            Assert.True(png.Length > 10_000, $"{plot} has {png.Length} bytes");
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        }

        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_directory, ReportWriter.ResultsFile)));
        JsonElement root = json.RootElement;
        Assert.True(root.GetProperty("quick").GetBoolean());
        JsonElement[] marks = [.. root.GetProperty("processPeakResident").GetProperty("marks").EnumerateArray()];
        Assert.Equal(4, marks.Length);
        Assert.All(marks, m => Assert.True(m.GetProperty("bytes").GetInt64() > 0));

        // Test 4 (quick: the 256 MiB dense chain, at batch 1 and 64, and the BERT-base-sized encoder, at 1 and 8 sequences):
        // the read, whole and streamed runs, each in a process of its own; streamed gives the whole run's bits, and its peak
        // stays near the budget (plus the encoder's resident embedding tables) while the whole run's exceeds the weights.
        JsonElement[] streaming = [.. root.GetProperty("streaming").EnumerateArray()];
        foreach ((string network, int[] batches, long resident) in new[] { ("stream-256m", new[] { 1, 64 }, 0L), ("stream-bert-base", new[] { 1, 8 }, 100L << 20) })
        {
            JsonElement[] runs = [.. streaming.Where(r => r.GetProperty("network").GetString() == network)];
            Assert.Equal(["read", "memory", "streamed", "memory", "streamed"], runs.Select(r => r.GetProperty("mode").GetString()));
            long weightBytes = runs[0].GetProperty("weightBytes").GetInt64();
            Assert.True(weightBytes >= 256L << 20, $"{network}: {weightBytes} bytes of weights");
            foreach (int batch in batches)
            {
                JsonElement whole = runs.Single(r => r.GetProperty("mode").GetString() == "memory" && r.GetProperty("batch").GetInt32() == batch);
                JsonElement streamed = runs.Single(r => r.GetProperty("mode").GetString() == "streamed" && r.GetProperty("batch").GetInt32() == batch);
                Assert.Equal(whole.GetProperty("outputDigest").GetString(), streamed.GetProperty("outputDigest").GetString());
                Assert.True(whole.GetProperty("peakResidentBytes").GetInt64() > weightBytes);
                long growth = streamed.GetProperty("peakResidentBytes").GetInt64() - streamed.GetProperty("residentBeforeBytes").GetInt64();
                Assert.True(growth < ExperimentRunner.StreamingBudget + resident + (64L << 20), $"{network} streamed batch {batch}: {growth} bytes of growth");
            }
        }

        Assert.Contains("streamed runs give the whole runs' bits: yes", console.ToString(), StringComparison.Ordinal);

        // Test 1: every schedule on every path compared something and found no differing bit.
        JsonElement identical = root.GetProperty("identical");
        Assert.True(identical.GetProperty("allIdentical").GetBoolean());
        JsonElement[] rows = [.. identical.GetProperty("rows").EnumerateArray()];
        Assert.Equal(ExperimentRunner.ScheduleNames.Length * 2 * 2, rows.Select(r => (r.GetProperty("network").GetString(), r.GetProperty("schedule").GetString(), r.GetProperty("batch").GetInt32())).Distinct().Count());
        Assert.All(rows, r =>
        {
            Assert.True(r.GetProperty("valuesCompared").GetInt64() > 0);
            Assert.Equal(0, r.GetProperty("differingBits").GetInt64());
            Assert.Equal(0, r.GetProperty("maxAbsDifference").GetDouble());
        });
        Assert.Contains(rows, r => r.GetProperty("path").GetString() == "Scalar");

        // Test 2: every depth and schedule, measured equal to predicted; sqrt's bytes fit √n best, store-all's n.
        JsonElement scaling = root.GetProperty("memoryScaling");
        Assert.True(scaling.GetProperty("allAsPredicted").GetBoolean());
        JsonElement[] points = [.. scaling.GetProperty("points").EnumerateArray()];
        Assert.Equal(ExperimentRunner.Depths.Length * (ExperimentRunner.ScalingSchedules.Length + 1), points.Length);
        Assert.All(points, p => Assert.Equal(p.GetProperty("predictedPeakBytes").GetInt64(), p.GetProperty("measuredPeakBytes").GetInt64()));
        JsonElement[] fits = [.. scaling.GetProperty("fits").EnumerateArray()];
        Assert.Equal("sqrt(n)", Best(fits, "sqrt"));
        Assert.Equal("n", Best(fits, "store-all"));
        long forwardOnly128 = points.Single(p => p.GetProperty("depth").GetInt32() == 128 && p.GetProperty("schedule").GetString() == "forward only").GetProperty("measuredPeakBytes").GetInt64();
        long forwardOnly3 = points.Single(p => p.GetProperty("depth").GetInt32() == 3 && p.GetProperty("schedule").GetString() == "forward only").GetProperty("measuredPeakBytes").GetInt64();
        Assert.Equal(forwardOnly3, forwardOnly128); // two buffers at any depth

        // Test 3: plain forward, then a checkpointed forward and a backward pass per schedule, each timed.
        JsonElement[] speed = [.. root.GetProperty("speed").EnumerateArray()];
        Assert.Equal(1 + (2 * ExperimentRunner.ScheduleNames.Length), speed.Length);
        Assert.All(speed, s => Assert.True(s.GetProperty("medianMs").GetDouble() > 0));
        Assert.All(speed.Where(s => s.GetProperty("schedule").GetString() == "store-all"), s => Assert.Equal(1.0, s.GetProperty("relativeToStoreAll").GetDouble()));
        Assert.All(
            speed.Where(s => s.GetProperty("operation").GetString() != "forward" && !(s.GetProperty("operation").GetString()!.StartsWith("backward", StringComparison.Ordinal) && s.GetProperty("schedule").GetString() == "store-all")),
            s => Assert.Contains(s.GetProperty("versusBaseline").GetString(), new[] { "within", "slower", "faster" }));
    }

    private static string? Best(JsonElement[] fits, string schedule) =>
        fits.Where(f => f.GetProperty("schedule").GetString() == schedule).MaxBy(f => f.GetProperty("rSquared").GetDouble()).GetProperty("model").GetString();
}
