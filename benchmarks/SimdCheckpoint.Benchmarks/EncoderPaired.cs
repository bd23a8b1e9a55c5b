using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.Intrinsics;

namespace SimdCheckpoint.Benchmarks;

/// <summary>
/// <see cref="EncoderInference"/>'s comparisons as pairs in one process: for each shape the issue names, our calls and
/// ONNX Runtime's alternate, and the speed ratio is taken pair by pair. A VM whose speed drifts by 10–30 % between
/// processes and minutes (the Ice Lake VM of docs/performance.md) moves both sides of a pair alike, so the ratio's
/// spread is far narrower than the separate timings' spreads BenchmarkDotNet reports. Two ways, both printed:
/// <list type="bullet">
/// <item><b>call by call</b>: one call of each per pair. Each call follows the other library's, whose own copy of the
/// weights (and its activations) has just passed through the caches: the weights come from memory, not from the L3.</item>
/// <item><b>warm blocks</b>: four calls of each per pair, the first of each four not timed and the median of the other
/// three taken, so each side runs with its own weights as warm as repeated calls leave them (as BenchmarkDotNet
/// measures, and as a service running one model sees).</item>
/// </list>
/// Printed per shape and way: both medians, the median of the per-pair ratios with a 95 % confidence interval for it
/// (order statistics, distribution-free) and the quartiles, and our GFLOP/s against this core's FMA peak measured just
/// before the shape; then one thread against two at 8 × 128 the same way. Same sessions, inputs and checks as
/// <see cref="EncoderInference"/> (its set-up runs for each shape).
/// </summary>
internal static class EncoderPaired
{
    private static readonly (int Batch, int Tokens)[] Shapes = [(1, 16), (1, 64), (1, 128), (1, 256), (8, 128)];

    private static readonly (string Name, int Block)[] Ways = [("call by call", 1), ("warm blocks", 4)];

    public static int Run(TextWriter output, double secondsPerShape)
    {
        output.WriteLine($"EncoderPaired: MiniLM-sized encoder, ours (one thread) against ONNX Runtime (one intra-op thread), in pairs in one process, about {secondsPerShape.ToString("F0", CultureInfo.InvariantCulture)} s of pairs per shape and way.");
        output.WriteLine($"  machine  {CpuName()}, {Environment.ProcessorCount} logical cores, .NET {Environment.Version}, Vector512 {(Vector512.IsHardwareAccelerated ? "accelerated" : "not accelerated")}");
        output.WriteLine();
        output.WriteLine("| Batch × Tokens | pairs | ours (median) | ONNX Runtime (median) | ONNX Runtime ÷ ours, per pair: median [95 % CI] | quartiles | ours GFLOP/s | of FMA peak |");
        output.WriteLine("|---|--:|--:|--:|--:|--:|--:|--:|");
        var peaks = new List<double>();
        foreach ((int batch, int tokens) in Shapes)
        {
            double peak = FmaPeakGflops();
            peaks.Add(peak);
            var bench = new EncoderInference { Batch = batch, Tokens = tokens };
            bench.Setup();
            try
            {
                foreach ((string way, int block) in Ways)
                {
                    Paired pair = Alternate(bench.SimdCheckpoint, bench.OnnxRuntime, secondsPerShape, block);
                    double gflops = EncoderInference.Flops(batch, tokens) / (pair.FirstMedianMs * 1e6);
                    output.WriteLine(FormattableString.Invariant(
                        $"| {batch} × {tokens}, {way} | {pair.Count} | {pair.FirstMedianMs:F2} ms | {pair.SecondMedianMs:F2} ms | **{pair.Ratio.Median:F3}×** [{pair.Ratio.Low:F3}, {pair.Ratio.High:F3}] | {pair.Ratio.Q1:F3}–{pair.Ratio.Q3:F3} | {gflops:F1} | {100 * gflops / peak:F1} % |"));
                }
            }
            finally
            {
                bench.Cleanup();
            }
        }

        output.WriteLine();
        output.WriteLine("| 8 × 128 | pairs | two threads (median) | one thread (median) | one thread ÷ two threads, per pair: median [95 % CI] | quartiles |");
        output.WriteLine("|---|--:|--:|--:|--:|--:|");
        var eight = new EncoderInference { Batch = 8, Tokens = 128 };
        eight.Setup();
        try
        {
            foreach ((string way, int block) in Ways)
            {
                Paired threads = Alternate(eight.SimdCheckpoint2Threads, eight.SimdCheckpoint, secondsPerShape, block);
                output.WriteLine(FormattableString.Invariant(
                    $"| two threads, {way} | {threads.Count} | {threads.FirstMedianMs:F2} ms | {threads.SecondMedianMs:F2} ms | **{threads.Ratio.Median:F3}×** [{threads.Ratio.Low:F3}, {threads.Ratio.High:F3}] | {threads.Ratio.Q1:F3}–{threads.Ratio.Q3:F3} |"));
            }
        }
        finally
        {
            eight.Cleanup();
        }

        peaks.Add(FmaPeakGflops());
        output.WriteLine();
        output.WriteLine(FormattableString.Invariant($"FMA peak of this core, measured before each shape and at the end: {peaks.Min():F1}–{peaks.Max():F1} GFLOP/s (the fraction uses the one measured just before its shape)."));
        return 0;
    }

    /// <summary>
    /// ONNX Runtime's own profile of its optimised MiniLM graph at <paramref name="batch"/> × <paramref name="tokens"/>:
    /// each kernel's time summed by operator type over <paramref name="calls"/> calls after a warm-up, per call, with
    /// its share of the kernels' total. This is what the fused graph spends where, to set beside our per-op costs.
    /// </summary>
    public static int ProfileOnnxRuntime(TextWriter output, int batch, int tokens, int calls)
    {
        string folder = EncoderInference.ModelFolder();
        int hidden = MiniLm.Spec.Encoder!.Hidden;
        int n = batch * tokens;
        int[] ids = Enumerable.Range(0, n).Select(i => 1 + (i * 7919 % 30521)).ToArray();
        int[] mask = Enumerable.Repeat(1, n).ToArray();
        int[] types = new int[n];
        string prefix = Path.Combine(Path.GetTempPath(), $"simdcheckpoint-ort-profile-{Environment.ProcessId}");
        string trace;
        using (var onnx = new EncoderOnnxRunner(Path.Combine(folder, "minilm.op17.onnx"), ids, mask, types, batch, tokens, hidden, prefix))
        {
            for (int i = 0; i < calls; i++)
            {
                onnx.Run();
            }

            trace = onnx.EndProfiling();
        }

        // The trace is a JSON array of events; a kernel's run is a "Node" event named "<node>_kernel_time", with its
        // operator type in args.op_name. The first call (allocation, first touch) is left out: events of the first
        // "model_run" are skipped by time.
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(trace));
        var runs = json.RootElement.EnumerateArray().Where(e => e.GetProperty("name").GetString() == "model_run").Select(e => (Start: e.GetProperty("ts").GetInt64(), End: e.GetProperty("ts").GetInt64() + e.GetProperty("dur").GetInt64())).OrderBy(r => r.Start).ToArray();
        if (runs.Length < 2)
        {
            throw new InvalidOperationException($"ONNX Runtime's trace {trace} holds {runs.Length} model runs; expected {calls}.");
        }

        long after = runs[0].End;
        var byOp = new Dictionary<string, double>();
        foreach (System.Text.Json.JsonElement e in json.RootElement.EnumerateArray())
        {
            string? name = e.GetProperty("name").GetString();
            if (e.GetProperty("cat").GetString() == "Node" && name is not null && name.EndsWith("_kernel_time", StringComparison.Ordinal) && e.GetProperty("ts").GetInt64() > after)
            {
                string op = e.GetProperty("args").GetProperty("op_name").GetString() ?? "?";
                byOp[op] = byOp.GetValueOrDefault(op) + e.GetProperty("dur").GetInt64();
            }
        }

        int measured = runs.Length - 1;
        double total = byOp.Values.Sum();
        double runMs = runs.Skip(1).Select(r => r.End - r.Start).OrderBy(d => d).ElementAt(measured / 2) / 1000.0;
        output.WriteLine(FormattableString.Invariant($"ONNX Runtime {Microsoft.ML.OnnxRuntime.OrtEnv.Instance().GetVersionString()}, MiniLM {batch} × {tokens}, its profiler over {measured} calls (median call {runMs:F2} ms with profiling on): kernel time per call by operator"));
        output.WriteLine("| operator | ms per call | share of kernel time |");
        output.WriteLine("|---|--:|--:|");
        foreach ((string op, double us) in byOp.OrderByDescending(p => p.Value))
        {
            output.WriteLine(FormattableString.Invariant($"| {op} | {us / measured / 1000:F3} | {100 * us / total:F1} % |"));
        }

        File.Delete(trace);
        return 0;
    }

    /// <summary>
    /// Times <paramref name="first"/> and <paramref name="second"/> in turn (which goes first swapped every pair) for
    /// about <paramref name="seconds"/> after a warm-up: <paramref name="block"/> calls of each per pair, and with more
    /// than one the first of each block is not timed and the median of the rest stands for the block.
    /// </summary>
    internal static Paired Alternate(Action first, Action second, double seconds, int block)
    {
        // Warm-up: 2 s at least, and 40 calls of each (tiered compilation promotes a method after 30 calls, then
        // compiles it in the background) or 10 s, whichever comes first.
        var warm = Stopwatch.StartNew();
        for (int i = 0; warm.Elapsed.TotalSeconds < 2 || (i < 40 && warm.Elapsed.TotalSeconds < 10); i++)
        {
            first();
            second();
        }

        var a = new List<double>();
        var b = new List<double>();
        var ratios = new List<double>();
        int least = block == 1 ? 25 : 15;
        var clock = Stopwatch.StartNew();
        for (int i = 0; a.Count < least || (clock.Elapsed.TotalSeconds < seconds && a.Count < 5000); i++)
        {
            double ta, tb;
            if (i % 2 == 0)
            {
                ta = TimeBlock(first, block);
                tb = TimeBlock(second, block);
            }
            else
            {
                tb = TimeBlock(second, block);
                ta = TimeBlock(first, block);
            }

            a.Add(ta);
            b.Add(tb);
            ratios.Add(tb / ta);
        }

        return new Paired(a.Count, RatioSummary.Of(a).Median, RatioSummary.Of(b).Median, RatioSummary.Of(ratios));
    }

    /// <summary>One call's time in ms, or with <paramref name="block"/> &gt; 1 the median of the last block − 1 of that many calls.</summary>
    private static double TimeBlock(Action call, int block)
    {
        if (block == 1)
        {
            return Time(call);
        }

        call();
        var times = new List<double>(block - 1);
        for (int i = 1; i < block; i++)
        {
            times.Add(Time(call));
        }

        return RatioSummary.Of(times).Median;
    }

    private static double Time(Action call)
    {
        long start = Stopwatch.GetTimestamp();
        call();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    /// <summary>This core's FMA throughput, GFLOP/s: after 0.5 s of warm-up, the best of 15 timings of 100 calls of <see cref="FmaPeakBenchmark"/>'s widest accelerated loop.</summary>
    private static double FmaPeakGflops()
    {
        var peak = new FmaPeakBenchmark();
        bool wide = Vector512.IsHardwareAccelerated;
        long flops = wide ? FmaPeakBenchmark.Flops512 : FmaPeakBenchmark.Flops;
        double best = 0;
        float sink = 0;

        // Tier-0 code and on-stack replacement first: 0.5 s of calls before any is timed.
        for (var warm = Stopwatch.StartNew(); warm.Elapsed.TotalSeconds < 0.5;)
        {
            sink += wide ? peak.FmaPeak512() : peak.FmaPeak();
        }

        for (int round = 0; round < 15; round++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < 100; i++)
            {
                sink += wide ? peak.FmaPeak512() : peak.FmaPeak();
            }

            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            best = Math.Max(best, 100 * flops / seconds / 1e9);
        }

        return float.IsNaN(sink) ? 0 : best;
    }

    private static string CpuName()
    {
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown CPU" : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }
}

/// <summary>Two calls timed in pairs: the count, each one's median in ms, and the per-pair ratio second ÷ first.</summary>
internal readonly record struct Paired(int Count, double FirstMedianMs, double SecondMedianMs, RatioSummary Ratio);

/// <summary>
/// The median of a sample with a distribution-free 95 % confidence interval for it: the order statistics
/// n/2 ∓ 0.98·√n (the normal approximation to the binomial, ranks counted from 1), and the quartiles.
/// </summary>
internal readonly record struct RatioSummary(double Median, double Low, double High, double Q1, double Q3)
{
    public static RatioSummary Of(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0)
        {
            throw new ArgumentException("No values.", nameof(values));
        }

        double[] s = values.OrderBy(v => v).ToArray();
        int n = s.Length;
        double half = 0.98 * Math.Sqrt(n);
        int low = Math.Clamp((int)Math.Floor((n / 2.0) - half), 1, n) - 1;
        int high = Math.Clamp((int)Math.Ceiling((n / 2.0) + 1 + half), 1, n) - 1;
        double median = n % 2 == 1 ? s[n / 2] : (s[(n / 2) - 1] + s[n / 2]) / 2;
        return new RatioSummary(median, s[low], s[high], s[n / 4], s[(3 * n) / 4]);
    }
}
