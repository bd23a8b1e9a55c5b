using System;
using Xunit;

namespace SimdCheckpoint.Cli.Tests.Support;

internal static class Bits
{
    /// <summary>Equal bit patterns, element by element; the message names the first difference.</summary>
    public static void Equal(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            int e = BitConverter.SingleToInt32Bits(expected[i]);
            int a = BitConverter.SingleToInt32Bits(actual[i]);
            Assert.True(e == a, $"{what}[{i}]: expected {expected[i]:R} (0x{e:X8}), got {actual[i]:R} (0x{a:X8})");
        }
    }
}
