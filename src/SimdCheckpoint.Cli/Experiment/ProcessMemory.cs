using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;

namespace SimdCheckpoint.Cli.Experiment;

/// <summary>
/// The process's peak resident memory: what the machine gave the whole process (runtime, JIT, weights, every session),
/// as opposed to the activation bytes a session counts in its own arena.
/// </summary>
internal static class ProcessMemory
{
    /// <summary>Where the figure came from: "VmHWM" on Linux, else the runtime's peak working set.</summary>
    public static string Source => File.Exists("/proc/self/status") ? "VmHWM in /proc/self/status" : "Process.PeakWorkingSet64";

    /// <summary>Peak resident bytes so far: VmHWM on Linux, the peak working set elsewhere.</summary>
    public static long PeakResidentBytes() => Status("VmHWM:") ?? PeakWorkingSet();

    /// <summary>Resident bytes now: VmRSS on Linux, the working set elsewhere.</summary>
    public static long ResidentBytes()
    {
        if (Status("VmRSS:") is { } rss)
        {
            return rss;
        }

        using Process self = Process.GetCurrentProcess();
        return self.WorkingSet64;
    }

    private static long PeakWorkingSet()
    {
        using Process self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }

    private static long? Status(string field)
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                // "VmHWM:     123456 kB"
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // Not Linux, or a /proc without it: the runtime's own figure.
        }

        return null;
    }
}
