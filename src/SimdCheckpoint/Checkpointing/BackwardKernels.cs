using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SimdCheckpoint.Numerics;

namespace SimdCheckpoint.Checkpointing;

/// <summary>
/// The backward pass's kernels, written once over <see cref="IFloatOps{T}"/> so every width runs the canonical
/// operations of DESIGN.md section 2.5 in the same order: each output is one fma chain (dX over n ascending from 0 on a
/// transposed packed copy of W, dW over m ascending from 0) or one chain of adds (db), never split across lanes.
/// Lanes run along the outputs only.
/// </summary>
internal static class BackwardKernels
{
    /// <summary>
    /// y[m, :] = (bias ? b : 0) + Σ_k x[m,k]·W[k,:] over packed panels (the forward layout), no activation: the
    /// pre-activation Z of a layer, or, on the transposed copy with no bias, dX = dZ·Wᵀ.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackedGemm<TOps, T>(ReadOnlySpan<float> x, int ldx, PackedLayer layer, ReadOnlySpan<float> packed, bool bias, Span<float> y, int ldy, int m)
        where TOps : IFloatOps<T>
        where T : unmanaged
    {
        int k = layer.Inputs;
        int n = layer.Outputs;
        int width = TOps.Count;
        ReadOnlySpan<float> block = packed.Slice(layer.WeightOffset, layer.Length);
        Span<T> acc = stackalloc T[64 / Math.Max(width, 1)];
        Span<float> row = stackalloc float[64];
        for (int p = 0; p * layer.PanelWidth < n; p++)
        {
            bool tail = p == layer.MainPanels;
            int panelWidth = tail ? layer.TailWidth : layer.PanelWidth;
            int first = p * layer.PanelWidth;
            int columns = Math.Min(panelWidth, n - first);
            int vectors = (panelWidth + width - 1) / width;
            ref float w = ref MemoryMarshal.GetReference(block.Slice(p * k * layer.PanelWidth));
            int i = 0;
            if (panelWidth == 16 && width > 1)
            {
                // Four rows at a time in registers: 4 × (16 / width) independent fma chains, each one output's k-sum.
                for (; i + 4 <= m; i += 4)
                {
                    PanelTile4<TOps, T>(x, ldx, i, k, ref w, bias ? packed.Slice(layer.BiasOffset + first, columns) : default, y, ldy, first, columns, row);
                }
            }

            for (; i < m; i++)
            {
                ref float xr = ref MemoryMarshal.GetReference(x.Slice(i * ldx, k));
                row.Clear();
                if (bias)
                {
                    packed.Slice(layer.BiasOffset + first, columns).CopyTo(row);
                }

                for (int v = 0; v < vectors; v++)
                {
                    acc[v] = TOps.Load(ref row[v * width]);
                }

                for (int kk = 0; kk < k; kk++)
                {
                    T a = TOps.Broadcast(Unsafe.Add(ref xr, kk));
                    ref float wk = ref Unsafe.Add(ref w, kk * panelWidth);
                    for (int v = 0; v < vectors; v++)
                    {
                        acc[v] = TOps.FusedMultiplyAdd(a, TOps.Load(ref Unsafe.Add(ref wk, v * width)), acc[v]);
                    }
                }

                for (int v = 0; v < vectors; v++)
                {
                    TOps.Store(acc[v], ref row[v * width]);
                }

                row.Slice(0, columns).CopyTo(y.Slice((i * ldy) + first, columns));
            }
        }
    }

    /// <summary>Rows i..i+3 of one 16-wide panel, accumulators in registers (the JIT drops the branches for the other widths).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PanelTile4<TOps, T>(ReadOnlySpan<float> x, int ldx, int i, int k, ref float w, ReadOnlySpan<float> bias, Span<float> y, int ldy, int first, int columns, Span<float> start)
        where TOps : IFloatOps<T>
        where T : unmanaged
    {
        int width = TOps.Count;
        int vectors = 16 / width;
        start.Slice(0, 16).Clear();
        bias.CopyTo(start);
        T b0 = TOps.Load(ref start[0]);
        T b1 = vectors > 1 ? TOps.Load(ref start[width]) : b0;
        T b2 = vectors > 2 ? TOps.Load(ref start[2 * width]) : b0;
        T b3 = vectors > 2 ? TOps.Load(ref start[3 * width]) : b0;
        T c00 = b0, c01 = b1, c02 = b2, c03 = b3;
        T c10 = b0, c11 = b1, c12 = b2, c13 = b3;
        T c20 = b0, c21 = b1, c22 = b2, c23 = b3;
        T c30 = b0, c31 = b1, c32 = b2, c33 = b3;
        ref float x0 = ref Unsafe.AsRef(in x[i * ldx]);
        ref float x1 = ref Unsafe.Add(ref x0, ldx);
        ref float x2 = ref Unsafe.Add(ref x1, ldx);
        ref float x3 = ref Unsafe.Add(ref x2, ldx);
        for (int kk = 0; kk < k; kk++)
        {
            ref float wk = ref Unsafe.Add(ref w, kk * 16);
            T w0 = TOps.Load(ref wk);
            T a0 = TOps.Broadcast(Unsafe.Add(ref x0, kk));
            T a1 = TOps.Broadcast(Unsafe.Add(ref x1, kk));
            T a2 = TOps.Broadcast(Unsafe.Add(ref x2, kk));
            T a3 = TOps.Broadcast(Unsafe.Add(ref x3, kk));
            c00 = TOps.FusedMultiplyAdd(a0, w0, c00);
            c10 = TOps.FusedMultiplyAdd(a1, w0, c10);
            c20 = TOps.FusedMultiplyAdd(a2, w0, c20);
            c30 = TOps.FusedMultiplyAdd(a3, w0, c30);
            if (vectors > 1)
            {
                T w1 = TOps.Load(ref Unsafe.Add(ref wk, width));
                c01 = TOps.FusedMultiplyAdd(a0, w1, c01);
                c11 = TOps.FusedMultiplyAdd(a1, w1, c11);
                c21 = TOps.FusedMultiplyAdd(a2, w1, c21);
                c31 = TOps.FusedMultiplyAdd(a3, w1, c31);
            }

            if (vectors > 2)
            {
                T w2 = TOps.Load(ref Unsafe.Add(ref wk, 2 * width));
                T w3 = TOps.Load(ref Unsafe.Add(ref wk, 3 * width));
                c02 = TOps.FusedMultiplyAdd(a0, w2, c02);
                c12 = TOps.FusedMultiplyAdd(a1, w2, c12);
                c22 = TOps.FusedMultiplyAdd(a2, w2, c22);
                c32 = TOps.FusedMultiplyAdd(a3, w2, c32);
                c03 = TOps.FusedMultiplyAdd(a0, w3, c03);
                c13 = TOps.FusedMultiplyAdd(a1, w3, c13);
                c23 = TOps.FusedMultiplyAdd(a2, w3, c23);
                c33 = TOps.FusedMultiplyAdd(a3, w3, c33);
            }
        }

        StoreRow<TOps, T>(c00, c01, c02, c03, vectors, y.Slice((i * ldy) + first, columns), start);
        StoreRow<TOps, T>(c10, c11, c12, c13, vectors, y.Slice(((i + 1) * ldy) + first, columns), start);
        StoreRow<TOps, T>(c20, c21, c22, c23, vectors, y.Slice(((i + 2) * ldy) + first, columns), start);
        StoreRow<TOps, T>(c30, c31, c32, c33, vectors, y.Slice(((i + 3) * ldy) + first, columns), start);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TOps, T>(T c0, T c1, T c2, T c3, int vectors, Span<float> destination, Span<float> row)
        where TOps : IFloatOps<T>
    {
        int width = TOps.Count;
        TOps.Store(c0, ref row[0]);
        if (vectors > 1)
        {
            TOps.Store(c1, ref row[width]);
        }

        if (vectors > 2)
        {
            TOps.Store(c2, ref row[2 * width]);
            TOps.Store(c3, ref row[3 * width]);
        }

        row.Slice(0, destination.Length).CopyTo(destination);
    }

    /// <summary>dW[k, n] = Σ_m x[m,k]·dZ[m,n], an fma chain over m ascending from 0; dW row-major [K, N].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WeightGradient<TOps, T>(ReadOnlySpan<float> x, int k, ReadOnlySpan<float> dz, int n, int m, Span<float> dw)
        where TOps : IFloatOps<T>
    {
        int width = TOps.Count;
        int full = n - (n % width);
        int kk = 0;
        if (width > 1)
        {
            // Four rows of dW at a time: 4 independent fma chains per column vector, dZ's vector loaded once for all four.
            for (; kk + 4 <= k; kk += 4)
            {
                for (int j = 0; j < full; j += width)
                {
                    T c0 = TOps.Broadcast(0f), c1 = c0, c2 = c0, c3 = c0;
                    for (int i = 0; i < m; i++)
                    {
                        T d = TOps.Load(in dz[(i * n) + j]);
                        int xi = (i * k) + kk;
                        c0 = TOps.FusedMultiplyAdd(TOps.Broadcast(x[xi]), d, c0);
                        c1 = TOps.FusedMultiplyAdd(TOps.Broadcast(x[xi + 1]), d, c1);
                        c2 = TOps.FusedMultiplyAdd(TOps.Broadcast(x[xi + 2]), d, c2);
                        c3 = TOps.FusedMultiplyAdd(TOps.Broadcast(x[xi + 3]), d, c3);
                    }

                    TOps.Store(c0, ref dw[(kk * n) + j]);
                    TOps.Store(c1, ref dw[((kk + 1) * n) + j]);
                    TOps.Store(c2, ref dw[((kk + 2) * n) + j]);
                    TOps.Store(c3, ref dw[((kk + 3) * n) + j]);
                }

                for (int r = kk; r < kk + 4; r++)
                {
                    for (int j = full; j < n; j++)
                    {
                        float acc = 0f;
                        for (int i = 0; i < m; i++)
                        {
                            acc = MathF.FusedMultiplyAdd(x[(i * k) + r], dz[(i * n) + j], acc);
                        }

                        dw[(r * n) + j] = acc;
                    }
                }
            }
        }

        for (; kk < k; kk++)
        {
            Span<float> dwRow = dw.Slice(kk * n, n);
            for (int j = 0; j < full; j += width)
            {
                T acc = TOps.Broadcast(0f);
                for (int i = 0; i < m; i++)
                {
                    acc = TOps.FusedMultiplyAdd(TOps.Broadcast(x[(i * k) + kk]), TOps.Load(in dz[(i * n) + j]), acc);
                }

                TOps.Store(acc, ref dwRow[j]);
            }

            for (int j = full; j < n; j++)
            {
                float acc = 0f;
                for (int i = 0; i < m; i++)
                {
                    acc = MathF.FusedMultiplyAdd(x[(i * k) + kk], dz[(i * n) + j], acc);
                }

                dwRow[j] = acc;
            }
        }
    }

    /// <summary>db[n] = Σ_m dZ[m,n], adds over m ascending from 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BiasGradient<TOps, T>(ReadOnlySpan<float> dz, int n, int m, Span<float> db)
        where TOps : IFloatOps<T>
    {
        int width = TOps.Count;
        int full = n - (n % width);
        for (int j = 0; j < full; j += width)
        {
            T acc = TOps.Broadcast(0f);
            for (int i = 0; i < m; i++)
            {
                acc = TOps.Add(acc, TOps.Load(in dz[(i * n) + j]));
            }

            TOps.Store(acc, ref db[j]);
        }

        for (int j = full; j < n; j++)
        {
            float acc = 0f;
            for (int i = 0; i < m; i++)
            {
                acc += dz[(i * n) + j];
            }

            db[j] = acc;
        }
    }

    /// <summary>
    /// dZ = dY ⊙ act′(argument) in place in <paramref name="gradient"/> (one multiply per element); softmax rows by
    /// <see cref="Softmax.Backward"/> from the output.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ActivationBackward<TOps, T>(Activation activation, float alpha, ReadOnlySpan<float> argument, Span<float> gradient, int n, int m, KernelPath path)
        where TOps : IFloatOps<T>
    {
        if (activation == Activation.Identity)
        {
            return;
        }

        if (activation == Activation.Softmax)
        {
            for (int i = 0; i < m; i++)
            {
                Span<float> g = gradient.Slice(i * n, n);
                Softmax.Backward(argument.Slice(i * n, n), g, g, path);
            }

            return;
        }

        int count = n * m;
        int width = TOps.Count;
        int j = 0;
        for (; j <= count - width; j += width)
        {
            T d = Activations.Derivative<TOps, T>(activation, TOps.Load(in argument[j]), alpha);
            TOps.Store(TOps.Multiply(TOps.Load(in gradient[j]), d), ref gradient[j]);
        }

        for (; j < count; j++)
        {
            gradient[j] *= Activations.Derivative<ScalarOps, float>(activation, argument[j], alpha);
        }
    }
}
