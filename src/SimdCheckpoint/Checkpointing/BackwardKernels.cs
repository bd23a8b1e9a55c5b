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
            for (int i = 0; i < m; i++)
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

    /// <summary>dW[k, n] = Σ_m x[m,k]·dZ[m,n], an fma chain over m ascending from 0; dW row-major [K, N].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WeightGradient<TOps, T>(ReadOnlySpan<float> x, int k, ReadOnlySpan<float> dz, int n, int m, Span<float> dw)
        where TOps : IFloatOps<T>
    {
        int width = TOps.Count;
        int full = n - (n % width);
        for (int kk = 0; kk < k; kk++)
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
            T d = Derivative<TOps, T>(activation, alpha, TOps.Load(in argument[j]));
            TOps.Store(TOps.Multiply(TOps.Load(in gradient[j]), d), ref gradient[j]);
        }

        for (; j < count; j++)
        {
            gradient[j] *= Derivative<ScalarOps, float>(activation, alpha, argument[j]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Derivative<TOps, T>(Activation activation, float alpha, T argument)
        where TOps : IFloatOps<T> => activation switch
        {
            Activation.Relu => TOps.ConditionalSelect(TOps.GreaterThan(argument, TOps.Broadcast(0f)), TOps.Broadcast(1f), TOps.Broadcast(0f)),
            Activation.LeakyRelu => TOps.ConditionalSelect(TOps.GreaterThan(argument, TOps.Broadcast(0f)), TOps.Broadcast(1f), TOps.Broadcast(alpha)),
            Activation.Sigmoid => CanonicalMath.SigmoidDerivativeFromOutput<TOps, T>(argument),
            Activation.Tanh => CanonicalMath.TanhDerivativeFromOutput<TOps, T>(argument),
            Activation.Gelu => CanonicalMath.GeluDerivative<TOps, T>(argument),
            Activation.GeluTanh => CanonicalMath.GeluTanhDerivative<TOps, T>(argument),
            Activation.Silu => CanonicalMath.SiluDerivative<TOps, T>(argument),
            _ => TOps.Broadcast(1f),
        };
}
