using System.Runtime.CompilerServices;

namespace SimdCheckpoint.Numerics;

/// <summary>The functions of the form x·sigmoid(v): SiLU, GELU's tanh approximation, their derivatives, and the derivatives taken from an output.</summary>
public static partial class CanonicalMath
{
    // GELU's tanh form: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) = x·sigmoid(v), v = x·(C1 + C2·x²), C1 = 2√(2/π),
    // C2 = 0.044715·C1. Each constant is a pair of floats (hi + lo) so v can be formed to about 2^-44 relative: the
    // tail x·e^v multiplies any error in v by |v|, up to 120.
    private const float C1Hi = 1.59576917e+00f;
    private const float C1Lo = -4.53406805e-08f;
    private const float C2Hi = 7.13548139e-02f;
    private const float C2Lo = 2.39883247e-09f;
    private const float ThreeC2 = 2.14064449e-01f;

    // x·sigmoid(v) for v below −120 is under 2^-160 (|x| ≤ 120 where it is not already): −0.
    private const float TimesSigmoidZero = -120f;
    private const float SiluDerivativeOne = 40f;
    private const float GeluTanhDerivativeOne = 10f;

    /// <summary>
    /// GELU's tanh approximation, 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) (PyTorch's <c>approximate='tanh'</c>),
    /// evaluated as x·sigmoid(v) with v = 2√(2/π)·(x + 0.044715·x³) formed as an exact-enough sum of two floats: the
    /// cancellation of 1 + tanh for negative x never happens, and the negative tail keeps its relative accuracy into
    /// the subnormals. GELU(±0) = ±0, GELU(+inf) = +inf, GELU(−inf) = −0, NaN → NaN. Maximum error 3.40 ulp over all
    /// 2^32 inputs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T GeluTanh<TOps, T>(T x)
        where TOps : IFloatOps<T>
    {
        T vHi = GeluTanhArgument<TOps, T>(x, out T vLo, out _);
        return TimesSigmoid<TOps, T>(x, vHi, vLo);
    }

    /// <summary>
    /// The derivative of <see cref="Silu{TOps, T}(T)"/>, sigmoid(x)·(1 + x·(1 − sigmoid(x))), from the pre-activation.
    /// sigmoid(x) and 1 − sigmoid(x) come from the same e^(−|x|) without subtracting, and for x &lt; 0 the power-of-two
    /// scaling is applied last so the subnormal tail rounds once. Near its zero at x ≈ −1.2785 the relative error
    /// grows without bound (the absolute error stays near 2^-26); mathcheck reports both.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T SiluDerivative<TOps, T>(T x)
        where TOps : IFloatOps<T> =>
        TimesSigmoidDerivative<TOps, T>(x, x, TOps.Broadcast(0f), x, TOps.Broadcast(SiluDerivativeOne));

    /// <summary>
    /// The derivative of <see cref="GeluTanh{TOps, T}(T)"/> from the pre-activation: sigmoid(v)·(1 + x·v′·(1 − sigmoid(v)))
    /// with v′ = 2√(2/π)·(1 + 3·0.044715·x²), in the same form as <see cref="SiluDerivative{TOps, T}(T)"/>. Near its zero
    /// at x ≈ −0.7524 the relative error grows without bound; mathcheck reports the absolute error too.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T GeluTanhDerivative<TOps, T>(T x)
        where TOps : IFloatOps<T>
    {
        T vHi = GeluTanhArgument<TOps, T>(x, out T vLo, out T square);
        T slope = TOps.Multiply(x, TOps.FusedMultiplyAdd(TOps.Broadcast(ThreeC2), square, TOps.Broadcast(C1Hi)));
        return TimesSigmoidDerivative<TOps, T>(x, vHi, vLo, slope, TOps.Broadcast(GeluTanhDerivativeOne));
    }

    /// <summary>
    /// The derivative of sigmoid from its output y = sigmoid(x): y·(1 − y), evaluated as y − y·y with one rounding
    /// (error at most 0.5 ulp of the exact y·(1 − y) for that y). It is what autograd uses, and the cheapest form.
    /// Outside [0, 1], where no sigmoid output lies, it is still the formula: −inf at +inf (not inf − inf).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T SigmoidDerivativeFromOutput<TOps, T>(T y)
        where TOps : IFloatOps<T>
    {
        T r = TOps.FusedMultiplyAdd(TOps.Multiply(y, TOps.Broadcast(-1f)), y, y);
        return TOps.ConditionalSelect(TOps.GreaterThan(y, TOps.Broadcast(float.MaxValue)), TOps.Broadcast(float.NegativeInfinity), r);
    }

    /// <summary>The derivative of tanh from its output y = tanh(x): 1 − y², with one rounding (at most 0.5 ulp for that y).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T TanhDerivativeFromOutput<TOps, T>(T y)
        where TOps : IFloatOps<T> => TOps.FusedMultiplyAdd(TOps.Multiply(y, TOps.Broadcast(-1f)), y, TOps.Broadcast(1f));

    /// <summary>
    /// x·sigmoid(v) for v = vHi + vLo with the sign of x (|vLo| far below ulp(vHi)). With e^(−|v|) = m·2^n: for x ≥ 0 it
    /// is x / (1 + e^(−|v|)); for x &lt; 0 it is (x·m / (1 + e^(−|v|)))·2^n, the product with x formed before the
    /// scaling so a subnormal result rounds once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T TimesSigmoid<TOps, T>(T x, T vHi, T vLo)
        where TOps : IFloatOps<T>
    {
        T m = NegativeAbsExp<TOps, T>(vHi, vLo, out T n, out T t);
        T d = TOps.Add(t, TOps.Broadcast(1f));
        T positive = TOps.Divide(x, d);
        T negative = ScaleByPowerOfTwo<TOps, T>(TOps.Divide(TOps.Multiply(x, m), d), n);
        negative = TOps.ConditionalSelect(TOps.LessThan(vHi, TOps.Broadcast(TimesSigmoidZero)), TOps.Broadcast(-0f), negative);
        return TOps.ConditionalSelect(TOps.LessThan(x, TOps.Broadcast(0f)), negative, positive);
    }

    /// <summary>
    /// d/dx [x·sigmoid(v)] = sigmoid(v)·(1 + slope·(1 − sigmoid(v))) where slope = x·dv/dx. With t = e^(−|v|) and
    /// d = 1 + t: for x ≥ 0 it is (1 + slope·t/d)/d; for x &lt; 0 it is (m·((d + slope)/d)/d)·2^n, where d + slope is
    /// exact near the derivative's zero (Sterbenz). Beyond <paramref name="one"/> it is 1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T TimesSigmoidDerivative<TOps, T>(T x, T vHi, T vLo, T slope, T one)
        where TOps : IFloatOps<T>
    {
        T m = NegativeAbsExp<TOps, T>(vHi, vLo, out T n, out T t);
        T d = TOps.Add(t, TOps.Broadcast(1f));
        T positive = TOps.Divide(TOps.FusedMultiplyAdd(slope, TOps.Divide(t, d), TOps.Broadcast(1f)), d);
        positive = TOps.ConditionalSelect(TOps.GreaterThan(x, one), TOps.Broadcast(1f), positive);
        T negative = ScaleByPowerOfTwo<TOps, T>(TOps.Divide(TOps.Multiply(m, TOps.Divide(TOps.Add(d, slope), d)), d), n);
        negative = TOps.ConditionalSelect(TOps.LessThan(vHi, TOps.Broadcast(TimesSigmoidZero)), TOps.Broadcast(-0f), negative);
        return TOps.ConditionalSelect(TOps.LessThan(x, TOps.Broadcast(0f)), negative, positive);
    }

    /// <summary>e^(−|v|) = m·2^n for v = vHi + vLo, and t = that value (+0 where it underflows).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T NegativeAbsExp<TOps, T>(T vHi, T vLo, out T n, out T t)
        where TOps : IFloatOps<T>
    {
        T negativeAbs = TOps.Multiply(TOps.Abs(vHi), TOps.Broadcast(-1f));
        T negativeLo = TOps.ConditionalSelect(TOps.LessThan(vHi, TOps.Broadcast(0f)), vLo, TOps.Multiply(vLo, TOps.Broadcast(-1f)));
        T m = ExpReduced<TOps, T>(negativeAbs, negativeLo, out n);
        t = TOps.ConditionalSelect(TOps.LessThan(negativeAbs, TOps.Broadcast(ExpUnderflow)), TOps.Broadcast(0f), ScaleByPowerOfTwo<TOps, T>(m, n));
        return m;
    }

    /// <summary>
    /// v = C1·x + C2·x³ as vHi + vLo, from exact products (a·b − round(a·b) by a fused multiply-add) and an exact
    /// two-sum; <paramref name="square"/> is round(x²).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T GeluTanhArgument<TOps, T>(T x, out T vLo, out T square)
        where TOps : IFloatOps<T>
    {
        T xx = TOps.Multiply(x, x);
        T xxLo = TOps.FusedMultiplyAdd(x, x, TOps.Multiply(xx, TOps.Broadcast(-1f)));
        T cube = TOps.Multiply(xx, x);
        T cubeLo = TOps.FusedMultiplyAdd(xxLo, x, TOps.FusedMultiplyAdd(xx, x, TOps.Multiply(cube, TOps.Broadcast(-1f))));

        T linear = TOps.Multiply(TOps.Broadcast(C1Hi), x);
        T linearLo = TOps.FusedMultiplyAdd(TOps.Broadcast(C1Lo), x, TOps.FusedMultiplyAdd(TOps.Broadcast(C1Hi), x, TOps.Multiply(linear, TOps.Broadcast(-1f))));
        T cubic = TOps.Multiply(TOps.Broadcast(C2Hi), cube);
        T cubicLo = TOps.FusedMultiplyAdd(TOps.Broadcast(C2Hi), cube, TOps.Multiply(cubic, TOps.Broadcast(-1f)));
        cubicLo = TOps.FusedMultiplyAdd(TOps.Broadcast(C2Hi), cubeLo, TOps.FusedMultiplyAdd(TOps.Broadcast(C2Lo), cube, cubicLo));

        // Two-sum (Knuth): linear + cubic = vHi + error exactly.
        T vHi = TOps.Add(linear, cubic);
        T cubicPart = TOps.Subtract(vHi, linear);
        T error = TOps.Add(TOps.Subtract(linear, TOps.Subtract(vHi, cubicPart)), TOps.Subtract(cubic, cubicPart));
        vLo = TOps.Add(error, TOps.Add(linearLo, cubicLo));
        square = xx;
        return vHi;
    }
}
