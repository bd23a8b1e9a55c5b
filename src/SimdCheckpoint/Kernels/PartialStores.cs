using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SimdCheckpoint.Kernels;

/// <summary>
/// Stores the first <c>count</c> lanes of a vector and nothing past them: whole halves while they fit, then a 64-bit
/// and a 32-bit store. A tail tile stores its last vector with these; <c>count</c> is a constant of the kernel, so
/// once inlined only the stores it needs remain, as if chosen at compile time. Not for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class PartialStores
{
    /// <summary>Stores lanes 0 .. <paramref name="count"/> − 1 (1 to 4) of <paramref name="v"/> at <paramref name="y"/>[<paramref name="offset"/>..].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreFirst(Vector128<float> v, ref float y, nuint offset, int count)
    {
        if (count >= 4)
        {
            v.StoreUnsafe(ref y, offset);
            return;
        }

        if (count >= 2)
        {
            Unsafe.WriteUnaligned(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref y, offset)), v.AsDouble().ToScalar());
            if (count == 3)
            {
                Unsafe.Add(ref y, offset + 2) = v.GetElement(2);
            }

            return;
        }

        Unsafe.Add(ref y, offset) = v.ToScalar();
    }

    /// <summary>Stores lanes 0 .. <paramref name="count"/> − 1 (1 to 8) of <paramref name="v"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreFirst(Vector256<float> v, ref float y, nuint offset, int count)
    {
        if (count >= 8)
        {
            v.StoreUnsafe(ref y, offset);
            return;
        }

        if (count >= 4)
        {
            v.GetLower().StoreUnsafe(ref y, offset);
            if (count > 4)
            {
                StoreFirst(v.GetUpper(), ref y, offset + 4, count - 4);
            }

            return;
        }

        StoreFirst(v.GetLower(), ref y, offset, count);
    }

    /// <summary>Stores lanes 0 .. <paramref name="count"/> − 1 (1 to 16) of <paramref name="v"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreFirst(Vector512<float> v, ref float y, nuint offset, int count)
    {
        if (count >= 16)
        {
            v.StoreUnsafe(ref y, offset);
            return;
        }

        if (count >= 8)
        {
            v.GetLower().StoreUnsafe(ref y, offset);
            if (count > 8)
            {
                StoreFirst(v.GetUpper(), ref y, offset + 8, count - 8);
            }

            return;
        }

        StoreFirst(v.GetLower(), ref y, offset, count);
    }
}
