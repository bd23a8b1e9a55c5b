using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using BenchmarkDotNet.Attributes;

namespace SimdCheckpoint.Benchmarks;

/// <summary>
/// How a batch-1 layer could read its weights: the experiment behind the batch-1 kernels' choices. Each method computes
/// one layer's 128-output groups, one row, with eight fma chains of 16 lanes (Vector512), the way the generated 1 × 128
/// tile does, and differs only in where the weights are and whether they are prefetched:
/// <list type="bullet">
/// <item><see cref="EightPanelStreams"/>: our packed layout, eight [K][16] panels, so eight streams of one cache line per k.</item>
/// <item><see cref="EightPanelStreamsPrefetch"/>: the same, with <c>prefetcht0</c> 16 cache lines ahead in every stream.</item>
/// <item><see cref="OneWidePanel"/>: the same 128 outputs from one [K][128] panel, one sequential stream of 8 lines per k.</item>
/// </list>
/// <see cref="Layer"/> is mnist's first layer (784 × 256, 0.8 MB, from L2) or wide's middle one (4096 × 4096, 67 MB, from
/// DRAM). The sums are not the canonical arithmetic's concern here (the weights are arbitrary); only the read rate is.
/// </summary>
public unsafe class BatchOneStreamsBenchmark
{
    private const int Prefetch = 16;
    private float* _weights;
    private float* _x;
    private float* _y;
    private int _k;
    private int _n;

    [Params("mnist-784x256", "wide-4096x4096")]
    public string Layer { get; set; } = "mnist-784x256";

    /// <summary>The bytes of weights one call reads.</summary>
    public static long WeightBytes(string layer)
    {
        (int k, int n) = Shape(layer);
        return (long)k * n * sizeof(float);
    }

    [GlobalSetup]
    public void Setup()
    {
        if (!Vector512.IsHardwareAccelerated || !Sse.IsSupported)
        {
            throw new NotSupportedException("This experiment needs Vector512 (AVX-512).");
        }

        (_k, _n) = Shape(Layer);
        long length = (long)_k * _n;
        _weights = (float*)NativeMemory.AlignedAlloc((nuint)(length * sizeof(float)), 64);
        _x = (float*)NativeMemory.AlignedAlloc((nuint)(_k * sizeof(float)), 64);
        _y = (float*)NativeMemory.AlignedAlloc((nuint)(_n * sizeof(float)), 64);
        var random = new Random(7);
        for (long i = 0; i < length; i++)
        {
            _weights[i] = (float)(random.NextDouble() - 0.5);
        }

        for (int i = 0; i < _k; i++)
        {
            _x[i] = (float)(random.NextDouble() - 0.5);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        NativeMemory.AlignedFree(_weights);
        NativeMemory.AlignedFree(_x);
        NativeMemory.AlignedFree(_y);
    }

    [Benchmark(Baseline = true)]
    public float EightPanelStreams() => Panels(prefetch: false);

    [Benchmark]
    public float EightPanelStreamsPrefetch() => Panels(prefetch: true);

    [Benchmark]
    public float OneWidePanel()
    {
        int k = _k;
        for (int g = 0; g < _n / 128; g++)
        {
            float* w = _weights + ((long)g * k * 128);
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            for (int i = 0; i < k; i++, w += 128)
            {
                var x = Vector512.Create(_x[i]);
                a0 = Vector512.FusedMultiplyAdd(x, Vector512.Load(w), a0);
                a1 = Vector512.FusedMultiplyAdd(x, Vector512.Load(w + 16), a1);
                a2 = Vector512.FusedMultiplyAdd(x, Vector512.Load(w + 32), a2);
                a3 = Vector512.FusedMultiplyAdd(x, Vector512.Load(w + 48), a3);
                a4 = Vector512.FusedMultiplyAdd(x, Vector512.Load(w + 64), a4);
                a5 = Vector512.FusedMultiplyAdd(x, Vector512.Load(w + 80), a5);
                a6 = Vector512.FusedMultiplyAdd(x, Vector512.Load(w + 96), a6);
                a7 = Vector512.FusedMultiplyAdd(x, Vector512.Load(w + 112), a7);
            }

            Store(g, a0, a1, a2, a3, a4, a5, a6, a7);
        }

        return _y[0];
    }

    private static (int K, int N) Shape(string layer) => layer switch
    {
        "mnist-784x256" => (784, 256),
        "wide-4096x4096" => (4096, 4096),
        _ => throw new ArgumentOutOfRangeException(nameof(layer), layer, "Unknown layer."),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float Panels(bool prefetch)
    {
        int k = _k;
        long stride = (long)k * 16;
        for (int g = 0; g < _n / 128; g++)
        {
            float* w = _weights + ((long)g * 8 * stride);
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            for (int i = 0; i < k; i++, w += 16)
            {
                if (prefetch)
                {
                    float* f = w + (Prefetch * 16);
                    Sse.Prefetch0(f);
                    Sse.Prefetch0(f + stride);
                    Sse.Prefetch0(f + (2 * stride));
                    Sse.Prefetch0(f + (3 * stride));
                    Sse.Prefetch0(f + (4 * stride));
                    Sse.Prefetch0(f + (5 * stride));
                    Sse.Prefetch0(f + (6 * stride));
                    Sse.Prefetch0(f + (7 * stride));
                }

                var x = Vector512.Create(_x[i]);
                a0 = Vector512.FusedMultiplyAdd(x, Vector512.Load(w), a0);
                a1 = Vector512.FusedMultiplyAdd(x, Vector512.Load(w + stride), a1);
                a2 = Vector512.FusedMultiplyAdd(x, Vector512.Load(w + (2 * stride)), a2);
                a3 = Vector512.FusedMultiplyAdd(x, Vector512.Load(w + (3 * stride)), a3);
                a4 = Vector512.FusedMultiplyAdd(x, Vector512.Load(w + (4 * stride)), a4);
                a5 = Vector512.FusedMultiplyAdd(x, Vector512.Load(w + (5 * stride)), a5);
                a6 = Vector512.FusedMultiplyAdd(x, Vector512.Load(w + (6 * stride)), a6);
                a7 = Vector512.FusedMultiplyAdd(x, Vector512.Load(w + (7 * stride)), a7);
            }

            Store(g, a0, a1, a2, a3, a4, a5, a6, a7);
        }

        return _y[0];
    }

    private void Store(int group, Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3, Vector512<float> a4, Vector512<float> a5, Vector512<float> a6, Vector512<float> a7)
    {
        float* y = _y + (group * 128);
        a0.Store(y);
        a1.Store(y + 16);
        a2.Store(y + 32);
        a3.Store(y + 48);
        a4.Store(y + 64);
        a5.Store(y + 80);
        a6.Store(y + 96);
        a7.Store(y + 112);
    }
}
