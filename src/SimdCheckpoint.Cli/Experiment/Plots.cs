using System.Linq;
using ScottPlot;

namespace SimdCheckpoint.Cli.Experiment;

/// <summary>The report's PNG plots, drawn with ScottPlot from the run's results.</summary>
internal static class Plots
{
    private const int Width = 960;
    private const int Height = 600;

    /// <summary>Peak activation bytes against depth: measured (markers) and predicted (dashed), per schedule.</summary>
    public static void MemoryScaling(ExperimentResults results, string path)
    {
        var plot = new Plot();
        plot.Title("Peak activation bytes of one backward pass (width 128, batch 64): markers measured, dashes predicted");
        plot.Axes.Bottom.Label.Text = "depth n (layers)";
        plot.Axes.Left.Label.Text = "peak activation KiB";
        var palette = new ScottPlot.Palettes.Category10();
        int index = 0;
        foreach (string schedule in results.Scaling.Select(p => p.Schedule).Distinct())
        {
            ScalingPoint[] points = [.. results.Scaling.Where(p => p.Schedule == schedule).OrderBy(p => p.Depth)];
            double[] depth = [.. points.Select(p => (double)p.Depth)];
            var measured = plot.Add.Scatter(depth, points.Select(p => p.MeasuredPeakBytes / 1024.0).ToArray());
            measured.LegendText = schedule;
            measured.Color = palette.GetColor(index++);
            measured.MarkerSize = 8;
            measured.LineWidth = 0;
            var predicted = plot.Add.Scatter(depth, points.Select(p => p.PredictedPeakBytes / 1024.0).ToArray());
            predicted.Color = measured.Color;
            predicted.MarkerSize = 0;
            predicted.LinePattern = LinePattern.Dashed;
        }

        plot.ShowLegend(Alignment.UpperLeft);
        plot.Axes.AutoScale();
        plot.Axes.SetLimitsY(0, plot.Axes.GetLimits().Top);
        plot.SavePng(path, Width, Height);
    }

    /// <summary>Backward time relative to store-all against peak activation bytes, one labelled point per schedule.</summary>
    public static void TradeOff(ExperimentResults results, string path)
    {
        var plot = new Plot();
        plot.Title("Memory against time: deep32 backward pass (dX, dW, db), batch 64");
        plot.Axes.Bottom.Label.Text = "peak activation KiB";
        plot.Axes.Left.Label.Text = "median time relative to store-all (bar: p25 to p75)";
        SpeedRow[] rows = [.. results.Speed.Where(s => s.Operation.StartsWith("backward", System.StringComparison.Ordinal))];
        var palette = new ScottPlot.Palettes.Category10();
        int index = 0;
        foreach (SpeedRow row in rows)
        {
            double x = row.PeakBytes / 1024.0;
            var point = plot.Add.Scatter(new[] { x, x }, new[] { row.P25Ms / rows[0].MedianMs, row.P75Ms / rows[0].MedianMs });
            point.Color = palette.GetColor(index++);
            point.MarkerSize = 4;
            point.LineWidth = 2;
            var median = plot.Add.Scatter(new[] { x }, new[] { row.RelativeToStoreAll });
            median.Color = point.Color;
            median.MarkerSize = 10;
            median.LegendText = $"{row.Schedule}: {row.ForwardEvaluations} forward evaluations";
            var label = plot.Add.Text(row.Schedule, x, row.RelativeToStoreAll);
            label.LabelFontSize = 13;
            label.OffsetX = 8;
        }

        plot.ShowLegend(Alignment.UpperRight);
        plot.Axes.Margins(0.12, 0.12);
        plot.SavePng(path, Width, Height);
    }
}
