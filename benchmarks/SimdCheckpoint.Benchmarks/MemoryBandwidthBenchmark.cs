using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;

namespace SimdCheckpoint.Benchmarks;

/// <summary>
/// This core's read bandwidth from where each model's weights live between two batch-1 calls: the sum of an array as
/// large as the model's weights and biases (<see cref="Model"/> mnist: 0.9 MiB, in this core's L2; deep: 7.8 MiB, in
/// the shared L3; wide: 96 MiB, in DRAM), read again and again as a benchmark loop reads the weights. Eight
/// independent accumulators of the widest accelerated vector, so neither add latency nor the loop bounds it. Batch-1
/// inference reads every weight once per call, so it can go no faster than this.
/// </summary>
public class MemoryBandwidthBenchmark
{
    private float[] _data = null!;

    /// <summary>Whose weights' size to read: mnist, deep or wide (the models of <see cref="MlpInference"/>).</summary>
    [Params("mnist", "deep", "wide")]
    public string Model { get; set; } = "mnist";

    /// <summary>The bytes of weights and biases of <paramref name="model"/>: what one batch-1 call streams.</summary>
    public static long WeightBytes(string model) => sizeof(float) * model switch
    {
        "mnist" => Mnist.Spec.ParameterCount,
        "deep" => Deep32.Spec.ParameterCount,
        "wide" => Wide.Spec.ParameterCount,
        _ => throw new ArgumentOutOfRangeException(nameof(model), model, "mnist, deep or wide"),
    };

    [GlobalSetup]
    public void Setup()
    {
        // A multiple of 16 vectors of 16 floats, so the loop has no tail; pinned and 64-byte aligned like packed weights.
        int floats = checked((int)(WeightBytes(Model) / sizeof(float))) & ~255;
        _data = GC.AllocateUninitializedArray<float>(floats + 16, pinned: true);
        _data.AsSpan().Fill(1f);
    }

    [Benchmark]
    public float MemoryBandwidth() => Vector512.IsHardwareAccelerated ? Sum512() : Sum256();

    private Span<float> Aligned()
    {
        long address = Marshal.UnsafeAddrOfPinnedArrayElement(_data, 0).ToInt64();
        int skip = (int)((64 - (address % 64)) % 64) / sizeof(float);
        return _data.AsSpan(skip, (_data.Length - 16) & ~255);
    }

    private float Sum512()
    {
        Span<float> data = Aligned();
        ref float p = ref MemoryMarshal.GetReference(data);
        Vector512<float> s0 = Vector512<float>.Zero, s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        nint n = data.Length;
        for (nint i = 0; i < n; i += 128)
        {
            s0 += Vector512.LoadUnsafe(ref p, (nuint)i);
            s1 += Vector512.LoadUnsafe(ref p, (nuint)(i + 16));
            s2 += Vector512.LoadUnsafe(ref p, (nuint)(i + 32));
            s3 += Vector512.LoadUnsafe(ref p, (nuint)(i + 48));
            s4 += Vector512.LoadUnsafe(ref p, (nuint)(i + 64));
            s5 += Vector512.LoadUnsafe(ref p, (nuint)(i + 80));
            s6 += Vector512.LoadUnsafe(ref p, (nuint)(i + 96));
            s7 += Vector512.LoadUnsafe(ref p, (nuint)(i + 112));
        }

        return Vector512.Sum(((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)));
    }

    private float Sum256()
    {
        Span<float> data = Aligned();
        ref float p = ref MemoryMarshal.GetReference(data);
        Vector256<float> s0 = Vector256<float>.Zero, s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        nint n = data.Length;
        for (nint i = 0; i < n; i += 64)
        {
            s0 += Vector256.LoadUnsafe(ref p, (nuint)i);
            s1 += Vector256.LoadUnsafe(ref p, (nuint)(i + 8));
            s2 += Vector256.LoadUnsafe(ref p, (nuint)(i + 16));
            s3 += Vector256.LoadUnsafe(ref p, (nuint)(i + 24));
            s4 += Vector256.LoadUnsafe(ref p, (nuint)(i + 32));
            s5 += Vector256.LoadUnsafe(ref p, (nuint)(i + 40));
            s6 += Vector256.LoadUnsafe(ref p, (nuint)(i + 48));
            s7 += Vector256.LoadUnsafe(ref p, (nuint)(i + 56));
        }

        return Vector256.Sum(((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)));
    }
}
