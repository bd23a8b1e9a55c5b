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
        double worst = 0;
        float worstAt = 0;
        int measured = 0;
        foreach (float x in Inputs())
        {
            double exact = Math.Exp(x);
            float y = CanonicalMath.Exp(x);
            if (float.IsNaN(x))
            {
                Assert.True(float.IsNaN(y));
                continue;
            }

            if (exact > float.MaxValue)
            {
                // Beyond the largest float, the correctly rounded result is +inf unless the exact value is within
                // half an ulp of MaxValue; allow both.
                Assert.True(float.IsPositiveInfinity(y) || y == float.MaxValue, $"exp({Bits.Describe(x)}) = {Bits.Describe(y)}");
                continue;
            }

            double error = Math.Abs(y - exact) / UlpOf(exact);
            measured++;
            if (error > worst)
            {
                worst = error;
                worstAt = x;
            }
        }

        Assert.True(measured > 1_000_000, $"only {measured} finite results measured");
        Assert.True(worst <= 1.01, $"max error {worst:F4} ulp at x = {Bits.Describe(worstAt)}");
    }

    [Fact]
    public void Exp_gives_the_scalar_bits_at_every_width()
    {
        float[] x = Inputs();
        int mismatches = 0;
        string first = string.Empty;
        for (int i = 0; i + 16 <= x.Length; i += 16)
        {
            Vector512<float> v512 = CanonicalMath.Exp(Vector512.Create(x.AsSpan(i, 16)));
            Vector256<float> v256 = CanonicalMath.Exp(Vector256.Create(x.AsSpan(i, 8)));
            Vector128<float> v128 = CanonicalMath.Exp(Vector128.Create(x.AsSpan(i + 8, 4)));
            for (int j = 0; j < 16; j++)
            {
                float s = CanonicalMath.Exp(x[i + j]);
                bool ok = Bits.Same(s, v512[j]) && (j >= 8 || Bits.Same(s, v256[j])) && (j < 8 || j >= 12 || Bits.Same(s, v128[j - 8]));
                if (!ok && mismatches++ == 0)
                {
                    first = $"x = {Bits.Describe(x[i + j])}: scalar {Bits.Describe(s)}, Vector512 {Bits.Describe(v512[j])}";
                }
            }
        }

        Assert.True(mismatches == 0, $"{mismatches} lanes differ; first: {first}");
    }

    [Fact]
    public void Sigmoid_error_is_at_most_2_5_ulp_and_its_negative_tail_is_not_flushed()
    {
        double worst = 0;
        float worstAt = 0;
        int measured = 0;
        foreach (float x in Inputs())
        {
            float y = CanonicalMath.Sigmoid(x);
            if (float.IsNaN(x))
            {
                Assert.True(float.IsNaN(y));
                continue;
            }

            double exact = x >= 0 ? 1.0 / (1.0 + Math.Exp(-(double)x)) : Math.Exp(x) / (1.0 + Math.Exp(x));
            double error = Math.Abs(y - exact) / UlpOf(exact);
            measured++;
            if (error > worst)
            {
                worst = error;
                worstAt = x;
            }
        }

        Assert.True(measured > 1_000_000);
        Assert.True(worst <= 2.5, $"max error {worst:F4} ulp at x = {Bits.Describe(worstAt)}");
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
        double worst = 0;
        float worstAt = 0;
        int measured = 0;
        foreach (float x in Inputs())
        {
            float y = CanonicalMath.Silu(x);
            if (float.IsNaN(x))
            {
                Assert.True(float.IsNaN(y));
                continue;
            }

            if (float.IsInfinity(x))
            {
                Assert.Equal(x > 0 ? float.PositiveInfinity : -0f, y);
                continue;
            }

            double sigmoid = x >= 0 ? 1.0 / (1.0 + Math.Exp(-(double)x)) : Math.Exp(x) / (1.0 + Math.Exp(x));
            double exact = x * sigmoid;
            double error = Math.Abs(y - exact) / UlpOf(exact);
            measured++;
            if (error > worst)
            {
                worst = error;
                worstAt = x;
            }
        }

        Assert.True(measured > 1_000_000);
        Assert.True(worst <= 3.3, $"max error {worst:F4} ulp at x = {Bits.Describe(worstAt)}");

        // Where e^x is subnormal, x·e^x still rounds once: -100·e^-100 ≈ -3.72e-42 to within an ulp.
        Assert.True(Math.Abs(CanonicalMath.Silu(-100f) - (-100 * Math.Exp(-100))) <= float.Epsilon);
        Assert.Equal(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(CanonicalMath.Silu(-0f)));
    }

    [Fact]
    public void Silu_gives_the_scalar_bits_at_every_width()
    {
        float[] x = Inputs();
        for (int i = 0; i + 16 <= x.Length; i += 16)
        {
            Vector512<float> v512 = CanonicalMath.Silu(Vector512.Create(x.AsSpan(i, 16)));
            Vector256<float> v256 = CanonicalMath.Silu(Vector256.Create(x.AsSpan(i, 8)));
            Vector128<float> v128 = CanonicalMath.Silu(Vector128.Create(x.AsSpan(i + 8, 4)));
            for (int j = 0; j < 16; j++)
            {
                float s = CanonicalMath.Silu(x[i + j]);
                bool ok = Bits.Same(s, v512[j]) && (j >= 8 || Bits.Same(s, v256[j])) && (j < 8 || j >= 12 || Bits.Same(s, v128[j - 8]));
                Assert.True(ok, $"x = {Bits.Describe(x[i + j])}: scalar {Bits.Describe(s)}, Vector512 {Bits.Describe(v512[j])}");
            }
        }
    }

    [Fact]
    public void Tanh_error_is_at_most_1_4_ulp_and_it_is_odd()
    {
        double worst = 0;
        float worstAt = 0;
        int measured = 0;
        foreach (float x in Inputs())
        {
            float y = CanonicalMath.Tanh(x);
            if (float.IsNaN(x))
            {
                Assert.True(float.IsNaN(y));
                continue;
            }

            Assert.Equal(BitConverter.SingleToInt32Bits(-y), BitConverter.SingleToInt32Bits(CanonicalMath.Tanh(-x)));
            double exact = Math.Tanh(x);
            double error = Math.Abs(y - exact) / UlpOf(exact);
            measured++;
            if (error > worst)
            {
                worst = error;
                worstAt = x;
            }
        }

        Assert.True(measured > 1_000_000);
        Assert.True(worst <= 1.4, $"max error {worst:F4} ulp at x = {Bits.Describe(worstAt)}");
        Assert.Equal(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(CanonicalMath.Tanh(-0f)));
        Assert.Equal(1f, CanonicalMath.Tanh(20f));
        Assert.Equal(-1f, CanonicalMath.Tanh(float.NegativeInfinity));
    }

    [Fact]
    public void Tanh_gives_the_scalar_bits_at_every_width()
    {
        float[] x = Inputs();
        for (int i = 0; i + 16 <= x.Length; i += 16)
        {
            Vector512<float> v512 = CanonicalMath.Tanh(Vector512.Create(x.AsSpan(i, 16)));
            Vector256<float> v256 = CanonicalMath.Tanh(Vector256.Create(x.AsSpan(i, 8)));
            Vector128<float> v128 = CanonicalMath.Tanh(Vector128.Create(x.AsSpan(i + 8, 4)));
            for (int j = 0; j < 16; j++)
            {
                float s = CanonicalMath.Tanh(x[i + j]);
                bool ok = Bits.Same(s, v512[j]) && (j >= 8 || Bits.Same(s, v256[j])) && (j < 8 || j >= 12 || Bits.Same(s, v128[j - 8]));
                Assert.True(ok, $"x = {Bits.Describe(x[i + j])}: scalar {Bits.Describe(s)}, Vector512 {Bits.Describe(v512[j])}");
            }
        }
    }

    [Fact]
    public void Sigmoid_gives_the_scalar_bits_at_every_width()
    {
        float[] x = Inputs();
        for (int i = 0; i + 16 <= x.Length; i += 16)
        {
            Vector512<float> v512 = CanonicalMath.Sigmoid(Vector512.Create(x.AsSpan(i, 16)));
            Vector256<float> v256 = CanonicalMath.Sigmoid(Vector256.Create(x.AsSpan(i, 8)));
            Vector128<float> v128 = CanonicalMath.Sigmoid(Vector128.Create(x.AsSpan(i + 8, 4)));
            for (int j = 0; j < 16; j++)
            {
                float s = CanonicalMath.Sigmoid(x[i + j]);
                bool ok = Bits.Same(s, v512[j]) && (j >= 8 || Bits.Same(s, v256[j])) && (j < 8 || j >= 12 || Bits.Same(s, v128[j - 8]));
                Assert.True(ok, $"x = {Bits.Describe(x[i + j])}: scalar {Bits.Describe(s)}, Vector512 {Bits.Describe(v512[j])}");
            }
        }
    }

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
