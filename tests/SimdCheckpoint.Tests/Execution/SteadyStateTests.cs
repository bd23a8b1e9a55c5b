using System;
using SimdCheckpoint.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Tests.Execution;

/// <summary>The allocation measure the no-allocation tests rely on can fail: a call that allocates every time is seen.</summary>
public sealed class SteadyStateTests
{
    private static object? _sink;

    [Fact]
    public void A_call_that_allocates_every_time_is_measured()
    {
        long allocated = SteadyState.AllocatedBytes(() => _sink = new byte[40]);
        Assert.True(allocated >= 200 * 40, $"{allocated} bytes for 200 calls that each allocate a 40-byte array");
    }

    [Fact]
    public void A_call_that_allocates_nothing_measures_zero()
    {
        int[] data = new int[16];
        Assert.Equal(0, SteadyState.AllocatedBytes(() => data.AsSpan().Fill(1)));
    }
}
