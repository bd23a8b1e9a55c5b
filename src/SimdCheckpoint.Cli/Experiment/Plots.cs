using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ScottPlot;

namespace SimdCheckpoint.Cli.Experiment;

/// <summary>
/// The report's PNG plots, drawn with ScottPlot from the run's results. Both use logarithmic axes where the values
/// span more than a decade, and a marker shape per schedule, so that schedules with equal figures stay visible as
/// nested markers instead of hiding one another.
/// </summary>
internal static class Plots
{
    private const int Width = 960;
    private const int Height = 600;

    /// <summary>
    /// Shapes and sizes per series: at most one filled shape where several schedules can coincide, the hollow and
    /// line-drawn ones larger around it, so that coincident points show as nested markers.
    /// </summary>
    private static readonly (MarkerShape Shape, float Size)[] Markers =
    [
        (MarkerShape.FilledCircle, 8),
        (MarkerShape.OpenCircle, 15),
        (MarkerShape.FilledTriangleUp, 9),
        (MarkerShape.OpenSquare, 13),
        (MarkerShape.OpenDiamond, 18),
        (MarkerShape.Asterisk, 12),
        (MarkerShape.OpenTriangleUp, 16),
        (MarkerShape.FilledDiamond, 9),
    ];

    /// <summary>
    /// Peak activation bytes against depth, both axes logarithmic: measured (markers) and predicted (dashed), per
    /// schedule. On log-log axes store-all is a line of slope 1, √n of slope ½ and revolve flat.
    /// </summary>
    public static void MemoryScaling(ExperimentResults results, string path)
    {
        var plot = new Plot();
        plot.Title("Peak activation bytes of one backward pass against depth\n(width 128, batch 64; markers: the session's arena counter, dashed: the planner's prediction)", 15);
        plot.Axes.Bottom.Label.Text = "depth n (layers, log scale)";
        plot.Axes.Left.Label.Text = "peak activation KiB (log scale)";
        var palette = new ScottPlot.Palettes.Category10();
        var legend = new List<LegendItem>();
        string[] schedules = [.. results.Scaling.Select(p => p.Schedule).Distinct()];
        for (int index = 0; index < schedules.Length; index++)
        {
            ScalingPoint[] points = [.. results.Scaling.Where(p => p.Schedule == schedules[index]).OrderBy(p => p.Depth)];
            double[] depth = [.. points.Select(p => Math.Log2(p.Depth))];
            Color color = palette.GetColor(index);
            (MarkerShape shape, float size) = Markers[index % Markers.Length];

            var predicted = plot.Add.Scatter(depth, points.Select(p => Math.Log10(p.PredictedPeakBytes / 1024.0)).ToArray());
            predicted.Color = color;
            predicted.MarkerSize = 0;
            predicted.LineWidth = 1.5f;
            predicted.LinePattern = LinePattern.Dashed;

            var measured = plot.Add.Scatter(depth, points.Select(p => Math.Log10(p.MeasuredPeakBytes / 1024.0)).ToArray());
            measured.Color = color;
            measured.LineWidth = 0;
            measured.MarkerShape = shape;
            measured.MarkerSize = size;
            legend.Add(new LegendItem { LabelText = schedules[index], MarkerShape = shape, MarkerSize = size, MarkerColor = color, MarkerFillColor = color, MarkerLineColor = color, LineWidth = 0 });
        }

        legend.Add(new LegendItem { LabelText = "planner's prediction (dashed)", LineColor = Colors.Black, LineWidth = 1.5f, LinePattern = LinePattern.Dashed, MarkerShape = MarkerShape.None });
        plot.ShowLegend(legend, Alignment.UpperLeft);

        int[] depths = [.. results.Scaling.Select(p => p.Depth).Distinct().Order()];
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. depths.Select(d => Math.Log2(d))], [.. depths.Select(d => d.ToString(CultureInfo.InvariantCulture))]);
        plot.Axes.Left.TickGenerator = LogTicks();
        plot.Grid.MinorLineColor = Colors.Black.WithOpacity(.05);
        plot.Grid.MinorLineWidth = 1;
        plot.Axes.AutoScale();
        plot.Axes.Margins(0.05, 0.08);
        plot.SavePng(path, Width, Height);
    }

    /// <summary>
    /// Backward time relative to store-all against peak activation bytes (log scale), one labelled point per schedule,
    /// its interquartile range as a bar (bars of equal bytes side by side); labels that would overlap are moved apart, and the rightmost one sits on its
    /// point's left so that it is not cut off.
    /// </summary>
    public static void TradeOff(ExperimentResults results, string path)
    {
        var plot = new Plot();
        plot.Title("Memory against time: deep32 backward pass (dX, dW, db), batch 64", 15);
        plot.Axes.Bottom.Label.Text = "peak activation KiB (the session's arena counter; log scale)";
        plot.Axes.Left.Label.Text = "median time relative to store-all (bar: p25 to p75)";
        SpeedRow[] rows = [.. results.Speed.Where(s => s.Operation.StartsWith("backward", StringComparison.Ordinal))];
        if (rows.Length == 0)
        {
            plot.SavePng(path, Width, Height);
            return;
        }

        var palette = new ScottPlot.Palettes.Category10();
        double baseline = rows[0].MedianMs;
        var labels = new List<(ScottPlot.Plottables.Text Label, Coordinates At)>();
        for (int index = 0; index < rows.Length; index++)
        {
            SpeedRow row = rows[index];
            double x = Math.Log2(row.PeakBytes / 1024.0);
            Color color = palette.GetColor(index);
            (MarkerShape shape, float size) = Markers[index % Markers.Length];
            // Schedules with equal bytes (sqrt and uniform(4) on deep32) share an x: their bars stand a few pixels apart.
            SpeedRow[] same = [.. rows.Where(r => r.PeakBytes == row.PeakBytes)];
            double barX = x + ((Array.IndexOf(same, row) - ((same.Length - 1) / 2.0)) * 0.03);
            var spread = plot.Add.Scatter(new[] { barX, barX }, new[] { row.P25Ms / baseline, row.P75Ms / baseline });
            spread.Color = color;
            spread.MarkerSize = 0;
            spread.LineWidth = 2;
            var median = plot.Add.Scatter(new[] { x }, new[] { row.RelativeToStoreAll });
            median.Color = color;
            median.MarkerShape = shape;
            median.MarkerSize = size + 2;
            median.LegendText = $"{row.Schedule}: {row.ForwardEvaluations} forward evaluations";
            var label = plot.Add.Text(row.Schedule, x, row.RelativeToStoreAll);
            label.LabelFontSize = 13;
            label.LabelFontColor = color;
            labels.Add((label, new Coordinates(x, row.RelativeToStoreAll)));
        }

        double[] kib = [.. rows.Select(r => r.PeakBytes / 1024.0)];
        plot.Axes.Bottom.TickGenerator = PowerOfTwoTicks(kib.Min(), kib.Max());
        plot.ShowLegend(Alignment.UpperRight);
        plot.Axes.AutoScale();
        plot.Axes.Margins(0.1, 0.12);

        // Where each point lands in pixels once the layout is known; then each label takes the first free slot below its
        // point's right (its left for the rightmost points), 17 px apart, so no label covers another.
        plot.RenderInMemory(Width, Height);
        double rightmost = labels.Max(l => l.At.X);
        var placed = new List<PixelRect>();
        foreach ((ScottPlot.Plottables.Text label, Coordinates at) in labels.OrderBy(l => l.At.X).ThenByDescending(l => l.At.Y))
        {
            Pixel pixel = plot.GetPixel(at);
            bool left = rightmost - at.X < 0.35;
            label.LabelAlignment = left ? Alignment.MiddleRight : Alignment.MiddleLeft;
            float width = 9f * label.LabelText.Length;
            float offsetX = left ? -12 : 12;
            float offsetY = 0;
            PixelRect Box(float dy) => left
                ? new PixelRect(pixel.X + offsetX - width, pixel.X + offsetX, pixel.Y + dy - 8, pixel.Y + dy + 8)
                : new PixelRect(pixel.X + offsetX, pixel.X + offsetX + width, pixel.Y + dy - 8, pixel.Y + dy + 8);
            while (placed.Any(p => Overlap(p, Box(offsetY))))
            {
                offsetY += 17;
            }

            label.OffsetX = offsetX;
            label.OffsetY = offsetY;
            placed.Add(Box(offsetY));
        }

        plot.SavePng(path, Width, Height);
    }

    private static bool Overlap(PixelRect a, PixelRect b) =>
        a.Left < b.Right && b.Left < a.Right && a.Top < b.Bottom && b.Top < a.Bottom;

    /// <summary>Ticks at integer powers of ten of a log10-scaled axis, labelled with the value, and log-spaced minor ticks.</summary>
    private static ScottPlot.TickGenerators.NumericAutomatic LogTicks() => new()
    {
        MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
        IntegerTicksOnly = true,
        LabelFormatter = y => Math.Pow(10, y).ToString("N0", CultureInfo.InvariantCulture),
    };

    /// <summary>Ticks at the powers of two between <paramref name="min"/> and <paramref name="max"/>, of a log2-scaled axis.</summary>
    private static ScottPlot.TickGenerators.NumericManual PowerOfTwoTicks(double min, double max)
    {
        var positions = new List<double>();
        var names = new List<string>();
        for (int e = (int)Math.Floor(Math.Log2(min)); e <= (int)Math.Ceiling(Math.Log2(max)); e++)
        {
            positions.Add(e);
            names.Add(Math.Pow(2, e).ToString("N0", CultureInfo.InvariantCulture));
        }

        return new ScottPlot.TickGenerators.NumericManual([.. positions], [.. names]);
    }
}
