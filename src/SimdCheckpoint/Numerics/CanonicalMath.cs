using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SimdCheckpoint.Numerics;

/// <summary>
/// Elementary functions as fixed sequences of binary32 operations (docs/math-accuracy.md). Each is written once,
/// generically over <see cref="IFloatOps{T}"/>, so the scalar code and every vector width execute the same
/// operations in the same order and give the same bits on every machine; no libm, no runtime vector math, no
/// estimate instructions. Each function's maximum error against a double-precision reference is measured by the
/// tests and stated on the function.
/// </summary>
public static partial class CanonicalMath
{
    // Cody–Waite split of ln 2: Ln2Hi has 9 significant bits, so n·Ln2Hi is exact for |n| < 2^15.
    private const float Log2E = 1.44269504f;
    private const float Ln2Hi = 0.693359375f;
    private const float Ln2Lo = -2.12194440e-4f;

    // Minimax polynomial for (e^r - 1 - r) / r² on [-ln2/2, ln2/2] (Cephes expf, S. L. Moshier).
    private const float P0 = 1.9875691500e-4f;
    private const float P1 = 1.3981999507e-3f;
    private const float P2 = 8.3334519073e-3f;
    private const float P3 = 4.1665795894e-2f;
    private const float P4 = 1.6666665459e-1f;
    private const float P5 = 5.0000001201e-1f;

    // Beyond these e^x is +inf or rounds to +0 in binary32 (ln(2^128) ≈ 88.72, ln(2^-150) ≈ -103.97).
    private const float ExpOverflow = 89f;
    private const float ExpUnderflow = -104f;
    private const float SiluUnderflow = -120f;

    // tanh on |x| < 0.625: x + x·z·P(z), z = x² (Cephes tanhf, S. L. Moshier).
    private const float T0 = -5.70498872745e-3f;
    private const float T1 = 2.06390887954e-2f;
    private const float T2 = -5.37397155531e-2f;
    private const float T3 = 1.33314422036e-1f;
    private const float T4 = -3.33332819422e-1f;

    /// <summary>
    /// e^x. Maximum error 1.0103 ulp over all 2^32 binary32 inputs (simdcheckpoint mathcheck, docs/math-accuracy.md). exp(±0) = 1, exp(+inf) = +inf, exp(-inf) = +0, NaN → NaN;
    /// results overflow to +inf above about 88.72 and underflow gradually through the subnormals to +0.
    /// </summary>
    /// <remarks>
    /// n = round(x·log2 e); r = x − n·ln2 (two fused steps); e^r = 1 + r + r²·P(r); e^x = e^r · 2^(n−h) · 2^h with
    /// h = round(n/2), so both scale factors are normal numbers and only the last multiply can round (for subnormal
    /// results).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Exp<TOps, T>(T x)
        where TOps : IFloatOps<T>
    {
        T y = ScaleByPowerOfTwo<TOps, T>(ExpReduced<TOps, T>(x, out T n), n);

        // Out of range, n would not fit an exponent: the limits are selected instead. NaN fails both compares and
        // stays NaN through the arithmetic.
        y = TOps.ConditionalSelect(TOps.GreaterThan(x, TOps.Broadcast(ExpOverflow)), TOps.Broadcast(float.PositiveInfinity), y);
        return TOps.ConditionalSelect(TOps.LessThan(x, TOps.Broadcast(ExpUnderflow)), TOps.Broadcast(0f), y);
    }

    /// <summary>
    /// e^(x + lo) for an argument carried as an unevaluated sum (|lo| far below ulp(x)) whose x is never above 0 (or is
    /// NaN): softmax's x − max. The underflow limit of <see cref="Exp{TOps, T}(T)"/> is decided by x; its overflow limit,
    /// above 89, can never apply to such an x, so it is not selected (two operations fewer an element, the same bits).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T ExpWithLowOfNonPositive<TOps, T>(T x, T lo)
        where TOps : IFloatOps<T>
    {
        T y = ScaleByPowerOfTwo<TOps, T>(ExpReduced<TOps, T>(x, lo, out T n), n);
        return TOps.ConditionalSelect(TOps.LessThan(x, TOps.Broadcast(ExpUnderflow)), TOps.Broadcast(0f), y);
    }

    /// <summary>
    /// SiLU (swish), x · sigmoid(x). For x &lt; 0 it is x·e^x / (1 + e^x), evaluated as (x · e^r / (1 + s)) · 2^n
    /// with e^x = e^r · 2^n: the product with x happens before the scaling, so where e^x is subnormal (x &lt; -87)
    /// the result still rounds only once instead of inheriting e^x's lost bits. SiLU(±0) = ±0,
    /// SiLU(+inf) = +inf, SiLU(-inf) = -0 (its limit), NaN → NaN. Maximum error 3.34 ulp over all 2^32 inputs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Silu<TOps, T>(T x)
        where TOps : IFloatOps<T> => TimesSigmoid<TOps, T>(x, x, TOps.Broadcast(0f));

    /// <summary>
    /// tanh(x). Below |x| = 0.625 an odd minimax polynomial x + x·z·P(z), z = x² (Cephes tanhf), because
    /// 1 − 2/(e^(2|x|) + 1) cancels there; above, that form with the sign restored; beyond |x| = 9, ±1.
    /// tanh(±0) = ±0, tanh(±inf) = ±1, NaN → NaN. Maximum error 1.33 ulp over all 2^32 inputs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Tanh<TOps, T>(T x)
        where TOps : IFloatOps<T>
    {
        T a = TOps.Abs(x);
        T z = TOps.Multiply(x, x);
        T p = TOps.FusedMultiplyAdd(TOps.Broadcast(T0), z, TOps.Broadcast(T1));
        p = TOps.FusedMultiplyAdd(p, z, TOps.Broadcast(T2));
        p = TOps.FusedMultiplyAdd(p, z, TOps.Broadcast(T3));
        p = TOps.FusedMultiplyAdd(p, z, TOps.Broadcast(T4));
        T small = TOps.FusedMultiplyAdd(TOps.Multiply(x, z), p, x);

        T e = Exp<TOps, T>(TOps.Add(a, a));
        T large = TOps.Add(TOps.Broadcast(1f), TOps.Divide(TOps.Broadcast(-2f), TOps.Add(e, TOps.Broadcast(1f))));
        large = TOps.ConditionalSelect(TOps.GreaterThan(a, TOps.Broadcast(9f)), TOps.Broadcast(1f), large);

        // Restore the sign: tanh is odd, and copying x's sign bit keeps tanh(-0) = -0.
        T signed = TOps.ConditionalSelect(TOps.LessThan(x, TOps.Broadcast(0f)), TOps.Multiply(large, TOps.Broadcast(-1f)), large);
        T result = TOps.ConditionalSelect(TOps.LessThan(a, TOps.Broadcast(0.625f)), small, signed);

        // Below 2^-13, x²/3 is under half an ulp, so tanh(x) rounds to x itself; returning x also keeps -0, which
        // the polynomial would turn into +0.
        return TOps.ConditionalSelect(TOps.LessThan(a, TOps.Broadcast(1.220703125e-4f)), x, result);
    }

    /// <summary>e^r for r = x − n·ln2, and n = round(x·log2 e): e^x = e^r · 2^n, with e^r in [0.7, 1.42].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T ExpReduced<TOps, T>(T x, out T n)
        where TOps : IFloatOps<T>
    {
        n = TOps.RoundToEven(TOps.Multiply(x, TOps.Broadcast(Log2E)));
        T r = TOps.FusedMultiplyAdd(n, TOps.Broadcast(-Ln2Hi), x);
        r = TOps.FusedMultiplyAdd(n, TOps.Broadcast(-Ln2Lo), r);
        return ExpPolynomial<TOps, T>(r);
    }

    /// <summary>
    /// e^r for r = (x + lo) − n·ln2, and n = round(x·log2 e): the same reduction for an argument carried as an unevaluated
    /// sum x + lo with |lo| far below ulp(x), so a caller whose argument is not a binary32 number (x − max in softmax,
    /// −x²/2 in GELU) keeps the bits that rounding x alone would lose.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T ExpReduced<TOps, T>(T x, T lo, out T n)
        where TOps : IFloatOps<T> => TOps.Add(ExpReducedMinusOne<TOps, T>(x, lo, out n), TOps.Broadcast(1f));

    /// <summary>
    /// e^r − 1 for the same reduction as <see cref="ExpReduced{TOps, T}(T, T, out T)"/>: a caller that multiplies e^r by
    /// some g forms fma(e^r − 1, g, g), one rounding where (1 + y)·g would round twice.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T ExpReducedMinusOne<TOps, T>(T x, T lo, out T n)
        where TOps : IFloatOps<T>
    {
        n = TOps.RoundToEven(TOps.Multiply(x, TOps.Broadcast(Log2E)));
        T r = TOps.FusedMultiplyAdd(n, TOps.Broadcast(-Ln2Hi), x);
        r = TOps.FusedMultiplyAdd(n, TOps.Broadcast(-Ln2Lo), r);
        r = TOps.Add(r, lo);
        return ExpPolynomialMinusOne<TOps, T>(r);
    }

    /// <summary>e^r on [-ln2/2, ln2/2]: 1 + r + r²·P(r).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T ExpPolynomial<TOps, T>(T r)
        where TOps : IFloatOps<T> => TOps.Add(ExpPolynomialMinusOne<TOps, T>(r), TOps.Broadcast(1f));

    /// <summary>e^r − 1 on [-ln2/2, ln2/2]: r + r²·P(r).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T ExpPolynomialMinusOne<TOps, T>(T r)
        where TOps : IFloatOps<T>
    {
        T p = TOps.FusedMultiplyAdd(TOps.Broadcast(P0), r, TOps.Broadcast(P1));
        p = TOps.FusedMultiplyAdd(p, r, TOps.Broadcast(P2));
        p = TOps.FusedMultiplyAdd(p, r, TOps.Broadcast(P3));
        p = TOps.FusedMultiplyAdd(p, r, TOps.Broadcast(P4));
        p = TOps.FusedMultiplyAdd(p, r, TOps.Broadcast(P5));
        return TOps.FusedMultiplyAdd(p, TOps.Multiply(r, r), r);
    }

    /// <summary>
    /// y · 2^n, rounded once: y · 2^(n−h) · 2^h with h = round(n/2), where both factors are normal for n in [-252, 254],
    /// so only the last multiply can round. AVX-512's vscalefps computes the same correctly rounded y · 2^n in one
    /// instruction, so the 16-lane path uses it (the same bits: mathcheck compares every width with the scalar form
    /// over all 2^32 inputs).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T ScaleByPowerOfTwo<TOps, T>(T y, T n)
        where TOps : IFloatOps<T>
    {
        if (typeof(T) == typeof(Vector512<float>) && Avx512F.IsSupported)
        {
            Vector512<float> scaled = Avx512F.Scale(Unsafe.As<T, Vector512<float>>(ref y), Unsafe.As<T, Vector512<float>>(ref n));
            return Unsafe.As<Vector512<float>, T>(ref scaled);
        }

        T h = TOps.RoundToEven(TOps.Multiply(n, TOps.Broadcast(0.5f)));
        T nMinusH = TOps.Add(n, TOps.Multiply(h, TOps.Broadcast(-1f)));
        y = TOps.Multiply(y, TOps.ExponentToPowerOfTwo(nMinusH));
        return TOps.Multiply(y, TOps.ExponentToPowerOfTwo(h));
    }

    /// <summary>
    /// The logistic function 1 / (1 + e^-x), in the form that never cancels or overflows: with s = e^-|x| (in
    /// (0, 1]), sigmoid(|x|) = 1 / (1 + s) and sigmoid(-|x|) = s / (1 + s), so the tail for negative x keeps its
    /// relative accuracy down through the subnormals instead of flushing to 0. sigmoid(±0) = 0.5,
    /// sigmoid(+inf) = 1, sigmoid(-inf) = +0, NaN → NaN. Maximum error 2.40 ulp over all 2^32 inputs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sigmoid<TOps, T>(T x)
        where TOps : IFloatOps<T>
    {
        T s = Exp<TOps, T>(TOps.Multiply(TOps.Abs(x), TOps.Broadcast(-1f)));
        T d = TOps.Add(s, TOps.Broadcast(1f));
        T positive = TOps.Divide(TOps.Broadcast(1f), d);
        T negative = TOps.Divide(s, d);
        return TOps.ConditionalSelect(TOps.LessThan(x, TOps.Broadcast(0f)), negative, positive);
    }
}
