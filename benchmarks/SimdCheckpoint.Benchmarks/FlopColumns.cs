using System;
using System.Globalization;
using System.Linq;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace SimdCheckpoint.Benchmarks;

/// <summary>GFLOP/s of each row: the model's FLOPs per sample times the batch (an FMA counts as 2), over the mean time.</summary>
public sealed class GflopsColumn : IColumn
{
    public string Id => nameof(GflopsColumn);

    public string ColumnName => "GFLOP/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Billions of floating-point operations per second (one FMA = 2), from the mean time";

    public static long? Flops(BenchmarkCase benchmark)
    {
        if (benchmark.Descriptor.Type == typeof(FmaPeakBenchmark))
        {
            return benchmark.Descriptor.WorkloadMethod.Name == nameof(FmaPeakBenchmark.FmaPeak512) ? FmaPeakBenchmark.Flops512 : FmaPeakBenchmark.Flops;
        }

        if (benchmark.Descriptor.Type == typeof(EncoderOpCosts))
        {
            object? op = benchmark.Parameters.Items.FirstOrDefault(p => p.Name == "Op")?.Value;
            object? opTokens = benchmark.Parameters.Items.FirstOrDefault(p => p.Name == "Tokens")?.Value;
            return op is string o && opTokens is int ot ? EncoderOpCosts.Flops(o, ot) : null;
        }

        if (benchmark.Descriptor.Type == typeof(EncoderInference))
        {
            object? b1 = benchmark.Parameters.Items.FirstOrDefault(p => p.Name == "Batch")?.Value;
            object? tokens = benchmark.Parameters.Items.FirstOrDefault(p => p.Name == "Tokens")?.Value;
            return b1 is int eb && tokens is int et ? EncoderInference.Flops(eb, et) : null;
        }

        object? model = benchmark.Parameters.Items.FirstOrDefault(p => p.Name == "Model")?.Value;
        object? batch = benchmark.Parameters.Items.FirstOrDefault(p => p.Name == "Batch")?.Value;
        NetworkSpec? spec = model switch
        {
            "mnist" => Mnist.Spec,
            "deep32" or "deep" => Deep32.Spec,
            "wide" => Wide.Spec,
            _ when benchmark.Descriptor.Type == typeof(PathBenchmarks) => Layer256.Spec,
            _ => null,
        };
        return spec is null || batch is not int b ? null : spec.FlopsPerSample * b;
    }

    public static double? Gflops(Summary summary, BenchmarkCase benchmark)
    {
        long? flops = Flops(benchmark);
        double? meanNs = summary[benchmark]?.ResultStatistics?.Mean;
        return flops is null || meanNs is null or <= 0 ? null : flops.Value / meanNs.Value;
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        Gflops(summary, benchmarkCase)?.ToString("F1", CultureInfo.InvariantCulture) ?? "-";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}

/// <summary>Each row's GFLOP/s as a fraction of the FmaPeak row of the same run (run with --join to have it).</summary>
public sealed class PeakFractionColumn : IColumn
{
    public string Id => nameof(PeakFractionColumn);

    public string ColumnName => "of FMA peak";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 1;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "GFLOP/s over the highest FmaPeak row (256- or 512-bit) measured in the same run";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? peak = summary.BenchmarksCases
            .Where(c => c.Descriptor.Type == typeof(FmaPeakBenchmark))
            .Select(c => GflopsColumn.Gflops(summary, c))
            .Max();
        double? value = GflopsColumn.Gflops(summary, benchmarkCase);
        return peak is null || value is null ? "-" : (value.Value / peak.Value).ToString("P1", CultureInfo.InvariantCulture);
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}

/// <summary>Elements per nanosecond of the element-wise rows (ActivationBenchmarks): 4096 over the mean time.</summary>
public sealed class ElementsPerNanosecondColumn : IColumn
{
    public string Id => nameof(ElementsPerNanosecondColumn);

    public string ColumnName => "elements/ns";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 2;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Elements processed per nanosecond, from the mean time";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        return benchmarkCase.Descriptor.Type != typeof(ActivationBenchmarks) || meanNs is null or <= 0
            ? "-"
            : (ActivationBenchmarks.Length / meanNs.Value).ToString("F2", CultureInfo.InvariantCulture);
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}

/// <summary>Each CheckpointBenchmarks row's mean over the store-all row of the same method.</summary>
public sealed class StoreAllRatioColumn : IColumn
{
    public string Id => nameof(StoreAllRatioColumn);

    public string ColumnName => "vs store-all";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 3;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Mean time over the store-all schedule's mean for the same method";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (benchmarkCase.Descriptor.Type != typeof(CheckpointBenchmarks))
        {
            return "-";
        }

        BenchmarkCase? baseline = summary.BenchmarksCases.FirstOrDefault(c =>
            c.Descriptor.WorkloadMethod == benchmarkCase.Descriptor.WorkloadMethod
            && Equals(c.Parameters.Items.FirstOrDefault(p => p.Name == "Schedule")?.Value, "store-all"));
        double? mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        double? baseMean = baseline is null ? null : summary[baseline]?.ResultStatistics?.Mean;
        return mean is null || baseMean is null or <= 0 ? "-" : (mean.Value / baseMean.Value).ToString("F3", CultureInfo.InvariantCulture);
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}

/// <summary>
/// GB/s read: for the MLP rows, the model's weights and biases (4 bytes per parameter, each read once per call
/// whatever the batch), which bounds batch 1; for the MemoryBandwidth rows, the array they sum (the same size).
/// </summary>
public sealed class WeightStreamColumn : IColumn
{
    public string Id => nameof(WeightStreamColumn);

    public string ColumnName => "weights GB/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 2;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Bytes of weights (or of the bandwidth test's array) read per call over the mean time, in GB/s";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        Type type = benchmarkCase.Descriptor.Type;
        long? bytes = (type == typeof(MemoryBandwidthBenchmark) || type == typeof(MlpInference))
            && benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Model")?.Value is string model
            ? MemoryBandwidthBenchmark.WeightBytes(model)
            : type == typeof(BatchOneStreamsBenchmark) && benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Layer")?.Value is string layer
                ? BatchOneStreamsBenchmark.WeightBytes(layer)
                : null;
        return bytes is null || meanNs is null or <= 0 ? "-" : (bytes.Value / meanNs.Value).ToString("F1", CultureInfo.InvariantCulture);
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}

/// <summary>Tokens per second of an encoder row (batch × tokens over the mean time).</summary>
public sealed class TokensPerSecondColumn : IColumn
{
    public string Id => nameof(TokensPerSecondColumn);

    public string ColumnName => "tokens/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 1;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Tokens encoded per second (batch × tokens over the mean time)";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (benchmarkCase.Descriptor.Type != typeof(EncoderInference))
        {
            return "-";
        }

        object? batch = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Batch")?.Value;
        object? tokens = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Tokens")?.Value;
        double? meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        return batch is int b && tokens is int t && meanNs is > 0 ? (b * t / (meanNs.Value * 1e-9)).ToString("N0", CultureInfo.InvariantCulture) : "-";
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
