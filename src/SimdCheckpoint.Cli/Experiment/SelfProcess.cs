using System;
using System.Diagnostics;
#if !NATIVE_AOT
using System.IO;
using System.Runtime.InteropServices;
#endif

namespace SimdCheckpoint.Cli.Experiment;

/// <summary>Runs this command-line tool again in a child process (for figures a fresh process must measure).</summary>
internal static class SelfProcess
{
    /// <summary>Runs the tool with <paramref name="args"/>; its stdout, or an exception with its stderr when it fails.</summary>
    public static string Run(params string[] args)
    {
        // The JIT build is an assembly run by the dotnet host (also when this code runs inside a test host); a NativeAOT
        // build is its own executable.
#if NATIVE_AOT
        var start = new ProcessStartInfo(Environment.ProcessPath!);
#else
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host
            ? host
            : Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet"));
        var start = new ProcessStartInfo(dotnet);
        start.ArgumentList.Add(typeof(SelfProcess).Assembly.Location);
#endif
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        using Process process = Process.Start(start)!;
        System.Threading.Tasks.Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"simdcheckpoint {string.Join(' ', args)} exited with {process.ExitCode}: {stderr.Result.Trim()}");
        }

        return stdout;
    }
}
