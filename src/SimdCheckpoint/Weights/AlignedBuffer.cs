using System;

namespace SimdCheckpoint;

/// <summary>
/// A float buffer whose first element is 64-byte aligned (a cache line, and one AVX-512 vector). It is a pinned
/// array on the pinned object heap with an aligned start offset: the GC owns it, so there is nothing to free and no
/// finalizer, and the address never moves.
/// </summary>
internal readonly struct AlignedBuffer
{
    public const int AlignmentBytes = 64;

    private readonly float[] _array;
    private readonly int _offset;

    private AlignedBuffer(float[] array, int offset, int length)
    {
        _array = array;
        _offset = offset;
        Length = length;
    }

    public int Length { get; }

    public Span<float> Span => _array.AsSpan(_offset, Length);

    /// <summary>Allocates <paramref name="length"/> zeroed floats.</summary>
    public static unsafe AlignedBuffer Allocate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        const int slack = (AlignmentBytes / sizeof(float)) - 1;
        float[] array = GC.AllocateArray<float>(length + slack, pinned: true);
        fixed (float* p = array)
        {
            int misalignment = (int)((nuint)p % AlignmentBytes);
            int offset = misalignment == 0 ? 0 : (AlignmentBytes - misalignment) / sizeof(float);
            return new AlignedBuffer(array, offset, length);
        }
    }
}
