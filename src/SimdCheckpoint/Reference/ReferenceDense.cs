using System;
using SimdCheckpoint.Numerics;

namespace SimdCheckpoint.Reference;

/// <summary>
/// The canonical dense layer (the determinism contract in the README), written for clarity rather than speed. Every generated kernel
/// is tested bit for bit against this.
/// </summary>
public static class ReferenceDense
{
    /// <summary>
    /// <c>y[m,n] = act(acc)</c> where <c>acc = b[n]</c>, then for k = 0..K-1 ascending <c>acc = fma(x[m,k], W[k,n], acc)</c>.
    /// </summary>
    /// <param name="x">Input rows; row m starts at <c>m·ldx</c>.</param>
    /// <param name="ldx">Distance between input rows, at least <paramref name="k"/>.</param>
    /// <param name="weight">W, in the layout <paramref name="layout"/> says.</param>
    /// <param name="bias">b[N].</param>
    /// <param name="y">Output rows; row m starts at <c>m·ldy</c>. Only the first N elements of each row are written.</param>
    /// <param name="ldy">Distance between output rows, at least <paramref name="n"/>.</param>
    /// <param name="m">Rows (batch size).</param>
    /// <param name="k">Inputs per row.</param>
    /// <param name="n">Outputs per row.</param>
    /// <param name="activation">The activation.</param>
    /// <param name="alpha">The activation's parameter (LeakyReLU's slope).</param>
    /// <param name="layout">How <paramref name="weight"/> is laid out.</param>
    public static void Forward(
        ReadOnlySpan<float> x,
        int ldx,
        ReadOnlySpan<float> weight,
        ReadOnlySpan<float> bias,
        Span<float> y,
        int ldy,
        int m,
        int k,
        int n,
        Activation activation,
        float alpha,
        WeightLayout layout = WeightLayout.InputsByOutputs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(ldx, k);
        ArgumentOutOfRangeException.ThrowIfLessThan(ldy, n);
        if (weight.Length != (long)k * n)
        {
            throw new ArgumentException($"The weight has {weight.Length} elements; K·N = {(long)k * n}.", nameof(weight));
        }

        if (bias.Length != n)
        {
            throw new ArgumentException($"The bias has {bias.Length} elements; N = {n}.", nameof(bias));
        }

        if (m > 0 && (x.Length < ((long)(m - 1) * ldx) + k || y.Length < ((long)(m - 1) * ldy) + n))
        {
            throw new ArgumentException("The input or output is too short for m rows with the given strides.");
        }

        for (int row = 0; row < m; row++)
        {
            for (int col = 0; col < n; col++)
            {
                float acc = bias[col];
                for (int i = 0; i < k; i++)
                {
                    float w = layout == WeightLayout.InputsByOutputs ? weight[(i * n) + col] : weight[(col * k) + i];
                    acc = MathF.FusedMultiplyAdd(x[(row * ldx) + i], w, acc);
                }

                y[(row * ldy) + col] = activation == Activation.Softmax ? acc : Activations.Apply(activation, acc, alpha);
            }

            if (activation == Activation.Softmax)
            {
                Span<float> outputs = y.Slice(row * ldy, n);
                Softmax.Row(outputs, outputs, KernelPath.Scalar);
            }
        }
    }

    /// <summary>
    /// The canonical backward pass of one dense layer (docs/checkpointing.md), given dZ, the gradient with respect to
    /// the pre-activation: <c>dX[m,k] = Σ_n dZ[m,n]·W[k,n]</c> as an fma chain over n ascending from 0;
    /// <c>dW[k,n] = Σ_m x[m,k]·dZ[m,n]</c> as an fma chain over m ascending from 0; <c>db[n] = Σ_m dZ[m,n]</c> over m
    /// ascending from 0. Pass an empty span for a gradient that is not wanted.
    /// </summary>
    /// <param name="x">The layer's input rows [m, k] (row stride k); needed only for dW.</param>
    /// <param name="weight">W, in the layout <paramref name="layout"/> says.</param>
    /// <param name="dz">dZ [m, n] (row stride n).</param>
    /// <param name="dx">dX [m, k] (row stride k), or empty.</param>
    /// <param name="dw">dW [k, n] (row-major, the InputsByOutputs layout), or empty.</param>
    /// <param name="db">db [n], or empty.</param>
    /// <param name="m">Rows.</param>
    /// <param name="k">Inputs per row.</param>
    /// <param name="n">Outputs per row.</param>
    /// <param name="layout">The layout of <paramref name="weight"/>.</param>
    public static void Backward(
        ReadOnlySpan<float> x,
        ReadOnlySpan<float> weight,
        ReadOnlySpan<float> dz,
        Span<float> dx,
        Span<float> dw,
        Span<float> db,
        int m,
        int k,
        int n,
        WeightLayout layout = WeightLayout.InputsByOutputs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        if (weight.Length != (long)k * n || dz.Length != (long)m * n)
        {
            throw new ArgumentException($"The weight must hold K·N = {(long)k * n} values and dZ m·N = {(long)m * n}; they hold {weight.Length} and {dz.Length}.");
        }

        if ((!dx.IsEmpty && dx.Length != (long)m * k) || (!dw.IsEmpty && (dw.Length != (long)k * n || x.Length != (long)m * k)) || (!db.IsEmpty && db.Length != n))
        {
            throw new ArgumentException("A gradient (or the input dW needs) does not have the layer's shape.");
        }

        for (int row = 0; !dx.IsEmpty && row < m; row++)
        {
            for (int i = 0; i < k; i++)
            {
                float acc = 0f;
                for (int col = 0; col < n; col++)
                {
                    float w = layout == WeightLayout.InputsByOutputs ? weight[(i * n) + col] : weight[(col * k) + i];
                    acc = MathF.FusedMultiplyAdd(dz[(row * n) + col], w, acc);
                }

                dx[(row * k) + i] = acc;
            }
        }

        for (int i = 0; !dw.IsEmpty && i < k; i++)
        {
            for (int col = 0; col < n; col++)
            {
                float acc = 0f;
                for (int row = 0; row < m; row++)
                {
                    acc = MathF.FusedMultiplyAdd(x[(row * k) + i], dz[(row * n) + col], acc);
                }

                dw[(i * n) + col] = acc;
            }
        }

        for (int col = 0; !db.IsEmpty && col < n; col++)
        {
            float acc = 0f;
            for (int row = 0; row < m; row++)
            {
                acc += dz[(row * n) + col];
            }

            db[col] = acc;
        }
    }

    /// <summary>
    /// dZ = dY ⊙ act′ (one binary32 multiply per element), with act′ from the output <paramref name="y"/> or the
    /// pre-activation <paramref name="z"/> as <see cref="Activations.DerivativeArgumentOf"/> says; softmax rows by
    /// <see cref="Softmax.Backward"/> from the output. <paramref name="dz"/> may be <paramref name="dy"/> itself.
    /// </summary>
    public static void ActivationBackward(
        Activation activation, float alpha, ReadOnlySpan<float> z, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dz, int m, int n)
    {
        if (dy.Length != (long)m * n || dz.Length != dy.Length || z.Length != dy.Length || y.Length != dy.Length)
        {
            throw new ArgumentException($"z, y, dY and dZ must each hold m·N = {(long)m * n} values.");
        }

        if (activation == Activation.Softmax)
        {
            for (int row = 0; row < m; row++)
            {
                Softmax.Backward(y.Slice(row * n, n), dy.Slice(row * n, n), dz.Slice(row * n, n), KernelPath.Scalar);
            }

            return;
        }

        ReadOnlySpan<float> argument = Activations.DerivativeArgumentOf(activation, alpha) == DerivativeArgument.Output ? y : z;
        for (int i = 0; i < dy.Length; i++)
        {
            dz[i] = dy[i] * Activations.Derivative(activation, argument[i], alpha);
        }
    }
}
