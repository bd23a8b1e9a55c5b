using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace SimdCheckpoint.Kernels;

/// <summary>
/// Software prefetch of a sweep's next panel group into the L2 while the current group computes. Before each full row
/// block's tile the sweep names that call's share of the next group's cache lines (<see cref="Share"/>); the tile takes
/// the share when it starts (<see cref="Take"/>) and issues two lines per iteration of its unrolled K loop, between its
/// FMAs (<see cref="Line"/>), so the weights of a layer that is not in the L2 arrive spread over the whole group instead
/// of all at once when the group's first row block needs them.
/// A hint only: a prefetch reads nothing into a register and never faults, so no result can change, even if the
/// weights' array has moved since the address was taken. The share is per thread, so two threads' sweeps never issue
/// each other's. x86 only; elsewhere nothing is shared or issued. Called by generated code only.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class WeightPrefetch
{
    [ThreadStatic]
    private static nint t_next;

    [ThreadStatic]
    private static nint t_lines;

    /// <summary>
    /// Names part <paramref name="part"/> of <paramref name="parts"/> of the <paramref name="floats"/> floats at
    /// <paramref name="start"/> (whole 64-byte lines, the parts as equal as lines allow) for the next tile this
    /// thread calls.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Share(ref float start, nint floats, nint part, nint parts)
    {
        if (Sse.IsSupported)
        {
            (nint from, nint count) = Range(floats, part, parts);
            t_next = (nint)Unsafe.AsPointer(ref start) + (from * 64);
            t_lines = count;
        }
    }

    /// <summary>The first line and the count of part <paramref name="part"/> of <paramref name="parts"/> of <paramref name="floats"/> floats' 64-byte lines.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (nint From, nint Count) Range(nint floats, nint part, nint parts)
    {
        nint total = floats / 16;
        nint each = parts > 0 ? (total + parts - 1) / parts : 0;
        nint from = Math.Min(part * each, total);
        return (from, Math.Clamp(total - from, 0, each));
    }

    /// <summary>Takes the share named for this thread's next tile, and clears it so that no later tile issues it again: the first line's address, and the count in <paramref name="lines"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint Take(out nint lines)
    {
        if (!Sse.IsSupported)
        {
            lines = 0;
            return 0;
        }

        lines = t_lines;
        t_lines = 0;
        return t_next;
    }

    /// <summary>Prefetches the 64-byte line at <paramref name="address"/> into the L2 (<c>prefetcht1</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Line(nint address)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch1((void*)address);
        }
    }
}
