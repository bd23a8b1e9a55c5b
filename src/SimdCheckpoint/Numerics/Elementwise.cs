using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SimdCheckpoint.Numerics;

/// <summary>
/// Applies a canonical element-wise function over spans. Every path gives the same bits, so the tail that does not
/// fill a vector is done by the scalar form without changing any result.
/// </summary>
public static class Elementwise
{
    /// <summary>
    /// y[i] = f(x[i]) for every i, on <paramref name="path"/> (<see cref="KernelPath.Auto"/>: the widest this machine
    /// accelerates). <paramref name="x"/> and <paramref name="y"/> may be the same span, but must not otherwise overlap.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths differ, or the spans partially overlap.</exception>
    public static void Map<TFunction>(ReadOnlySpan<float> x, Span<float> y, KernelPath path = KernelPath.Auto)
        where TFunction : IUnaryFunction
    {
        CheckSpans(x, y);
        switch (Resolve(path))
        {
            case KernelPath.Vector512:
                Map<TFunction, Vector512Ops, Vector512<float>>(x, y);
                break;
            case KernelPath.Vector256:
                Map<TFunction, Vector256Ops, Vector256<float>>(x, y);
                break;
            case KernelPath.Vector128:
                Map<TFunction, Vector128Ops, Vector128<float>>(x, y);
                break;
            default:
                Map<TFunction, ScalarOps, float>(x, y);
                break;
        }
    }

    /// <summary>The path <see cref="KernelPath.Auto"/> stands for on this machine; any other path unchanged.</summary>
    public static KernelPath Resolve(KernelPath path) => path switch
    {
        KernelPath.Auto when Vector512.IsHardwareAccelerated => KernelPath.Vector512,
        KernelPath.Auto when Vector256.IsHardwareAccelerated => KernelPath.Vector256,
        KernelPath.Auto when Vector128.IsHardwareAccelerated => KernelPath.Vector128,
        KernelPath.Auto => KernelPath.Scalar,
        KernelPath.Scalar or KernelPath.Vector128 or KernelPath.Vector256 or KernelPath.Vector512 => path,
        _ => throw new ArgumentOutOfRangeException(nameof(path), path, "Unknown kernel path."),
    };

    /// <summary>y[i] = f(x[i]) with <typeparamref name="TOps"/>'s width, the tail in scalar form (same bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Map<TFunction, TOps, T>(ReadOnlySpan<float> x, Span<float> y)
        where TFunction : IUnaryFunction
        where TOps : IFloatOps<T>
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int width = TOps.Count;
        int i = 0;
        for (; i <= x.Length - width; i += width)
        {
            TOps.Store(TFunction.Invoke<TOps, T>(TOps.Load(ref Unsafe.Add(ref xr, i))), ref Unsafe.Add(ref yr, i));
        }

        for (; i < x.Length; i++)
        {
            Unsafe.Add(ref yr, i) = TFunction.Invoke<ScalarOps, float>(Unsafe.Add(ref xr, i));
        }
    }

    internal static void CheckSpans(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        if (x.Length != y.Length)
        {
            throw new ArgumentException($"The output has {y.Length} elements but the input has {x.Length}; they must be equal.", nameof(y));
        }

        if (x.Overlaps(y, out int offset) && offset != 0)
        {
            throw new ArgumentException($"The output overlaps the input at an offset of {offset} elements; use the same span (in place) or disjoint spans.", nameof(y));
        }
    }
}
