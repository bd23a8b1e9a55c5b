using System.Runtime.CompilerServices;

namespace SimdCheckpoint.Numerics;

/// <summary>The error function family: erf, erfc, GELU (erf form) and its derivative.</summary>
public static partial class CanonicalMath
{
    // erf(x) = x + x·P(x²) on |x| < 1: minimax for the relative error, fitted by tools/math/fit_erf.py.
    private const float E0 = 1.283791661e-01f;
    private const float E1 = -3.761262596e-01f;
    private const float E2 = 1.128358543e-01f;
    private const float E3 = -2.685381286e-02f;
    private const float E4 = 5.188327748e-03f;
    private const float E5 = -8.010192541e-04f;
    private const float E6 = 7.853857824e-05f;

    // erfc(a) = e^(−a²) · H(q) / (1 + 2a) with q = (a − 2)/(a + 2), for a in [0, 10.5] (q in [−1, 0.68]): H is smooth
    // and stays between 1 and 1.3, so one polynomial covers the whole range with a small relative error (fitted by
    // tools/math/fit_erf.py; G = erfc(a)·e^(a²) itself, which falls to 0.05, fits three times worse at degree 13).
    private const float H0 = 1.276978374e+00f;
    private const float H1 = -9.276381880e-02f;
    private const float H2 = -1.660305262e-01f;
    private const float H3 = 1.640510112e-01f;
    private const float H4 = -5.421783403e-02f;
    private const float H5 = -8.030650206e-03f;
    private const float H6 = 8.709283546e-03f;
    private const float H7 = 1.252076239e-03f;
    private const float H8 = -1.421654364e-03f;
    private const float H9 = -4.003512149e-04f;
    private const float H10 = 1.704871829e-04f;
    private const float H11 = 7.987531717e-05f;

    // Beyond a = 10.0546875, erfc(a) < 2^-150 rounds to +0; GELU's tail 0.5·x·erfc(−x/√2) rounds to −0 below x = −14.5,
    // and its derivative below x = −14.7. Above a = 4, 1 − erfc(a) rounds to 1.
    private const float ErfcZero = 10.0546875f;
    private const float ErfOne = 4f;
    private const float ErfcSmall = 0.5f;
    private const float GeluZero = -14.5f;
    private const float GeluDerivativeZero = -14.7f;
    private const float GeluDerivativeOne = 8f;

    private const float InvSqrt2 = 0.707106769f;
    private const float InvSqrt2Pi = 0.398942292f;

    /// <summary>
    /// The error function. Below |x| = 1, x + x·P(x²); above, 1 − erfc(|x|) with the sign restored, where erfc has a
    /// small relative error (see <see cref="Erfc{TOps, T}(T)"/>), so the result is accurate to the last bit on both
    /// sides. erf(±0) = ±0, erf(±inf) = ±1, NaN → NaN; subnormal x gives 2x/√π rounded once. Maximum error 0.99 ulp over all
    /// 2^32 inputs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Erf<TOps, T>(T x)
        where TOps : IFloatOps<T>
    {
        T a = TOps.Abs(x);
        T s = TOps.Multiply(x, x);
        T small = ErfSmall<TOps, T>(x);

        T c = ErfcOfAbs<TOps, T>(a, s, TOps.FusedMultiplyAdd(x, x, TOps.Multiply(s, TOps.Broadcast(-1f))));
        T large = TOps.Subtract(TOps.Broadcast(1f), c);
        large = TOps.ConditionalSelect(TOps.GreaterThan(a, TOps.Broadcast(ErfOne)), TOps.Broadcast(1f), large);
        large = TOps.ConditionalSelect(TOps.LessThan(x, TOps.Broadcast(0f)), TOps.Multiply(large, TOps.Broadcast(-1f)), large);
        return TOps.ConditionalSelect(TOps.LessThan(a, TOps.Broadcast(1f)), small, large);
    }

    /// <summary>
    /// The complementary error function 1 − erf(x), with a small relative error over its whole range, the subnormal
    /// tail included: erfc(a) = e^(−a²) · H(q) / (1 + 2a) for a = |x|, with a² carried as an exact sum of two floats
    /// into the exponential and the power-of-two scaling applied last; erfc(x) = 2 − erfc(−x) for x &lt; 0.
    /// erfc(±0) = 1, erfc(+inf) = +0, erfc(−inf) = 2, NaN → NaN. Maximum error 2.78 ulp over all 2^32 inputs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Erfc<TOps, T>(T x)
        where TOps : IFloatOps<T>
    {
        T a = TOps.Abs(x);
        T s = TOps.Multiply(a, a);
        T c = ErfcOfAbs<TOps, T>(a, s, TOps.FusedMultiplyAdd(a, a, TOps.Multiply(s, TOps.Broadcast(-1f))));
        T large = TOps.ConditionalSelect(TOps.LessThan(x, TOps.Broadcast(0f)), TOps.Subtract(TOps.Broadcast(2f), c), c);

        // Below 0.5, 1 − erf(x) is in [0.47, 1.53]: no cancellation, and more accurate than the quotient whose numerator
        // and denominator are both near 1 there.
        T small = TOps.Subtract(TOps.Broadcast(1f), ErfSmall<TOps, T>(x));
        return TOps.ConditionalSelect(TOps.LessThan(a, TOps.Broadcast(ErfcSmall)), small, large);
    }

    /// <summary>
    /// GELU in its exact form, x·Φ(x) = 0.5·x·erfc(−x/√2), as ONNX exporters emit it (Div → Erf → Add → Mul → Mul).
    /// For x &lt; 0 it is 0.5·x·e^(−x²/2)·G(a), a = −x/√2, with x² split exactly so the tail keeps its relative accuracy
    /// down to the subnormals; for x ≥ 0 it is x − 0.5·x·erfc(a), where the subtraction loses at most a factor of two.
    /// GELU(±0) = ±0, GELU(+inf) = +inf, GELU(−inf) = −0 (its limit), NaN → NaN. Maximum error 3.86 ulp over all 2^32
    /// inputs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Gelu<TOps, T>(T x)
        where TOps : IFloatOps<T>
    {
        T a = TOps.Multiply(TOps.Abs(x), TOps.Broadcast(InvSqrt2));
        T y = HalfSquareExpMinusOne<TOps, T>(x, out T n);
        T g = ErfcScaled<TOps, T>(a);
        T mg = TOps.FusedMultiplyAdd(y, g, g);

        // x < 0: 0.5·x·erfc(a) = (x·(1 + y)·G)·2^(n−1), one rounding before the scaling.
        T negative = ScaleByPowerOfTwo<TOps, T>(TOps.Multiply(x, mg), TOps.Add(n, TOps.Broadcast(-1f)));
        negative = TOps.ConditionalSelect(TOps.LessThan(x, TOps.Broadcast(GeluZero)), TOps.Broadcast(-0f), negative);

        // x ≥ 0: x − (0.5·x)·erfc(a), fused.
        T erfc = ScaleByPowerOfTwo<TOps, T>(mg, n);
        T positive = TOps.FusedMultiplyAdd(TOps.Multiply(x, TOps.Broadcast(-0.5f)), erfc, x);
        positive = TOps.ConditionalSelect(TOps.GreaterThan(a, TOps.Broadcast(ErfcZero)), x, positive);
        T large = TOps.ConditionalSelect(TOps.LessThan(x, TOps.Broadcast(0f)), negative, positive);

        // |x| < √2/2: (0.5·x)·(1 + erf(x/√2)), where 1 + erf is in [0.47, 1.53]; a product, so GELU(−0) = −0.
        T onePlusErf = TOps.Add(TOps.Broadcast(1f), ErfSmall<TOps, T>(TOps.Multiply(x, TOps.Broadcast(InvSqrt2))));
        T small = TOps.Multiply(TOps.Multiply(x, TOps.Broadcast(0.5f)), onePlusErf);
        return TOps.ConditionalSelect(TOps.LessThan(a, TOps.Broadcast(ErfcSmall)), small, large);
    }

    /// <summary>
    /// The derivative of <see cref="Gelu{TOps, T}(T)"/> with respect to its input, Φ(x) + x·φ(x), from the
    /// pre-activation: both terms share the factor e^(−x²/2), so for x &lt; 0 it is e^(−x²/2)·(0.5·G(a) + x/√(2π)) with
    /// the scaling last, and for x ≥ 0 it is 1 + e^(−x²/2)·(x/√(2π) − 0.5·G(a)). Near its zero at x ≈ −0.7518 the
    /// relative error grows without bound (the absolute error stays below 2^-25); mathcheck reports both.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T GeluDerivative<TOps, T>(T x)
        where TOps : IFloatOps<T>
    {
        T a = TOps.Multiply(TOps.Abs(x), TOps.Broadcast(InvSqrt2));
        T y = HalfSquareExpMinusOne<TOps, T>(x, out T n);
        T halfG = TOps.Multiply(ErfcScaled<TOps, T>(a), TOps.Broadcast(0.5f));

        T k = TOps.FusedMultiplyAdd(x, TOps.Broadcast(InvSqrt2Pi), halfG);
        T negative = ScaleByPowerOfTwo<TOps, T>(TOps.FusedMultiplyAdd(y, k, k), n);
        negative = TOps.ConditionalSelect(TOps.LessThan(x, TOps.Broadcast(GeluDerivativeZero)), TOps.Broadcast(-0f), negative);

        T e = ScaleByPowerOfTwo<TOps, T>(TOps.Add(y, TOps.Broadcast(1f)), n);
        T positive = TOps.FusedMultiplyAdd(e, TOps.FusedMultiplyAdd(x, TOps.Broadcast(InvSqrt2Pi), TOps.Multiply(halfG, TOps.Broadcast(-1f))), TOps.Broadcast(1f));
        positive = TOps.ConditionalSelect(TOps.GreaterThan(x, TOps.Broadcast(GeluDerivativeOne)), TOps.Broadcast(1f), positive);
        T large = TOps.ConditionalSelect(TOps.LessThan(x, TOps.Broadcast(0f)), negative, positive);

        // |x| < √2/2: Φ(x) = 0.5 + 0.5·erf(x/√2) has no cancellation, then + x·φ(x).
        T phi = TOps.FusedMultiplyAdd(TOps.Broadcast(0.5f), ErfSmall<TOps, T>(TOps.Multiply(x, TOps.Broadcast(InvSqrt2))), TOps.Broadcast(0.5f));
        T small = TOps.FusedMultiplyAdd(TOps.Multiply(x, TOps.Broadcast(InvSqrt2Pi)), e, phi);
        return TOps.ConditionalSelect(TOps.LessThan(a, TOps.Broadcast(ErfcSmall)), small, large);
    }

    /// <summary>erf(x) = x + x·P(x²), accurate for |x| &lt; 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T ErfSmall<TOps, T>(T x)
        where TOps : IFloatOps<T>
    {
        T s = TOps.Multiply(x, x);
        T p = TOps.FusedMultiplyAdd(TOps.Broadcast(E6), s, TOps.Broadcast(E5));
        p = TOps.FusedMultiplyAdd(p, s, TOps.Broadcast(E4));
        p = TOps.FusedMultiplyAdd(p, s, TOps.Broadcast(E3));
        p = TOps.FusedMultiplyAdd(p, s, TOps.Broadcast(E2));
        p = TOps.FusedMultiplyAdd(p, s, TOps.Broadcast(E1));
        p = TOps.FusedMultiplyAdd(p, s, TOps.Broadcast(E0));
        return TOps.FusedMultiplyAdd(x, p, x);
    }

    /// <summary>
    /// erfc(a) for a = |x| ≥ 0 given s = a·a and its rounding error sLo = a·a − s (exact, by a fused multiply-add):
    /// +0 beyond 10.0546875 and for a = +inf, NaN for NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T ErfcOfAbs<TOps, T>(T a, T s, T sLo)
        where TOps : IFloatOps<T>
    {
        T y = ExpReducedMinusOne<TOps, T>(TOps.Multiply(s, TOps.Broadcast(-1f)), TOps.Multiply(sLo, TOps.Broadcast(-1f)), out T n);
        T g = ErfcScaled<TOps, T>(a);
        T c = ScaleByPowerOfTwo<TOps, T>(TOps.FusedMultiplyAdd(y, g, g), n);
        return TOps.ConditionalSelect(TOps.GreaterThan(a, TOps.Broadcast(ErfcZero)), TOps.Broadcast(0f), c);
    }

    /// <summary>e^(−x²/2) = (1 + y)·2^n, returning y, with x² split exactly (x·x plus its fused rounding error), halved exactly.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T HalfSquareExpMinusOne<TOps, T>(T x, out T n)
        where TOps : IFloatOps<T>
    {
        T s = TOps.Multiply(x, x);
        T sLo = TOps.FusedMultiplyAdd(x, x, TOps.Multiply(s, TOps.Broadcast(-1f)));
        return ExpReducedMinusOne<TOps, T>(TOps.Multiply(s, TOps.Broadcast(-0.5f)), TOps.Multiply(sLo, TOps.Broadcast(-0.5f)), out n);
    }

    /// <summary>
    /// G(a) = erfc(a)·e^(a²) = H(q) / (1 + 2a), q = (a − 2)/(a + 2), for a in [0, 10.5]. The quotient is refined once
    /// against 1 + 2a carried exactly as a sum of two floats, so G is H's error plus half an ulp.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T ErfcScaled<TOps, T>(T a)
        where TOps : IFloatOps<T>
    {
        T q = TOps.Divide(TOps.Add(a, TOps.Broadcast(-2f)), TOps.Add(a, TOps.Broadcast(2f)));
        T h = TOps.FusedMultiplyAdd(TOps.Broadcast(H11), q, TOps.Broadcast(H10));
        h = TOps.FusedMultiplyAdd(h, q, TOps.Broadcast(H9));
        h = TOps.FusedMultiplyAdd(h, q, TOps.Broadcast(H8));
        h = TOps.FusedMultiplyAdd(h, q, TOps.Broadcast(H7));
        h = TOps.FusedMultiplyAdd(h, q, TOps.Broadcast(H6));
        h = TOps.FusedMultiplyAdd(h, q, TOps.Broadcast(H5));
        h = TOps.FusedMultiplyAdd(h, q, TOps.Broadcast(H4));
        h = TOps.FusedMultiplyAdd(h, q, TOps.Broadcast(H3));
        h = TOps.FusedMultiplyAdd(h, q, TOps.Broadcast(H2));
        h = TOps.FusedMultiplyAdd(h, q, TOps.Broadcast(H1));
        h = TOps.FusedMultiplyAdd(h, q, TOps.Broadcast(H0));

        // 1 + 2a = d + dLo exactly (two-sum), then g = h/d corrected by the residual h − g·(d + dLo).
        T twoA = TOps.Add(a, a);
        T d = TOps.Add(TOps.Broadcast(1f), twoA);
        T twoAPart = TOps.Subtract(d, TOps.Broadcast(1f));
        T dLo = TOps.Add(TOps.Subtract(TOps.Broadcast(1f), TOps.Subtract(d, twoAPart)), TOps.Subtract(twoA, twoAPart));
        T g = TOps.Divide(h, d);
        T residual = TOps.FusedMultiplyAdd(TOps.Multiply(g, TOps.Broadcast(-1f)), dLo, TOps.FusedMultiplyAdd(TOps.Multiply(g, TOps.Broadcast(-1f)), d, h));
        return TOps.Add(g, TOps.Divide(residual, d));
    }
}
