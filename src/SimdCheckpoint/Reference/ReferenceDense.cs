using System;
using SimdCheckpoint.Numerics;

namespace SimdCheckpoint.Reference;

/// <summary>
/// The canonical dense layer of DESIGN.md section 2.1, written for clarity rather than speed. Every generated kernel
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
}
