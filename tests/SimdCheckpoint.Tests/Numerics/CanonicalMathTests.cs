using System;
using SimdCheckpoint.Numerics;
using SimdCheckpoint.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Tests.Numerics;

/// <summary>
/// Every canonical function: its error against the double-precision reference, the same bits at every width, and its
/// special values. The scans are the ones <c>simdcheckpoint mathcheck</c> runs over all 2^32 inputs, here over about
/// 2.1 million per function: every 4093rd bit pattern of the whole range (subnormals, huge values, NaNs and infinities
/// included) and every 307th pattern of [2^-12, 128) on each side, where the functions change most.
/// </summary>
public sealed class CanonicalMathTests
{
    private const long CoreFirst = 0x39800000; // 2^-12
    private const long CoreLast = 0x43000000;  // 128

    /// <summary>
    /// Bounds in ulps, each just above the maximum the full 2^32 scan measured (docs/math-accuracy.md). The
    /// derivatives with a zero inside their domain (SiLU′, GELU′) have an unbounded relative error next to it, so they
    /// are bounded by their absolute error instead.
    /// </summary>
    public static TheoryData<string, double, double> Bounds() => new()
    {
        { "exp", 1.011, double.PositiveInfinity },
        { "erf", 1.0, double.PositiveInfinity },
        { "erfc", 3.0, double.PositiveInfinity },
        { "sigmoid", 2.5, double.PositiveInfinity },
        { "tanh", 1.4, double.PositiveInfinity },
        { "silu", 3.4, double.PositiveInfinity },
        { "gelu", 3.9, double.PositiveInfinity },
        { "gelu_tanh", 3.5, double.PositiveInfinity },
        { "silu_derivative", double.PositiveInfinity, 2.1e-7 },
        { "gelu_derivative", double.PositiveInfinity, 1.0e-7 },
        { "gelu_tanh_derivative", double.PositiveInfinity, 2.3e-7 },
        { "sigmoid_derivative", 0.5, double.PositiveInfinity },
        { "tanh_derivative", 0.5, double.PositiveInfinity },
    };

    [Fact]
    public void Every_catalogued_function_has_a_bound()
    {
        Assert.Equal(CanonicalFunction.All.Count, Bounds().Count);
    }

    [Theory]
    [MemberData(nameof(Bounds))]
    public void Error_is_bounded_and_every_width_gives_the_scalar_bits(string name, double maxUlp, double maxAbsolute)
    {
        CanonicalFunction f = CanonicalFunction.Find(name) ?? throw new ArgumentException(name);
        long coreCount = (CoreLast - CoreFirst) / 307;
        AccuracyReport[] reports =
        [
            f.Scan(0, (1L << 32) / 4093, 4093, cancellation: TestContext.Current.CancellationToken),
            f.Scan(CoreFirst, coreCount, 307, cancellation: TestContext.Current.CancellationToken),
            f.Scan(CoreFirst | 0x80000000L, coreCount, 307, cancellation: TestContext.Current.CancellationToken),
        ];

        long inputs = 0, measured = 0;
        foreach (AccuracyReport r in reports)
        {
            Assert.True(r.WidthMismatches == 0, $"{name}: {r.WidthMismatches} inputs where a vector width differs from the scalar bits, first {r.FirstWidthMismatch:R}");
            Assert.True(r.ReferenceMismatches == 0, $"{name}: {r.ReferenceMismatches} results NaN, infinite or finite against the reference, first {r.FirstReferenceMismatch:R}");
            Assert.True(r.MaxUlp <= maxUlp, $"{name}: {r.MaxUlp:F4} ulp at x = {Bits.Describe(r.MaxUlpInput)} (bound {maxUlp})");
            Assert.True(r.MaxAbsoluteError <= maxAbsolute, $"{name}: absolute error {r.MaxAbsoluteError:E3} at x = {Bits.Describe(r.MaxAbsoluteInput)} (bound {maxAbsolute:E3})");
            inputs += r.Inputs;
            measured += r.Measured;
        }

        Assert.True(inputs >= 2_000_000 && measured >= 1_500_000, $"{name}: {inputs} inputs, {measured} finite results measured");
    }

    [Theory]
    [InlineData("exp", 0f, 1f)]
    [InlineData("exp", -1e-45f, 1f)]
    [InlineData("exp", float.PositiveInfinity, float.PositiveInfinity)]
    [InlineData("exp", float.NegativeInfinity, 0f)]
    [InlineData("exp", 89f, float.PositiveInfinity)]
    [InlineData("exp", -104f, 0f)]
    [InlineData("erf", 0f, 0f)]
    [InlineData("erf", float.PositiveInfinity, 1f)]
    [InlineData("erf", float.NegativeInfinity, -1f)]
    [InlineData("erf", 4.5f, 1f)]
    [InlineData("erfc", 0f, 1f)]
    [InlineData("erfc", float.PositiveInfinity, 0f)]
    [InlineData("erfc", float.NegativeInfinity, 2f)]
    [InlineData("erfc", 10.1f, 0f)]
    [InlineData("sigmoid", 0f, 0.5f)]
    [InlineData("sigmoid", 100f, 1f)]
    [InlineData("sigmoid", float.PositiveInfinity, 1f)]
    [InlineData("sigmoid", float.NegativeInfinity, 0f)]
    [InlineData("tanh", 20f, 1f)]
    [InlineData("tanh", -20f, -1f)]
    [InlineData("tanh", float.NegativeInfinity, -1f)]
    [InlineData("silu", float.PositiveInfinity, float.PositiveInfinity)]
    [InlineData("silu", float.NegativeInfinity, -0f)]
    [InlineData("gelu", 0f, 0f)]
    [InlineData("gelu", float.PositiveInfinity, float.PositiveInfinity)]
    [InlineData("gelu", float.NegativeInfinity, -0f)]
    [InlineData("gelu", 20f, 20f)]
    [InlineData("gelu", -20f, -0f)]
    [InlineData("gelu_tanh", 0f, 0f)]
    [InlineData("gelu_tanh", float.PositiveInfinity, float.PositiveInfinity)]
    [InlineData("gelu_tanh", float.NegativeInfinity, -0f)]
    [InlineData("gelu_tanh", 20f, 20f)]
    [InlineData("silu_derivative", 0f, 0.5f)]
    [InlineData("silu_derivative", float.PositiveInfinity, 1f)]
    [InlineData("silu_derivative", float.NegativeInfinity, -0f)]
    [InlineData("gelu_derivative", 0f, 0.5f)]
    [InlineData("gelu_derivative", float.PositiveInfinity, 1f)]
    [InlineData("gelu_derivative", float.NegativeInfinity, -0f)]
    [InlineData("gelu_tanh_derivative", 0f, 0.5f)]
    [InlineData("gelu_tanh_derivative", float.PositiveInfinity, 1f)]
    [InlineData("gelu_tanh_derivative", float.NegativeInfinity, -0f)]
    [InlineData("sigmoid_derivative", 0.5f, 0.25f)]
    [InlineData("sigmoid_derivative", 1f, 0f)]
    [InlineData("sigmoid_derivative", float.PositiveInfinity, float.NegativeInfinity)]
    [InlineData("tanh_derivative", 0f, 1f)]
    [InlineData("tanh_derivative", -1f, 0f)]
    public void Special_values_at_every_width(string name, float x, float expected)
    {
        CanonicalFunction f = CanonicalFunction.Find(name)!;
        AssertEveryWidth(f, x, y => Bits.Same(expected, y), $"{Bits.Describe(expected)}");
    }

    [Fact]
    public void Negative_zero_keeps_its_sign_where_the_function_is_odd_through_zero()
    {
        foreach (string name in new[] { "erf", "tanh", "silu", "gelu", "gelu_tanh" })
        {
            AssertEveryWidth(CanonicalFunction.Find(name)!, -0f, y => Bits.Same(-0f, y), "-0");
        }

        AssertEveryWidth(CanonicalFunction.Find("erfc")!, -0f, y => Bits.Same(1f, y), "1");
        AssertEveryWidth(CanonicalFunction.Find("sigmoid")!, -0f, y => Bits.Same(0.5f, y), "0.5");
        AssertEveryWidth(CanonicalFunction.Find("exp")!, -0f, y => Bits.Same(1f, y), "1");
    }

    [Fact]
    public void NaN_gives_NaN_for_every_function_at_every_width()
    {
        foreach (CanonicalFunction f in CanonicalFunction.All)
        {
            AssertEveryWidth(f, float.NaN, float.IsNaN, "NaN");
            AssertEveryWidth(f, -float.NaN, float.IsNaN, "NaN");
        }
    }

    [Fact]
    public void Saturated_tails_keep_their_relative_accuracy_instead_of_flushing()
    {
        // sigmoid(-100) = e^-100 / (1 + e^-100) ≈ 3.72e-44, a subnormal: within one subnormal step.
        Assert.True(Math.Abs(CanonicalMath.Sigmoid(-100f) - Math.Exp(-100)) <= float.Epsilon);

        // SiLU(-100) ≈ -3.72e-42: the product with x rounds once, after e^-100's bits are known.
        Assert.True(Math.Abs(CanonicalMath.Silu(-100f) - (-100 * Math.Exp(-100))) <= float.Epsilon);

        // GELU(-10) = -5·erfc(7.07) ≈ -7.6e-23, a normal number, to within 4 ulp; GELU-tanh(-10) ≈ -2.2e-37 likewise.
        AssertWithinUlps(-10 * 0.5 * Reference.ReferenceMath.Erfc(10 / Math.Sqrt(2)), CanonicalMath.Gelu(-10f), 4);
        AssertWithinUlps(Reference.ReferenceMath.GeluTanh(-10), CanonicalMath.GeluTanh(-10f), 4);
        Assert.True(CanonicalMath.Gelu(-14f) < 0f, "GELU(-14) ≈ -1.1e-43 must not flush to zero");
    }

    [Fact]
    public void Odd_functions_are_odd_and_erfc_is_the_complement()
    {
        float[] x = TestData.Random(1 << 16, seed: 3, scale: 12f);
        foreach (float v in x)
        {
            Assert.True(Bits.Same(-CanonicalMath.Tanh(v), CanonicalMath.Tanh(-v)), $"tanh at {Bits.Describe(v)}");
            Assert.True(Bits.Same(-CanonicalMath.Erf(v), CanonicalMath.Erf(-v)), $"erf at {Bits.Describe(v)}");
            double sum = (double)CanonicalMath.Erf(v) + CanonicalMath.Erfc(v);
            Assert.True(Math.Abs(sum - 1) <= 3e-7, $"erf + erfc = {sum:R} at {Bits.Describe(v)}");
        }
    }

    [Fact]
    public void Derivatives_match_central_differences_of_their_functions()
    {
        (Func<float, float> F, Func<float, float> D, string Name)[] pairs =
        [
            (CanonicalMath.Silu, CanonicalMath.SiluDerivative, "silu"),
            (CanonicalMath.Gelu, CanonicalMath.GeluDerivative, "gelu"),
            (CanonicalMath.GeluTanh, CanonicalMath.GeluTanhDerivative, "gelu_tanh"),
            (CanonicalMath.Sigmoid, x => CanonicalMath.SigmoidDerivativeFromOutput(CanonicalMath.Sigmoid(x)), "sigmoid"),
            (CanonicalMath.Tanh, x => CanonicalMath.TanhDerivativeFromOutput(CanonicalMath.Tanh(x)), "tanh"),
        ];
        foreach ((Func<float, float> f, Func<float, float> d, string name) in pairs)
        {
            for (float x = -6f; x <= 6f; x += 0.0625f)
            {
                const float h = 1f / 64;
                double numeric = ((double)f(x + h) - f(x - h)) / (2 * h);
                Assert.True(Math.Abs(numeric - d(x)) <= 2e-4, $"{name}'({x}) = {d(x):R}, central difference {numeric:R}");
            }
        }
    }

    private static void AssertWithinUlps(double exact, float actual, double ulps)
    {
        double ulp = AccuracyScan.UlpOf(exact);
        Assert.True(Math.Abs(actual - exact) <= ulps * ulp, $"{Bits.Describe(actual)} is {Math.Abs(actual - exact) / ulp:F2} ulp from {exact:R}");
    }

    private static void AssertEveryWidth(CanonicalFunction f, float x, Func<float, bool> ok, string expected)
    {
        float[] input = new float[37];
        input.AsSpan().Fill(x);
        foreach (KernelPath path in new[] { KernelPath.Scalar, KernelPath.Vector128, KernelPath.Vector256, KernelPath.Vector512 })
        {
            float[] y = new float[input.Length];
            f.Map(input, y, path);
            foreach (float v in y)
            {
                Assert.True(ok(v), $"{f.Name}({Bits.Describe(x)}) on {path} = {Bits.Describe(v)}, expected {expected}");
            }
        }

        Assert.True(ok(f.Scalar(x)), $"{f.Name}({Bits.Describe(x)}) = {Bits.Describe(f.Scalar(x))}, expected {expected}");
    }
}
