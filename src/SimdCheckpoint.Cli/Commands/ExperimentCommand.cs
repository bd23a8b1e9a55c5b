using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using SimdCheckpoint.Cli.Networks;
using SimdCheckpoint.Reference;

namespace SimdCheckpoint.Cli.Commands;

/// <summary>
/// The main job: build the embedded 32-layer network with seeded weights, run a batch on every generated path,
/// compare every bit with the scalar reference, and time the forward pass. Exit code 0 only if all paths match
/// the reference and the hot path allocated nothing.
/// </summary>
internal static class ExperimentCommand
{
    public static int Run(TextWriter output, int batch, ulong seed, int runs)
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
        output.WriteLine($"  session    max batch {batch}; two ping-pong activation buffers of {session.ActivationBytes / 2 / 1024.0:F1} KiB each ({(session.UsesStack ? "stackalloc per call" : "held by the session")}); auto path {session.AutoPath}");

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
        output.WriteLine(ok ? "  result     OK: every path matched the reference bit for bit, with no allocations." : "  result     FAILED: see above.");
        return ok ? 0 : 1;
    }

    private static double MedianMicroseconds(Action action, int runs)
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
}
