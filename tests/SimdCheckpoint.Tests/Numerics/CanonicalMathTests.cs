using System;
using System.Runtime.Intrinsics;
using SimdCheckpoint.Numerics;
using SimdCheckpoint.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Tests.Numerics;

/// <summary>The canonical Exp: error against a double-precision reference, and the same bits at every width.</summary>
public sealed class CanonicalMathTests
{
    /// <summary>
    /// About 1.05 million inputs spread over every binary32 bit pattern (a prime stride through all 2^32), plus
    /// seeded values: negatives and positives, subnormals, the overflow and underflow edges, NaNs and infinities.
    /// </summary>
    private static float[] Inputs()
    {
        var values = new System.Collections.Generic.List<float>();
        for (long bits = 0; bits <= 0xFFFFFFFFL; bits += 4093)
        {
            values.Add(BitConverter.Int32BitsToSingle((int)(uint)bits));
        }

        var rng = new DeterministicRandom(4);
        for (int i = 0; i < 1 << 18; i++)
        {
            values.Add(rng.NextSigned() * 110f);
        }

        values.AddRange([0f, -0f, 1f, -1f, float.Epsilon, -float.Epsilon, float.NaN, float.PositiveInfinity, float.NegativeInfinity,
            88.72283f, 88.72284f, 88.7228394f, 89f, -87.33654f, -103.972076f, -103.97208f, -104f, float.MaxValue, float.MinValue]);
        return [.. values];
    }

    [Fact]
    public void Exp_error_is_at_most_1_01_ulp_over_a_million_inputs()
    {
        (double worst, float at, _) = MaxUlpError(CanonicalMath.Exp, Math.Exp);
        Assert.True(worst <= 1.01, $"max error {worst:F4} ulp at x = {Bits.Describe(at)}");
    }

    [Fact]
    public void Exp_gives_the_scalar_bits_at_every_width() =>
        AssertEveryWidthGivesTheScalarBits(CanonicalMath.Exp, CanonicalMath.Exp, CanonicalMath.Exp, CanonicalMath.Exp);

    [Fact]
    public void Sigmoid_error_is_at_most_2_5_ulp_and_its_negative_tail_is_not_flushed()
    {
        (double worst, float at, _) = MaxUlpError(CanonicalMath.Sigmoid, SigmoidExact);
        Assert.True(worst <= 2.5, $"max error {worst:F4} ulp at x = {Bits.Describe(at)}");
        Assert.Equal(0.5f, CanonicalMath.Sigmoid(0f));
        Assert.Equal(0.5f, CanonicalMath.Sigmoid(-0f));
        Assert.Equal(1f, CanonicalMath.Sigmoid(float.PositiveInfinity));
        Assert.Equal(0f, CanonicalMath.Sigmoid(float.NegativeInfinity));
        Assert.Equal(1f, CanonicalMath.Sigmoid(100f));
        Assert.True(CanonicalMath.Sigmoid(-100f) > 0f, "sigmoid(-100) ≈ 3.7e-44 must not flush to 0");
    }

    [Fact]
    public void Silu_error_is_at_most_3_3_ulp_including_its_subnormal_tail()
    {
        (double worst, float at, _) = MaxUlpError(
            x => float.IsInfinity(x) ? float.NaN : CanonicalMath.Silu(x), x => double.IsInfinity(x) ? double.NaN : x * SigmoidExact(x));
        Assert.True(worst <= 3.3, $"max error {worst:F4} ulp at x = {Bits.Describe(at)}");
        Assert.Equal(float.PositiveInfinity, CanonicalMath.Silu(float.PositiveInfinity));
        Assert.Equal(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(CanonicalMath.Silu(float.NegativeInfinity)));

        // Where e^x is subnormal, x·e^x still rounds once: -100·e^-100 ≈ -3.72e-42 to within an ulp.
        Assert.True(Math.Abs(CanonicalMath.Silu(-100f) - (-100 * Math.Exp(-100))) <= float.Epsilon);
        Assert.Equal(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(CanonicalMath.Silu(-0f)));
    }

    [Fact]
    public void Silu_gives_the_scalar_bits_at_every_width() =>
        AssertEveryWidthGivesTheScalarBits(CanonicalMath.Silu, CanonicalMath.Silu, CanonicalMath.Silu, CanonicalMath.Silu);

    [Fact]
    public void Tanh_error_is_at_most_1_4_ulp_and_it_is_odd()
    {
        (double worst, float at, _) = MaxUlpError(CanonicalMath.Tanh, Math.Tanh);
        Assert.True(worst <= 1.4, $"max error {worst:F4} ulp at x = {Bits.Describe(at)}");
        foreach (float x in Inputs())
        {
            float y = CanonicalMath.Tanh(x);
            Assert.True(Bits.Same(float.IsNaN(y) ? y : -y, CanonicalMath.Tanh(-x)), $"tanh(-x) != -tanh(x) at {Bits.Describe(x)}");
        }

        Assert.Equal(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(CanonicalMath.Tanh(-0f)));
        Assert.Equal(1f, CanonicalMath.Tanh(20f));
        Assert.Equal(-1f, CanonicalMath.Tanh(float.NegativeInfinity));
    }

    [Fact]
    public void Tanh_gives_the_scalar_bits_at_every_width() =>
        AssertEveryWidthGivesTheScalarBits(CanonicalMath.Tanh, CanonicalMath.Tanh, CanonicalMath.Tanh, CanonicalMath.Tanh);

    [Fact]
    public void Sigmoid_gives_the_scalar_bits_at_every_width() =>
        AssertEveryWidthGivesTheScalarBits(CanonicalMath.Sigmoid, CanonicalMath.Sigmoid, CanonicalMath.Sigmoid, CanonicalMath.Sigmoid);

    [Theory]
    [InlineData(0f, 1f)]
    [InlineData(-1e-45f, 1f)]
    [InlineData(float.PositiveInfinity, float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity, 0f)]
    [InlineData(89f, float.PositiveInfinity)]
    [InlineData(-104f, 0f)]
    [InlineData(-1000f, 0f)]
    [InlineData(1000f, float.PositiveInfinity)]
    public void Exp_special_values(float x, float expected)
    {
        Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(CanonicalMath.Exp(x)));
        Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(CanonicalMath.Exp(Vector256.Create(x))[5]));
    }

    [Fact]
    public void Exp_of_NaN_is_NaN_and_subnormal_results_are_graded()
    {
        Assert.True(float.IsNaN(CanonicalMath.Exp(float.NaN)));
        Assert.Equal(1f, CanonicalMath.Exp(-0f));
        Assert.True(float.IsNaN(CanonicalMath.Exp(Vector512.Create(float.NaN))[7]));

        // e^-100 ≈ 3.72e-44 is subnormal: within one subnormal step of the exact value, and never flushed to zero.
        float tiny = CanonicalMath.Exp(-100f);
        Assert.True(tiny > 0f && tiny < 1.17549435e-38f);
        Assert.True(Math.Abs(tiny - Math.Exp(-100)) <= float.Epsilon);
    }

    /// <summary>
    /// The largest error, in ulps of the correctly rounded result, over <see cref="Inputs"/>: NaN inputs must give
    /// NaN; results the double reference puts beyond the float range must be +inf or MaxValue.
    /// </summary>
    private static (double Worst, float At, int Measured) MaxUlpError(Func<float, float> function, Func<double, double> exact)
    {
        double worst = 0;
        float at = 0;
        int measured = 0;
        foreach (float x in Inputs())
        {
            float y = function(x);
            if (float.IsNaN(x))
            {
                Assert.True(float.IsNaN(y), $"f(NaN) = {Bits.Describe(y)}");
                continue;
            }

            double e = exact(x);
            if (Math.Abs(e) > float.MaxValue || double.IsInfinity(e))
            {
                Assert.True(float.IsInfinity(y) || Math.Abs(y) == float.MaxValue, $"f({Bits.Describe(x)}) = {Bits.Describe(y)}");
                continue;
            }

            double error = Math.Abs(y - e) / UlpOf(e);
            measured++;
            if (error > worst)
            {
                worst = error;
                at = x;
            }
        }

        Assert.True(measured > 1_000_000, $"only {measured} finite results measured");
        return (worst, at, measured);
    }

    /// <summary>Every lane of the 512-, 256- and 128-bit forms has the scalar form's bits, over <see cref="Inputs"/>.</summary>
    private static void AssertEveryWidthGivesTheScalarBits(
        Func<float, float> scalar, Func<Vector128<float>, Vector128<float>> v128, Func<Vector256<float>, Vector256<float>> v256, Func<Vector512<float>, Vector512<float>> v512)
    {
        float[] x = Inputs();
        for (int i = 0; i + 16 <= x.Length; i += 16)
        {
            Vector512<float> y512 = v512(Vector512.Create(x.AsSpan(i, 16)));
            Vector256<float> y256 = v256(Vector256.Create(x.AsSpan(i, 8)));
            Vector128<float> y128 = v128(Vector128.Create(x.AsSpan(i + 8, 4)));
            for (int j = 0; j < 16; j++)
            {
                float s = scalar(x[i + j]);
                bool ok = Bits.Same(s, y512[j]) && (j >= 8 || Bits.Same(s, y256[j])) && (j < 8 || j >= 12 || Bits.Same(s, y128[j - 8]));
                Assert.True(ok, $"x = {Bits.Describe(x[i + j])}: scalar {Bits.Describe(s)}, Vector512 {Bits.Describe(y512[j])}");
            }
        }
    }

    private static double SigmoidExact(double x) => x >= 0 ? 1.0 / (1.0 + Math.Exp(-x)) : Math.Exp(x) / (1.0 + Math.Exp(x));

    private static double UlpOf(double value)
    {
        float f = (float)value;
        if (Math.Abs(f) < 1.17549435e-38f)
        {
            return Math.Pow(2, -149);
        }

        int exponent = ((BitConverter.SingleToInt32Bits(Math.Abs(f)) >> 23) & 0xFF) - 127;
        return Math.Pow(2, exponent - 23);
    }
}
