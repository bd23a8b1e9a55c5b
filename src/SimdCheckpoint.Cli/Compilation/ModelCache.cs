using System;
using System.IO;
using System.Security.Cryptography;

namespace SimdCheckpoint.Cli.Compilation;

/// <summary>
/// Compiled networks on disk, one file per cache key: <c>{key}.kernels</c>, holding the magic <c>SCKASM01</c>, the
/// SHA-256 of the assembly image, then the image. A file whose magic or hash does not match (a truncated write by
/// another tool, a flipped bit) is reported as corrupt and compiled again; entries are written to a temporary file
/// and moved into place, so a reader never sees half an entry.
/// </summary>
internal sealed class ModelCache
{
    public const string EnvironmentVariable = "SIMDCHECKPOINT_CACHE";

    private const int HashLength = 32;

    public ModelCache(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Directory = directory;
    }

    /// <summary>What <see cref="TryRead"/> found.</summary>
    public enum Lookup
    {
        Missing,
        Found,
        Corrupt,
    }

    public string Directory { get; }

    private static ReadOnlySpan<byte> Magic => "SCKASM01"u8;

    /// <summary>
    /// <c>$SIMDCHECKPOINT_CACHE</c>, else <c>$XDG_CACHE_HOME/simdcheckpoint</c> (an absolute path, as the XDG spec
    /// requires), else <c>~/.cache/simdcheckpoint</c>; null when none of these is known (nothing is cached).
    /// </summary>
    public static string? ResolveDirectory(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        string? own = environment(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(own))
        {
            return own;
        }

        string? xdg = environment("XDG_CACHE_HOME");
        if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg, "simdcheckpoint");
        }

        string? home = environment("HOME");
        if (string.IsNullOrWhiteSpace(home))
        {
            home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        }

        return string.IsNullOrWhiteSpace(home) ? null : Path.Combine(home, ".cache", "simdcheckpoint");
    }

    public string PathOf(string key) => Path.Combine(Directory, key + ".kernels");

    /// <summary>Reads the entry for <paramref name="key"/>, checking its magic and hash.</summary>
    public Lookup TryRead(string key, out byte[]? image, out string? problem)
    {
        image = null;
        problem = null;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(PathOf(key));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Lookup.Missing;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = "could not be read (" + e.Message + ")";
            return Lookup.Corrupt;
        }

        int header = Magic.Length + HashLength;
        if (bytes.Length <= header || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            problem = $"were corrupt ({bytes.Length:N0} bytes without the entry header)";
            return Lookup.Corrupt;
        }

        ReadOnlySpan<byte> payload = bytes.AsSpan(header);
        if (!SHA256.HashData(payload).AsSpan().SequenceEqual(bytes.AsSpan(Magic.Length, HashLength)))
        {
            problem = "were corrupt (the assembly's SHA-256 does not match the entry's)";
            return Lookup.Corrupt;
        }

        image = payload.ToArray();
        return Lookup.Found;
    }

    /// <summary>Writes the entry for <paramref name="key"/> atomically; returns its path.</summary>
    /// <exception cref="IOException">The directory or file cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The directory or file cannot be written.</exception>
    public string Write(string key, ReadOnlySpan<byte> image)
    {
        System.IO.Directory.CreateDirectory(Directory);
        string target = PathOf(key);
        string temporary = Path.Combine(Directory, $"{key}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(Magic);
                stream.Write(SHA256.HashData(image));
                stream.Write(image);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, target, overwrite: true);
            return target;
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
