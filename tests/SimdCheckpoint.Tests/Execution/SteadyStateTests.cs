using System;
using System.Threading;
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
    public void A_call_that_allocates_enough_to_collect_in_every_window_is_measured()
    {
        // 4 MB a call: a collection runs in (nearly) every window, so the windows without one are few or none, and what
        // counts then is every window's least, which is still the call's own allocation.
        int collections = GC.CollectionCount(0);
        long allocated = SteadyState.AllocatedBytes(() => _sink = new byte[4 << 20], callsPerWindow: 1, warmupWindows: 2);
        Assert.True(GC.CollectionCount(0) > collections, "no collection ran while 4 MB arrays were allocated");
        Assert.True(allocated >= 2 * (4 << 20), $"{allocated} bytes for 2 calls that each allocate a 4 MB array");
    }

    [Fact]
    public void A_slow_call_that_allocates_every_time_is_measured_in_windows_of_one_call()
    {
        // At 30 ms or more a call, every window holds one call (two when measured) instead of 100 (200): at most 2
        // warm-up calls and 50 measured windows of 2, where windows of 100 calls would have taken 1,200 or more.
        int calls = 0;
        long allocated = SteadyState.AllocatedBytes(
            () =>
            {
                Thread.Sleep(30);
                _sink = new byte[40];
                calls++;
            },
            warmupWindows: 2);
        Assert.True(allocated >= 2 * 40, $"{allocated} bytes for 2 calls that each allocate a 40-byte array");
        Assert.InRange(calls, 4, 2 + (2 * SteadyState.MaxMeasuredWindows));
    }

    [Theory]
    [InlineData(0.0, 100, 100)]
    [InlineData(0.01, 100, 100)]
    [InlineData(1.0, 100, 50)]
    [InlineData(1.0, 20, 20)]
    [InlineData(25.0, 100, 2)]
    [InlineData(140.0, 100, 1)]
    public void A_window_holds_about_fifty_milliseconds_of_calls(double millisecondsPerCall, int most, int expected) =>
        Assert.Equal(expected, SteadyState.CallsPerWindow(TimeSpan.FromMilliseconds(millisecondsPerCall), most));

    [Fact]
    public void A_call_that_allocates_nothing_measures_zero()
    {
        int[] data = new int[16];
        Assert.Equal(0, SteadyState.AllocatedBytes(() => data.AsSpan().Fill(1)));
    }
}
