using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
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
        // s = a (+ b) into y, summed; then Σ (s − mean)², one fma per element; each into partial i mod 16.
        float mean = RowStatistic<TOps, T, SumStep<TOps, T>>(
            new SumStep<TOps, T>(ref a, ref b, ref y, !Unsafe.IsNullRef(ref b)), n, partial) / n;
        T m = TOps.Broadcast(mean);
        float variance = RowStatistic<TOps, T, DeviationStep<TOps, T>>(new DeviationStep<TOps, T>(ref y, m, mean), n, partial) / n;
        float r = MathF.Sqrt(variance + epsilon);

        // y = fma((s − mean) / r, γ, β).
        T rv = TOps.Broadcast(r);
        int width = TOps.Count;
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
    /// One of a layer norm row's two statistics: Σ over the row of the step's value, each element's value added to
    /// partial i mod 16 in ascending i (by <typeparamref name="TStep"/>: an add, or an fma), the 16 partials then reduced
    /// pairwise. With vectors of 4 lanes or more the partials stay in 16 / width registers through the row (as in
    /// Softmax's rows): the same operations in the same order as through memory, without a store-to-load chain; they go
    /// to memory only for a tail, and without one the reduction runs in registers too.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float RowStatistic<TOps, T, TStep>(TStep step, int n, Span<float> partial)
        where TOps : IFloatOps<T>
        where TStep : struct, IRowStep<T>, allows ref struct
    {
        int width = TOps.Count;
        int full = n - (n % Partials);
        ref float p = ref MemoryMarshal.GetReference(partial);
        if (width >= 4)
        {
            T s0 = TOps.Broadcast(0f), s1 = s0, s2 = s0, s3 = s0;
            for (int i = 0; i < full; i += Partials)
            {
                s0 = step.Add(i, s0);
                if (Partials / width > 1)
                {
                    s1 = step.Add(i + width, s1);
                }

                if (Partials / width > 2)
                {
                    s2 = step.Add(i + (2 * width), s2);
                    s3 = step.Add(i + (3 * width), s3);
                }
            }

            if (full == n)
            {
                return Softmax.ReducePairwise<TOps, T>(s0, s1, s2, s3);
            }

            Softmax.StorePartials<TOps, T>(s0, s1, s2, s3, ref p);
        }
        else
        {
            partial.Clear();
            for (int i = 0; i < full; i += Partials)
            {
                for (int c = 0; c < Partials; c += width)
                {
                    TOps.Store(step.Add(i + c, TOps.Load(ref Unsafe.Add(ref p, c))), ref Unsafe.Add(ref p, c));
                }
            }
        }

        for (int i = full; i < n; i++)
        {
            Unsafe.Add(ref p, i - full) = step.AddOne(i, Unsafe.Add(ref p, i - full));
        }

        return Softmax.ReducePairwise(partial);
    }

    /// <summary>What a layer norm row's statistic adds for its elements from i on (see <c>RowStatistic</c>).</summary>
    private interface IRowStep<T>
    {
        /// <summary>partial plus the step's value of the vector at element i.</summary>
        T Add(int i, T partial);

        /// <summary>partial plus the step's value of element i alone.</summary>
        float AddOne(int i, float partial);
    }

    /// <summary>s = a[i] (+ b[i]), stored to y[i], added to the partial.</summary>
    private readonly ref struct SumStep<TOps, T> : IRowStep<T>
        where TOps : IFloatOps<T>
    {
        private readonly ref float _a;
        private readonly ref float _b;
        private readonly ref float _y;
        private readonly bool _sum;

        public SumStep(ref float a, ref float b, ref float y, bool sum)
        {
            _a = ref a;
            _b = ref b;
            _y = ref y;
            _sum = sum;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Add(int i, T partial)
        {
            T s = TOps.Load(ref Unsafe.Add(ref _a, i));
            if (_sum)
            {
                s = TOps.Add(s, TOps.Load(ref Unsafe.Add(ref _b, i)));
            }

            TOps.Store(s, ref Unsafe.Add(ref _y, i));
            return TOps.Add(partial, s);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float AddOne(int i, float partial)
        {
            float s = _sum ? Unsafe.Add(ref _a, i) + Unsafe.Add(ref _b, i) : Unsafe.Add(ref _a, i);
            Unsafe.Add(ref _y, i) = s;
            return partial + s;
        }
    }

    /// <summary>fma(d, d, partial) for d = y[i] − mean.</summary>
    private readonly ref struct DeviationStep<TOps, T> : IRowStep<T>
        where TOps : IFloatOps<T>
    {
        private readonly ref float _y;
        private readonly T _mean;
        private readonly float _meanOne;

        public DeviationStep(ref float y, T mean, float meanOne)
        {
            _y = ref y;
            _mean = mean;
            _meanOne = meanOne;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Add(int i, T partial)
        {
            T d = TOps.Subtract(TOps.Load(ref Unsafe.Add(ref _y, i)), _mean);
            return TOps.FusedMultiplyAdd(d, d, partial);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float AddOne(int i, float partial)
        {
            float d = Unsafe.Add(ref _y, i) - _meanOne;
            return MathF.FusedMultiplyAdd(d, d, partial);
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

    /// <summary>
    /// The attention's working floats for one sequence of <paramref name="sequence"/> tokens: one head's keys, transposed,
    /// and the scores of a block of 8 queries, each row padded to a multiple of 16 keys.
    /// </summary>
    public static long ScratchFloats(int headSize, int sequence) => ((long)headSize + QueryBlock) * PaddedKeys(sequence);

    /// <summary>
    /// The row length of the transposed keys and of the scores for <paramref name="keys"/> real keys: rounded up to the
    /// softmax's 16 partials, so that every vector path runs whole vectors only. The padding keys are zeros in the
    /// transposed keys, and their scores are set to −inf before the softmax: their exponentials are +0, which leaves
    /// every partial maximum and partial sum as it was, and the context never reads them.
    /// </summary>
    internal static int PaddedKeys(int keys) => (int)(((long)keys + Softmax.Partials - 1) / Softmax.Partials * Softmax.Partials);

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

    /// <summary>Queries whose scores a head holds at once: their context sums then run side by side (8 chains per column block on 16 lanes, 4 on narrower vectors).</summary>
    internal const int QueryBlock = 8;

    /// <summary>
    /// One head of one sequence, every query. Every score and every context element is one fma chain, in the order the
    /// contract gives; what this adds is independence: scores of four queries over four blocks of keys (sixteen chains
    /// side by side), and the context of eight queries over two blocks of columns (sixteen on 16 lanes; four queries,
    /// eight chains, on narrower vectors), so that the FMA units are not waiting on one chain's latency.
    /// </summary>
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

        // Rows of `stride` keys: on the vector paths the real keys padded to a multiple of 16 (see PaddedKeys), so that
        // the scores and the softmax run whole vectors; the scalar path keeps n.
        int stride = TOps.Count == 1 ? n : PaddedKeys(n);
        Span<float> kt = scratch[..(headSize * stride)];
        Span<float> scores = scratch.Slice(headSize * stride, QueryBlock * stride);

        // This head's real keys, transposed: kt[d·stride + j] = k[keys[j], offset + d], and zeros for the padding keys
        // (the spans' lengths were checked by the caller: every key row holds offset + headSize floats).
        TransposeKeys(key, ld, offset, headSize, keys, kt, stride, blocks: TOps.Count > 1);

        if (stride > n)
        {
            for (int d = 0; d < headSize; d++)
            {
                kt.Slice((d * stride) + n, stride - n).Clear();
            }
        }

        float divisor = MathF.Sqrt(headSize);
        ref float ktr = ref MemoryMarshal.GetReference(kt);
        ref float sr = ref MemoryMarshal.GetReference(scores);
        ref float qr = ref MemoryMarshal.GetReference(query);
        for (int i0 = 0; i0 < queries; i0 += QueryBlock)
        {
            int g = Math.Min(QueryBlock, queries - i0);
            int qi = 0;
            for (; qi + 4 <= g; qi += 4)
            {
                ScoresQuad<TOps, T>(ref Unsafe.Add(ref qr, ((i0 + qi) * ld) + offset), ld, ref ktr, headSize, stride, divisor, ref Unsafe.Add(ref sr, qi * stride));
            }

            for (; qi + 1 < g; qi += 2)
            {
                ScoresPair<TOps, T>(ref Unsafe.Add(ref qr, ((i0 + qi) * ld) + offset), ref Unsafe.Add(ref qr, ((i0 + qi + 1) * ld) + offset), ref ktr, headSize, stride, divisor, ref Unsafe.Add(ref sr, qi * stride), ref Unsafe.Add(ref sr, (qi + 1) * stride));
            }

            if (qi < g)
            {
                // An odd query last: paired with itself (its row written twice, the same values).
                ScoresPair<TOps, T>(ref Unsafe.Add(ref qr, ((i0 + qi) * ld) + offset), ref Unsafe.Add(ref qr, ((i0 + qi) * ld) + offset), ref ktr, headSize, stride, divisor, ref Unsafe.Add(ref sr, qi * stride), ref Unsafe.Add(ref sr, qi * stride));
            }

            if (stride > n)
            {
                for (int q = 0; q < g; q++)
                {
                    scores.Slice((q * stride) + n, stride - n).Fill(float.NegativeInfinity);
                }
            }

            Softmax.Rows<TOps, T>(scores, stride, scores, stride, stride, g);
            ContextBlock<TOps, T>(scores, stride, g, value, ld, offset, headSize, keys, context.Slice((i0 * ld) + offset));
        }
    }

    /// <summary>
    /// kt[d·stride + j] = k[keys[j]·ld + offset + d] for d below headSize and j below keys.Length: a copy, so any order of
    /// the moves gives the same bits. Where <paramref name="blocks"/> is set and the machine has 4-lane shuffles (SSE,
    /// AdvSimd), 4 keys × 4 columns at a time, transposed in registers: four loads, eight shuffles and four stores where
    /// one float at a time takes sixteen loads and sixteen stores, each store to a row of its own. The keys and columns
    /// beyond whole blocks of 4 one float at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposeKeys(ReadOnlySpan<float> key, int ld, int offset, int headSize, ReadOnlySpan<int> keys, Span<float> kt, int stride, bool blocks)
    {
        int n = keys.Length;
        ref float ktw = ref MemoryMarshal.GetReference(kt);
        ref float kr0 = ref MemoryMarshal.GetReference(key);
        nint rowStride = stride;
        int j = 0;
        int wholeColumns = headSize & ~3;
        if (blocks && wholeColumns > 0 && (Sse.IsSupported || AdvSimd.Arm64.IsSupported))
        {
            for (; j + 4 <= n; j += 4)
            {
                ref float k0 = ref Unsafe.Add(ref kr0, ((nint)keys[j] * ld) + offset);
                ref float k1 = ref Unsafe.Add(ref kr0, ((nint)keys[j + 1] * ld) + offset);
                ref float k2 = ref Unsafe.Add(ref kr0, ((nint)keys[j + 2] * ld) + offset);
                ref float k3 = ref Unsafe.Add(ref kr0, ((nint)keys[j + 3] * ld) + offset);
                ref float column = ref Unsafe.Add(ref ktw, j);
                for (int d = 0; d < wholeColumns; d += 4)
                {
                    (Vector128<float> c0, Vector128<float> c1, Vector128<float> c2, Vector128<float> c3) = Transpose4(
                        Vector128.LoadUnsafe(ref k0, (nuint)d),
                        Vector128.LoadUnsafe(ref k1, (nuint)d),
                        Vector128.LoadUnsafe(ref k2, (nuint)d),
                        Vector128.LoadUnsafe(ref k3, (nuint)d));
                    c0.StoreUnsafe(ref column);
                    c1.StoreUnsafe(ref Unsafe.Add(ref column, rowStride));
                    c2.StoreUnsafe(ref Unsafe.Add(ref column, 2 * rowStride));
                    c3.StoreUnsafe(ref Unsafe.Add(ref column, 3 * rowStride));
                    column = ref Unsafe.Add(ref column, 4 * rowStride);
                }

                for (int d = wholeColumns; d < headSize; d++)
                {
                    Unsafe.Add(ref column, 0) = Unsafe.Add(ref k0, d);
                    Unsafe.Add(ref column, 1) = Unsafe.Add(ref k1, d);
                    Unsafe.Add(ref column, 2) = Unsafe.Add(ref k2, d);
                    Unsafe.Add(ref column, 3) = Unsafe.Add(ref k3, d);
                    column = ref Unsafe.Add(ref column, rowStride);
                }
            }
        }

        for (; j < n; j++)
        {
            ref float row = ref Unsafe.Add(ref kr0, ((nint)keys[j] * ld) + offset);
            ref float column = ref Unsafe.Add(ref ktw, j);
            for (int d = 0; d < headSize; d++)
            {
                column = Unsafe.Add(ref row, d);
                column = ref Unsafe.Add(ref column, rowStride);
            }
        }
    }

    /// <summary>The columns of the 4 × 4 block whose rows are r0 … r3, with SSE's or AdvSimd's shuffles (moves only).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector128<float> C0, Vector128<float> C1, Vector128<float> C2, Vector128<float> C3) Transpose4(
        Vector128<float> r0, Vector128<float> r1, Vector128<float> r2, Vector128<float> r3)
    {
        if (Sse.IsSupported)
        {
            // (r0[0], r1[0], r0[1], r1[1]), (r2[0], r3[0], r2[1], r3[1]), and the same of elements 2 and 3.
            Vector128<float> t0 = Sse.UnpackLow(r0, r1), t1 = Sse.UnpackLow(r2, r3);
            Vector128<float> t2 = Sse.UnpackHigh(r0, r1), t3 = Sse.UnpackHigh(r2, r3);
            return (Sse.MoveLowToHigh(t0, t1), Sse.MoveHighToLow(t1, t0), Sse.MoveLowToHigh(t2, t3), Sse.MoveHighToLow(t3, t2));
        }

        // AdvSimd: the same with zip1/zip2 on 32-bit lanes, then on 64-bit pairs.
        Vector128<ulong> u0 = AdvSimd.Arm64.ZipLow(r0, r1).AsUInt64(), u1 = AdvSimd.Arm64.ZipLow(r2, r3).AsUInt64();
        Vector128<ulong> u2 = AdvSimd.Arm64.ZipHigh(r0, r1).AsUInt64(), u3 = AdvSimd.Arm64.ZipHigh(r2, r3).AsUInt64();
        return (
            AdvSimd.Arm64.ZipLow(u0, u1).AsSingle(),
            AdvSimd.Arm64.ZipHigh(u0, u1).AsSingle(),
            AdvSimd.Arm64.ZipLow(u2, u3).AsSingle(),
            AdvSimd.Arm64.ZipHigh(u2, u3).AsSingle());
    }

    /// <summary>
    /// Scores of four consecutive queries (rows of q, stride ld) against all n keys of kt's rows (the padded stride: a
    /// multiple of 16 on the vector paths, so whole vectors only; any n on the scalar path, where a vector is one float):
    /// four blocks of lanes at a time (sixteen chains side by side, each a score's one fma chain over d), then two blocks
    /// and one (eight and four chains), divided by √d, into rows of n at s. With rows of 16 keys, the two- and one-block
    /// loops run on 16 lanes only: 8 lanes finish with two blocks, 4 lanes never leave the four-block loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ScoresQuad<TOps, T>(ref float q, int ld, ref float kt, int headSize, int n, float divisor, ref float s)
        where TOps : IFloatOps<T>
    {
        int width = TOps.Count;
        T div = TOps.Broadcast(divisor);
        ref float q1 = ref Unsafe.Add(ref q, ld);
        ref float q2 = ref Unsafe.Add(ref q, 2 * ld);
        ref float q3 = ref Unsafe.Add(ref q, 3 * ld);
        int j = 0;
        for (; j <= n - (4 * width); j += 4 * width)
        {
            T a0 = TOps.Broadcast(0f), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            T c0 = a0, c1 = a0, c2 = a0, c3 = a0, e0 = a0, e1 = a0, e2 = a0, e3 = a0;
            ref float k = ref Unsafe.Add(ref kt, j);
            for (int d = 0; d < headSize; d++)
            {
                T k0 = TOps.Load(ref k), k1 = TOps.Load(ref Unsafe.Add(ref k, width)), k2 = TOps.Load(ref Unsafe.Add(ref k, 2 * width)), k3 = TOps.Load(ref Unsafe.Add(ref k, 3 * width));
                T x = TOps.Broadcast(Unsafe.Add(ref q, d));
                a0 = TOps.FusedMultiplyAdd(x, k0, a0);
                a1 = TOps.FusedMultiplyAdd(x, k1, a1);
                a2 = TOps.FusedMultiplyAdd(x, k2, a2);
                a3 = TOps.FusedMultiplyAdd(x, k3, a3);
                x = TOps.Broadcast(Unsafe.Add(ref q1, d));
                b0 = TOps.FusedMultiplyAdd(x, k0, b0);
                b1 = TOps.FusedMultiplyAdd(x, k1, b1);
                b2 = TOps.FusedMultiplyAdd(x, k2, b2);
                b3 = TOps.FusedMultiplyAdd(x, k3, b3);
                x = TOps.Broadcast(Unsafe.Add(ref q2, d));
                c0 = TOps.FusedMultiplyAdd(x, k0, c0);
                c1 = TOps.FusedMultiplyAdd(x, k1, c1);
                c2 = TOps.FusedMultiplyAdd(x, k2, c2);
                c3 = TOps.FusedMultiplyAdd(x, k3, c3);
                x = TOps.Broadcast(Unsafe.Add(ref q3, d));
                e0 = TOps.FusedMultiplyAdd(x, k0, e0);
                e1 = TOps.FusedMultiplyAdd(x, k1, e1);
                e2 = TOps.FusedMultiplyAdd(x, k2, e2);
                e3 = TOps.FusedMultiplyAdd(x, k3, e3);
                k = ref Unsafe.Add(ref k, n);
            }

            StoreScores<TOps, T>(a0, a1, a2, a3, div, ref Unsafe.Add(ref s, j));
            StoreScores<TOps, T>(b0, b1, b2, b3, div, ref Unsafe.Add(ref s, n + j));
            StoreScores<TOps, T>(c0, c1, c2, c3, div, ref Unsafe.Add(ref s, (2 * n) + j));
            StoreScores<TOps, T>(e0, e1, e2, e3, div, ref Unsafe.Add(ref s, (3 * n) + j));
        }

        for (; j <= n - (2 * width); j += 2 * width)
        {
            // Two blocks of keys left: the four queries still side by side (eight chains).
            T a0 = TOps.Broadcast(0f), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, e0 = a0, e1 = a0;
            ref float k = ref Unsafe.Add(ref kt, j);
            for (int d = 0; d < headSize; d++)
            {
                T k0 = TOps.Load(ref k), k1 = TOps.Load(ref Unsafe.Add(ref k, width));
                T x = TOps.Broadcast(Unsafe.Add(ref q, d));
                a0 = TOps.FusedMultiplyAdd(x, k0, a0);
                a1 = TOps.FusedMultiplyAdd(x, k1, a1);
                x = TOps.Broadcast(Unsafe.Add(ref q1, d));
                b0 = TOps.FusedMultiplyAdd(x, k0, b0);
                b1 = TOps.FusedMultiplyAdd(x, k1, b1);
                x = TOps.Broadcast(Unsafe.Add(ref q2, d));
                c0 = TOps.FusedMultiplyAdd(x, k0, c0);
                c1 = TOps.FusedMultiplyAdd(x, k1, c1);
                x = TOps.Broadcast(Unsafe.Add(ref q3, d));
                e0 = TOps.FusedMultiplyAdd(x, k0, e0);
                e1 = TOps.FusedMultiplyAdd(x, k1, e1);
                k = ref Unsafe.Add(ref k, n);
            }

            StoreScores<TOps, T>(a0, a1, div, ref Unsafe.Add(ref s, j));
            StoreScores<TOps, T>(b0, b1, div, ref Unsafe.Add(ref s, n + j));
            StoreScores<TOps, T>(c0, c1, div, ref Unsafe.Add(ref s, (2 * n) + j));
            StoreScores<TOps, T>(e0, e1, div, ref Unsafe.Add(ref s, (3 * n) + j));
        }

        for (; j <= n - width; j += width)
        {
            // One block left: four chains.
            T a = TOps.Broadcast(0f), b = a, c = a, e = a;
            ref float k = ref Unsafe.Add(ref kt, j);
            for (int d = 0; d < headSize; d++)
            {
                T k0 = TOps.Load(ref k);
                a = TOps.FusedMultiplyAdd(TOps.Broadcast(Unsafe.Add(ref q, d)), k0, a);
                b = TOps.FusedMultiplyAdd(TOps.Broadcast(Unsafe.Add(ref q1, d)), k0, b);
                c = TOps.FusedMultiplyAdd(TOps.Broadcast(Unsafe.Add(ref q2, d)), k0, c);
                e = TOps.FusedMultiplyAdd(TOps.Broadcast(Unsafe.Add(ref q3, d)), k0, e);
                k = ref Unsafe.Add(ref k, n);
            }

            TOps.Store(TOps.Divide(a, div), ref Unsafe.Add(ref s, j));
            TOps.Store(TOps.Divide(b, div), ref Unsafe.Add(ref s, n + j));
            TOps.Store(TOps.Divide(c, div), ref Unsafe.Add(ref s, (2 * n) + j));
            TOps.Store(TOps.Divide(e, div), ref Unsafe.Add(ref s, (3 * n) + j));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreScores<TOps, T>(T v0, T v1, T div, ref float s)
        where TOps : IFloatOps<T>
    {
        TOps.Store(TOps.Divide(v0, div), ref s);
        TOps.Store(TOps.Divide(v1, div), ref Unsafe.Add(ref s, TOps.Count));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreScores<TOps, T>(T v0, T v1, T v2, T v3, T div, ref float s)
        where TOps : IFloatOps<T>
    {
        StoreScores<TOps, T>(v0, v1, div, ref s);
        StoreScores<TOps, T>(v2, v3, div, ref Unsafe.Add(ref s, 2 * TOps.Count));
    }

    /// <summary>
    /// Scores of queries a and b against all n keys of kt's rows (padding keys included; n a multiple of the width, as in
    /// <see cref="ScoresQuad{TOps, T}"/>): four blocks of lanes at a time, then one, divided by √d.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ScoresPair<TOps, T>(ref float qa, ref float qb, ref float kt, int headSize, int n, float divisor, ref float sa, ref float sb)
        where TOps : IFloatOps<T>
    {
        int width = TOps.Count;
        T div = TOps.Broadcast(divisor);
        int j = 0;
        for (; j <= n - (4 * width); j += 4 * width)
        {
            T a0 = TOps.Broadcast(0f), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            for (int d = 0; d < headSize; d++)
            {
                ref float k = ref Unsafe.Add(ref kt, (d * n) + j);
                T k0 = TOps.Load(ref k), k1 = TOps.Load(ref Unsafe.Add(ref k, width)), k2 = TOps.Load(ref Unsafe.Add(ref k, 2 * width)), k3 = TOps.Load(ref Unsafe.Add(ref k, 3 * width));
                T x = TOps.Broadcast(Unsafe.Add(ref qa, d));
                T y = TOps.Broadcast(Unsafe.Add(ref qb, d));
                a0 = TOps.FusedMultiplyAdd(x, k0, a0);
                a1 = TOps.FusedMultiplyAdd(x, k1, a1);
                a2 = TOps.FusedMultiplyAdd(x, k2, a2);
                a3 = TOps.FusedMultiplyAdd(x, k3, a3);
                b0 = TOps.FusedMultiplyAdd(y, k0, b0);
                b1 = TOps.FusedMultiplyAdd(y, k1, b1);
                b2 = TOps.FusedMultiplyAdd(y, k2, b2);
                b3 = TOps.FusedMultiplyAdd(y, k3, b3);
            }

            TOps.Store(TOps.Divide(a0, div), ref Unsafe.Add(ref sa, j));
            TOps.Store(TOps.Divide(a1, div), ref Unsafe.Add(ref sa, j + width));
            TOps.Store(TOps.Divide(a2, div), ref Unsafe.Add(ref sa, j + (2 * width)));
            TOps.Store(TOps.Divide(a3, div), ref Unsafe.Add(ref sa, j + (3 * width)));
            TOps.Store(TOps.Divide(b0, div), ref Unsafe.Add(ref sb, j));
            TOps.Store(TOps.Divide(b1, div), ref Unsafe.Add(ref sb, j + width));
            TOps.Store(TOps.Divide(b2, div), ref Unsafe.Add(ref sb, j + (2 * width)));
            TOps.Store(TOps.Divide(b3, div), ref Unsafe.Add(ref sb, j + (3 * width)));
        }

        for (; j <= n - width; j += width)
        {
            T a = TOps.Broadcast(0f), b = a;
            for (int d = 0; d < headSize; d++)
            {
                T k = TOps.Load(ref Unsafe.Add(ref kt, (d * n) + j));
                a = TOps.FusedMultiplyAdd(TOps.Broadcast(Unsafe.Add(ref qa, d)), k, a);
                b = TOps.FusedMultiplyAdd(TOps.Broadcast(Unsafe.Add(ref qb, d)), k, b);
            }

            TOps.Store(TOps.Divide(a, div), ref Unsafe.Add(ref sa, j));
            TOps.Store(TOps.Divide(b, div), ref Unsafe.Add(ref sb, j));
        }
    }

    /// <summary>
    /// The context of <paramref name="g"/> consecutive queries (rows of <paramref name="p"/>, <paramref name="stride"/>
    /// apart, their probabilities over the real keys first, then the padding's zeros, never read): context[q, e] =
    /// Σ_j p[q, j]·v[keys[j], e], one fma chain per element over the real keys j ascending. Eight
    /// queries at a time on 16 lanes (sixteen chains over two column blocks: AVX-512 has the 32 registers), then four,
    /// then one; each query's elements are the same chains whichever group computes them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ContextBlock<TOps, T>(
        ReadOnlySpan<float> p, int stride, int g, ReadOnlySpan<float> value, int ld, int offset, int headSize, ReadOnlySpan<int> keys, Span<float> context)
        where TOps : IFloatOps<T>
    {
        int n = keys.Length;
        ref float pr = ref MemoryMarshal.GetReference(p);
        ref float vr = ref Unsafe.Add(ref MemoryMarshal.GetReference(value), offset);
        ref float cr = ref MemoryMarshal.GetReference(context);
        ref int kr = ref MemoryMarshal.GetReference(keys);
        int q = 0;
        if (TOps.Count == 16)
        {
            for (; q + 8 <= g; q += 8)
            {
                ContextOcto<TOps, T>(ref Unsafe.Add(ref pr, q * stride), stride, n, ref vr, ld, headSize, ref kr, ref Unsafe.Add(ref cr, q * ld));
            }
        }

        for (; q + 4 <= g; q += 4)
        {
            ContextQuad<TOps, T>(ref Unsafe.Add(ref pr, q * stride), stride, n, ref vr, ld, 0, headSize, ref kr, ref Unsafe.Add(ref cr, q * ld));
        }

        for (; q < g; q++)
        {
            ContextSingle<TOps, T>(ref Unsafe.Add(ref pr, q * stride), n, ref vr, ld, 0, headSize, ref kr, ref Unsafe.Add(ref cr, q * ld));
        }
    }

    /// <summary>
    /// Eight queries' context (probability rows <paramref name="stride"/> apart, <paramref name="n"/> real keys): blocks
    /// of two vectors of columns (sixteen chains), then what is left of the columns by <see cref="ContextQuad{TOps, T}"/>
    /// for each half. Not inlined: on its own the loop keeps every row offset in a register.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ContextOcto<TOps, T>(ref float pr, int stride, int n, ref float vr, int ld, int headSize, ref int kr, ref float cr)
        where TOps : IFloatOps<T>
    {
        int width = TOps.Count;
        nint rowStride = stride, threeRows = 3 * rowStride, valueStride = ld;
        int e = 0;
        for (; e <= headSize - (2 * width); e += 2 * width)
        {
            T c00 = TOps.Broadcast(0f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
            T c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;

            // Rows 0-3 of the probabilities from p0 and rows 4-7 from p4, each at 0, 1, 2 and 3 strides: every
            // address a base register plus a scaled index register, none recomputed in the loop.
            ref float p0 = ref pr;
            ref float p4 = ref Unsafe.Add(ref pr, 4 * rowStride);
            ref float ve = ref Unsafe.Add(ref vr, e);
            for (int j = 0; j < n; j++)
            {
                ref float v = ref Unsafe.Add(ref ve, Unsafe.Add(ref kr, j) * valueStride);
                T v0 = TOps.Load(ref v), v1 = TOps.Load(ref Unsafe.Add(ref v, width));
                T w = TOps.Broadcast(p0);
                c00 = TOps.FusedMultiplyAdd(w, v0, c00);
                c01 = TOps.FusedMultiplyAdd(w, v1, c01);
                w = TOps.Broadcast(Unsafe.Add(ref p0, rowStride));
                c10 = TOps.FusedMultiplyAdd(w, v0, c10);
                c11 = TOps.FusedMultiplyAdd(w, v1, c11);
                w = TOps.Broadcast(Unsafe.Add(ref p0, 2 * rowStride));
                c20 = TOps.FusedMultiplyAdd(w, v0, c20);
                c21 = TOps.FusedMultiplyAdd(w, v1, c21);
                w = TOps.Broadcast(Unsafe.Add(ref p0, threeRows));
                c30 = TOps.FusedMultiplyAdd(w, v0, c30);
                c31 = TOps.FusedMultiplyAdd(w, v1, c31);
                w = TOps.Broadcast(p4);
                c40 = TOps.FusedMultiplyAdd(w, v0, c40);
                c41 = TOps.FusedMultiplyAdd(w, v1, c41);
                w = TOps.Broadcast(Unsafe.Add(ref p4, rowStride));
                c50 = TOps.FusedMultiplyAdd(w, v0, c50);
                c51 = TOps.FusedMultiplyAdd(w, v1, c51);
                w = TOps.Broadcast(Unsafe.Add(ref p4, 2 * rowStride));
                c60 = TOps.FusedMultiplyAdd(w, v0, c60);
                c61 = TOps.FusedMultiplyAdd(w, v1, c61);
                w = TOps.Broadcast(Unsafe.Add(ref p4, threeRows));
                c70 = TOps.FusedMultiplyAdd(w, v0, c70);
                c71 = TOps.FusedMultiplyAdd(w, v1, c71);
                p0 = ref Unsafe.Add(ref p0, 1);
                p4 = ref Unsafe.Add(ref p4, 1);
            }

            StorePair<TOps, T>(c00, c01, ref Unsafe.Add(ref cr, e));
            StorePair<TOps, T>(c10, c11, ref Unsafe.Add(ref cr, ld + e));
            StorePair<TOps, T>(c20, c21, ref Unsafe.Add(ref cr, (2 * ld) + e));
            StorePair<TOps, T>(c30, c31, ref Unsafe.Add(ref cr, (3 * ld) + e));
            StorePair<TOps, T>(c40, c41, ref Unsafe.Add(ref cr, (4 * ld) + e));
            StorePair<TOps, T>(c50, c51, ref Unsafe.Add(ref cr, (5 * ld) + e));
            StorePair<TOps, T>(c60, c61, ref Unsafe.Add(ref cr, (6 * ld) + e));
            StorePair<TOps, T>(c70, c71, ref Unsafe.Add(ref cr, (7 * ld) + e));
        }

        if (e < headSize)
        {
            ContextQuad<TOps, T>(ref pr, stride, n, ref vr, ld, e, headSize, ref kr, ref cr);
            ContextQuad<TOps, T>(ref Unsafe.Add(ref pr, 4 * stride), stride, n, ref vr, ld, e, headSize, ref kr, ref Unsafe.Add(ref cr, 4 * ld));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePair<TOps, T>(T a, T b, ref float c)
        where TOps : IFloatOps<T>
    {
        TOps.Store(a, ref c);
        TOps.Store(b, ref Unsafe.Add(ref c, TOps.Count));
    }

    /// <summary>Four queries' context over columns [e, headSize): two column blocks (eight chains), one (four), then one float at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ContextQuad<TOps, T>(ref float pr, int stride, int n, ref float vr, int ld, int e, int headSize, ref int kr, ref float cr)
        where TOps : IFloatOps<T>
    {
        int width = TOps.Count;
        for (; e <= headSize - (2 * width); e += 2 * width)
        {
            T c00 = TOps.Broadcast(0f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
            for (int j = 0; j < n; j++)
            {
                ref float v = ref Unsafe.Add(ref vr, (Unsafe.Add(ref kr, j) * ld) + e);
                T v0 = TOps.Load(ref v), v1 = TOps.Load(ref Unsafe.Add(ref v, width));
                T w0 = TOps.Broadcast(Unsafe.Add(ref pr, j));
                T w1 = TOps.Broadcast(Unsafe.Add(ref pr, stride + j));
                T w2 = TOps.Broadcast(Unsafe.Add(ref pr, (2 * stride) + j));
                T w3 = TOps.Broadcast(Unsafe.Add(ref pr, (3 * stride) + j));
                c00 = TOps.FusedMultiplyAdd(w0, v0, c00);
                c01 = TOps.FusedMultiplyAdd(w0, v1, c01);
                c10 = TOps.FusedMultiplyAdd(w1, v0, c10);
                c11 = TOps.FusedMultiplyAdd(w1, v1, c11);
                c20 = TOps.FusedMultiplyAdd(w2, v0, c20);
                c21 = TOps.FusedMultiplyAdd(w2, v1, c21);
                c30 = TOps.FusedMultiplyAdd(w3, v0, c30);
                c31 = TOps.FusedMultiplyAdd(w3, v1, c31);
            }

            StorePair<TOps, T>(c00, c01, ref Unsafe.Add(ref cr, e));
            StorePair<TOps, T>(c10, c11, ref Unsafe.Add(ref cr, ld + e));
            StorePair<TOps, T>(c20, c21, ref Unsafe.Add(ref cr, (2 * ld) + e));
            StorePair<TOps, T>(c30, c31, ref Unsafe.Add(ref cr, (3 * ld) + e));
        }

        for (; e <= headSize - width; e += width)
        {
            T c0 = TOps.Broadcast(0f), c1 = c0, c2 = c0, c3 = c0;
            for (int j = 0; j < n; j++)
            {
                T v = TOps.Load(ref Unsafe.Add(ref vr, (Unsafe.Add(ref kr, j) * ld) + e));
                c0 = TOps.FusedMultiplyAdd(TOps.Broadcast(Unsafe.Add(ref pr, j)), v, c0);
                c1 = TOps.FusedMultiplyAdd(TOps.Broadcast(Unsafe.Add(ref pr, stride + j)), v, c1);
                c2 = TOps.FusedMultiplyAdd(TOps.Broadcast(Unsafe.Add(ref pr, (2 * stride) + j)), v, c2);
                c3 = TOps.FusedMultiplyAdd(TOps.Broadcast(Unsafe.Add(ref pr, (3 * stride) + j)), v, c3);
            }

            TOps.Store(c0, ref Unsafe.Add(ref cr, e));
            TOps.Store(c1, ref Unsafe.Add(ref cr, ld + e));
            TOps.Store(c2, ref Unsafe.Add(ref cr, (2 * ld) + e));
            TOps.Store(c3, ref Unsafe.Add(ref cr, (3 * ld) + e));
        }

        for (int q = 0; q < 4; q++)
        {
            ContextColumns(ref Unsafe.Add(ref pr, q * stride), n, ref vr, ld, e, headSize, ref kr, ref Unsafe.Add(ref cr, q * ld));
        }
    }

    /// <summary>One query's context over columns [e, headSize): one column block at a time (one chain), then one float at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ContextSingle<TOps, T>(ref float pr, int n, ref float vr, int ld, int e, int headSize, ref int kr, ref float cr)
        where TOps : IFloatOps<T>
    {
        int width = TOps.Count;
        for (; e <= headSize - width; e += width)
        {
            T c = TOps.Broadcast(0f);
            for (int j = 0; j < n; j++)
            {
                c = TOps.FusedMultiplyAdd(TOps.Broadcast(Unsafe.Add(ref pr, j)), TOps.Load(ref Unsafe.Add(ref vr, (Unsafe.Add(ref kr, j) * ld) + e)), c);
            }

            TOps.Store(c, ref Unsafe.Add(ref cr, e));
        }

        ContextColumns(ref pr, n, ref vr, ld, e, headSize, ref kr, ref cr);
    }

    /// <summary>One query's context over columns [e, headSize), one float (one chain) at a time: the columns past the last full vector.</summary>
    private static void ContextColumns(ref float pr, int n, ref float vr, int ld, int e, int headSize, ref int kr, ref float cr)
    {
        for (; e < headSize; e++)
        {
            float c = 0f;
            for (int j = 0; j < n; j++)
            {
                c = MathF.FusedMultiplyAdd(Unsafe.Add(ref pr, j), Unsafe.Add(ref vr, (Unsafe.Add(ref kr, j) * ld) + e), c);
            }

            Unsafe.Add(ref cr, e) = c;
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
