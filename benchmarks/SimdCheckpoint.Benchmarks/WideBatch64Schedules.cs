using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using SimdCheckpoint.Numerics;

namespace SimdCheckpoint.Benchmarks;

/// <summary>
/// How a wide layer at batch 60 (five 12-row tiles, no remainder) could walk its panels and K: the experiment behind
/// wide's batch-64 schedule. Every method runs the same 12 x 32 Vector512 tile on the session's packed weights and
/// differs only in the order of the loops:
/// <list type="bullet">
/// <item><see cref="Generated"/>: the generated kernel (each panel pair swept down the five row tiles, all of K at once).</item>
/// <item><see cref="WholeK"/>: the same order by this class's tile, to show the tile itself is as fast.</item>
/// <item><see cref="KBlocked"/>: each panel pair in blocks of <see cref="KBlock"/> steps; each block swept down the row
/// tiles while it is in L1, the partial sums kept in y between blocks and the ReLU applied after the last.</item>
/// </list>
/// Set-up checks each method against the generated kernel bit for bit: storing a partial sum and loading it back is
/// exact, and every output is still one fma chain in k order.
/// </summary>
[MemoryDiagnoser]
public class WideBatch64Schedules
{
    private const int Batch = 60;
    private const int Rows = 12;
    private InferenceSession<Wide> _session = null!;
    private float[] _x = null!;
    private float[] _y = null!;
    private int _layer;
    private int _k;
    private int _n;

    [Params("0: 1024 -> 4096", "1: 4096 -> 4096")]
    public string Layer { get; set; } = "1: 4096 -> 4096";

    [Params(256, 512)]
    public int KBlock { get; set; } = 256;

    [GlobalSetup]
    public void Setup()
    {
        if (!Vector512.IsHardwareAccelerated)
        {
            throw new NotSupportedException("This experiment needs Vector512 (AVX-512).");
        }

        _layer = Layer[0] - '0';
        NetworkSpec spec = Wide.Spec;
        _k = spec.Layers[_layer].Inputs;
        _n = spec.Layers[_layer].Outputs;
        _session = new InferenceSession<Wide>(NetworkWeights<Wide>.FromLayers(RandomWeights.Create(spec, seed: 42)), Batch);
        _x = new float[Batch * _k];
        _y = new float[Batch * _n];
        new DeterministicRandom(7).Fill(_x, 1f);
        Generated();
        float[] expected = (float[])_y.Clone();
        Check(expected, WholeK, nameof(WholeK));
        Check(expected, KBlocked, nameof(KBlocked));
    }

    [GlobalCleanup]
    public void Cleanup() => _session.Dispose();

    [Benchmark(Baseline = true)]
    public void Generated() => ForwardLayer<Wide>(_layer, _session.Weights.Packed, _x, _y);

    [Benchmark]
    public void WholeK()
    {
        PackedLayer layer = Layout<Wide>(_layer);
        ref float w = ref Unsafe.AsRef(in _session.Weights.Packed[layer.WeightOffset]);
        ref float bias = ref Unsafe.AsRef(in _session.Weights.Packed[layer.BiasOffset]);
        ref float x = ref _x[0];
        ref float y = ref _y[0];
        nint k = _k, n = _n, panelStride = k * 16;
        for (nint p = 0; p < n / 16; p += 2)
        {
            for (nint i = 0; i < Batch; i += Rows)
            {
                Tile(k, ref Unsafe.Add(ref x, i * k), k, ref Unsafe.Add(ref w, p * panelStride), ref Unsafe.Add(ref bias, p * 16), 0, ref Unsafe.Add(ref y, (i * n) + (p * 16)), n, k, relu: true);
            }
        }
    }

    [Benchmark]
    public void KBlocked()
    {
        PackedLayer layer = Layout<Wide>(_layer);
        ref float w = ref Unsafe.AsRef(in _session.Weights.Packed[layer.WeightOffset]);
        ref float bias = ref Unsafe.AsRef(in _session.Weights.Packed[layer.BiasOffset]);
        ref float x = ref _x[0];
        ref float y = ref _y[0];
        nint k = _k, n = _n, panelStride = k * 16, kc = KBlock;
        for (nint p = 0; p < n / 16; p += 2)
        {
            ref float wp = ref Unsafe.Add(ref w, p * panelStride);
            for (nint k0 = 0; k0 < k; k0 += kc)
            {
                ref float wb = ref Unsafe.Add(ref wp, k0 * 16);
                bool last = k0 + kc == k;
                for (nint i = 0; i < Batch; i += Rows)
                {
                    ref float yt = ref Unsafe.Add(ref y, (i * n) + (p * 16));
                    if (k0 == 0)
                    {
                        Tile(k, ref Unsafe.Add(ref x, (i * k) + k0), k, ref wb, ref Unsafe.Add(ref bias, p * 16), 0, ref yt, n, kc, last);
                    }
                    else
                    {
                        Tile(k, ref Unsafe.Add(ref x, (i * k) + k0), k, ref wb, ref yt, n, ref yt, n, kc, last);
                    }
                }
            }
        }
    }

    private static void ForwardLayer<T>(int layer, ReadOnlySpan<float> packed, float[] x, float[] y)
        where T : IGeneratedNetwork<T> => T.ForwardLayer(KernelPath.Auto, layer, packed, x, y, Batch);

    private static PackedLayer Layout<T>(int layer)
        where T : IGeneratedNetwork<T> => T.PackedLayout.Layers[layer];

    private void Check(float[] expected, Action schedule, string name)
    {
        Array.Clear(_y);
        schedule();
        if (!expected.AsSpan().SequenceEqual(_y))
        {
            throw new InvalidOperationException($"{name} does not give the generated kernel's bits.");
        }
    }

    private static void Tile(nint kLayer, ref float x0, nint ldx, ref float w, ref float start, nint startStride, ref float y0, nint ldy, nint kCount, bool relu)
    {
        if (kLayer == 1024)
        {
            Tile12x32K1024(ref x0, ldx, ref w, ref start, startStride, ref y0, ldy, kCount, relu);
        }
        else
        {
            Tile12x32K4096(ref x0, ldx, ref w, ref start, startStride, ref y0, ldy, kCount, relu);
        }
    }

    private static Vector512<float> Relu(Vector512<float> v) => Activations.Relu(v);

    /// <summary>12 rows by two 16-column panels of a K = 1024 layer, over kCount steps from where x and w point; the
    /// accumulators start from <paramref name="start"/> (the bias, stride 0, or y's partial sums, stride ldy).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile12x32K1024(ref float x0, nint ldx, ref float w, ref float start, nint startStride, ref float y0, nint ldy, nint kCount, bool relu)
    {
        Vector512<float> acc0_0 = Vector512.LoadUnsafe(ref start, 0);
        Vector512<float> acc0_1 = Vector512.LoadUnsafe(ref start, 16);
        ref float s1 = ref Unsafe.Add(ref start, startStride);
        Vector512<float> acc1_0 = Vector512.LoadUnsafe(ref s1, 0);
        Vector512<float> acc1_1 = Vector512.LoadUnsafe(ref s1, 16);
        ref float s2 = ref Unsafe.Add(ref s1, startStride);
        Vector512<float> acc2_0 = Vector512.LoadUnsafe(ref s2, 0);
        Vector512<float> acc2_1 = Vector512.LoadUnsafe(ref s2, 16);
        ref float s3 = ref Unsafe.Add(ref s2, startStride);
        Vector512<float> acc3_0 = Vector512.LoadUnsafe(ref s3, 0);
        Vector512<float> acc3_1 = Vector512.LoadUnsafe(ref s3, 16);
        ref float s4 = ref Unsafe.Add(ref s3, startStride);
        Vector512<float> acc4_0 = Vector512.LoadUnsafe(ref s4, 0);
        Vector512<float> acc4_1 = Vector512.LoadUnsafe(ref s4, 16);
        ref float s5 = ref Unsafe.Add(ref s4, startStride);
        Vector512<float> acc5_0 = Vector512.LoadUnsafe(ref s5, 0);
        Vector512<float> acc5_1 = Vector512.LoadUnsafe(ref s5, 16);
        ref float s6 = ref Unsafe.Add(ref s5, startStride);
        Vector512<float> acc6_0 = Vector512.LoadUnsafe(ref s6, 0);
        Vector512<float> acc6_1 = Vector512.LoadUnsafe(ref s6, 16);
        ref float s7 = ref Unsafe.Add(ref s6, startStride);
        Vector512<float> acc7_0 = Vector512.LoadUnsafe(ref s7, 0);
        Vector512<float> acc7_1 = Vector512.LoadUnsafe(ref s7, 16);
        ref float s8 = ref Unsafe.Add(ref s7, startStride);
        Vector512<float> acc8_0 = Vector512.LoadUnsafe(ref s8, 0);
        Vector512<float> acc8_1 = Vector512.LoadUnsafe(ref s8, 16);
        ref float s9 = ref Unsafe.Add(ref s8, startStride);
        Vector512<float> acc9_0 = Vector512.LoadUnsafe(ref s9, 0);
        Vector512<float> acc9_1 = Vector512.LoadUnsafe(ref s9, 16);
        ref float s10 = ref Unsafe.Add(ref s9, startStride);
        Vector512<float> acc10_0 = Vector512.LoadUnsafe(ref s10, 0);
        Vector512<float> acc10_1 = Vector512.LoadUnsafe(ref s10, 16);
        ref float s11 = ref Unsafe.Add(ref s10, startStride);
        Vector512<float> acc11_0 = Vector512.LoadUnsafe(ref s11, 0);
        Vector512<float> acc11_1 = Vector512.LoadUnsafe(ref s11, 16);
        ref float x1 = ref Unsafe.Add(ref x0, ldx);
        ref float x2 = ref Unsafe.Add(ref x1, ldx);
        ref float x3 = ref Unsafe.Add(ref x2, ldx);
        ref float x4 = ref Unsafe.Add(ref x3, ldx);
        ref float x5 = ref Unsafe.Add(ref x4, ldx);
        ref float x6 = ref Unsafe.Add(ref x5, ldx);
        ref float x7 = ref Unsafe.Add(ref x6, ldx);
        ref float x8 = ref Unsafe.Add(ref x7, ldx);
        ref float x9 = ref Unsafe.Add(ref x8, ldx);
        ref float x10 = ref Unsafe.Add(ref x9, ldx);
        ref float x11 = ref Unsafe.Add(ref x10, ldx);
        Vector512<float> a, w0, w1;
        for (nint k = 0; k < kCount; k += 4)
        {
            w0 = Vector512.LoadUnsafe(ref w, 0);
            w1 = Vector512.LoadUnsafe(ref w, 16384);
            a = Vector512.Create(Unsafe.Add(ref x0, k));
            acc0_0 = Vector512.FusedMultiplyAdd(a, w0, acc0_0);
            acc0_1 = Vector512.FusedMultiplyAdd(a, w1, acc0_1);
            a = Vector512.Create(Unsafe.Add(ref x1, k));
            acc1_0 = Vector512.FusedMultiplyAdd(a, w0, acc1_0);
            acc1_1 = Vector512.FusedMultiplyAdd(a, w1, acc1_1);
            a = Vector512.Create(Unsafe.Add(ref x2, k));
            acc2_0 = Vector512.FusedMultiplyAdd(a, w0, acc2_0);
            acc2_1 = Vector512.FusedMultiplyAdd(a, w1, acc2_1);
            a = Vector512.Create(Unsafe.Add(ref x3, k));
            acc3_0 = Vector512.FusedMultiplyAdd(a, w0, acc3_0);
            acc3_1 = Vector512.FusedMultiplyAdd(a, w1, acc3_1);
            a = Vector512.Create(Unsafe.Add(ref x4, k));
            acc4_0 = Vector512.FusedMultiplyAdd(a, w0, acc4_0);
            acc4_1 = Vector512.FusedMultiplyAdd(a, w1, acc4_1);
            a = Vector512.Create(Unsafe.Add(ref x5, k));
            acc5_0 = Vector512.FusedMultiplyAdd(a, w0, acc5_0);
            acc5_1 = Vector512.FusedMultiplyAdd(a, w1, acc5_1);
            a = Vector512.Create(Unsafe.Add(ref x6, k));
            acc6_0 = Vector512.FusedMultiplyAdd(a, w0, acc6_0);
            acc6_1 = Vector512.FusedMultiplyAdd(a, w1, acc6_1);
            a = Vector512.Create(Unsafe.Add(ref x7, k));
            acc7_0 = Vector512.FusedMultiplyAdd(a, w0, acc7_0);
            acc7_1 = Vector512.FusedMultiplyAdd(a, w1, acc7_1);
            a = Vector512.Create(Unsafe.Add(ref x8, k));
            acc8_0 = Vector512.FusedMultiplyAdd(a, w0, acc8_0);
            acc8_1 = Vector512.FusedMultiplyAdd(a, w1, acc8_1);
            a = Vector512.Create(Unsafe.Add(ref x9, k));
            acc9_0 = Vector512.FusedMultiplyAdd(a, w0, acc9_0);
            acc9_1 = Vector512.FusedMultiplyAdd(a, w1, acc9_1);
            a = Vector512.Create(Unsafe.Add(ref x10, k));
            acc10_0 = Vector512.FusedMultiplyAdd(a, w0, acc10_0);
            acc10_1 = Vector512.FusedMultiplyAdd(a, w1, acc10_1);
            a = Vector512.Create(Unsafe.Add(ref x11, k));
            acc11_0 = Vector512.FusedMultiplyAdd(a, w0, acc11_0);
            acc11_1 = Vector512.FusedMultiplyAdd(a, w1, acc11_1);
            w0 = Vector512.LoadUnsafe(ref w, 16);
            w1 = Vector512.LoadUnsafe(ref w, 16400);
            a = Vector512.Create(Unsafe.Add(ref x0, k + 1));
            acc0_0 = Vector512.FusedMultiplyAdd(a, w0, acc0_0);
            acc0_1 = Vector512.FusedMultiplyAdd(a, w1, acc0_1);
            a = Vector512.Create(Unsafe.Add(ref x1, k + 1));
            acc1_0 = Vector512.FusedMultiplyAdd(a, w0, acc1_0);
            acc1_1 = Vector512.FusedMultiplyAdd(a, w1, acc1_1);
            a = Vector512.Create(Unsafe.Add(ref x2, k + 1));
            acc2_0 = Vector512.FusedMultiplyAdd(a, w0, acc2_0);
            acc2_1 = Vector512.FusedMultiplyAdd(a, w1, acc2_1);
            a = Vector512.Create(Unsafe.Add(ref x3, k + 1));
            acc3_0 = Vector512.FusedMultiplyAdd(a, w0, acc3_0);
            acc3_1 = Vector512.FusedMultiplyAdd(a, w1, acc3_1);
            a = Vector512.Create(Unsafe.Add(ref x4, k + 1));
            acc4_0 = Vector512.FusedMultiplyAdd(a, w0, acc4_0);
            acc4_1 = Vector512.FusedMultiplyAdd(a, w1, acc4_1);
            a = Vector512.Create(Unsafe.Add(ref x5, k + 1));
            acc5_0 = Vector512.FusedMultiplyAdd(a, w0, acc5_0);
            acc5_1 = Vector512.FusedMultiplyAdd(a, w1, acc5_1);
            a = Vector512.Create(Unsafe.Add(ref x6, k + 1));
            acc6_0 = Vector512.FusedMultiplyAdd(a, w0, acc6_0);
            acc6_1 = Vector512.FusedMultiplyAdd(a, w1, acc6_1);
            a = Vector512.Create(Unsafe.Add(ref x7, k + 1));
            acc7_0 = Vector512.FusedMultiplyAdd(a, w0, acc7_0);
            acc7_1 = Vector512.FusedMultiplyAdd(a, w1, acc7_1);
            a = Vector512.Create(Unsafe.Add(ref x8, k + 1));
            acc8_0 = Vector512.FusedMultiplyAdd(a, w0, acc8_0);
            acc8_1 = Vector512.FusedMultiplyAdd(a, w1, acc8_1);
            a = Vector512.Create(Unsafe.Add(ref x9, k + 1));
            acc9_0 = Vector512.FusedMultiplyAdd(a, w0, acc9_0);
            acc9_1 = Vector512.FusedMultiplyAdd(a, w1, acc9_1);
            a = Vector512.Create(Unsafe.Add(ref x10, k + 1));
            acc10_0 = Vector512.FusedMultiplyAdd(a, w0, acc10_0);
            acc10_1 = Vector512.FusedMultiplyAdd(a, w1, acc10_1);
            a = Vector512.Create(Unsafe.Add(ref x11, k + 1));
            acc11_0 = Vector512.FusedMultiplyAdd(a, w0, acc11_0);
            acc11_1 = Vector512.FusedMultiplyAdd(a, w1, acc11_1);
            w0 = Vector512.LoadUnsafe(ref w, 32);
            w1 = Vector512.LoadUnsafe(ref w, 16416);
            a = Vector512.Create(Unsafe.Add(ref x0, k + 2));
            acc0_0 = Vector512.FusedMultiplyAdd(a, w0, acc0_0);
            acc0_1 = Vector512.FusedMultiplyAdd(a, w1, acc0_1);
            a = Vector512.Create(Unsafe.Add(ref x1, k + 2));
            acc1_0 = Vector512.FusedMultiplyAdd(a, w0, acc1_0);
            acc1_1 = Vector512.FusedMultiplyAdd(a, w1, acc1_1);
            a = Vector512.Create(Unsafe.Add(ref x2, k + 2));
            acc2_0 = Vector512.FusedMultiplyAdd(a, w0, acc2_0);
            acc2_1 = Vector512.FusedMultiplyAdd(a, w1, acc2_1);
            a = Vector512.Create(Unsafe.Add(ref x3, k + 2));
            acc3_0 = Vector512.FusedMultiplyAdd(a, w0, acc3_0);
            acc3_1 = Vector512.FusedMultiplyAdd(a, w1, acc3_1);
            a = Vector512.Create(Unsafe.Add(ref x4, k + 2));
            acc4_0 = Vector512.FusedMultiplyAdd(a, w0, acc4_0);
            acc4_1 = Vector512.FusedMultiplyAdd(a, w1, acc4_1);
            a = Vector512.Create(Unsafe.Add(ref x5, k + 2));
            acc5_0 = Vector512.FusedMultiplyAdd(a, w0, acc5_0);
            acc5_1 = Vector512.FusedMultiplyAdd(a, w1, acc5_1);
            a = Vector512.Create(Unsafe.Add(ref x6, k + 2));
            acc6_0 = Vector512.FusedMultiplyAdd(a, w0, acc6_0);
            acc6_1 = Vector512.FusedMultiplyAdd(a, w1, acc6_1);
            a = Vector512.Create(Unsafe.Add(ref x7, k + 2));
            acc7_0 = Vector512.FusedMultiplyAdd(a, w0, acc7_0);
            acc7_1 = Vector512.FusedMultiplyAdd(a, w1, acc7_1);
            a = Vector512.Create(Unsafe.Add(ref x8, k + 2));
            acc8_0 = Vector512.FusedMultiplyAdd(a, w0, acc8_0);
            acc8_1 = Vector512.FusedMultiplyAdd(a, w1, acc8_1);
            a = Vector512.Create(Unsafe.Add(ref x9, k + 2));
            acc9_0 = Vector512.FusedMultiplyAdd(a, w0, acc9_0);
            acc9_1 = Vector512.FusedMultiplyAdd(a, w1, acc9_1);
            a = Vector512.Create(Unsafe.Add(ref x10, k + 2));
            acc10_0 = Vector512.FusedMultiplyAdd(a, w0, acc10_0);
            acc10_1 = Vector512.FusedMultiplyAdd(a, w1, acc10_1);
            a = Vector512.Create(Unsafe.Add(ref x11, k + 2));
            acc11_0 = Vector512.FusedMultiplyAdd(a, w0, acc11_0);
            acc11_1 = Vector512.FusedMultiplyAdd(a, w1, acc11_1);
            w0 = Vector512.LoadUnsafe(ref w, 48);
            w1 = Vector512.LoadUnsafe(ref w, 16432);
            a = Vector512.Create(Unsafe.Add(ref x0, k + 3));
            acc0_0 = Vector512.FusedMultiplyAdd(a, w0, acc0_0);
            acc0_1 = Vector512.FusedMultiplyAdd(a, w1, acc0_1);
            a = Vector512.Create(Unsafe.Add(ref x1, k + 3));
            acc1_0 = Vector512.FusedMultiplyAdd(a, w0, acc1_0);
            acc1_1 = Vector512.FusedMultiplyAdd(a, w1, acc1_1);
            a = Vector512.Create(Unsafe.Add(ref x2, k + 3));
            acc2_0 = Vector512.FusedMultiplyAdd(a, w0, acc2_0);
            acc2_1 = Vector512.FusedMultiplyAdd(a, w1, acc2_1);
            a = Vector512.Create(Unsafe.Add(ref x3, k + 3));
            acc3_0 = Vector512.FusedMultiplyAdd(a, w0, acc3_0);
            acc3_1 = Vector512.FusedMultiplyAdd(a, w1, acc3_1);
            a = Vector512.Create(Unsafe.Add(ref x4, k + 3));
            acc4_0 = Vector512.FusedMultiplyAdd(a, w0, acc4_0);
            acc4_1 = Vector512.FusedMultiplyAdd(a, w1, acc4_1);
            a = Vector512.Create(Unsafe.Add(ref x5, k + 3));
            acc5_0 = Vector512.FusedMultiplyAdd(a, w0, acc5_0);
            acc5_1 = Vector512.FusedMultiplyAdd(a, w1, acc5_1);
            a = Vector512.Create(Unsafe.Add(ref x6, k + 3));
            acc6_0 = Vector512.FusedMultiplyAdd(a, w0, acc6_0);
            acc6_1 = Vector512.FusedMultiplyAdd(a, w1, acc6_1);
            a = Vector512.Create(Unsafe.Add(ref x7, k + 3));
            acc7_0 = Vector512.FusedMultiplyAdd(a, w0, acc7_0);
            acc7_1 = Vector512.FusedMultiplyAdd(a, w1, acc7_1);
            a = Vector512.Create(Unsafe.Add(ref x8, k + 3));
            acc8_0 = Vector512.FusedMultiplyAdd(a, w0, acc8_0);
            acc8_1 = Vector512.FusedMultiplyAdd(a, w1, acc8_1);
            a = Vector512.Create(Unsafe.Add(ref x9, k + 3));
            acc9_0 = Vector512.FusedMultiplyAdd(a, w0, acc9_0);
            acc9_1 = Vector512.FusedMultiplyAdd(a, w1, acc9_1);
            a = Vector512.Create(Unsafe.Add(ref x10, k + 3));
            acc10_0 = Vector512.FusedMultiplyAdd(a, w0, acc10_0);
            acc10_1 = Vector512.FusedMultiplyAdd(a, w1, acc10_1);
            a = Vector512.Create(Unsafe.Add(ref x11, k + 3));
            acc11_0 = Vector512.FusedMultiplyAdd(a, w0, acc11_0);
            acc11_1 = Vector512.FusedMultiplyAdd(a, w1, acc11_1);
            w = ref Unsafe.Add(ref w, 64);
        }

        if (relu)
        {
            acc0_0 = Relu(acc0_0);
            acc0_1 = Relu(acc0_1);
            acc1_0 = Relu(acc1_0);
            acc1_1 = Relu(acc1_1);
            acc2_0 = Relu(acc2_0);
            acc2_1 = Relu(acc2_1);
            acc3_0 = Relu(acc3_0);
            acc3_1 = Relu(acc3_1);
            acc4_0 = Relu(acc4_0);
            acc4_1 = Relu(acc4_1);
            acc5_0 = Relu(acc5_0);
            acc5_1 = Relu(acc5_1);
            acc6_0 = Relu(acc6_0);
            acc6_1 = Relu(acc6_1);
            acc7_0 = Relu(acc7_0);
            acc7_1 = Relu(acc7_1);
            acc8_0 = Relu(acc8_0);
            acc8_1 = Relu(acc8_1);
            acc9_0 = Relu(acc9_0);
            acc9_1 = Relu(acc9_1);
            acc10_0 = Relu(acc10_0);
            acc10_1 = Relu(acc10_1);
            acc11_0 = Relu(acc11_0);
            acc11_1 = Relu(acc11_1);
        }

        acc0_0.StoreUnsafe(ref y0, 0);
        acc0_1.StoreUnsafe(ref y0, 16);
        ref float y1 = ref Unsafe.Add(ref y0, ldy);
        acc1_0.StoreUnsafe(ref y1, 0);
        acc1_1.StoreUnsafe(ref y1, 16);
        ref float y2 = ref Unsafe.Add(ref y1, ldy);
        acc2_0.StoreUnsafe(ref y2, 0);
        acc2_1.StoreUnsafe(ref y2, 16);
        ref float y3 = ref Unsafe.Add(ref y2, ldy);
        acc3_0.StoreUnsafe(ref y3, 0);
        acc3_1.StoreUnsafe(ref y3, 16);
        ref float y4 = ref Unsafe.Add(ref y3, ldy);
        acc4_0.StoreUnsafe(ref y4, 0);
        acc4_1.StoreUnsafe(ref y4, 16);
        ref float y5 = ref Unsafe.Add(ref y4, ldy);
        acc5_0.StoreUnsafe(ref y5, 0);
        acc5_1.StoreUnsafe(ref y5, 16);
        ref float y6 = ref Unsafe.Add(ref y5, ldy);
        acc6_0.StoreUnsafe(ref y6, 0);
        acc6_1.StoreUnsafe(ref y6, 16);
        ref float y7 = ref Unsafe.Add(ref y6, ldy);
        acc7_0.StoreUnsafe(ref y7, 0);
        acc7_1.StoreUnsafe(ref y7, 16);
        ref float y8 = ref Unsafe.Add(ref y7, ldy);
        acc8_0.StoreUnsafe(ref y8, 0);
        acc8_1.StoreUnsafe(ref y8, 16);
        ref float y9 = ref Unsafe.Add(ref y8, ldy);
        acc9_0.StoreUnsafe(ref y9, 0);
        acc9_1.StoreUnsafe(ref y9, 16);
        ref float y10 = ref Unsafe.Add(ref y9, ldy);
        acc10_0.StoreUnsafe(ref y10, 0);
        acc10_1.StoreUnsafe(ref y10, 16);
        ref float y11 = ref Unsafe.Add(ref y10, ldy);
        acc11_0.StoreUnsafe(ref y11, 0);
        acc11_1.StoreUnsafe(ref y11, 16);
    }

    /// <summary>12 rows by two 16-column panels of a K = 4096 layer, over kCount steps from where x and w point; the
    /// accumulators start from <paramref name="start"/> (the bias, stride 0, or y's partial sums, stride ldy).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile12x32K4096(ref float x0, nint ldx, ref float w, ref float start, nint startStride, ref float y0, nint ldy, nint kCount, bool relu)
    {
        Vector512<float> acc0_0 = Vector512.LoadUnsafe(ref start, 0);
        Vector512<float> acc0_1 = Vector512.LoadUnsafe(ref start, 16);
        ref float s1 = ref Unsafe.Add(ref start, startStride);
        Vector512<float> acc1_0 = Vector512.LoadUnsafe(ref s1, 0);
        Vector512<float> acc1_1 = Vector512.LoadUnsafe(ref s1, 16);
        ref float s2 = ref Unsafe.Add(ref s1, startStride);
        Vector512<float> acc2_0 = Vector512.LoadUnsafe(ref s2, 0);
        Vector512<float> acc2_1 = Vector512.LoadUnsafe(ref s2, 16);
        ref float s3 = ref Unsafe.Add(ref s2, startStride);
        Vector512<float> acc3_0 = Vector512.LoadUnsafe(ref s3, 0);
        Vector512<float> acc3_1 = Vector512.LoadUnsafe(ref s3, 16);
        ref float s4 = ref Unsafe.Add(ref s3, startStride);
        Vector512<float> acc4_0 = Vector512.LoadUnsafe(ref s4, 0);
        Vector512<float> acc4_1 = Vector512.LoadUnsafe(ref s4, 16);
        ref float s5 = ref Unsafe.Add(ref s4, startStride);
        Vector512<float> acc5_0 = Vector512.LoadUnsafe(ref s5, 0);
        Vector512<float> acc5_1 = Vector512.LoadUnsafe(ref s5, 16);
        ref float s6 = ref Unsafe.Add(ref s5, startStride);
        Vector512<float> acc6_0 = Vector512.LoadUnsafe(ref s6, 0);
        Vector512<float> acc6_1 = Vector512.LoadUnsafe(ref s6, 16);
        ref float s7 = ref Unsafe.Add(ref s6, startStride);
        Vector512<float> acc7_0 = Vector512.LoadUnsafe(ref s7, 0);
        Vector512<float> acc7_1 = Vector512.LoadUnsafe(ref s7, 16);
        ref float s8 = ref Unsafe.Add(ref s7, startStride);
        Vector512<float> acc8_0 = Vector512.LoadUnsafe(ref s8, 0);
        Vector512<float> acc8_1 = Vector512.LoadUnsafe(ref s8, 16);
        ref float s9 = ref Unsafe.Add(ref s8, startStride);
        Vector512<float> acc9_0 = Vector512.LoadUnsafe(ref s9, 0);
        Vector512<float> acc9_1 = Vector512.LoadUnsafe(ref s9, 16);
        ref float s10 = ref Unsafe.Add(ref s9, startStride);
        Vector512<float> acc10_0 = Vector512.LoadUnsafe(ref s10, 0);
        Vector512<float> acc10_1 = Vector512.LoadUnsafe(ref s10, 16);
        ref float s11 = ref Unsafe.Add(ref s10, startStride);
        Vector512<float> acc11_0 = Vector512.LoadUnsafe(ref s11, 0);
        Vector512<float> acc11_1 = Vector512.LoadUnsafe(ref s11, 16);
        ref float x1 = ref Unsafe.Add(ref x0, ldx);
        ref float x2 = ref Unsafe.Add(ref x1, ldx);
        ref float x3 = ref Unsafe.Add(ref x2, ldx);
        ref float x4 = ref Unsafe.Add(ref x3, ldx);
        ref float x5 = ref Unsafe.Add(ref x4, ldx);
        ref float x6 = ref Unsafe.Add(ref x5, ldx);
        ref float x7 = ref Unsafe.Add(ref x6, ldx);
        ref float x8 = ref Unsafe.Add(ref x7, ldx);
        ref float x9 = ref Unsafe.Add(ref x8, ldx);
        ref float x10 = ref Unsafe.Add(ref x9, ldx);
        ref float x11 = ref Unsafe.Add(ref x10, ldx);
        Vector512<float> a, w0, w1;
        for (nint k = 0; k < kCount; k += 4)
        {
            w0 = Vector512.LoadUnsafe(ref w, 0);
            w1 = Vector512.LoadUnsafe(ref w, 65536);
            a = Vector512.Create(Unsafe.Add(ref x0, k));
            acc0_0 = Vector512.FusedMultiplyAdd(a, w0, acc0_0);
            acc0_1 = Vector512.FusedMultiplyAdd(a, w1, acc0_1);
            a = Vector512.Create(Unsafe.Add(ref x1, k));
            acc1_0 = Vector512.FusedMultiplyAdd(a, w0, acc1_0);
            acc1_1 = Vector512.FusedMultiplyAdd(a, w1, acc1_1);
            a = Vector512.Create(Unsafe.Add(ref x2, k));
            acc2_0 = Vector512.FusedMultiplyAdd(a, w0, acc2_0);
            acc2_1 = Vector512.FusedMultiplyAdd(a, w1, acc2_1);
            a = Vector512.Create(Unsafe.Add(ref x3, k));
            acc3_0 = Vector512.FusedMultiplyAdd(a, w0, acc3_0);
            acc3_1 = Vector512.FusedMultiplyAdd(a, w1, acc3_1);
            a = Vector512.Create(Unsafe.Add(ref x4, k));
            acc4_0 = Vector512.FusedMultiplyAdd(a, w0, acc4_0);
            acc4_1 = Vector512.FusedMultiplyAdd(a, w1, acc4_1);
            a = Vector512.Create(Unsafe.Add(ref x5, k));
            acc5_0 = Vector512.FusedMultiplyAdd(a, w0, acc5_0);
            acc5_1 = Vector512.FusedMultiplyAdd(a, w1, acc5_1);
            a = Vector512.Create(Unsafe.Add(ref x6, k));
            acc6_0 = Vector512.FusedMultiplyAdd(a, w0, acc6_0);
            acc6_1 = Vector512.FusedMultiplyAdd(a, w1, acc6_1);
            a = Vector512.Create(Unsafe.Add(ref x7, k));
            acc7_0 = Vector512.FusedMultiplyAdd(a, w0, acc7_0);
            acc7_1 = Vector512.FusedMultiplyAdd(a, w1, acc7_1);
            a = Vector512.Create(Unsafe.Add(ref x8, k));
            acc8_0 = Vector512.FusedMultiplyAdd(a, w0, acc8_0);
            acc8_1 = Vector512.FusedMultiplyAdd(a, w1, acc8_1);
            a = Vector512.Create(Unsafe.Add(ref x9, k));
            acc9_0 = Vector512.FusedMultiplyAdd(a, w0, acc9_0);
            acc9_1 = Vector512.FusedMultiplyAdd(a, w1, acc9_1);
            a = Vector512.Create(Unsafe.Add(ref x10, k));
            acc10_0 = Vector512.FusedMultiplyAdd(a, w0, acc10_0);
            acc10_1 = Vector512.FusedMultiplyAdd(a, w1, acc10_1);
            a = Vector512.Create(Unsafe.Add(ref x11, k));
            acc11_0 = Vector512.FusedMultiplyAdd(a, w0, acc11_0);
            acc11_1 = Vector512.FusedMultiplyAdd(a, w1, acc11_1);
            w0 = Vector512.LoadUnsafe(ref w, 16);
            w1 = Vector512.LoadUnsafe(ref w, 65552);
            a = Vector512.Create(Unsafe.Add(ref x0, k + 1));
            acc0_0 = Vector512.FusedMultiplyAdd(a, w0, acc0_0);
            acc0_1 = Vector512.FusedMultiplyAdd(a, w1, acc0_1);
            a = Vector512.Create(Unsafe.Add(ref x1, k + 1));
            acc1_0 = Vector512.FusedMultiplyAdd(a, w0, acc1_0);
            acc1_1 = Vector512.FusedMultiplyAdd(a, w1, acc1_1);
            a = Vector512.Create(Unsafe.Add(ref x2, k + 1));
            acc2_0 = Vector512.FusedMultiplyAdd(a, w0, acc2_0);
            acc2_1 = Vector512.FusedMultiplyAdd(a, w1, acc2_1);
            a = Vector512.Create(Unsafe.Add(ref x3, k + 1));
            acc3_0 = Vector512.FusedMultiplyAdd(a, w0, acc3_0);
            acc3_1 = Vector512.FusedMultiplyAdd(a, w1, acc3_1);
            a = Vector512.Create(Unsafe.Add(ref x4, k + 1));
            acc4_0 = Vector512.FusedMultiplyAdd(a, w0, acc4_0);
            acc4_1 = Vector512.FusedMultiplyAdd(a, w1, acc4_1);
            a = Vector512.Create(Unsafe.Add(ref x5, k + 1));
            acc5_0 = Vector512.FusedMultiplyAdd(a, w0, acc5_0);
            acc5_1 = Vector512.FusedMultiplyAdd(a, w1, acc5_1);
            a = Vector512.Create(Unsafe.Add(ref x6, k + 1));
            acc6_0 = Vector512.FusedMultiplyAdd(a, w0, acc6_0);
            acc6_1 = Vector512.FusedMultiplyAdd(a, w1, acc6_1);
            a = Vector512.Create(Unsafe.Add(ref x7, k + 1));
            acc7_0 = Vector512.FusedMultiplyAdd(a, w0, acc7_0);
            acc7_1 = Vector512.FusedMultiplyAdd(a, w1, acc7_1);
            a = Vector512.Create(Unsafe.Add(ref x8, k + 1));
            acc8_0 = Vector512.FusedMultiplyAdd(a, w0, acc8_0);
            acc8_1 = Vector512.FusedMultiplyAdd(a, w1, acc8_1);
            a = Vector512.Create(Unsafe.Add(ref x9, k + 1));
            acc9_0 = Vector512.FusedMultiplyAdd(a, w0, acc9_0);
            acc9_1 = Vector512.FusedMultiplyAdd(a, w1, acc9_1);
            a = Vector512.Create(Unsafe.Add(ref x10, k + 1));
            acc10_0 = Vector512.FusedMultiplyAdd(a, w0, acc10_0);
            acc10_1 = Vector512.FusedMultiplyAdd(a, w1, acc10_1);
            a = Vector512.Create(Unsafe.Add(ref x11, k + 1));
            acc11_0 = Vector512.FusedMultiplyAdd(a, w0, acc11_0);
            acc11_1 = Vector512.FusedMultiplyAdd(a, w1, acc11_1);
            w0 = Vector512.LoadUnsafe(ref w, 32);
            w1 = Vector512.LoadUnsafe(ref w, 65568);
            a = Vector512.Create(Unsafe.Add(ref x0, k + 2));
            acc0_0 = Vector512.FusedMultiplyAdd(a, w0, acc0_0);
            acc0_1 = Vector512.FusedMultiplyAdd(a, w1, acc0_1);
            a = Vector512.Create(Unsafe.Add(ref x1, k + 2));
            acc1_0 = Vector512.FusedMultiplyAdd(a, w0, acc1_0);
            acc1_1 = Vector512.FusedMultiplyAdd(a, w1, acc1_1);
            a = Vector512.Create(Unsafe.Add(ref x2, k + 2));
            acc2_0 = Vector512.FusedMultiplyAdd(a, w0, acc2_0);
            acc2_1 = Vector512.FusedMultiplyAdd(a, w1, acc2_1);
            a = Vector512.Create(Unsafe.Add(ref x3, k + 2));
            acc3_0 = Vector512.FusedMultiplyAdd(a, w0, acc3_0);
            acc3_1 = Vector512.FusedMultiplyAdd(a, w1, acc3_1);
            a = Vector512.Create(Unsafe.Add(ref x4, k + 2));
            acc4_0 = Vector512.FusedMultiplyAdd(a, w0, acc4_0);
            acc4_1 = Vector512.FusedMultiplyAdd(a, w1, acc4_1);
            a = Vector512.Create(Unsafe.Add(ref x5, k + 2));
            acc5_0 = Vector512.FusedMultiplyAdd(a, w0, acc5_0);
            acc5_1 = Vector512.FusedMultiplyAdd(a, w1, acc5_1);
            a = Vector512.Create(Unsafe.Add(ref x6, k + 2));
            acc6_0 = Vector512.FusedMultiplyAdd(a, w0, acc6_0);
            acc6_1 = Vector512.FusedMultiplyAdd(a, w1, acc6_1);
            a = Vector512.Create(Unsafe.Add(ref x7, k + 2));
            acc7_0 = Vector512.FusedMultiplyAdd(a, w0, acc7_0);
            acc7_1 = Vector512.FusedMultiplyAdd(a, w1, acc7_1);
            a = Vector512.Create(Unsafe.Add(ref x8, k + 2));
            acc8_0 = Vector512.FusedMultiplyAdd(a, w0, acc8_0);
            acc8_1 = Vector512.FusedMultiplyAdd(a, w1, acc8_1);
            a = Vector512.Create(Unsafe.Add(ref x9, k + 2));
            acc9_0 = Vector512.FusedMultiplyAdd(a, w0, acc9_0);
            acc9_1 = Vector512.FusedMultiplyAdd(a, w1, acc9_1);
            a = Vector512.Create(Unsafe.Add(ref x10, k + 2));
            acc10_0 = Vector512.FusedMultiplyAdd(a, w0, acc10_0);
            acc10_1 = Vector512.FusedMultiplyAdd(a, w1, acc10_1);
            a = Vector512.Create(Unsafe.Add(ref x11, k + 2));
            acc11_0 = Vector512.FusedMultiplyAdd(a, w0, acc11_0);
            acc11_1 = Vector512.FusedMultiplyAdd(a, w1, acc11_1);
            w0 = Vector512.LoadUnsafe(ref w, 48);
            w1 = Vector512.LoadUnsafe(ref w, 65584);
            a = Vector512.Create(Unsafe.Add(ref x0, k + 3));
            acc0_0 = Vector512.FusedMultiplyAdd(a, w0, acc0_0);
            acc0_1 = Vector512.FusedMultiplyAdd(a, w1, acc0_1);
            a = Vector512.Create(Unsafe.Add(ref x1, k + 3));
            acc1_0 = Vector512.FusedMultiplyAdd(a, w0, acc1_0);
            acc1_1 = Vector512.FusedMultiplyAdd(a, w1, acc1_1);
            a = Vector512.Create(Unsafe.Add(ref x2, k + 3));
            acc2_0 = Vector512.FusedMultiplyAdd(a, w0, acc2_0);
            acc2_1 = Vector512.FusedMultiplyAdd(a, w1, acc2_1);
            a = Vector512.Create(Unsafe.Add(ref x3, k + 3));
            acc3_0 = Vector512.FusedMultiplyAdd(a, w0, acc3_0);
            acc3_1 = Vector512.FusedMultiplyAdd(a, w1, acc3_1);
            a = Vector512.Create(Unsafe.Add(ref x4, k + 3));
            acc4_0 = Vector512.FusedMultiplyAdd(a, w0, acc4_0);
            acc4_1 = Vector512.FusedMultiplyAdd(a, w1, acc4_1);
            a = Vector512.Create(Unsafe.Add(ref x5, k + 3));
            acc5_0 = Vector512.FusedMultiplyAdd(a, w0, acc5_0);
            acc5_1 = Vector512.FusedMultiplyAdd(a, w1, acc5_1);
            a = Vector512.Create(Unsafe.Add(ref x6, k + 3));
            acc6_0 = Vector512.FusedMultiplyAdd(a, w0, acc6_0);
            acc6_1 = Vector512.FusedMultiplyAdd(a, w1, acc6_1);
            a = Vector512.Create(Unsafe.Add(ref x7, k + 3));
            acc7_0 = Vector512.FusedMultiplyAdd(a, w0, acc7_0);
            acc7_1 = Vector512.FusedMultiplyAdd(a, w1, acc7_1);
            a = Vector512.Create(Unsafe.Add(ref x8, k + 3));
            acc8_0 = Vector512.FusedMultiplyAdd(a, w0, acc8_0);
            acc8_1 = Vector512.FusedMultiplyAdd(a, w1, acc8_1);
            a = Vector512.Create(Unsafe.Add(ref x9, k + 3));
            acc9_0 = Vector512.FusedMultiplyAdd(a, w0, acc9_0);
            acc9_1 = Vector512.FusedMultiplyAdd(a, w1, acc9_1);
            a = Vector512.Create(Unsafe.Add(ref x10, k + 3));
            acc10_0 = Vector512.FusedMultiplyAdd(a, w0, acc10_0);
            acc10_1 = Vector512.FusedMultiplyAdd(a, w1, acc10_1);
            a = Vector512.Create(Unsafe.Add(ref x11, k + 3));
            acc11_0 = Vector512.FusedMultiplyAdd(a, w0, acc11_0);
            acc11_1 = Vector512.FusedMultiplyAdd(a, w1, acc11_1);
            w = ref Unsafe.Add(ref w, 64);
        }

        if (relu)
        {
            acc0_0 = Relu(acc0_0);
            acc0_1 = Relu(acc0_1);
            acc1_0 = Relu(acc1_0);
            acc1_1 = Relu(acc1_1);
            acc2_0 = Relu(acc2_0);
            acc2_1 = Relu(acc2_1);
            acc3_0 = Relu(acc3_0);
            acc3_1 = Relu(acc3_1);
            acc4_0 = Relu(acc4_0);
            acc4_1 = Relu(acc4_1);
            acc5_0 = Relu(acc5_0);
            acc5_1 = Relu(acc5_1);
            acc6_0 = Relu(acc6_0);
            acc6_1 = Relu(acc6_1);
            acc7_0 = Relu(acc7_0);
            acc7_1 = Relu(acc7_1);
            acc8_0 = Relu(acc8_0);
            acc8_1 = Relu(acc8_1);
            acc9_0 = Relu(acc9_0);
            acc9_1 = Relu(acc9_1);
            acc10_0 = Relu(acc10_0);
            acc10_1 = Relu(acc10_1);
            acc11_0 = Relu(acc11_0);
            acc11_1 = Relu(acc11_1);
        }

        acc0_0.StoreUnsafe(ref y0, 0);
        acc0_1.StoreUnsafe(ref y0, 16);
        ref float y1 = ref Unsafe.Add(ref y0, ldy);
        acc1_0.StoreUnsafe(ref y1, 0);
        acc1_1.StoreUnsafe(ref y1, 16);
        ref float y2 = ref Unsafe.Add(ref y1, ldy);
        acc2_0.StoreUnsafe(ref y2, 0);
        acc2_1.StoreUnsafe(ref y2, 16);
        ref float y3 = ref Unsafe.Add(ref y2, ldy);
        acc3_0.StoreUnsafe(ref y3, 0);
        acc3_1.StoreUnsafe(ref y3, 16);
        ref float y4 = ref Unsafe.Add(ref y3, ldy);
        acc4_0.StoreUnsafe(ref y4, 0);
        acc4_1.StoreUnsafe(ref y4, 16);
        ref float y5 = ref Unsafe.Add(ref y4, ldy);
        acc5_0.StoreUnsafe(ref y5, 0);
        acc5_1.StoreUnsafe(ref y5, 16);
        ref float y6 = ref Unsafe.Add(ref y5, ldy);
        acc6_0.StoreUnsafe(ref y6, 0);
        acc6_1.StoreUnsafe(ref y6, 16);
        ref float y7 = ref Unsafe.Add(ref y6, ldy);
        acc7_0.StoreUnsafe(ref y7, 0);
        acc7_1.StoreUnsafe(ref y7, 16);
        ref float y8 = ref Unsafe.Add(ref y7, ldy);
        acc8_0.StoreUnsafe(ref y8, 0);
        acc8_1.StoreUnsafe(ref y8, 16);
        ref float y9 = ref Unsafe.Add(ref y8, ldy);
        acc9_0.StoreUnsafe(ref y9, 0);
        acc9_1.StoreUnsafe(ref y9, 16);
        ref float y10 = ref Unsafe.Add(ref y9, ldy);
        acc10_0.StoreUnsafe(ref y10, 0);
        acc10_1.StoreUnsafe(ref y10, 16);
        ref float y11 = ref Unsafe.Add(ref y10, ldy);
        acc11_0.StoreUnsafe(ref y11, 0);
        acc11_1.StoreUnsafe(ref y11, 16);
    }
}
