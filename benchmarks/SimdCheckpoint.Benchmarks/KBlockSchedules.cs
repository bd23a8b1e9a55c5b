using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using SimdCheckpoint.Kernels;

namespace SimdCheckpoint.Benchmarks;

/// <summary>
/// Where K blocking pays, which sets <c>TilePolicy.KBlockAbove</c>: one layer's full row blocks (no remaining rows), with
/// the stock tiles a generated sweep calls, walked two ways over blocks of panels (9 panels on the Vector512 path, 4 on
/// Vector256, as the generated sweep does; a block's panels that make no whole group are left out of both walks):
/// <list type="bullet">
/// <item><see cref="WholeK"/>: each group of panels down every row block over all of K (<c>Tile8x48</c> / <c>Tile6x16</c>).</item>
/// <item><see cref="KBlocks"/>: for each K block of 256, each group down every row block, resuming from the partial sums
/// (<c>KBlock8x48</c> / <c>KBlock6x16</c>), as a sweep of a layer above the threshold does.</item>
/// </list>
/// The shapes are the encoder's FFN output (1536 → 384, at 120 rows of one sequence and at 1,020), mnist's first layer and
/// wide's three; the row counts were the full row blocks of the 12-row tile this suite was written for, and of the
/// 8-row tile it walks now they are 56, 120 and 1,016 rows. The activation is the identity; set-up checks that both walks
/// give the same bits (the kernel conformance tests check the activation after the last block).
/// </summary>
[MemoryDiagnoser]
public class KBlockSchedules
{
    private float[] _x = null!;
    private float[] _w = null!;
    private float[] _y = null!;
    private Action _whole = null!;
    private Action _blocks = null!;

    [Params("784x256 m60", "1024x4096 m60", "1536x384 m120", "1536x384 m1020", "4096x1024 m60", "4096x4096 m60")]
    public string Shape { get; set; } = "4096x4096 m60";

    [GlobalSetup]
    public void Setup()
    {
        int rows = int.Parse(Shape[(Shape.IndexOf('m', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        switch (Shape[..Shape.IndexOf(' ', StringComparison.Ordinal)])
        {
            case "784x256": Prepare<Kernel<S784x256>>(rows); break;
            case "1024x4096": Prepare<Kernel<S1024x4096>>(rows); break;
            case "1536x384": Prepare<Kernel<S1536x384>>(rows); break;
            case "4096x1024": Prepare<Kernel<S4096x1024>>(rows); break;
            default: Prepare<Kernel<S4096x4096>>(rows); break;
        }

        _whole();
        float[] expected = (float[])_y.Clone();
        Array.Clear(_y);
        _blocks();
        if (!MemoryMarshal.AsBytes(expected.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(_y.AsSpan())))
        {
            throw new InvalidOperationException("The K-blocked walk does not give the whole-K walk's bits.");
        }
    }

    [Benchmark(Baseline = true)]
    public void WholeK() => _whole();

    [Benchmark]
    public void KBlocks() => _blocks();

    private void Prepare<TKernel>(int rows)
        where TKernel : struct, IDenseKernel
    {
        var random = new DeterministicRandom(11);
        _x = new float[rows * TKernel.Inputs];
        _w = new float[TKernel.PackedLength];
        _y = new float[rows * TKernel.Outputs];
        random.Fill(_x, 1f);
        random.Fill(_w, 0.05f);
        _whole = () => Walk<TKernel>(_x, _w, _y, rows, blocked: false);
        _blocks = () => Walk<TKernel>(_x, _w, _y, rows, blocked: true);
    }

    private static void Walk<TKernel>(float[] x, float[] w, float[] y, int m, bool blocked)
        where TKernel : struct, IDenseKernel
    {
        bool wide = Vector512.IsHardwareAccelerated;
        int mr = wide ? 8 : 6;
        int q = wide ? 3 : 1;
        int block = wide ? 9 : 4;
        ref float xr = ref x[0];
        ref float wr = ref w[0];
        ref float yr = ref y[0];
        nint ldx = TKernel.Inputs, ldy = TKernel.Outputs, full = m - (m % mr);
        for (nint pb = 0; pb < TKernel.MainPanels; pb += block)
        {
            nint end = Math.Min(pb + block, TKernel.MainPanels);
            for (nint k0 = 0; k0 < TKernel.Inputs; k0 += blocked ? 256 : TKernel.Inputs)
            {
                nint k1 = blocked ? Math.Min(k0 + 256, TKernel.Inputs) : TKernel.Inputs;
                for (nint p = pb; p + q <= end; p += q)
                {
                    ref float wp = ref Unsafe.Add(ref wr, p * TKernel.PanelStride);
                    ref float bp = ref Unsafe.Add(ref wr, TKernel.BiasOffset + (p * 16));
                    for (nint i = 0; i < full; i += mr)
                    {
                        ref float xi = ref Unsafe.Add(ref xr, i * ldx);
                        ref float yi = ref Unsafe.Add(ref yr, (i * ldy) + (p * 16));
                        if (wide && blocked)
                        {
                            Vector512Tiles.KBlock8x48<TKernel>(ref xi, ldx, ref wp, ref bp, ref yi, ldy, k0, k1);
                        }
                        else if (wide)
                        {
                            Vector512Tiles.Tile8x48<TKernel>(ref xi, ldx, ref wp, ref bp, ref yi, ldy);
                        }
                        else if (blocked)
                        {
                            Vector256Tiles.KBlock6x16<TKernel>(ref xi, ldx, ref wp, ref bp, ref yi, ldy, k0, k1);
                        }
                        else
                        {
                            Vector256Tiles.Tile6x16<TKernel>(ref xi, ldx, ref wp, ref bp, ref yi, ldy);
                        }
                    }
                }
            }
        }
    }

    /// <summary>A layer's constants as a generated kernel carries them: 16-column panels, no tail, identity.</summary>
    private interface IShape
    {
        static abstract int K { get; }

        static abstract int N { get; }
    }

    private struct Kernel<TShape> : IDenseKernel
        where TShape : struct, IShape
    {
        public static int Inputs => TShape.K;

        public static int Outputs => TShape.N;

        public static Activation Activation => Activation.Identity;

        public static float Alpha => 0f;

        public static int Panels => TShape.N / 16;

        public static int MainPanels => TShape.N / 16;

        public static int MainColumns => TShape.N;

        public static int PanelStride => TShape.K * 16;

        public static int TailColumns => 0;

        public static int TailWidth => 0;

        public static int TailOffset => MainPanels * PanelStride;

        public static int BiasOffset => MainPanels * PanelStride;

        public static int PackedLength => BiasOffset + TShape.N;

        // The walks compared here share out no prefetches: the tiles compile without that code.
        public static bool PrefetchesWeights => false;
    }

    private struct S784x256 : IShape
    {
        public static int K => 784;

        public static int N => 256;
    }

    private struct S1024x4096 : IShape
    {
        public static int K => 1024;

        public static int N => 4096;
    }

    private struct S1536x384 : IShape
    {
        public static int K => 1536;

        public static int N => 384;
    }

    private struct S4096x1024 : IShape
    {
        public static int K => 4096;

        public static int N => 1024;
    }

    private struct S4096x4096 : IShape
    {
        public static int K => 4096;

        public static int N => 4096;
    }
}
