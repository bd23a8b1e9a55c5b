using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Xunit;

namespace SimdCheckpoint.Generators.Tests.Support;

/// <summary>
/// Compares generated source with a committed file under Snapshots/, exactly. With UPDATE_SNAPSHOTS=1 in the
/// environment it rewrites the file instead. The files end in .verified.cs.txt so they are never compiled.
/// </summary>
internal static class Snapshot
{
    public static string Directory { get; } = Path.Combine(
        typeof(Snapshot).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ProjectDirectory").Value!,
        "Snapshots");

    public static void Match(string actual, string name)
    {
        string path = Path.Combine(Directory, name + ".verified.cs.txt");
        actual = Normalize(actual);
        if (Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1")
        {
            File.WriteAllText(path, actual);
            TestContext.Current.TestOutputHelper?.WriteLine($"UPDATE_SNAPSHOTS=1: rewrote {path}.");
            return;
        }

        Assert.True(File.Exists(path), $"There is no snapshot {path}; run the tests with UPDATE_SNAPSHOTS=1 to create it.");
        string expected = Normalize(File.ReadAllText(path));
        if (expected == actual)
        {
            return;
        }

        Assert.Fail($"The generated source differs from {path}:\n{FirstDifference(expected, actual)}\nIf the change is intended, rerun with UPDATE_SNAPSHOTS=1 and review the diff.");
    }

    /// <summary>"line 12:\n  expected: ...\n  actual:   ...", for the first line that differs.</summary>
    public static string FirstDifference(string expected, string actual)
    {
        string[] e = expected.Split('\n');
        string[] a = actual.Split('\n');
        for (int i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            string? el = i < e.Length ? e[i] : null;
            string? al = i < a.Length ? a[i] : null;
            if (el != al)
            {
                return $"line {i + 1}:\n  expected: {el ?? "<end of file>"}\n  actual:   {al ?? "<end of file>"}";
            }
        }

        return "no line differs";
    }

    // Git may check the file out with CRLF line ends; the generator always writes LF.
    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);
}
