using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using SimdCheckpoint.Generators.Diagnostics;
using Xunit;

namespace SimdCheckpoint.Generators.Tests;

/// <summary>Every diagnostic has a section in docs/diagnostics.md, and its help link points at that section.</summary>
public sealed class HelpLinkTests
{
    private static readonly string Page = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Docs", "diagnostics.md"));

    public static TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        foreach (DiagnosticDescriptor d in Descriptors())
        {
            data.Add(d.Id);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Each_ID_has_an_anchor_then_a_section_headed_by_its_title(string id)
    {
        DiagnosticDescriptor descriptor = Descriptors().Single(d => d.Id == id);
        string anchor = $"<a id=\"{id.ToLowerInvariant()}\"></a>";
        Assert.Equal(1, Count(Page, anchor));
        Match heading = new Regex("^## (.+)$", RegexOptions.Multiline).Match(Page, Page.IndexOf(anchor, StringComparison.Ordinal));
        Assert.True(heading.Success, $"no heading after {anchor}");
        Assert.Equal($"{id}: {descriptor.Title}", heading.Groups[1].Value.Trim(), StringComparer.OrdinalIgnoreCase);
        Assert.Contains($"| [{id}](#{id.ToLowerInvariant()}) |", Page, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_section_of_the_page_belongs_to_a_descriptor_or_a_warning_of_the_package()
    {
        var documented = Regex.Matches(Page, "^## (SCK[0-9]{4}):", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(
            Descriptors().Select(d => d.Id).Concat(PackageWarnings()).Order(StringComparer.Ordinal),
            documented.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Each_warning_of_the_package_has_an_anchor_and_a_row_in_the_index()
    {
        List<string> codes = PackageWarnings();
        Assert.NotEmpty(codes);
        foreach (string code in codes)
        {
            Assert.Equal(1, Count(Page, $"<a id=\"{code.ToLowerInvariant()}\"></a>"));
            Assert.Contains($"| [{code}](#{code.ToLowerInvariant()}) |", Page, StringComparison.Ordinal);
        }
    }

    /// <summary>The warning codes of the package's MSBuild checks (buildTransitive/SimdCheckpoint.targets).</summary>
    private static List<string> PackageWarnings() =>
        Regex.Matches(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Docs", "SimdCheckpoint.targets")), "Code=\"(SCK[0-9]{4})\"")
            .Select(m => m.Groups[1].Value)
            .ToList();

    [Fact]
    public void Each_descriptor_links_to_its_section_of_the_page_the_generator_was_built_with()
    {
        foreach (DiagnosticDescriptor d in Descriptors())
        {
            Assert.Equal(HelpLinks.For(HelpLinks.Page, d.Id), d.HelpLinkUri);
        }

        // This build's page, if it has one, is an absolute address of docs/diagnostics.md.
        if (HelpLinks.Page.Length > 0)
        {
            Assert.True(Uri.TryCreate(HelpLinks.Page, UriKind.Absolute, out Uri? page));
            Assert.EndsWith("/docs/diagnostics.md", page!.AbsolutePath, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_link_is_the_page_then_the_lower_case_ID_and_no_page_gives_no_link()
    {
        const string page = "https://example.test/org/repo/blob/0123abc/docs/diagnostics.md";
        Assert.Equal(page + "#sck0016", HelpLinks.For(page, "SCK0016"));
        Assert.Equal(page + "#sck9999", HelpLinks.For(page, "SCK9999"));
        Assert.Equal(string.Empty, HelpLinks.For(string.Empty, "SCK0001"));
    }

    private static List<DiagnosticDescriptor> Descriptors() =>
        typeof(DiagnosticDescriptors)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .ToList();

    private static int Count(string text, string value)
    {
        int count = 0;
        for (int i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
