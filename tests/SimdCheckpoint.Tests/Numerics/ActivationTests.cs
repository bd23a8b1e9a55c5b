using System;
using System.Runtime.Intrinsics;
using SimdCheckpoint.Numerics;
using SimdCheckpoint.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Tests.Numerics;

/// <summary>The canonical activations: special values, and every vector width giving the scalar bits.</summary>
public sealed class ActivationTests
{
    [Fact]
    public void Relu_of_NaN_is_NaN_and_negative_zero_passes_through()
    {
        Assert.True(float.IsNaN(Activations.Relu(float.NaN)));
        Assert.True(float.IsNaN(Activations.Relu(-float.NaN)));
        Assert.Equal(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(Activations.Relu(-0f)));
        Assert.Equal(0f, Activations.Relu(-3f));
        Assert.Equal(BitConverter.SingleToInt32Bits(0f), BitConverter.SingleToInt32Bits(Activations.Relu(float.NegativeInfinity)));
        Assert.Equal(float.PositiveInfinity, Activations.Relu(float.PositiveInfinity));
        Assert.Equal(float.Epsilon, Activations.Relu(float.Epsilon));
    }

    [Fact]
    public void Leaky_relu_scales_negatives_with_one_rounding()
    {
        Assert.Equal(-3f * 0.01f, Activations.LeakyRelu(-3f, 0.01f));
        Assert.True(float.IsNaN(Activations.LeakyRelu(float.NaN, 0.2f)));
        Assert.Equal(float.NegativeInfinity, Activations.LeakyRelu(float.NegativeInfinity, 0.2f));
        Assert.Equal(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(Activations.LeakyRelu(-0f, 0.2f)));
        Assert.Equal(2f, Activations.LeakyRelu(2f, 0.2f));
    }

    [Fact]
    public void Every_vector_width_gives_the_scalar_bits()
    {
        float[] x = TestData.WithSpecialValues(1 << 16, seed: 77);
        float[] alphas = [0.01f, 0.2f, -1.5f, 3f];
        for (int i = 0; i + 16 <= x.Length; i += 16)
        {
            var v128 = Vector128.Create(x.AsSpan(i, 4));
            var v256 = Vector256.Create(x.AsSpan(i, 8));
            var v512 = Vector512.Create(x.AsSpan(i, 16));
            Check(x.AsSpan(i, 4), Activations.Relu(v128), a => Activations.Relu(a));
            Check(x.AsSpan(i, 8), Activations.Relu(v256), a => Activations.Relu(a));
            Check(x.AsSpan(i, 16), Activations.Relu(v512), a => Activations.Relu(a));
            float alpha = alphas[(i / 16) % alphas.Length];
            Check(x.AsSpan(i, 4), Activations.LeakyRelu(v128, Vector128.Create(alpha)), a => Activations.LeakyRelu(a, alpha));
            Check(x.AsSpan(i, 8), Activations.LeakyRelu(v256, Vector256.Create(alpha)), a => Activations.LeakyRelu(a, alpha));
            Check(x.AsSpan(i, 16), Activations.LeakyRelu(v512, Vector512.Create(alpha)), a => Activations.LeakyRelu(a, alpha));
        }
    }

    private static void Check(ReadOnlySpan<float> input, Vector128<float> actual, Func<float, float> scalar) => Check(input, ToArray(actual), scalar);

    private static void Check(ReadOnlySpan<float> input, Vector256<float> actual, Func<float, float> scalar) => Check(input, ToArray(actual), scalar);

    private static void Check(ReadOnlySpan<float> input, Vector512<float> actual, Func<float, float> scalar) => Check(input, ToArray(actual), scalar);

    private static void Check(ReadOnlySpan<float> input, float[] actual, Func<float, float> scalar)
    {
        for (int j = 0; j < input.Length; j++)
        {
            float expected = scalar(input[j]);
            Assert.True(
                BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual[j]) || (float.IsNaN(expected) && float.IsNaN(actual[j])),
                $"input {Bits.Describe(input[j])}: scalar {Bits.Describe(expected)}, vector {Bits.Describe(actual[j])}");
        }
    }

    private static float[] ToArray(Vector128<float> v)
    {
        float[] a = new float[4];
        v.CopyTo(a);
        return a;
    }

    private static float[] ToArray(Vector256<float> v)
    {
        float[] a = new float[8];
        v.CopyTo(a);
        return a;
    }

    private static float[] ToArray(Vector512<float> v)
    {
        float[] a = new float[16];
        v.CopyTo(a);
        return a;
    }
}
