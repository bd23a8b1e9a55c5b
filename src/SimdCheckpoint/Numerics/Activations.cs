using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SimdCheckpoint.Numerics;

/// <summary>
/// The canonical activation functions (DESIGN.md section 2.3). Each is one fixed sequence of binary32 operations,
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

    /// <summary>Applies <paramref name="activation"/> to one value: the reference's form of every epilogue.</summary>
    public static float Apply(Activation activation, float x, float alpha) => activation switch
    {
        Activation.Identity => x,
        Activation.Relu => Relu(x),
        Activation.LeakyRelu => LeakyRelu(x, alpha),
        _ => throw new System.ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
    };
}
