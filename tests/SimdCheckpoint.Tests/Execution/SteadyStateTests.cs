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
        long allocated = SteadyState.Measure(() => _sink = new byte[40]).Bytes;
        Assert.True(allocated >= 2 * 40, $"{allocated} bytes for 2 or more calls that each allocate a 40-byte array");
    }

    [Fact]
    public void A_call_during_which_a_collection_runs_in_every_window_is_measured()
    {
        // The call collects itself, so no window is free of a collection (4 MB arrays alone did not always set one
        // off: CI saw none in 12 calls once, 2026-12-07), and what counts then is every window's least, which is still
        // the call's own allocation.
        SteadyState.Allocation measured = SteadyState.Measure(
            () =>
            {
                _sink = new byte[1 << 16];
                GC.Collect(0, GCCollectionMode.Forced);
            },
            callsPerWindow: 1,
            warmupWindows: 2);
        Assert.True(measured.Bytes >= 2 * (1 << 16), $"{measured} for 2 calls that each allocate a 64 KB array");
        Assert.Equal(0, measured.CleanWindows);
        Assert.Equal(SteadyState.MaxWindowsWithoutClean, measured.Windows);
    }

    [Fact]
    public void A_phase_in_which_every_window_collects_is_waited_out()
    {
        // The call allocates and collects for its first 2 warm-up calls and 60 measured windows of 2 calls (as if
        // other tests' allocations set off a collection in every window), and then allocates nothing. Past the 50
        // windows that would do were one of them clean, measuring goes on until a clean window shows the zero.
        const int collectingCalls = 2 + (2 * (SteadyState.MaxMeasuredWindows + 10));
        int calls = 0;
        SteadyState.Allocation measured = SteadyState.Measure(
            () =>
            {
                if (calls++ < collectingCalls)
                {
                    _sink = new byte[240];
                    GC.Collect(0, GCCollectionMode.Forced);
                }
            },
            callsPerWindow: 1,
            warmupWindows: 2);
        Assert.True(measured.Bytes == 0, $"{measured}");
        Assert.Equal(1, measured.CleanWindows);
        Assert.True(measured.Windows >= SteadyState.MaxMeasuredWindows + 11, $"{measured}");
        Assert.EndsWith(", 0r", measured.Log, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failure_names_each_windows_bytes_and_collections()
    {
        int calls = 0;
        Xunit.Sdk.FailException e = Assert.Throws<Xunit.Sdk.FailException>(() => SteadyState.AssertAllocatesNothing(
            () =>
            {
                _sink = new byte[40];
                if (calls++ == 3)
                {
                    GC.Collect(0, GCCollectionMode.Forced);
                }
            },
            callsPerWindow: 1,
            warmupWindows: 1));

        // One warm-up call, then windows of 2 calls: the second window holds calls 3 and 4 and collects, and the windows
        // after it run in no-GC regions; five clean windows end the measure (more when another test's collection still
        // lands in one).
        Assert.Matches(
            @"^Expected no allocation in the steady state, measured [1-9]\d* bytes: \d+ windows of 2 calls, 5 without a collection; bytes per window \(\* a collection ran, r in a no-GC region\): [1-9]\d*, [1-9]\d*\*(, [1-9]\d*\*?r)+$",
            e.Message);
    }

    [Fact]
    public void A_slow_call_that_allocates_every_time_is_measured_in_windows_of_one_call()
    {
        // At 30 ms or more a call, every window holds one call (two when measured) instead of 100 (200): at most 2
        // warm-up calls and 50 measured windows of 2, where windows of 100 calls would have taken 1,200 or more.
        int calls = 0;
        long allocated = SteadyState.Measure(
            () =>
            {
                Thread.Sleep(30);
                _sink = new byte[40];
                calls++;
            },
            warmupWindows: 2).Bytes;
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
        SteadyState.AssertAllocatesNothing(() => data.AsSpan().Fill(1));
    }
}
