using System;
using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Text;
using System.Threading;
using Xunit;

namespace SimdCheckpoint.Tests.Support;

/// <summary>
/// Bytes a call allocates once it has reached its steady state. The JIT's tier-up runs on a background thread after a
/// delay that grows while the machine is busy (test projects run side by side), and its bookkeeping can land in a
/// measured window; so windows of calls are run until one allocates nothing (at most <c>warmupWindows</c>), and then the
/// least that a measured window allocates is returned. A call that allocates on every invocation never reaches zero.
/// <para>
/// Two things outside the call show up in the calling thread's count now and then, and both are why windows are
/// compared rather than trusted one by one. Inside this test host, with other classes running side by side,
/// <c>SentenceEncoder.EmbedTokens</c> on x64 measured 240 to 3,952 bytes in 0 to 2 calls of 600 (six runs of the suite,
/// 2026-12-06), with no collection during those calls. On arm64 under qemu, in the whole suite, a call measured 240
/// bytes exactly when a gen-2 collection ran during it: 6 of the 7 calls (of 600) that saw one, none of the 593 that
/// saw none; the class alone saw no collection and no byte in 60 calls. A window during which a collection ran (the
/// other tests' large arrays set them off) therefore counts only when no window without one was measured: up to five
/// clean windows, at most <see cref="MaxMeasuredWindows"/> in all. A call that allocates so much that every window
/// collects still returns what it allocated.
/// </para>
/// <para>
/// That was not enough once: CI's arm64 suite (2026-12-07) measured <c>EmbedTokens</c> at 240 bytes, which takes all
/// 50 of its two-call windows seeing a collection while other tests allocated. So once a window has seen one, each
/// later window runs inside a no-GC region (<see cref="GC.TryStartNoGCRegion(long)"/>, <see cref="RegionBytes"/>, one
/// such window at a time across the tests): no collection runs in the process until the allocations of every thread
/// together exceed that budget, and a window a collection still interrupts (the budget spent, or an induced one) counts
/// as before. While no clean window has been seen the measuring goes on, up to <see cref="MaxWindowsWithoutClean"/>
/// windows. A failure names every window's bytes, which of them collected and which ran in a region
/// (<see cref="AssertAllocatesNothing"/>).
/// </para>
/// <para>
/// A window is also kept short: at most <c>callsPerWindow</c> calls (the first warm-up window one call), fewer when the
/// calls are slow, so that a warm-up window lasts about <see cref="WindowTarget"/> and a measured one twice that. Under
/// qemu, with windows of 100 and 200 calls of a 64-row forward pass of a deep network, nearly every window saw another
/// test's collection, and that one test ran its 50 measured windows for 1,715 s of the arm64 suite's 1,739
/// (2026-12-07); with short windows it took 20 s, and the suite 964 s. Fewer calls a window change nothing for a call
/// that allocates on every invocation.
/// </para>
/// </summary>
internal static class SteadyState
{
    /// <summary>The most measured windows while at least one of them ran without a collection.</summary>
    public const int MaxMeasuredWindows = 50;

    /// <summary>The most measured windows while every one of them saw a collection.</summary>
    public const int MaxWindowsWithoutClean = 100;

    /// <summary>What a measured window may allocate, on every thread together, before a collection ends its no-GC region.</summary>
    public const long RegionBytes = 256L << 20;

    private static readonly object RegionLock = new();

    /// <summary>About how long a warm-up window runs when a call is slow; a measured window runs twice as many calls.</summary>
    public static readonly TimeSpan WindowTarget = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Fails, with every measured window's bytes in the message, unless the call allocates nothing in its steady state.
    /// </summary>
    public static void AssertAllocatesNothing(Action call, int callsPerWindow = 100, int warmupWindows = 20)
    {
        Allocation measured = Measure(call, callsPerWindow, warmupWindows);
        if (measured.Bytes != 0)
        {
            Assert.Fail($"Expected no allocation in the steady state, measured {measured}");
        }
    }

    public static Allocation Measure(Action call, int callsPerWindow = 100, int warmupWindows = 20)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentOutOfRangeException.ThrowIfLessThan(callsPerWindow, 1);
        int calls = 1; // the first call, JIT and all, sets the second window's length
        for (int window = 0; window < warmupWindows; window++)
        {
            long start = GC.GetAllocatedBytesForCurrentThread();
            long started = Stopwatch.GetTimestamp();
            for (int i = 0; i < calls; i++)
            {
                call();
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - start;
            calls = CallsPerWindow(Stopwatch.GetElapsedTime(started) / calls, callsPerWindow);
            if (allocated == 0)
            {
                break;
            }
        }

        // Then the least a measured window allocated: a one-off allocation (tier-up or OSR finishing late on a loaded
        // machine, seen once in CI as 4,352 bytes in 200 calls) shows in one window only, while a call that allocates
        // on every invocation allocates in all of them.
        long leastClean = long.MaxValue;
        long leastAny = long.MaxValue;
        int clean = 0;
        int measured = 0;
        var log = new StringBuilder();
        bool inRegions = false;
        while (clean < 5 && leastClean != 0 && measured < (clean > 0 ? MaxMeasuredWindows : MaxWindowsWithoutClean))
        {
            bool region = inRegions && EnterRegion();
            long allocated;
            bool collected;
            try
            {
                int collections = GC.CollectionCount(0);
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 2 * calls; i++)
                {
                    call();
                }

                allocated = GC.GetAllocatedBytesForCurrentThread() - before;

                // Every collection, of any generation, counts as a gen-0 one.
                collected = GC.CollectionCount(0) != collections;
            }
            finally
            {
                if (region)
                {
                    ExitRegion();
                }
            }

            measured++;
            leastAny = Math.Min(leastAny, allocated);
            log.Append(CultureInfo.InvariantCulture, $"{(log.Length == 0 ? "" : ", ")}{allocated}{(collected ? "*" : "")}{(region ? "r" : "")}");
            if (!collected)
            {
                clean++;
                leastClean = Math.Min(leastClean, allocated);
            }
            else
            {
                // From now on each window runs in a no-GC region where one can be had: no collection then runs in the
                // process until its allocations, every thread's, exceed RegionBytes.
                inRegions = true;
            }
        }

        return new Allocation(clean > 0 ? leastClean : leastAny, measured, clean, 2 * calls, log.ToString());
    }

    /// <summary>
    /// Starts a no-GC region (which itself begins with a full blocking collection) of <see cref="RegionBytes"/>, one at a
    /// time across the tests that measure: true when it started, with the lock held.
    /// </summary>
    private static bool EnterRegion()
    {
        Monitor.Enter(RegionLock);
        bool started = false;
        try
        {
            started = GC.TryStartNoGCRegion(RegionBytes);
        }
        catch (InvalidOperationException)
        {
            // A region already in progress (not one of ours: ours hold the lock).
        }
        catch (ArgumentOutOfRangeException)
        {
            // More than this runtime's GC can set aside: the window runs without a region.
        }
        finally
        {
            // Whatever happened, a window without a region does not keep the other tests waiting.
            if (!started)
            {
                Monitor.Exit(RegionLock);
            }
        }

        return started;
    }

    /// <summary>Ends the region if a collection has not ended it already, and releases the lock.</summary>
    private static void ExitRegion()
    {
        try
        {
            if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
            {
                GC.EndNoGCRegion();
            }
        }
        catch (InvalidOperationException)
        {
            // A collection ran in the region (induced, or its budget spent): the window already counts it.
        }
        finally
        {
            Monitor.Exit(RegionLock);
        }
    }

    /// <summary>Calls that take about <see cref="WindowTarget"/>, from one to <paramref name="most"/>.</summary>
    internal static int CallsPerWindow(TimeSpan perCall, int most) =>
        perCall <= TimeSpan.Zero ? most : (int)Math.Clamp(WindowTarget / perCall, 1, most);

    /// <summary>What <see cref="Measure"/> saw.</summary>
    /// <param name="Bytes">The least a clean window allocated, or the least of all windows when none was clean.</param>
    /// <param name="Windows">Measured windows.</param>
    /// <param name="CleanWindows">Measured windows during which no collection ran.</param>
    /// <param name="CallsPerWindow">Calls in each measured window.</param>
    /// <param name="Log">Each measured window's bytes, a star marking one during which a collection ran, an r one in a no-GC region.</param>
    internal readonly record struct Allocation(long Bytes, int Windows, int CleanWindows, int CallsPerWindow, string Log)
    {
        public override string ToString() =>
            $"{Bytes} bytes: {Windows} windows of {CallsPerWindow} calls, {CleanWindows} without a collection; bytes per window (* a collection ran, r in a no-GC region): {Log}";
    }
}
