using System;
using System.Reflection;

namespace SimdCheckpoint.Generators.Diagnostics;

/// <summary>
/// Each diagnostic's help link: its section of docs/diagnostics.md, <c>&lt;page&gt;#sck0001</c>. The page's address is
/// set when the generator is built (assembly metadata <see cref="MetadataKey"/>, written by the project file from the
/// repository remote and commit, or from <c>SimdCheckpointDiagnosticsUrl</c>); a build without one gives no links.
/// </summary>
internal static class HelpLinks
{
    /// <summary>The assembly metadata key that holds the address of docs/diagnostics.md.</summary>
    public const string MetadataKey = "SimdCheckpoint.DiagnosticsUrl";

    /// <summary>The address of docs/diagnostics.md this generator was built with, or the empty string.</summary>
    public static string Page { get; } = ReadPage();

    /// <summary>The help link of <paramref name="id"/> on <see cref="Page"/>, or the empty string (no link).</summary>
    public static string For(string id) => For(Page, id);

    /// <summary>
    /// The link to <paramref name="id"/>'s section of <paramref name="page"/>: the page, then <c>#</c> and the ID in lower
    /// case, which docs/diagnostics.md declares as an anchor before each section. No page gives no link.
    /// </summary>
    public static string For(string page, string id) =>
        page.Length == 0 ? string.Empty : page + "#" + id.ToLowerInvariant();

    private static string ReadPage()
    {
        foreach (AssemblyMetadataAttribute metadata in typeof(HelpLinks).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>())
        {
            if (string.Equals(metadata.Key, MetadataKey, StringComparison.Ordinal) && metadata.Value is { Length: > 0 } value
                && Uri.TryCreate(value, UriKind.Absolute, out _))
            {
                return value;
            }
        }

        return string.Empty;
    }
}
