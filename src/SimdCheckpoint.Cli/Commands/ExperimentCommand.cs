using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using SimdCheckpoint.Cli.Experiment;
using SimdCheckpoint.Cli.Networks;
using SimdCheckpoint.Reference;
using Spectre.Console;

namespace SimdCheckpoint.Cli.Commands;

/// <summary>
/// The main job. First the forward check: build the embedded 32-layer network with seeded weights, run a batch on
/// every generated path, compare every bit with the scalar reference, and time the forward pass. Then the
/// space-efficiency experiment (<see cref="ExperimentRunner"/>): identical results under every checkpoint schedule,
/// memory scaling with depth, and speed, written as a report with plots. Exit code 0 only if every path matched the
/// reference, the hot path allocated nothing, every schedule gave store-all's bits and every figure its prediction.
/// </summary>
internal static class ExperimentCommand
{
    public static int Run(TextWriter output, int batch, ulong seed, int? runs, bool quick, string outDirectory)
    {
        int forward = ForwardCheck(output, batch, seed, runs ?? 200);
        output.WriteLine();
        output.WriteLine($"The space-efficiency experiment ({(quick ? "quick" : "full")} run; the report goes to {outDirectory}):");
        var results = new ExperimentResults
        {
            Machine = MachineInfo.Describe(),
            StartedUtc = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
            Quick = quick,
            Seed = seed,
            AutoPath = ExperimentRunner.AutoPathOf<Deep32>().ToString(),
        };
        long start = Stopwatch.GetTimestamp();
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context => new ExperimentRunner(results, new ProgressDisplay(context), runs).Run());
        results.Seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        ReportWriter.Write(results, outDirectory);

        bool identical = ReportWriter.AllIdentical(results);
        bool predicted = ReportWriter.AllAsPredicted(results);
        long values = 0;
        long bits = 0;
        foreach (IdentityRow row in results.Identity)
        {
            values += row.ValuesCompared;
            bits += row.DifferingBits;
        }

        output.WriteLine($"  test 1     {values:N0} values from every schedule and path against store-all: {bits:N0} differing bits{(identical ? string.Empty : "  FAILED")}");
        foreach ((int depth, double factor) in ReportWriter.Reductions(results))
        {
            if (depth == 32 || depth == 128)
            {
                output.WriteLine($"  test 2     depth {depth,3}: store-all needs {factor:F2}x the activation memory of sqrt");
            }
        }

        foreach (ScalingFit fit in results.Fits)
        {
            if (fit.Schedule == "sqrt")
            {
                output.WriteLine($"  test 2     sqrt's checkpoint bytes fit {fit.Model,-7} with R² = {fit.RSquared:F4}");
            }
        }

        output.WriteLine($"  test 2     every measured peak and evaluation count equals the plan's prediction: {(predicted ? "yes" : "NO")}");
        foreach (SpeedRow row in results.Speed)
        {
            if (row.Operation.StartsWith("backward", StringComparison.Ordinal))
            {
                output.WriteLine($"  test 3     backward {row.Schedule,-12} {row.MedianMs,8:F3} ms median, {row.RelativeToStoreAll:F3}x store-all, {row.ForwardEvaluations,3} forward evaluations, {row.PeakBytes,10:N0} B");
            }
        }

        if (results.PeakResident.Count > 0)
        {
            output.WriteLine($"  memory     the process's peak resident set: {results.PeakResident[^1].PeakResidentBytes / 1048576.0:F1} MiB ({ProcessMemory.Source}); the peak bytes above are the sessions' own arena counters");
        }

        bool streamed = ReportWriter.StreamedIdentical(results);
        foreach (StreamingRow row in results.Streaming)
        {
            if (row.Mode != "read")
            {
                output.WriteLine($"  test 4     {row.Network} ({row.WeightBytes / 1048576.0:F0} MiB) {(row.Mode == "memory" ? "whole   " : "streamed")} batch {row.Batch,2}: peak resident {row.PeakBytes / 1048576.0,7:F1} MiB, {row.MedianSeconds * 1000,9:F1} ms per call");
            }
        }

        if (results.Streaming.Count > 0)
        {
            output.WriteLine($"  test 4     streamed runs give the whole runs' bits: {(streamed ? "yes" : "NO")}");
        }

        output.WriteLine($"  report     {Path.Combine(outDirectory, ReportWriter.ReportFile)} ({results.Seconds:F1} s)");
        bool ok = forward == 0 && identical && predicted && streamed;
        output.WriteLine(ok ? "  result     OK" : "  result     FAILED: see above.");
        return ok ? 0 : 1;
    }

    /// <summary>Every generated path against the scalar reference on the deep network, the digest, latency and allocations.</summary>
    public static int ForwardCheck(TextWriter output, int batch, ulong seed, int runs)
    {
        NetworkSpec spec = Deep32.Spec;
        output.WriteLine("SimdCheckpoint main job: a deep MLP compiled to SIMD kernels at build time, checked bit for bit against the scalar reference.");
        output.WriteLine($"  machine    {MachineInfo.Describe()}");
        output.WriteLine($"  network    {spec.Name}: {spec.Layers.Count} dense layers, {ShapeText.Abbreviate(spec)}, {spec.ParameterCount:N0} parameters, {spec.FlopsPerSample / 1e6:F2} MFLOP per sample");

        var weights = RandomWeights.Create(spec, seed);
        var stopwatch = Stopwatch.StartNew();
        NetworkWeights<Deep32> packed = NetworkWeights<Deep32>.FromLayers(weights);
        double packMs = stopwatch.Elapsed.TotalMilliseconds;
        output.WriteLine($"  weights    seeded (SplitMix64, seed {seed}), packed once into 64-byte aligned panels: {packed.PackedBytes / 1024.0 / 1024.0:F2} MiB in {packMs:F1} ms");

        var session = new InferenceSession<Deep32>(packed, batch);
        output.WriteLine($"  session    max batch {batch}; activation buffers of {session.ActivationBytes / 1024.0:F1} KiB in all ({(session.UsesStack ? "stackalloc per call" : "held by the session")}); auto path {session.AutoPath}");

        float[] input = new float[batch * spec.InputSize];
        new DeterministicRandom(seed + 1).Fill(input, 1f);
        float[] expected = new float[batch * spec.OutputSize];
        new ReferenceNetwork(spec, weights).Forward(input, expected, batch);

        bool allIdentical = true;
        foreach (KernelPath path in PathCatalog.All)
        {
            float[] actual = new float[expected.Length];
            session.Forward(input, actual, batch, path);
            int differing = 0;
            int first = -1;
            for (int i = 0; i < expected.Length; i++)
            {
                if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                {
                    differing++;
                    first = first < 0 ? i : first;
                }
            }

            allIdentical &= differing == 0;
            string verdict = differing == 0
                ? "identical to the reference"
                : $"{differing} of {expected.Length} outputs differ (first at {first}: expected 0x{BitConverter.SingleToInt32Bits(expected[first]):X8}, got 0x{BitConverter.SingleToInt32Bits(actual[first]):X8})";
            string accelerated = PathCatalog.IsAccelerated(path) ? string.Empty : " (software emulation: not accelerated here)";
            output.WriteLine($"  bits       {path,-9} path, batch {batch}: {expected.Length} outputs {verdict}{accelerated}");
        }

        output.WriteLine($"  digest     SHA-256 of the outputs' bits: {Digest(expected)}");

        float[] result = new float[batch * spec.OutputSize];
        foreach (int b in batch == 1 ? new[] { 1 } : new[] { 1, batch })
        {
            double median = MedianMicroseconds(() => session.Forward(input.AsSpan(0, b * spec.InputSize), result.AsSpan(0, b * spec.OutputSize), b), runs);
            double gflops = spec.FlopsPerSample * b / (median * 1e3);
            output.WriteLine($"  latency    batch {b,3}: median {median,9:F1} us over {runs} calls, {b / median * 1e6,12:N0} samples/s, {gflops,6:F1} GFLOP/s ({session.AutoPath} path)");
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            session.Forward(input, result, batch);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"  allocated  {allocated} bytes over 100 Forward calls after warm-up");

        bool ok = allIdentical && allocated == 0;
        output.WriteLine(ok ? "  forward    OK: every path matched the reference bit for bit, with no allocations." : "  forward    FAILED: see above.");
        return ok ? 0 : 1;
    }

    /// <summary>The median of <paramref name="runs"/> timed calls, after max(10, runs / 10) warm-up calls (shared with the bench command).</summary>
    internal static double MedianMicroseconds(Action action, int runs)
    {
        for (int i = 0; i < Math.Max(10, runs / 10); i++)
        {
            action();
        }

        double[] samples = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        Array.Sort(samples);
        return samples[runs / 2];
    }

    private static string Digest(float[] values) =>
        Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(values.AsSpan())));

    /// <summary>The runner's progress as a Spectre.Console live display: one bar per test.</summary>
    private sealed class ProgressDisplay(ProgressContext context) : IExperimentProgress
    {
        private ProgressTask? _task;
        private string _title = string.Empty;

        public void Start(string key, string title, int steps)
        {
            _task?.StopTask();
            _title = title;
            _task = context.AddTask(Markup.Escape(title), maxValue: steps);
        }

        public void Advance(string what)
        {
            if (_task is not null)
            {
                _task.Description = Markup.Escape($"{_title}: {what}");
                _task.Increment(1);
            }
        }
    }
}
