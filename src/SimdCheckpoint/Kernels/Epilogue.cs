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

    /// <summary>
    /// The kernel's activation over a tile already stored: <paramref name="rows"/> rows (stride <paramref name="ldy"/>)
    /// of <paramref name="columns"/> floats, 16 lanes at a time, the last columns one at a time (every width computes the
    /// same bits). Nothing for identity and softmax (softmax runs over finished rows). Not inlined: the tile calls it once,
    /// after its accumulators are stored, so none is live across a call.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ApplyStored16<TKernel>(ref float y, nint ldy, int rows, int columns)
        where TKernel : struct, IDenseKernel
    {
        if (TKernel.Activation is Activation.Identity or Activation.Softmax)
        {
            return;
        }

        for (int r = 0; r < rows; r++)
        {
            ref float row = ref Unsafe.Add(ref y, r * ldy);
            int c = 0;
            for (; c + 16 <= columns; c += 16)
            {
                Apply<TKernel>(Vector512.LoadUnsafe(ref row, (nuint)c)).StoreUnsafe(ref row, (nuint)c);
            }

            for (; c < columns; c++)
            {
                Unsafe.Add(ref row, c) = Apply<TKernel>(Unsafe.Add(ref row, c));
            }
        }
    }

    /// <summary>As <see cref="ApplyStored16{TKernel}"/>, 8 lanes at a time.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ApplyStored8<TKernel>(ref float y, nint ldy, int rows, int columns)
        where TKernel : struct, IDenseKernel
    {
        if (TKernel.Activation is Activation.Identity or Activation.Softmax)
        {
            return;
        }

        for (int r = 0; r < rows; r++)
        {
            ref float row = ref Unsafe.Add(ref y, r * ldy);
            int c = 0;
            for (; c + 8 <= columns; c += 8)
            {
                Apply<TKernel>(Vector256.LoadUnsafe(ref row, (nuint)c)).StoreUnsafe(ref row, (nuint)c);
            }

            for (; c < columns; c++)
            {
                Unsafe.Add(ref row, c) = Apply<TKernel>(Unsafe.Add(ref row, c));
            }
        }
    }

    /// <summary>As <see cref="ApplyStored16{TKernel}"/>, 4 lanes at a time.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ApplyStored4<TKernel>(ref float y, nint ldy, int rows, int columns)
        where TKernel : struct, IDenseKernel
    {
        if (TKernel.Activation is Activation.Identity or Activation.Softmax)
        {
            return;
        }

        for (int r = 0; r < rows; r++)
        {
            ref float row = ref Unsafe.Add(ref y, r * ldy);
            int c = 0;
            for (; c + 4 <= columns; c += 4)
            {
                Apply<TKernel>(Vector128.LoadUnsafe(ref row, (nuint)c)).StoreUnsafe(ref row, (nuint)c);
            }

            for (; c < columns; c++)
            {
                Unsafe.Add(ref row, c) = Apply<TKernel>(Unsafe.Add(ref row, c));
            }
        }
    }
}
