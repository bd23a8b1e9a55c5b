using System;
using System.IO;
using Xunit;

[assembly: AssemblyFixture(typeof(SimdCheckpoint.Cli.Tests.Support.SharedModelCache))]

namespace SimdCheckpoint.Cli.Tests.Support;

/// <summary>
/// One compiled-model cache for the tests that do not test the cache itself, so each model is compiled once per test
/// run (a compile takes seconds); deleted at the end. Never the user's cache: tests must not depend on, or fill, it.
/// </summary>
public sealed class SharedModelCache : IDisposable
{
    public SharedModelCache()
    {
        Directory.CreateDirectory(Path);
    }

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "simdcheckpoint-cli-cache-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
