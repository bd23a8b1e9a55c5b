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
        // Up to 200 calls a measured window, fewer when a slow moment shortens the windows (they are sized by time), and
        // never fewer than 2.
        long allocated = SteadyState.AllocatedBytes(() => _sink = new byte[40]);
        Assert.True(allocated >= 2 * 40, $"{allocated} bytes for 2 or more calls that each allocate a 40-byte array");
    }

    [Fact]
    public void A_call_during_which_a_collection_runs_in_every_window_is_measured()
    {
        // The call collects itself, so no window is free of a collection (4 MB arrays alone did not always set one
        // off: CI saw none in 12 calls once, 2026-12-07), and what counts then is every window's least, which is still
        // the call's own allocation.
        long allocated = SteadyState.AllocatedBytes(
            () =>
            {
                _sink = new byte[1 << 16];
                GC.Collect(0, GCCollectionMode.Forced);
            },
            callsPerWindow: 1,
            warmupWindows: 2);
        Assert.True(allocated >= 2 * (1 << 16), $"{allocated} bytes for 2 calls that each allocate a 64 KB array");
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
