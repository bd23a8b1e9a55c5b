using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using SimdCheckpoint.Numerics;

namespace SimdCheckpoint;

/// <summary>How a sentence's token vectors become one vector.</summary>
public enum PoolingMode
{
    /// <summary>The mean over the real tokens (mask 1), [CLS] and [SEP] included, as sentence-transformers computes it.</summary>
    Mean = 0,

    /// <summary>The first token's vector ([CLS]).</summary>
    Cls = 1,
}

/// <summary>
/// Sentence pooling of an encoder's last hidden state, part of the README's contract: every width gives the scalar bits.
/// <list type="bullet">
/// <item><b>Mean</b>: for each element j, the sum of h[t, j] over the real tokens t (mask 1) in ascending t, starting
/// from the first real token's value, one correctly rounded addition per further token; then divided by the number of
/// real tokens (one correctly rounded division).</item>
/// <item><b>CLS</b>: h[0, j], copied.</item>
/// <item><b>L2 normalisation</b> (optional, after either): s = Σ y[j]² with element j fused-multiply-added into partial
/// sum j mod 16 in ascending j, the 16 partials added pairwise (p[i] += p[i + 8], then + 4, + 2, + 1); r = sqrt(s),
/// correctly rounded; y[j] = y[j] / max(r, 1e-12), as PyTorch's <c>F.normalize</c>.</item>
/// </list>
/// Padded tokens never enter, so a sentence pools to the same bits alone and inside any right-padded batch.
/// </summary>
public static class SentencePooling
{
    /// <summary>The smallest norm an L2 normalisation divides by (PyTorch's <c>F.normalize</c> default).</summary>
    public const float NormalizeEpsilon = 1e-12f;

    private const int Partials = EncoderOps.Partials;

    /// <summary>
    /// Pools <paramref name="batch"/> sequences of <paramref name="sequence"/> token vectors of <paramref name="hidden"/>
    /// floats (<paramref name="lastHiddenState"/>, row-major [batch, sequence, hidden]) into
    /// <paramref name="destination"/> ([batch, hidden]); <paramref name="attentionMask"/> ([batch, sequence], 0 or 1)
    /// says which tokens are real. Allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentException">A size does not fit, a mask value is not 0 or 1, or (mean) a sequence has no real token.</exception>
    public static void Pool(
        ReadOnlySpan<float> lastHiddenState,
        ReadOnlySpan<int> attentionMask,
        int batch,
        int sequence,
        int hidden,
        PoolingMode mode,
        bool normalize,
        Span<float> destination,
        KernelPath path = KernelPath.Auto)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequence, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hidden, 1);
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown pooling mode.");
        }

        long tokens = (long)batch * sequence;
        if (lastHiddenState.Length != tokens * hidden || attentionMask.Length != tokens || destination.Length != (long)batch * hidden)
        {
            throw new ArgumentException(
                $"Pooling {batch} sequences of {sequence} tokens of {hidden}: the hidden state needs {tokens * hidden} floats, the mask {tokens} integers and the destination "
                + $"{(long)batch * hidden} floats; they hold {lastHiddenState.Length}, {attentionMask.Length} and {destination.Length}.");
        }

        if (destination.Overlaps(lastHiddenState))
        {
            throw new ArgumentException("The pooled vectors must not overlap the hidden state.", nameof(destination));
        }

        for (int b = 0; b < batch; b++)
        {
            int real = 0;
            for (int t = 0; t < sequence; t++)
            {
                int m = attentionMask[(b * sequence) + t];
                if (m is not (0 or 1))
                {
                    throw new ArgumentException($"attention_mask[{b}, {t}] is {m}; a mask holds 0 (padding) or 1 (a real token).", nameof(attentionMask));
                }

                real += m;
            }

            if (real == 0 && mode == PoolingMode.Mean)
            {
                throw new ArgumentException($"Sequence {b} has no real token (its mask is all zeros): there is nothing to average.", nameof(attentionMask));
            }
        }

        switch (Elementwise.Resolve(path))
        {
            case KernelPath.Vector512:
                PoolRows<Vector512Ops, Vector512<float>>(lastHiddenState, attentionMask, batch, sequence, hidden, mode, normalize, destination);
                break;
            case KernelPath.Vector256:
                PoolRows<Vector256Ops, Vector256<float>>(lastHiddenState, attentionMask, batch, sequence, hidden, mode, normalize, destination);
                break;
            case KernelPath.Vector128:
                PoolRows<Vector128Ops, Vector128<float>>(lastHiddenState, attentionMask, batch, sequence, hidden, mode, normalize, destination);
                break;
            default:
                PoolRows<ScalarOps, float>(lastHiddenState, attentionMask, batch, sequence, hidden, mode, normalize, destination);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PoolRows<TOps, T>(
        ReadOnlySpan<float> h, ReadOnlySpan<int> mask, int batch, int sequence, int hidden, PoolingMode mode, bool normalize, Span<float> destination)
        where TOps : IFloatOps<T>
    {
        Span<float> partial = stackalloc float[Partials];
        for (int b = 0; b < batch; b++)
        {
            Span<float> y = destination.Slice(b * hidden, hidden);
            ReadOnlySpan<float> first = h.Slice(b * sequence * hidden);
            if (mode == PoolingMode.Cls)
            {
                first[..hidden].CopyTo(y);
            }
            else
            {
                MeanRow<TOps, T>(first[..(sequence * hidden)], mask.Slice(b * sequence, sequence), hidden, y);
            }

            if (normalize)
            {
                NormalizeRow<TOps, T>(y, partial);
            }
        }
    }

    private static void MeanRow<TOps, T>(ReadOnlySpan<float> h, ReadOnlySpan<int> mask, int hidden, Span<float> y)
        where TOps : IFloatOps<T>
    {
        int width = TOps.Count;
        int full = hidden - (hidden % width);
        int sequence = mask.Length;
        int firstReal = mask.IndexOf(1);
        int count = 0;
        foreach (int m in mask)
        {
            count += m;
        }

        ref float hRef = ref MemoryMarshal.GetReference(h);
        ref float yRef = ref MemoryMarshal.GetReference(y);
        T divisor = TOps.Broadcast(count);
        for (int j = 0; j < full; j += width)
        {
            T sum = TOps.Load(ref Unsafe.Add(ref hRef, (firstReal * hidden) + j));
            for (int t = firstReal + 1; t < sequence; t++)
            {
                if (mask[t] == 1)
                {
                    sum = TOps.Add(sum, TOps.Load(ref Unsafe.Add(ref hRef, (t * hidden) + j)));
                }
            }

            TOps.Store(TOps.Divide(sum, divisor), ref Unsafe.Add(ref yRef, j));
        }

        for (int j = full; j < hidden; j++)
        {
            float sum = h[(firstReal * hidden) + j];
            for (int t = firstReal + 1; t < sequence; t++)
            {
                if (mask[t] == 1)
                {
                    sum += h[(t * hidden) + j];
                }
            }

            y[j] = sum / count;
        }
    }

    private static void NormalizeRow<TOps, T>(Span<float> y, Span<float> partial)
        where TOps : IFloatOps<T>
    {
        int width = TOps.Count;
        int n = y.Length;
        int full = n - (n % Partials);
        ref float yRef = ref MemoryMarshal.GetReference(y);
        ref float p = ref MemoryMarshal.GetReference(partial);
        partial.Clear();
        for (int i = 0; i < full; i += Partials)
        {
            for (int c = 0; c < Partials; c += width)
            {
                T v = TOps.Load(ref Unsafe.Add(ref yRef, i + c));
                TOps.Store(TOps.FusedMultiplyAdd(v, v, TOps.Load(ref Unsafe.Add(ref p, c))), ref Unsafe.Add(ref p, c));
            }
        }

        for (int i = full; i < n; i++)
        {
            float v = y[i];
            partial[i - full] = MathF.FusedMultiplyAdd(v, v, partial[i - full]);
        }

        float norm = MathF.Max(MathF.Sqrt(Softmax.ReducePairwise(partial)), NormalizeEpsilon);
        T d = TOps.Broadcast(norm);
        int vectorEnd = n - (n % width);
        for (int j = 0; j < vectorEnd; j += width)
        {
            TOps.Store(TOps.Divide(TOps.Load(ref Unsafe.Add(ref yRef, j)), d), ref Unsafe.Add(ref yRef, j));
        }

        for (int j = vectorEnd; j < n; j++)
        {
            y[j] /= norm;
        }
    }
}
