using System;
using SimdCheckpoint.Numerics;
using SimdCheckpoint.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Tests.Numerics;

/// <summary>Span application of the canonical functions, and the activation dispatch the reference uses.</summary>
public sealed class ElementwiseTests
{
    [Fact]
    public void Every_length_and_path_gives_the_scalar_bits_including_in_place()
    {
        foreach (CanonicalFunction f in CanonicalFunction.All)
        {
            for (int n = 0; n <= 70; n++)
            {
                float[] x = TestData.WithSpecialValues(n, seed: (ulong)n);
                float[] expected = new float[n];
                for (int i = 0; i < n; i++)
                {
                    expected[i] = f.Scalar(x[i]);
                }

                foreach (KernelPath path in new[] { KernelPath.Auto, KernelPath.Scalar, KernelPath.Vector128, KernelPath.Vector256, KernelPath.Vector512 })
                {
                    float[] y = new float[n];
                    f.Map(x, y, path);
                    Bits.Equal(expected, y, $"{f.Name} n={n} {path}");
                    float[] inPlace = (float[])x.Clone();
                    f.Map(inPlace, inPlace, path);
                    Bits.Equal(expected, inPlace, $"{f.Name} in place n={n} {path}");
                }
            }
        }
    }

    [Fact]
    public void Mismatched_or_overlapping_spans_are_rejected()
    {
        float[] buffer = new float[20];
        ArgumentException e = Assert.Throws<ArgumentException>(() => Elementwise.Map<UnaryFunctions.Gelu>(buffer.AsSpan(0, 10), buffer.AsSpan(10, 9)));
        Assert.Contains("9 elements but the input has 10", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Elementwise.Map<UnaryFunctions.Gelu>(buffer.AsSpan(0, 10), buffer.AsSpan(3, 10)));
        Assert.Contains("offset of 3", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Elementwise.Map<UnaryFunctions.Gelu>(buffer, buffer, (KernelPath)42));
    }

    [Fact]
    public void Apply_and_Derivative_dispatch_to_the_canonical_functions()
    {
        float[] x = TestData.WithSpecialValues(4096, seed: 12);
        foreach (float v in x)
        {
            Assert.True(Bits.Same(CanonicalMath.Gelu(v), Activations.Apply(Activation.Gelu, v, 0)));
            Assert.True(Bits.Same(CanonicalMath.GeluTanh(v), Activations.Apply(Activation.GeluTanh, v, 0)));
            Assert.True(Bits.Same(CanonicalMath.Silu(v), Activations.Apply(Activation.Silu, v, 0)));
            Assert.True(Bits.Same(CanonicalMath.Sigmoid(v), Activations.Apply(Activation.Sigmoid, v, 0)));
            Assert.True(Bits.Same(CanonicalMath.Tanh(v), Activations.Apply(Activation.Tanh, v, 0)));
            Assert.True(Bits.Same(CanonicalMath.GeluDerivative(v), Activations.Derivative(Activation.Gelu, v, 0)));
            Assert.True(Bits.Same(CanonicalMath.SigmoidDerivativeFromOutput(v), Activations.Derivative(Activation.Sigmoid, v, 0)));
        }

        Assert.Equal(0f, Activations.Derivative(Activation.Relu, 0f, 0));
        Assert.Equal(1f, Activations.Derivative(Activation.Relu, 2f, 0));
        Assert.Equal(0.25f, Activations.Derivative(Activation.LeakyRelu, -3f, 0.25f));
        Assert.Equal(1f, Activations.Derivative(Activation.Identity, float.NaN, 0));
        Assert.Equal(DerivativeArgument.Output, Activations.DerivativeArgumentOf(Activation.Tanh, 0));
        Assert.Equal(DerivativeArgument.Output, Activations.DerivativeArgumentOf(Activation.LeakyRelu, 0.01f));
        Assert.Equal(DerivativeArgument.PreActivation, Activations.DerivativeArgumentOf(Activation.LeakyRelu, -0.5f));
        Assert.Equal(DerivativeArgument.PreActivation, Activations.DerivativeArgumentOf(Activation.Gelu, 0));
        Assert.Contains("Softmax.Row", Assert.Throws<ArgumentException>(() => Activations.Apply(Activation.Softmax, 1f, 0)).Message, StringComparison.Ordinal);
        Assert.Contains("Softmax.Backward", Assert.Throws<ArgumentException>(() => Activations.Derivative(Activation.Softmax, 1f, 0)).Message, StringComparison.Ordinal);
    }
}
