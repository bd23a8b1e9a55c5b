using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;

namespace SimdCheckpoint.Benchmarks;

/// <summary>
/// This machine's read bandwidth from DRAM for one core: the sum of a 512 MiB array (far beyond the L3), with four
/// independent 256-bit accumulators so the adds never wait. Batch-1 inference of a model whose weights exceed the
/// caches can stream them no faster.
/// </summary>
public class MemoryBandwidthBenchmark
{
    public const long Bytes = 512L * 1024 * 1024;

    private float[] _data = null!;

    [GlobalSetup]
    public void Setup()
    {
        _data = GC.AllocateUninitializedArray<float>((int)(Bytes / sizeof(float)), pinned: true);
        _data.AsSpan().Fill(1f);
    }

    [Benchmark]
    public float MemoryBandwidth()
    {
        ref float p = ref MemoryMarshal.GetArrayDataReference(_data);
        Vector256<float> s0 = Vector256<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
        nint n = _data.Length;
        for (nint i = 0; i < n; i += 32)
        {
            s0 += Vector256.LoadUnsafe(ref p, (nuint)i);
            s1 += Vector256.LoadUnsafe(ref p, (nuint)(i + 8));
            s2 += Vector256.LoadUnsafe(ref p, (nuint)(i + 16));
            s3 += Vector256.LoadUnsafe(ref p, (nuint)(i + 24));
        }

        return Vector256.Sum((s0 + s1) + (s2 + s3));
    }
}
