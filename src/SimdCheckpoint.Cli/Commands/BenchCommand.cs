using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using SimdCheckpoint.Cli.Networks;

namespace SimdCheckpoint.Cli.Commands;

/// <summary>
/// A short run of the generated kernels on the three reference models (mnist, deep, wide) at batch 1 and 64, one and
/// two threads: median µs, samples/s, GFLOP/s and the fraction of this core's FMA peak, measured first, and the split
/// the two-thread session chose (rows or output panels). For a full, statistically careful comparison with ONNX
/// Runtime, run the BenchmarkDotNet suite (docs/performance.md).
/// </summary>
internal static class BenchCommand
{
    public static int Run(TextWriter output, bool quick)
    {
        output.WriteLine($"SimdCheckpoint bench{(quick ? " (quick)" : string.Empty)}: the generated kernels, one call at a time, median of repeated calls.");
        output.WriteLine($"  machine  {MachineInfo.Describe()}");
        double peak = FmaPeakGflops();
        output.WriteLine($"  peak     {peak:F1} GFLOP/s on one core ({(Vector512.IsHardwareAccelerated ? "512" : "256")}-bit FMA, 12 independent chains)");
        output.WriteLine();
        output.WriteLine($"  {"model",-6} {"batch",5} {"threads",7} {"median µs",11} {"samples/s",12} {"GFLOP/s",8} {"of 1-core peak",15} {"weights GB/s",13}  split");
        Measure<Mnist>(output, "mnist", peak, quick);
        Measure<Deep32>(output, "deep", peak, quick);
        Measure<Wide>(output, "wide", peak, quick);
        return 0;
    }

    private static void Measure<TNetwork>(TextWriter output, string name, double peak, bool quick)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        NetworkSpec spec = TNetwork.Spec;
        var weights = NetworkWeights<TNetwork>.FromLayers(RandomWeights.Create(spec, 42));
        float[] input = new float[64 * spec.InputSize];
        new DeterministicRandom(7).Fill(input, 1f);
        float[] result = new float[64 * spec.OutputSize];
        using var one = new InferenceSession<TNetwork>(weights, 64);
        using var two = new InferenceSession<TNetwork>(weights, 64, threads: 2);
        foreach (int batch in new[] { 1, 64 })
        {
            foreach ((int threads, InferenceSession<TNetwork> session) in new[] { (1, one), (2, two) })
            {
                ReadOnlyMemory<float> x = input.AsMemory(0, batch * spec.InputSize);
                Memory<float> y = result.AsMemory(0, batch * spec.OutputSize);
                double work = (double)spec.FlopsPerSample * batch;
                int runs = Math.Clamp((int)((quick ? 0.2e9 : 2e9) / Math.Max(work, 1)), quick ? 15 : 40, quick ? 500 : 5000);
                double us = ExperimentCommand.MedianMicroseconds(() => session.Forward(x.Span, y.Span, batch), runs);
                double gflops = work / (us * 1e3);
                double gbps = spec.ParameterCount * (double)sizeof(float) / (us * 1e3);
                output.WriteLine($"  {name,-6} {batch,5} {threads,7} {us,11:F1} {batch / us * 1e6,12:N0} {gflops,8:F1} {gflops / peak,15:P1} {gbps,13:F1}  {(threads == 1 ? "-" : session.SplitFor(batch).ToString().ToLowerInvariant())}");
            }
        }
    }

    /// <summary>The best of several timings of 12 independent FMA chains at the widest accelerated width.</summary>
    private static double FmaPeakGflops()
    {
        const int iterations = 1 << 16;
        double best = 0;
        for (int attempt = 0; attempt < 20; attempt++)
        {
            long start = Stopwatch.GetTimestamp();
            float sink = Vector512.IsHardwareAccelerated ? Chains512(iterations) : Chains256(iterations);
            double ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds;
            int lanes = Vector512.IsHardwareAccelerated ? 16 : 8;
            best = Math.Max(best, 2.0 * lanes * 12 * iterations / ns);
            GC.KeepAlive(sink);
        }

        return best;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains256(int iterations)
    {
        Vector256<float> m = Vector256.Create(0.999f), c = Vector256.Create(0.001f);
        Vector256<float> a0 = Vector256.Create(0.1f), a1 = Vector256.Create(0.2f), a2 = Vector256.Create(0.3f), a3 = Vector256.Create(0.4f);
        Vector256<float> a4 = Vector256.Create(0.5f), a5 = Vector256.Create(0.6f), a6 = Vector256.Create(0.7f), a7 = Vector256.Create(0.8f);
        Vector256<float> a8 = Vector256.Create(0.9f), a9 = Vector256.Create(1.0f), a10 = Vector256.Create(1.1f), a11 = Vector256.Create(1.2f);
        for (int i = 0; i < iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, m, c);
            a1 = Vector256.FusedMultiplyAdd(a1, m, c);
            a2 = Vector256.FusedMultiplyAdd(a2, m, c);
            a3 = Vector256.FusedMultiplyAdd(a3, m, c);
            a4 = Vector256.FusedMultiplyAdd(a4, m, c);
            a5 = Vector256.FusedMultiplyAdd(a5, m, c);
            a6 = Vector256.FusedMultiplyAdd(a6, m, c);
            a7 = Vector256.FusedMultiplyAdd(a7, m, c);
            a8 = Vector256.FusedMultiplyAdd(a8, m, c);
            a9 = Vector256.FusedMultiplyAdd(a9, m, c);
            a10 = Vector256.FusedMultiplyAdd(a10, m, c);
            a11 = Vector256.FusedMultiplyAdd(a11, m, c);
        }

        return Vector256.Sum(((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11)));
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains512(int iterations)
    {
        Vector512<float> m = Vector512.Create(0.999f), c = Vector512.Create(0.001f);
        Vector512<float> a0 = Vector512.Create(0.1f), a1 = Vector512.Create(0.2f), a2 = Vector512.Create(0.3f), a3 = Vector512.Create(0.4f);
        Vector512<float> a4 = Vector512.Create(0.5f), a5 = Vector512.Create(0.6f), a6 = Vector512.Create(0.7f), a7 = Vector512.Create(0.8f);
        Vector512<float> a8 = Vector512.Create(0.9f), a9 = Vector512.Create(1.0f), a10 = Vector512.Create(1.1f), a11 = Vector512.Create(1.2f);
        for (int i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, m, c);
            a1 = Vector512.FusedMultiplyAdd(a1, m, c);
            a2 = Vector512.FusedMultiplyAdd(a2, m, c);
            a3 = Vector512.FusedMultiplyAdd(a3, m, c);
            a4 = Vector512.FusedMultiplyAdd(a4, m, c);
            a5 = Vector512.FusedMultiplyAdd(a5, m, c);
            a6 = Vector512.FusedMultiplyAdd(a6, m, c);
            a7 = Vector512.FusedMultiplyAdd(a7, m, c);
            a8 = Vector512.FusedMultiplyAdd(a8, m, c);
            a9 = Vector512.FusedMultiplyAdd(a9, m, c);
            a10 = Vector512.FusedMultiplyAdd(a10, m, c);
            a11 = Vector512.FusedMultiplyAdd(a11, m, c);
        }

        return Vector512.Sum(((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11)));
    }
}
