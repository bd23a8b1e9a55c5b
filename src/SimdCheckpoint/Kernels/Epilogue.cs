using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using SimdCheckpoint.Numerics;

namespace SimdCheckpoint.Kernels;

/// <summary>
/// A kernel's activation on its accumulators, before the store: the canonical functions of
/// <see cref="Activations"/> and <see cref="CanonicalMath"/> at each width. <c>TKernel.Activation</c> is a constant
/// of the kernel, so once inlined the switch folds to the one function the layer uses. Softmax and identity store the
/// accumulators as they are (softmax runs over each finished row afterwards). Not for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Epilogue
{
    /// <summary>The activation of <typeparamref name="TKernel"/> on one accumulator.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Apply<TKernel>(float acc)
        where TKernel : struct, IDenseKernel => TKernel.Activation switch
        {
            Activation.Relu => Activations.Relu(acc),
            Activation.LeakyRelu => Activations.LeakyRelu(acc, TKernel.Alpha),
            Activation.Sigmoid => CanonicalMath.Sigmoid(acc),
            Activation.Tanh => CanonicalMath.Tanh(acc),
            Activation.Gelu => CanonicalMath.Gelu(acc),
            Activation.GeluTanh => CanonicalMath.GeluTanh(acc),
            Activation.Silu => CanonicalMath.Silu(acc),
            _ => acc,
        };

    /// <inheritdoc cref="Apply{TKernel}(float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Apply<TKernel>(Vector128<float> acc)
        where TKernel : struct, IDenseKernel => TKernel.Activation switch
        {
            Activation.Relu => Activations.Relu(acc),
            Activation.LeakyRelu => Activations.LeakyRelu(acc, Vector128.Create(TKernel.Alpha)),
            Activation.Sigmoid => CanonicalMath.Sigmoid(acc),
            Activation.Tanh => CanonicalMath.Tanh(acc),
            Activation.Gelu => CanonicalMath.Gelu(acc),
            Activation.GeluTanh => CanonicalMath.GeluTanh(acc),
            Activation.Silu => CanonicalMath.Silu(acc),
            _ => acc,
        };

    /// <inheritdoc cref="Apply{TKernel}(float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Apply<TKernel>(Vector256<float> acc)
        where TKernel : struct, IDenseKernel => TKernel.Activation switch
        {
            Activation.Relu => Activations.Relu(acc),
            Activation.LeakyRelu => Activations.LeakyRelu(acc, Vector256.Create(TKernel.Alpha)),
            Activation.Sigmoid => CanonicalMath.Sigmoid(acc),
            Activation.Tanh => CanonicalMath.Tanh(acc),
            Activation.Gelu => CanonicalMath.Gelu(acc),
            Activation.GeluTanh => CanonicalMath.GeluTanh(acc),
            Activation.Silu => CanonicalMath.Silu(acc),
            _ => acc,
        };

    /// <inheritdoc cref="Apply{TKernel}(float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Apply<TKernel>(Vector512<float> acc)
        where TKernel : struct, IDenseKernel => TKernel.Activation switch
        {
            Activation.Relu => Activations.Relu(acc),
            Activation.LeakyRelu => Activations.LeakyRelu(acc, Vector512.Create(TKernel.Alpha)),
            Activation.Sigmoid => CanonicalMath.Sigmoid(acc),
            Activation.Tanh => CanonicalMath.Tanh(acc),
            Activation.Gelu => CanonicalMath.Gelu(acc),
            Activation.GeluTanh => CanonicalMath.GeluTanh(acc),
            Activation.Silu => CanonicalMath.Silu(acc),
            _ => acc,
        };
}
