using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SimdCheckpoint.Numerics;

namespace SimdCheckpoint.Checkpointing;

/// <summary>
/// The backward pass's run-time kernels, written once over <see cref="IFloatOps{T}"/> so every width runs the
/// canonical operations of docs/checkpointing.md in the same order: dW as one fma chain per output over m ascending
/// from 0, db as one chain of adds, dZ from a layer's output; never split across lanes, lanes along the outputs only.
/// Their reductions run over the batch, which only the call knows. dX = dZ·Wᵀ and the pre-activation z of a layer whose
/// derivative reads it are generated per network (<see cref="IDifferentiableNetwork{TSelf}.RunTransposed"/>,
/// <see cref="IDifferentiableNetwork{TSelf}.RunPreActivation"/>).
/// </summary>
internal static class BackwardKernels
{
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
            // Four rows of dW at a time, two column vectors wide where they fit: 8 independent fma chains (enough to
            // cover FMA latency on two pipes), each dZ vector and each broadcast x used four and two times.
            for (; kk + 4 <= k; kk += 4)
            {
                int j = 0;
                for (; j + (2 * width) <= full; j += 2 * width)
                {
                    T c0 = TOps.Broadcast(0f), c1 = c0, c2 = c0, c3 = c0, e0 = c0, e1 = c0, e2 = c0, e3 = c0;
                    for (int i = 0; i < m; i++)
                    {
                        T d = TOps.Load(in dz[(i * n) + j]);
                        T f = TOps.Load(in dz[(i * n) + j + width]);
                        int xi = (i * k) + kk;
                        T a0 = TOps.Broadcast(x[xi]);
                        T a1 = TOps.Broadcast(x[xi + 1]);
                        T a2 = TOps.Broadcast(x[xi + 2]);
                        T a3 = TOps.Broadcast(x[xi + 3]);
                        c0 = TOps.FusedMultiplyAdd(a0, d, c0);
                        e0 = TOps.FusedMultiplyAdd(a0, f, e0);
                        c1 = TOps.FusedMultiplyAdd(a1, d, c1);
                        e1 = TOps.FusedMultiplyAdd(a1, f, e1);
                        c2 = TOps.FusedMultiplyAdd(a2, d, c2);
                        e2 = TOps.FusedMultiplyAdd(a2, f, e2);
                        c3 = TOps.FusedMultiplyAdd(a3, d, c3);
                        e3 = TOps.FusedMultiplyAdd(a3, f, e3);
                    }

                    TOps.Store(c0, ref dw[(kk * n) + j]);
                    TOps.Store(c1, ref dw[((kk + 1) * n) + j]);
                    TOps.Store(c2, ref dw[((kk + 2) * n) + j]);
                    TOps.Store(c3, ref dw[((kk + 3) * n) + j]);
                    TOps.Store(e0, ref dw[(kk * n) + j + width]);
                    TOps.Store(e1, ref dw[((kk + 1) * n) + j + width]);
                    TOps.Store(e2, ref dw[((kk + 2) * n) + j + width]);
                    TOps.Store(e3, ref dw[((kk + 3) * n) + j + width]);
                }

                for (; j < full; j += width)
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
                    for (int t = full; t < n; t++)
                    {
                        float acc = 0f;
                        for (int i = 0; i < m; i++)
                        {
                            acc = MathF.FusedMultiplyAdd(x[(i * k) + r], dz[(i * n) + t], acc);
                        }

                        dw[(r * n) + t] = acc;
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
