using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SimdCheckpoint.Numerics;

/// <summary>
/// The canonical activation functions (docs/math-accuracy.md). Each is one fixed sequence of binary32 operations,
/// written once per vector width with the same operations in the same order, so every path gives the scalar bits.
/// Generated kernels call these in their epilogues; the scalar reference calls the <see cref="float"/> overloads.
/// </summary>
public static class Activations
{
    /// <summary><c>x &lt; 0 ? +0 : x</c>: NaN and -0 pass through unchanged.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Relu(float x) => x < 0f ? 0f : x;

    /// <inheritdoc cref="Relu(float)"/>
    /// <remarks>Clears the lanes where <c>x &lt; 0</c> (the mask is false for NaN and -0), as the scalar form does.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Relu(Vector128<float> x) => Vector128.AndNot(x, Vector128.LessThan(x, Vector128<float>.Zero));

    /// <inheritdoc cref="Relu(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Relu(Vector256<float> x) => Vector256.AndNot(x, Vector256.LessThan(x, Vector256<float>.Zero));

    /// <inheritdoc cref="Relu(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Relu(Vector512<float> x) => Vector512.AndNot(x, Vector512.LessThan(x, Vector512<float>.Zero));

    /// <summary><c>x &lt; 0 ? x·alpha : x</c>, one correctly rounded multiply; NaN and -0 pass through unchanged.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float LeakyRelu(float x, float alpha) => x < 0f ? x * alpha : x;

    /// <inheritdoc cref="LeakyRelu(float, float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> LeakyRelu(Vector128<float> x, Vector128<float> alpha) =>
        Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128<float>.Zero), x * alpha, x);

    /// <inheritdoc cref="LeakyRelu(float, float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LeakyRelu(Vector256<float> x, Vector256<float> alpha) =>
        Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), x * alpha, x);

    /// <inheritdoc cref="LeakyRelu(float, float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LeakyRelu(Vector512<float> x, Vector512<float> alpha) =>
        Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), x * alpha, x);

    /// <summary>
    /// Applies an element-wise <paramref name="activation"/> to one value: the reference's form of every epilogue.
    /// Softmax is a row function: use <see cref="Softmax.Row"/>.
    /// </summary>
    /// <exception cref="System.ArgumentException"><paramref name="activation"/> is <see cref="Activation.Softmax"/>.</exception>
    public static float Apply(Activation activation, float x, float alpha) => activation switch
    {
        Activation.Identity => x,
        Activation.Relu => Relu(x),
        Activation.LeakyRelu => LeakyRelu(x, alpha),
        Activation.Sigmoid => CanonicalMath.Sigmoid(x),
        Activation.Tanh => CanonicalMath.Tanh(x),
        Activation.Gelu => CanonicalMath.Gelu(x),
        Activation.GeluTanh => CanonicalMath.GeluTanh(x),
        Activation.Silu => CanonicalMath.Silu(x),
        Activation.Softmax => throw new System.ArgumentException("Softmax is not element-wise; use Softmax.Row over the whole row.", nameof(activation)),
        _ => throw new System.ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
    };

    /// <summary>
    /// What the derivative of an element-wise <paramref name="activation"/> is computed from in the backward pass:
    /// the layer's output where that is exact and cheapest (ReLU, sigmoid, tanh, identity, LeakyReLU with a positive
    /// slope), the pre-activation where the output does not determine it (GELU, SiLU, LeakyReLU with a slope ≤ 0).
    /// </summary>
    /// <exception cref="System.ArgumentException"><paramref name="activation"/> is <see cref="Activation.Softmax"/>, whose backward pass is <see cref="Softmax.Backward"/>.</exception>
    public static DerivativeArgument DerivativeArgumentOf(Activation activation, float alpha) => activation switch
    {
        Activation.Identity or Activation.Relu or Activation.LeakyRelu or Activation.Sigmoid or Activation.Tanh
            or Activation.Gelu or Activation.GeluTanh or Activation.Silu =>
            ActivationInfo.ReadsPreActivation(activation, alpha) ? DerivativeArgument.PreActivation : DerivativeArgument.Output,
        Activation.Softmax => throw new System.ArgumentException("Softmax's derivative is not element-wise; use Softmax.Backward.", nameof(activation)),
        _ => throw new System.ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
    };

    /// <summary>
    /// The derivative of <paramref name="activation"/> at the point given by <paramref name="argument"/>, which is the
    /// output or the pre-activation as <see cref="DerivativeArgumentOf"/> says. The backward pass multiplies the
    /// upstream gradient by it: dZ = dY · act′ (one binary32 multiply). ReLU′ is 1 where y &gt; 0 and 0 elsewhere (0 at 0,
    /// as PyTorch); LeakyReLU′ is 1 where the argument is &gt; 0 and alpha elsewhere.
    /// </summary>
    public static float Derivative(Activation activation, float argument, float alpha) => activation == Activation.Softmax
        ? throw new System.ArgumentException("Softmax's derivative is not element-wise; use Softmax.Backward.", nameof(activation))
        : Derivative<ScalarOps, float>(activation, argument, alpha);

    /// <inheritdoc cref="Derivative(Activation, float, float)"/>
    /// <remarks>The same at every width: the backward kernels call this form. For softmax it returns 1 (its backward pass is a row function).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Derivative<TOps, T>(Activation activation, T argument, float alpha)
        where TOps : IFloatOps<T> => activation switch
        {
            Activation.Relu => TOps.ConditionalSelect(TOps.GreaterThan(argument, TOps.Broadcast(0f)), TOps.Broadcast(1f), TOps.Broadcast(0f)),
            Activation.LeakyRelu => TOps.ConditionalSelect(TOps.GreaterThan(argument, TOps.Broadcast(0f)), TOps.Broadcast(1f), TOps.Broadcast(alpha)),
            Activation.Sigmoid => CanonicalMath.SigmoidDerivativeFromOutput<TOps, T>(argument),
            Activation.Tanh => CanonicalMath.TanhDerivativeFromOutput<TOps, T>(argument),
            Activation.Gelu => CanonicalMath.GeluDerivative<TOps, T>(argument),
            Activation.GeluTanh => CanonicalMath.GeluTanhDerivative<TOps, T>(argument),
            Activation.Silu => CanonicalMath.SiluDerivative<TOps, T>(argument),
            Activation.Identity or Activation.Softmax => TOps.Broadcast(1f),
            _ => throw new System.ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
        };
}
