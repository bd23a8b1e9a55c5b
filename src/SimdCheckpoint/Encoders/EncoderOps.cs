using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using SimdCheckpoint.Numerics;

namespace SimdCheckpoint;

/// <summary>
/// The encoder's operations besides the dense layers, each written once against <see cref="IFloatOps{T}"/> so that every
/// width runs the same sequence of binary32 operations (the README's contract):
/// <list type="bullet">
/// <item><b>Layer norm</b> of s (a row, or the sum a + b of two rows, element by element): the mean is Σ s[i] with
/// element i added to partial sum i mod 16 in ascending i, the 16 partials added pairwise (p[j] += p[j + 8], then + 4,
/// + 2, + 1), divided by n; with d[i] = s[i] − mean, the variance is Σ d[i]² in the same order, each term one fused
/// multiply-add into its partial, divided by n; r = sqrt(var + ε), correctly rounded; y[i] = fma(d[i] / r, γ[i], β[i]).</item>
/// <item><b>Attention</b>, per sequence, head and query i, over the keys j whose mask is 1, in ascending j:
/// score[j] = (Σ_d q[i,d]·k[j,d]) / √d_head, the sum an fma chain over d ascending from 0; p = the canonical softmax of
/// the scores (<see cref="Softmax"/>, over the real keys only, so padding never enters); context[i,d] = Σ_j p[j]·v[j,d],
/// an fma chain over the real keys ascending from 0. Masked keys weigh exactly nothing, so a sequence gives the same bits
/// alone and inside any right-padded batch.</item>
/// <item><b>Embedding</b>: (word[id] + type[t]) + position[p], two correctly rounded additions per element.</item>
/// </list>
/// </summary>
public static class EncoderOps
{
    /// <summary>Partial sums of the layer norm's statistics: element i goes to partial i mod 16 at every width.</summary>
    public const int Partials = 16;

    /// <summary>
    /// Layer norm of <paramref name="rows"/> rows of <paramref name="gamma"/>.Length floats, of <paramref name="x"/> or,
    /// when <paramref name="residual"/> is not empty, of x + residual; on <paramref name="path"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length does not fit.</exception>
    public static void LayerNorm(
        ReadOnlySpan<float> x, ReadOnlySpan<float> residual, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, float epsilon, Span<float> y, int rows, KernelPath path = KernelPath.Auto)
    {
        int n = gamma.Length;
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        if (n == 0 || beta.Length != n || x.Length != (long)rows * n || y.Length != (long)rows * n || (!residual.IsEmpty && residual.Length != x.Length))
        {
            throw new ArgumentException($"Layer norm of {rows} rows of {n}: x, y (and a residual) need {(long)rows * n} floats and beta {n}; they hold {x.Length}, {y.Length}, {residual.Length} and {beta.Length}.");
        }

        if (x.Overlaps(y) || residual.Overlaps(y))
        {
            throw new ArgumentException("Layer norm's output must not overlap its inputs.", nameof(y));
        }

        switch (Elementwise.Resolve(path))
        {
            case KernelPath.Vector512:
                LayerNormRows<Vector512Ops, Vector512<float>>(x, residual, gamma, beta, epsilon, y, rows);
                break;
            case KernelPath.Vector256:
                LayerNormRows<Vector256Ops, Vector256<float>>(x, residual, gamma, beta, epsilon, y, rows);
                break;
            case KernelPath.Vector128:
                LayerNormRows<Vector128Ops, Vector128<float>>(x, residual, gamma, beta, epsilon, y, rows);
                break;
            default:
                LayerNormRows<ScalarOps, float>(x, residual, gamma, beta, epsilon, y, rows);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void LayerNormRows<TOps, T>(
        ReadOnlySpan<float> x, ReadOnlySpan<float> residual, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, float epsilon, Span<float> y, int rows)
        where TOps : IFloatOps<T>
    {
        int n = gamma.Length;
        Span<float> partial = stackalloc float[Partials];
        bool sum = !residual.IsEmpty;
        for (int row = 0; row < rows; row++)
        {
            int at = row * n;
            LayerNormRow<TOps, T>(
                ref Unsafe.AsRef(in x[at]),
                ref sum ? ref Unsafe.AsRef(in residual[at]) : ref Unsafe.NullRef<float>(),
                ref MemoryMarshal.GetReference(gamma),
                ref MemoryMarshal.GetReference(beta),
                epsilon,
                ref y[at],
                n,
                partial);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LayerNormRow<TOps, T>(ref float a, ref float b, ref float gamma, ref float beta, float epsilon, ref float y, int n, Span<float> partial)
        where TOps : IFloatOps<T>
    {
        int width = TOps.Count;
        int full = n - (n % Partials);
        bool sum = !Unsafe.IsNullRef(ref b);
        ref float p = ref MemoryMarshal.GetReference(partial);

        // s = a (+ b) into y; its sum into partial i mod 16.
        partial.Clear();
        for (int i = 0; i < full; i += Partials)
        {
            for (int c = 0; c < Partials; c += width)
            {
                T s = TOps.Load(ref Unsafe.Add(ref a, i + c));
                if (sum)
                {
                    s = TOps.Add(s, TOps.Load(ref Unsafe.Add(ref b, i + c)));
                }

                TOps.Store(s, ref Unsafe.Add(ref y, i + c));
                TOps.Store(TOps.Add(TOps.Load(ref Unsafe.Add(ref p, c)), s), ref Unsafe.Add(ref p, c));
            }
        }

        for (int i = full; i < n; i++)
        {
            float s = sum ? Unsafe.Add(ref a, i) + Unsafe.Add(ref b, i) : Unsafe.Add(ref a, i);
            Unsafe.Add(ref y, i) = s;
            Unsafe.Add(ref p, i - full) += s;
        }

        float mean = Softmax.ReducePairwise(partial) / n;

        // Σ (s − mean)² in the same order, one fma per element.
        partial.Clear();
        T m = TOps.Broadcast(mean);
        for (int i = 0; i < full; i += Partials)
        {
            for (int c = 0; c < Partials; c += width)
            {
                T d = TOps.Subtract(TOps.Load(ref Unsafe.Add(ref y, i + c)), m);
                TOps.Store(TOps.FusedMultiplyAdd(d, d, TOps.Load(ref Unsafe.Add(ref p, c))), ref Unsafe.Add(ref p, c));
            }
        }

        for (int i = full; i < n; i++)
        {
            float d = Unsafe.Add(ref y, i) - mean;
            Unsafe.Add(ref p, i - full) = MathF.FusedMultiplyAdd(d, d, Unsafe.Add(ref p, i - full));
        }

        float variance = Softmax.ReducePairwise(partial) / n;
        float r = MathF.Sqrt(variance + epsilon);

        // y = fma((s − mean) / r, γ, β).
        T rv = TOps.Broadcast(r);
        int j = 0;
        for (; j <= n - width; j += width)
        {
            T d = TOps.Subtract(TOps.Load(ref Unsafe.Add(ref y, j)), m);
            TOps.Store(TOps.FusedMultiplyAdd(TOps.Divide(d, rv), TOps.Load(ref Unsafe.Add(ref gamma, j)), TOps.Load(ref Unsafe.Add(ref beta, j))), ref Unsafe.Add(ref y, j));
        }

        for (; j < n; j++)
        {
            float d = Unsafe.Add(ref y, j) - mean;
            Unsafe.Add(ref y, j) = MathF.FusedMultiplyAdd(d / r, Unsafe.Add(ref gamma, j), Unsafe.Add(ref beta, j));
        }
    }

    /// <summary>
    /// Self-attention of one sequence on <paramref name="path"/>: <paramref name="query"/>, <paramref name="key"/>,
    /// <paramref name="value"/> and <paramref name="context"/> hold <paramref name="mask"/>.Length rows of
    /// <paramref name="hidden"/> floats; <paramref name="heads"/> heads of hidden / heads columns each.
    /// </summary>
    /// <exception cref="ArgumentException">The sizes do not fit, or the mask holds no 1 (or a value other than 0 and 1).</exception>
    public static void Attention(
        ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, ReadOnlySpan<int> mask, int hidden, int heads, Span<float> context, KernelPath path = KernelPath.Auto)
    {
        int s = mask.Length;
        if (heads < 1 || hidden < heads || hidden % heads != 0 || s == 0)
        {
            throw new ArgumentException($"Attention needs a sequence of at least one token and hidden ({hidden}) a multiple of heads ({heads}).");
        }

        long size = (long)s * hidden;
        if (query.Length != size || key.Length != size || value.Length != size || context.Length != size)
        {
            throw new ArgumentException($"Attention over {s} tokens of {hidden}: query, key, value and context need {size} floats each.");
        }

        int headSize = hidden / heads;
        var keys = new int[s];
        int count = ValidKeys(mask, keys, 0);
        var scratch = new float[ScratchFloats(headSize, s)];
        switch (Elementwise.Resolve(path))
        {
            case KernelPath.Vector512:
                AttentionSequence<Vector512Ops, Vector512<float>>(query, key, value, hidden, heads, s, keys.AsSpan(0, count), scratch, context);
                break;
            case KernelPath.Vector256:
                AttentionSequence<Vector256Ops, Vector256<float>>(query, key, value, hidden, heads, s, keys.AsSpan(0, count), scratch, context);
                break;
            case KernelPath.Vector128:
                AttentionSequence<Vector128Ops, Vector128<float>>(query, key, value, hidden, heads, s, keys.AsSpan(0, count), scratch, context);
                break;
            default:
                AttentionSequence<ScalarOps, float>(query, key, value, hidden, heads, s, keys.AsSpan(0, count), scratch, context);
                break;
        }
    }

    /// <summary>The attention's working floats for one sequence of <paramref name="sequence"/> tokens: one head's keys, transposed, and one row of scores.</summary>
    public static long ScratchFloats(int headSize, int sequence) => ((long)headSize + 1) * sequence;

    /// <summary>Writes the positions whose mask is 1 into <paramref name="keys"/>, ascending; returns their count.</summary>
    /// <exception cref="ArgumentException">The mask holds a value other than 0 and 1, or no 1.</exception>
    internal static int ValidKeys(ReadOnlySpan<int> mask, Span<int> keys, int sequenceIndex)
    {
        int count = 0;
        for (int j = 0; j < mask.Length; j++)
        {
            int m = mask[j];
            if (m == 1)
            {
                keys[count++] = j;
            }
            else if (m != 0)
            {
                throw new ArgumentException($"attention_mask[{sequenceIndex}, {j}] is {m}; the mask holds 1 for a real token and 0 for padding.", nameof(mask));
            }
        }

        if (count == 0)
        {
            throw new ArgumentException($"Sequence {sequenceIndex} has no token whose attention_mask is 1: attention over no keys is undefined.", nameof(mask));
        }

        return count;
    }

    /// <summary>
    /// Every head of one sequence: rows of <paramref name="hidden"/> floats; <paramref name="keys"/> the real keys'
    /// positions, ascending; <paramref name="scratch"/> at least <see cref="ScratchFloats"/> floats.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void AttentionSequence<TOps, T>(
        ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, int hidden, int heads, int queries, ReadOnlySpan<int> keys, Span<float> scratch, Span<float> context)
        where TOps : IFloatOps<T>
    {
        int headSize = hidden / heads;
        for (int h = 0; h < heads; h++)
        {
            AttentionHead<TOps, T>(query, key, value, hidden, h * headSize, headSize, queries, keys, scratch, context);
        }
    }

    /// <summary>One head of one sequence, every query.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void AttentionHead<TOps, T>(
        ReadOnlySpan<float> query,
        ReadOnlySpan<float> key,
        ReadOnlySpan<float> value,
        int ld,
        int offset,
        int headSize,
        int queries,
        ReadOnlySpan<int> keys,
        Span<float> scratch,
        Span<float> context)
        where TOps : IFloatOps<T>
    {
        int n = keys.Length;
        int width = TOps.Count;
        Span<float> kt = scratch[..(headSize * n)];
        Span<float> scores = scratch.Slice(headSize * n, n);

        // This head's real keys, transposed: kt[d·n + j] = k[keys[j], offset + d].
        for (int j = 0; j < n; j++)
        {
            ReadOnlySpan<float> row = key.Slice((keys[j] * ld) + offset, headSize);
            for (int d = 0; d < headSize; d++)
            {
                kt[(d * n) + j] = row[d];
            }
        }

        float divisor = MathF.Sqrt(headSize);
        T divisorV = TOps.Broadcast(divisor);
        ref float ktr = ref MemoryMarshal.GetReference(kt);
        ref float sr = ref MemoryMarshal.GetReference(scores);
        ref float vr = ref MemoryMarshal.GetReference(value);
        for (int i = 0; i < queries; i++)
        {
            ReadOnlySpan<float> q = query.Slice((i * ld) + offset, headSize);

            // Scores: one fma chain over d per key, keys side by side in the lanes.
            int j = 0;
            for (; j <= n - width; j += width)
            {
                T acc = TOps.Broadcast(0f);
                for (int d = 0; d < headSize; d++)
                {
                    acc = TOps.FusedMultiplyAdd(TOps.Broadcast(q[d]), TOps.Load(ref Unsafe.Add(ref ktr, (d * n) + j)), acc);
                }

                TOps.Store(TOps.Divide(acc, divisorV), ref Unsafe.Add(ref sr, j));
            }

            for (; j < n; j++)
            {
                float acc = 0f;
                for (int d = 0; d < headSize; d++)
                {
                    acc = MathF.FusedMultiplyAdd(q[d], kt[(d * n) + j], acc);
                }

                scores[j] = acc / divisor;
            }

            Softmax.Rows<TOps, T>(scores, n, scores, n, n, 1);

            // Context: one fma chain over the real keys per column, columns side by side in the lanes.
            Span<float> c = context.Slice((i * ld) + offset, headSize);
            int e = 0;
            for (; e <= headSize - width; e += width)
            {
                T acc = TOps.Broadcast(0f);
                for (int jj = 0; jj < n; jj++)
                {
                    acc = TOps.FusedMultiplyAdd(TOps.Broadcast(scores[jj]), TOps.Load(ref Unsafe.Add(ref vr, (keys[jj] * ld) + offset + e)), acc);
                }

                TOps.Store(acc, ref c[e]);
            }

            for (; e < headSize; e++)
            {
                float acc = 0f;
                for (int jj = 0; jj < n; jj++)
                {
                    acc = MathF.FusedMultiplyAdd(scores[jj], value[(keys[jj] * ld) + offset + e], acc);
                }

                c[e] = acc;
            }
        }
    }

    /// <summary>
    /// One token's embedding: (word + type) + position, element by element; <paramref name="type"/> is empty for a
    /// network without a token-type table.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void EmbedToken<TOps, T>(ReadOnlySpan<float> word, ReadOnlySpan<float> type, ReadOnlySpan<float> position, Span<float> y)
        where TOps : IFloatOps<T>
    {
        int n = y.Length;
        int width = TOps.Count;
        int i = 0;
        for (; i <= n - width; i += width)
        {
            T v = TOps.Add(TOps.Load(in word[i]), TOps.Load(in type[i]));
            TOps.Store(TOps.Add(v, TOps.Load(in position[i])), ref y[i]);
        }

        for (; i < n; i++)
        {
            y[i] = (word[i] + type[i]) + position[i];
        }
    }
}
