using System;

namespace SimdCheckpoint;

/// <summary>Hash combining for the value-equatable spec types (netstandard2.0 has no System.HashCode).</summary>
internal static class SpecHash
{
    public static int Combine(int a, int b) => unchecked((a * -1521134295) + b);

    public static int Combine(int a, int b, int c) => Combine(Combine(a, b), c);

    public static int Combine(int a, int b, int c, int d) => Combine(Combine(a, b, c), d);

    public static int Combine(int a, int b, int c, int d, int e) => Combine(Combine(a, b, c, d), e);

    /// <summary>The bits of a binary32 value (BitConverter.SingleToUInt32Bits is newer than netstandard2.0).</summary>
    public static uint SingleBits(float f)
    {
        byte[] b = BitConverter.GetBytes(f);
        return BitConverter.IsLittleEndian ? BitConverter.ToUInt32(b, 0) : (uint)(b[3] | (b[2] << 8) | (b[1] << 16) | (b[0] << 24));
    }

    /// <summary>FNV-1a over the UTF-16 code units: stable across processes, unlike string.GetHashCode.</summary>
    public static int Of(string? s)
    {
        if (s is null)
        {
            return 0;
        }

        unchecked
        {
            uint h = 2166136261;
            foreach (char c in s)
            {
                h = (h ^ c) * 16777619;
            }

            return (int)h;
        }
    }
}
