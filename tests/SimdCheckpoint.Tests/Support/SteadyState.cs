using System;

namespace SimdCheckpoint.Tests.Support;

/// <summary>
/// Bytes a call allocates once it has reached its steady state. The JIT's tier-up runs on a background thread after a
/// delay that grows while the machine is busy (test projects run side by side), and its bookkeeping can land in a
/// measured window; so windows of calls are run until one allocates nothing (at most <c>warmupWindows</c>), and the
/// allocations of one more window are returned. A call that allocates on every invocation never reaches zero.
/// </summary>
internal static class SteadyState
{
    public static long AllocatedBytes(Action call, int callsPerWindow = 100, int warmupWindows = 20)
    {
        ArgumentNullException.ThrowIfNull(call);
        for (int window = 0; window < warmupWindows; window++)
        {
            long start = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < callsPerWindow; i++)
            {
                call();
            }

            if (GC.GetAllocatedBytesForCurrentThread() == start)
            {
                break;
            }
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 2 * callsPerWindow; i++)
        {
            call();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
