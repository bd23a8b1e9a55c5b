using System;
using Xunit;

namespace SimdCheckpoint.Tests.Support;

/// <summary>Bit-for-bit comparison of float results, the contract of DESIGN.md section 2.</summary>
internal static class Bits
{
    /// <summary>
    /// Every element has the same bits, except that where the expected value is NaN the actual one must be a NaN
    /// (payloads may differ between x64 and arm64). Reports the first mismatch with both bit patterns.
    /// </summary>
    public static void Equal(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string context)
    {
        Assert.True(expected.Length == actual.Length, $"{context}: expected {expected.Length} values, got {actual.Length}.");
        int mismatches = 0;
        int first = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            if (!Same(expected[i], actual[i]))
            {
                mismatches++;
                if (first < 0)
                {
                    first = i;
                }
            }
        }

        if (mismatches > 0)
        {
            Assert.Fail($"{context}: {mismatches} of {expected.Length} values differ; first at index {first}: expected {Describe(expected[first])}, got {Describe(actual[first])}.");
        }
    }

    public static bool Same(float expected, float actual) =>
        float.IsNaN(expected) ? float.IsNaN(actual) : BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual);

    public static string Describe(float value) =>
        $"{value:R} (0x{BitConverter.SingleToInt32Bits(value):X8})";
}
