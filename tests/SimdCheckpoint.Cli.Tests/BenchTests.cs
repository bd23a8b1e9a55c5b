using System;
using System.Globalization;
using System.IO;
using System.Linq;
using SimdCheckpoint.Cli.Commands;
using Xunit;

namespace SimdCheckpoint.Cli.Tests;

/// <summary>`simdcheckpoint bench --quick`: a row per model, batch and thread count, each with positive figures and, for two threads, the split the session chose.</summary>
public sealed class BenchTests
{
    [Fact]
    public void Quick_bench_prints_every_model_batch_and_thread_count()
    {
        var output = new StringWriter();
        Assert.Equal(0, BenchCommand.Run(output, quick: true));
        string[] lines = output.ToString().Split('\n');
        Assert.Contains(lines, l => l.TrimStart().StartsWith("peak", StringComparison.Ordinal) && l.Contains("GFLOP/s", StringComparison.Ordinal));
        string[][] rows = [.. lines.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(f => f.Length >= 8 && f[0] is "mnist" or "deep" or "wide")];
        Assert.Equal(
            ["mnist 1 1 -", "mnist 1 2 panels", "mnist 64 1 -", "mnist 64 2 rows", "deep 1 1 -", "deep 1 2 panels", "deep 64 1 -", "deep 64 2 rows", "wide 1 1 -", "wide 1 2 panels", "wide 64 1 -", "wide 64 2 panels"],
            rows.Select(r => string.Join(' ', r[..3]) + " " + r[^1]).ToArray());
        Assert.All(rows, r => Assert.True(double.Parse(r[3], CultureInfo.InvariantCulture) > 0, string.Join(' ', r)));
    }
}
