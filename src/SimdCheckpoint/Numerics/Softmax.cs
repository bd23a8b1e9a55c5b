using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SimdCheckpoint.Numerics;

/// <summary>
/// Softmax over the last axis, y[i] = e^(x[i] − max) / Σ e^(x[j] − max), in one fixed order of binary32 operations
/// that every width executes (the determinism contract in the README), so every path gives the same bits:
/// <list type="number">
/// <item>max: the largest element (compare and select; NaNs are never selected, and a NaN anywhere makes the sum, and
/// so every output, NaN).</item>
/// <item>e[i] = <see cref="CanonicalMath.Exp{TOps, T}(T)"/> of x[i] − max, the subtraction carried as an exact
/// two-float sum so that large differences do not lose bits.</item>
/// <item>the sum: element i is added to partial sum i mod 16, in ascending i; then the 16 partials are added pairwise
/// (p[j] += p[j + 8], then + 4, + 2, + 1). A 16-lane vector holds the partials in one register, 8 lanes in two, 4 in four,
/// the scalar path in sixteen floats: the same additions in the same order.</item>
/// <item>y[i] = e[i] / sum, a correctly rounded division.</item>
/// </list>
/// Huge logits never overflow (the largest exponent is 0); a row with +inf, or only −inf, gives NaN, as PyTorch does.
/// The backward pass, dx[i] = y[i]·(dy[i] − Σ y[j]·dy[j]), forms its dot product in the same 16-partial order with one
/// fused multiply-add per element.
/// </summary>
public static class Softmax
{
    /// <summary>Partial sums: element i goes to partial i mod 16 at every width.</summary>
    public const int Partials = 16;

    /// <summary>Softmax of one row, on <paramref name="path"/>. <paramref name="y"/> may be <paramref name="x"/> itself (in place).</summary>
    /// <exception cref="ArgumentException">The lengths differ, the spans partially overlap, or the row is empty.</exception>
    public static void Row(ReadOnlySpan<float> x, Span<float> y, KernelPath path = KernelPath.Auto)
    {
        Elementwise.CheckSpans(x, y);
        if (x.IsEmpty)
        {
            throw new ArgumentException("Softmax needs at least one element per row.", nameof(x));
        }

        switch (Elementwise.Resolve(path))
        {
            case KernelPath.Vector512:
                Rows<Vector512Ops, Vector512<float>>(x, x.Length, y, y.Length, x.Length, 1);
                break;
            case KernelPath.Vector256:
                Rows<Vector256Ops, Vector256<float>>(x, x.Length, y, y.Length, x.Length, 1);
                break;
            case KernelPath.Vector128:
                Rows<Vector128Ops, Vector128<float>>(x, x.Length, y, y.Length, x.Length, 1);
                break;
            default:
                Rows<ScalarOps, float>(x, x.Length, y, y.Length, x.Length, 1);
                break;
        }
    }

    /// <summary>
    /// The softmax backward pass of one row from its output: dx[i] = y[i]·(dy[i] − dot), dot = Σ y[j]·dy[j] in the
    /// 16-partial order. <paramref name="dx"/> may be <paramref name="dy"/> itself.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths differ, or <paramref name="dx"/> partially overlaps an input.</exception>
    public static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, KernelPath path = KernelPath.Auto)
    {
        Elementwise.CheckSpans(dy, dx);
        Elementwise.CheckSpans(y, dx);
        switch (Elementwise.Resolve(path))
        {
            case KernelPath.Vector512:
                BackwardRow<Vector512Ops, Vector512<float>>(y, dy, dx);
                break;
            case KernelPath.Vector256:
                BackwardRow<Vector256Ops, Vector256<float>>(y, dy, dx);
                break;
            case KernelPath.Vector128:
                BackwardRow<Vector128Ops, Vector128<float>>(y, dy, dx);
                break;
            default:
                BackwardRow<ScalarOps, float>(y, dy, dx);
                break;
        }
    }

    /// <summary>
    /// Softmax of m rows of n elements (row i of x at i·ldx, of y at i·ldy) with <typeparamref name="TOps"/>'s width: the
    /// form generated kernels call after a layer's last panel. Each row of y may be the same memory as x's (in place).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Rows<TOps, T>(ReadOnlySpan<float> x, int ldx, Span<float> y, int ldy, int n, int m)
        where TOps : IFloatOps<T>
    {
        if (n < 1 || m < 0 || ldx < n || ldy < n || (m > 0 && ((long)(m - 1) * ldx) + n > x.Length) || (m > 0 && ((long)(m - 1) * ldy) + n > y.Length))
        {
            throw new ArgumentException($"Softmax over {m} rows of {n} (strides {ldx}, {ldy}) does not fit spans of {x.Length} and {y.Length}.");
        }

        if (x.Overlaps(y, out int offset) && (offset != 0 || ldx != ldy))
        {
            throw new ArgumentException("Softmax's output overlaps its input other than row for row in place.", nameof(y));
        }

        Span<float> partial = stackalloc float[2 * Partials];
        int row = 0;
        if (TOps.Count >= 4 && n % Partials == 0 && m >= 2)
        {
            // Rows whose length is a whole number of partial blocks (the attention's padded score rows), two at a time.
            row = m - (m % 2);
            RowPairs<TOps, T>(ref Unsafe.AsRef(in x[0]), ldx, ref y[0], ldy, n, row / 2, partial);
        }

        for (; row < m; row++)
        {
            ref float xr = ref Unsafe.AsRef(in x[row * ldx]);
            ref float yr = ref y[row * ldy];
            RowCore<TOps, T>(ref xr, ref yr, n, partial);
        }
    }

    /// <summary>
    /// Rows 0 to 2·pairs − 1 (strides ldx and ldy) two at a time, each pair's division by its sums done block by block
    /// beside the next pair's exponentials. A method of its own so that the JIT inlines the steps into one loop nest.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void RowPairs<TOps, T>(ref float x, int ldx, ref float y, int ldy, int n, int pairs, Span<float> partial)
        where TOps : IFloatOps<T>
    {
        T sumA = TOps.Broadcast(1f), sumB = sumA;
        for (int pair = 0; pair < pairs; pair++)
        {
            ref float xa = ref Unsafe.Add(ref x, (nint)(2 * pair) * ldx);
            ref float ya = ref Unsafe.Add(ref y, (nint)(2 * pair) * ldy);
            ref float previous = ref pair > 0 ? ref Unsafe.Subtract(ref ya, 2 * (nint)ldy) : ref ya; // read only if pair > 0
            (float a, float b) = RowPairCore<TOps, T>(ref xa, ref ya, ref Unsafe.Add(ref xa, ldx), ref Unsafe.Add(ref ya, ldy), n, partial, ref previous, ref Unsafe.Add(ref previous, ldy), sumA, sumB, pair > 0);
            sumA = TOps.Broadcast(a);
            sumB = TOps.Broadcast(b);
        }

        ref float last = ref Unsafe.Add(ref y, (nint)(2 * (pairs - 1)) * ldy);
        for (int i = 0; i < n; i += TOps.Count)
        {
            DividePair<TOps, T>(ref last, ref Unsafe.Add(ref last, ldy), i, sumA, sumB);
        }
    }

    /// <summary>Step 3 for one vector of two rows: y[i..] /= sum, each row by its own.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void DividePair<TOps, T>(ref float ya, ref float yb, int i, T sumA, T sumB)
        where TOps : IFloatOps<T>
    {
        TOps.Store(TOps.Divide(TOps.Load(ref Unsafe.Add(ref ya, i)), sumA), ref Unsafe.Add(ref ya, i));
        TOps.Store(TOps.Divide(TOps.Load(ref Unsafe.Add(ref yb, i)), sumB), ref Unsafe.Add(ref yb, i));
    }

    /// <summary>
    /// <see cref="RowCore{TOps, T}"/> for two rows at once, each row's operations exactly as there (so the same bits),
    /// for vectors of 4 lanes or more and rows of a whole number of partial blocks: the two rows' steps interleaved, so
    /// that each row's chains (the running maxima and sums, the 16-step maximum across the partials, the pairwise
    /// reduction) overlap the other's instead of waiting on their own latency. Steps 1 and 2 only: the sums are
    /// returned, and where <paramref name="divide"/> is set the previous pair's step 3 (its rows at previousA and
    /// previousB, of n elements too, divided by sumA and sumB) runs block by block inside step 2, so that the divider,
    /// idle during the exponentials, works beside them instead of after them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (float SumA, float SumB) RowPairCore<TOps, T>(ref float xa, ref float ya, ref float xb, ref float yb, int n, Span<float> partial, ref float previousA, ref float previousB, T sumA, T sumB, bool divide)
        where TOps : IFloatOps<T>
    {
        int width = TOps.Count;
        ref float pa = ref MemoryMarshal.GetReference(partial);
        ref float pb = ref Unsafe.Add(ref pa, Partials);

        // 1. The maxima.
        T a0 = TOps.Broadcast(float.NegativeInfinity), a1 = a0, a2 = a0, a3 = a0;
        T b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (int i = 0; i < n; i += Partials)
        {
            a0 = Max<TOps, T>(TOps.Load(ref Unsafe.Add(ref xa, i)), a0);
            b0 = Max<TOps, T>(TOps.Load(ref Unsafe.Add(ref xb, i)), b0);
            if (Partials / width > 1)
            {
                a1 = Max<TOps, T>(TOps.Load(ref Unsafe.Add(ref xa, i + width)), a1);
                b1 = Max<TOps, T>(TOps.Load(ref Unsafe.Add(ref xb, i + width)), b1);
            }

            if (Partials / width > 2)
            {
                a2 = Max<TOps, T>(TOps.Load(ref Unsafe.Add(ref xa, i + (2 * width))), a2);
                b2 = Max<TOps, T>(TOps.Load(ref Unsafe.Add(ref xb, i + (2 * width))), b2);
                a3 = Max<TOps, T>(TOps.Load(ref Unsafe.Add(ref xa, i + (3 * width))), a3);
                b3 = Max<TOps, T>(TOps.Load(ref Unsafe.Add(ref xb, i + (3 * width))), b3);
            }
        }

        StorePartials<TOps, T>(a0, a1, a2, a3, ref pa);
        StorePartials<TOps, T>(b0, b1, b2, b3, ref pb);
        (float maxA, float maxB) = MaxInOrderPair(ref pa, ref pb);

        // 2. e = exp(x − max) into y, summed into the partials.
        T negativeMaxA = TOps.Broadcast(-maxA), negativeMaxB = TOps.Broadcast(-maxB);
        a0 = TOps.Broadcast(0f);
        a1 = a0;
        a2 = a0;
        a3 = a0;
        b0 = a0;
        b1 = a0;
        b2 = a0;
        b3 = a0;
        for (int i = 0; i < n; i += Partials)
        {
            a0 = ExpAndSum<TOps, T>(ref xa, ref ya, i, negativeMaxA, a0);
            b0 = ExpAndSum<TOps, T>(ref xb, ref yb, i, negativeMaxB, b0);
            if (Partials / width > 1)
            {
                a1 = ExpAndSum<TOps, T>(ref xa, ref ya, i + width, negativeMaxA, a1);
                b1 = ExpAndSum<TOps, T>(ref xb, ref yb, i + width, negativeMaxB, b1);
            }

            if (Partials / width > 2)
            {
                a2 = ExpAndSum<TOps, T>(ref xa, ref ya, i + (2 * width), negativeMaxA, a2);
                b2 = ExpAndSum<TOps, T>(ref xb, ref yb, i + (2 * width), negativeMaxB, b2);
                a3 = ExpAndSum<TOps, T>(ref xa, ref ya, i + (3 * width), negativeMaxA, a3);
                b3 = ExpAndSum<TOps, T>(ref xb, ref yb, i + (3 * width), negativeMaxB, b3);
            }

            if (divide)
            {
                for (int c = 0; c < Partials; c += width)
                {
                    DividePair<TOps, T>(ref previousA, ref previousB, i + c, sumA, sumB);
                }
            }
        }

        // 3. The pairwise sums straight from the registers; the caller divides.
        return (ReducePairwise<TOps, T>(a0, a1, a2, a3), ReducePairwise<TOps, T>(b0, b1, b2, b3));
    }

    /// <summary>e = exp(x[i..] − max) stored to y[i..], and the running partial sums plus e.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T ExpAndSum<TOps, T>(ref float x, ref float y, int i, T negativeMax, T sum)
        where TOps : IFloatOps<T>
    {
        T e = ShiftedExp<TOps, T>(TOps.Load(ref Unsafe.Add(ref x, i)), negativeMax);
        TOps.Store(e, ref Unsafe.Add(ref y, i));
        return TOps.Add(sum, e);
    }

    /// <summary><see cref="MaxInOrder(ref float)"/> of two rows' partials, the two chains interleaved.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (float A, float B) MaxInOrderPair(ref float pa, ref float pb)
    {
        if (Sse.IsSupported)
        {
            Vector128<float> ma = Vector128.CreateScalarUnsafe(pa);
            Vector128<float> mb = Vector128.CreateScalarUnsafe(pb);
            for (int j = 1; j < Partials; j++)
            {
                ma = Sse.MaxScalar(Vector128.CreateScalarUnsafe(Unsafe.Add(ref pa, j)), ma);
                mb = Sse.MaxScalar(Vector128.CreateScalarUnsafe(Unsafe.Add(ref pb, j)), mb);
            }

            return (ma.ToScalar(), mb.ToScalar());
        }

        return (MaxInOrder(ref pa), MaxInOrder(ref pb));
    }

    /// <summary>The lane-wise maximum as the partials have always taken it: v where v &gt; m, else m (so NaN and −0 behave as before).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Max<TOps, T>(T v, T m)
        where TOps : IFloatOps<T> => TOps.ConditionalSelect(TOps.GreaterThan(v, m), v, m);

    /// <summary>Writes the 16 partials held in 16 / width registers (the first of a, b, c, d) to memory.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StorePartials<TOps, T>(T a, T b, T c, T d, ref float p)
        where TOps : IFloatOps<T>
    {
        int width = TOps.Count;
        TOps.Store(a, ref p);
        if (Partials / width > 1)
        {
            TOps.Store(b, ref Unsafe.Add(ref p, width));
        }

        if (Partials / width > 2)
        {
            TOps.Store(c, ref Unsafe.Add(ref p, 2 * width));
            TOps.Store(d, ref Unsafe.Add(ref p, 3 * width));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowCore<TOps, T>(ref float x, ref float y, int n, Span<float> partial)
        where TOps : IFloatOps<T>
    {
        int width = TOps.Count;
        int full = n - (n % Partials);
        ref float p = ref MemoryMarshal.GetReference(partial);

        // 1. The maximum, lane by lane, then across the 16 partials. With vectors of 4 lanes or more the partials stay in
        // registers (16 / width of them) through the whole rows' sweep, and go to memory only for the tail and the
        // reduction: the same comparisons in the same order as going through memory, without a store-to-load chain. The
        // sums in step 2 likewise, and where the row has no tail their reduction runs in registers too.
        if (width >= 4)
        {
            T m0 = TOps.Broadcast(float.NegativeInfinity), m1 = m0, m2 = m0, m3 = m0;
            for (int i = 0; i < full; i += Partials)
            {
                m0 = Max<TOps, T>(TOps.Load(ref Unsafe.Add(ref x, i)), m0);
                if (Partials / width > 1)
                {
                    m1 = Max<TOps, T>(TOps.Load(ref Unsafe.Add(ref x, i + width)), m1);
                }

                if (Partials / width > 2)
                {
                    m2 = Max<TOps, T>(TOps.Load(ref Unsafe.Add(ref x, i + (2 * width))), m2);
                    m3 = Max<TOps, T>(TOps.Load(ref Unsafe.Add(ref x, i + (3 * width))), m3);
                }
            }

            StorePartials<TOps, T>(m0, m1, m2, m3, ref p);
        }
        else
        {
            partial.Fill(float.NegativeInfinity);
            for (int i = 0; i < full; i += Partials)
            {
                for (int c = 0; c < Partials; c += width)
                {
                    T v = TOps.Load(ref Unsafe.Add(ref x, i + c));
                    T mx = TOps.Load(ref Unsafe.Add(ref p, c));
                    TOps.Store(Max<TOps, T>(v, mx), ref Unsafe.Add(ref p, c));
                }
            }
        }

        for (int i = full; i < n; i++)
        {
            float v = Unsafe.Add(ref x, i);
            ref float mx = ref Unsafe.Add(ref p, i - full);
            mx = v > mx ? v : mx;
        }

        float max = MaxInOrder(ref p);

        // 2. e[i] = exp(x[i] − max) into y, summed into partial i mod 16.
        T negativeMax = TOps.Broadcast(-max);
        if (width >= 4)
        {
            // As for the maximum: the 16 running sums in registers, each adding its elements in the same order.
            T s0 = TOps.Broadcast(0f), s1 = s0, s2 = s0, s3 = s0;
            for (int i = 0; i < full; i += Partials)
            {
                T e0 = ShiftedExp<TOps, T>(TOps.Load(ref Unsafe.Add(ref x, i)), negativeMax);
                TOps.Store(e0, ref Unsafe.Add(ref y, i));
                s0 = TOps.Add(s0, e0);
                if (Partials / width > 1)
                {
                    T e1 = ShiftedExp<TOps, T>(TOps.Load(ref Unsafe.Add(ref x, i + width)), negativeMax);
                    TOps.Store(e1, ref Unsafe.Add(ref y, i + width));
                    s1 = TOps.Add(s1, e1);
                }

                if (Partials / width > 2)
                {
                    T e2 = ShiftedExp<TOps, T>(TOps.Load(ref Unsafe.Add(ref x, i + (2 * width))), negativeMax);
                    TOps.Store(e2, ref Unsafe.Add(ref y, i + (2 * width)));
                    s2 = TOps.Add(s2, e2);
                    T e3 = ShiftedExp<TOps, T>(TOps.Load(ref Unsafe.Add(ref x, i + (3 * width))), negativeMax);
                    TOps.Store(e3, ref Unsafe.Add(ref y, i + (3 * width)));
                    s3 = TOps.Add(s3, e3);
                }
            }

            if (full == n)
            {
                // No tail: the pairwise reduction straight from the registers.
                Normalize<TOps, T>(ref y, n, ReducePairwise<TOps, T>(s0, s1, s2, s3));
                return;
            }

            StorePartials<TOps, T>(s0, s1, s2, s3, ref p);
        }
        else
        {
            partial.Clear();
            for (int i = 0; i < full; i += Partials)
            {
                for (int c = 0; c < Partials; c += width)
                {
                    T e = ShiftedExp<TOps, T>(TOps.Load(ref Unsafe.Add(ref x, i + c)), negativeMax);
                    TOps.Store(e, ref Unsafe.Add(ref y, i + c));
                    TOps.Store(TOps.Add(TOps.Load(ref Unsafe.Add(ref p, c)), e), ref Unsafe.Add(ref p, c));
                }
            }
        }

        for (int i = full; i < n; i++)
        {
            float e = ShiftedExp<ScalarOps, float>(Unsafe.Add(ref x, i), -max);
            Unsafe.Add(ref y, i) = e;
            Unsafe.Add(ref p, i - full) += e;
        }

        Normalize<TOps, T>(ref y, n, ReducePairwise(partial));
    }

    /// <summary>3. y[i] = e[i] / sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Normalize<TOps, T>(ref float y, int n, float sum)
        where TOps : IFloatOps<T>
    {
        int width = TOps.Count;
        T sumV = TOps.Broadcast(sum);
        int i = 0;
        for (; i <= n - width; i += width)
        {
            TOps.Store(TOps.Divide(TOps.Load(ref Unsafe.Add(ref y, i)), sumV), ref Unsafe.Add(ref y, i));
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref y, i) /= sum;
        }
    }

    /// <summary>
    /// The maximum of the 16 partials at p in ascending order, max = p[j] &gt; max ? p[j] : max: on x86 one maxss per
    /// partial, which is that selection exactly (it returns its second operand when they compare equal or either is NaN),
    /// without the branches a scalar comparison compiles to.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float MaxInOrder(ref float p)
    {
        if (Sse.IsSupported)
        {
            Vector128<float> m = Vector128.CreateScalarUnsafe(p);
            for (int j = 1; j < Partials; j++)
            {
                m = Sse.MaxScalar(Vector128.CreateScalarUnsafe(Unsafe.Add(ref p, j)), m);
            }

            return m.ToScalar();
        }

        float max = p;
        for (int j = 1; j < Partials; j++)
        {
            float v = Unsafe.Add(ref p, j);
            max = v > max ? v : max;
        }

        return max;
    }

    /// <summary>
    /// <see cref="ReducePairwise(Span{float})"/> of 16 partials held in 16 / width registers (the first of a, b, c, d):
    /// the same additions, p[j] + p[j + 8], then + 4, + 2, + 1, each lane's operands in that order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float ReducePairwise<TOps, T>(T a, T b, T c, T d)
        where TOps : IFloatOps<T>
    {
        Vector128<float> q;
        if (typeof(T) == typeof(Vector512<float>))
        {
            Vector512<float> v = Unsafe.As<T, Vector512<float>>(ref a);
            Vector256<float> h = v.GetLower() + v.GetUpper();
            q = h.GetLower() + h.GetUpper();
        }
        else if (typeof(T) == typeof(Vector256<float>))
        {
            Vector256<float> h = Unsafe.As<T, Vector256<float>>(ref a) + Unsafe.As<T, Vector256<float>>(ref b);
            q = h.GetLower() + h.GetUpper();
        }
        else
        {
            // Vector128: the callers (the softmax rows, the layer norm) reduce in registers only at widths of 4 or more,
            // whose vector types are these three.
            q = (Unsafe.As<T, Vector128<float>>(ref a) + Unsafe.As<T, Vector128<float>>(ref c)) + (Unsafe.As<T, Vector128<float>>(ref b) + Unsafe.As<T, Vector128<float>>(ref d));
        }

        return (q.GetElement(0) + q.GetElement(2)) + (q.GetElement(1) + q.GetElement(3));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardRow<TOps, T>(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
        where TOps : IFloatOps<T>
    {
        int n = y.Length;
        int width = TOps.Count;
        int full = n - (n % Partials);
        Span<float> partial = stackalloc float[Partials];
        partial.Clear();
        ref float p = ref MemoryMarshal.GetReference(partial);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float dyr = ref MemoryMarshal.GetReference(dy);
        ref float dxr = ref MemoryMarshal.GetReference(dx);
        for (int i = 0; i < full; i += Partials)
        {
            for (int c = 0; c < Partials; c += width)
            {
                T acc = TOps.FusedMultiplyAdd(TOps.Load(ref Unsafe.Add(ref yr, i + c)), TOps.Load(ref Unsafe.Add(ref dyr, i + c)), TOps.Load(ref Unsafe.Add(ref p, c)));
                TOps.Store(acc, ref Unsafe.Add(ref p, c));
            }
        }

        for (int i = full; i < n; i++)
        {
            ref float acc = ref Unsafe.Add(ref p, i - full);
            acc = MathF.FusedMultiplyAdd(Unsafe.Add(ref yr, i), Unsafe.Add(ref dyr, i), acc);
        }

        float dot = ReducePairwise(partial);
        T dotV = TOps.Broadcast(dot);
        int k = 0;
        for (; k <= n - width; k += width)
        {
            T g = TOps.Multiply(TOps.Load(ref Unsafe.Add(ref yr, k)), TOps.Subtract(TOps.Load(ref Unsafe.Add(ref dyr, k)), dotV));
            TOps.Store(g, ref Unsafe.Add(ref dxr, k));
        }

        for (; k < n; k++)
        {
            Unsafe.Add(ref dxr, k) = Unsafe.Add(ref yr, k) * (Unsafe.Add(ref dyr, k) - dot);
        }
    }

    /// <summary>
    /// e^(x − max), with x + (−max) = d + error exactly (Knuth's two-sum) and both parts fed to the reduction. Every x
    /// that is not NaN is at most the row's maximum, so d ≤ 0 (or NaN), and e^d never overflows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T ShiftedExp<TOps, T>(T x, T negativeMax)
        where TOps : IFloatOps<T>
    {
        T d = TOps.Add(x, negativeMax);
        T maxPart = TOps.Subtract(d, x);
        T error = TOps.Add(TOps.Subtract(x, TOps.Subtract(d, maxPart)), TOps.Subtract(negativeMax, maxPart));
        return CanonicalMath.ExpWithLowOfNonPositive<TOps, T>(d, error);
    }

    /// <summary>p[j] += p[j + 8], then + 4, + 2, + 1: the fixed pairwise order of the final reduction.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float ReducePairwise(Span<float> p)
    {
        for (int half = Partials / 2; half >= 1; half /= 2)
        {
            for (int j = 0; j < half; j++)
            {
                p[j] += p[j + half];
            }
        }

        return p[0];
    }
}
