using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SimdCheckpoint.Generators.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Generators.Tests;

/// <summary>
/// The pipeline is incremental: an edit that does not touch a network leaves every tracked step Cached or
/// Unchanged and regenerates nothing, and an edit that does touch one is seen (Modified).
/// </summary>
public sealed class CachingTests
{
    private const string Networks = """
        using SimdCheckpoint;

        namespace Samples;

        [Network]
        [Dense(5, 20, Activation.Relu, Name = "hidden")]
        [Dense(20, 3, Activation.LeakyRelu, Alpha = 0.125f)]
        public partial class Tiny;

        [NetworkFile("tiny.json")]
        public partial class TinyFromJson;

        [Dense(2, 3)]
        public partial class Orphan;

        public static class Unrelated
        {
            public static int Answer() => 42;
        }
        """;

    private static readonly AdditionalText Json = GeneratorHarness.Json("/src/tiny.json", SnapshotTests.TinyJson);

    private static readonly string[] TrackedSteps =
    [
        NetworkGenerator.Steps.AttributeNetworks,
        NetworkGenerator.Steps.FileDeclarations,
        NetworkGenerator.Steps.SpecFiles,
        NetworkGenerator.Steps.FileNetworks,
        NetworkGenerator.Steps.OrphanLayers,
    ];

    [Fact]
    public void Adding_an_unrelated_file_leaves_every_step_cached()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun();

        CSharpCompilation edited = compilation.AddSyntaxTrees(
            GeneratorHarness.Parse("namespace Elsewhere; public static class More { public static int Two() => 2; }", "/src/More.cs"));
        GeneratorRunResult second = Run(ref driver, edited);

        AssertNothingChanged(second);
    }

    [Fact]
    public void Editing_an_unrelated_method_body_leaves_every_step_cached()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun();

        SyntaxTree tree = compilation.SyntaxTrees.Single();
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(
            tree, GeneratorHarness.Parse(Networks.Replace("=> 42;", "=> 40 + 2;", System.StringComparison.Ordinal)));
        GeneratorRunResult second = Run(ref driver, edited);

        AssertNothingChanged(second);
    }

    [Fact]
    public void Editing_a_comment_above_the_networks_leaves_the_outputs_unchanged()
    {
        // Every span below the edit moves; the models hold no spans of valid declarations, so nothing is regenerated.
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun();

        SyntaxTree tree = compilation.SyntaxTrees.Single();
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(tree, GeneratorHarness.Parse("// A longer header comment.\n\n" + Networks));
        GeneratorRunResult second = Run(ref driver, edited);

        AssertOutputs(second, NetworkGenerator.Steps.AttributeNetworks, IncrementalStepRunReason.Unchanged, IncrementalStepRunReason.Cached);
        AssertOutputs(second, NetworkGenerator.Steps.FileNetworks, IncrementalStepRunReason.Unchanged, IncrementalStepRunReason.Cached);
        AssertSourceOutputs(second, NetworkGenerator.Steps.AttributeNetworks, IncrementalStepRunReason.Unchanged, IncrementalStepRunReason.Cached);
        AssertSourceOutputs(second, NetworkGenerator.Steps.FileNetworks, IncrementalStepRunReason.Unchanged, IncrementalStepRunReason.Cached);

        // The orphan's diagnostic did move with the edit, and is reported again at its new place.
        AssertSourceOutputs(second, NetworkGenerator.Steps.OrphanLayers, IncrementalStepRunReason.Modified);
        Assert.Equal(15, Assert.Single(second.Diagnostics).Location.GetLineSpan().StartLinePosition.Line + 1);
    }

    [Fact]
    public void Changing_a_layer_size_modifies_the_attribute_network()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun();

        SyntaxTree tree = compilation.SyntaxTrees.Single();
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(
            tree, GeneratorHarness.Parse(Networks.Replace("[Dense(20, 3,", "[Dense(20, 4,", System.StringComparison.Ordinal)));
        GeneratorRunResult second = Run(ref driver, edited);

        Assert.Contains(Outputs(second, NetworkGenerator.Steps.AttributeNetworks), r => r == IncrementalStepRunReason.Modified);
        Assert.Contains(SourceOutputs(second), r => r == IncrementalStepRunReason.Modified);
        Assert.Contains("20 -> 4", second.GeneratedSources.Single(s => s.HintName == "Samples.Tiny.g.cs").SourceText.ToString(), System.StringComparison.Ordinal);

        // The JSON network did not change.
        AssertOutputs(second, NetworkGenerator.Steps.FileNetworks, IncrementalStepRunReason.Unchanged, IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void Changing_the_json_file_modifies_the_file_network()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun();

        driver = driver.ReplaceAdditionalText(Json, GeneratorHarness.Json("/src/tiny.json", SnapshotTests.TinyJson.Replace("\"outputs\": 3", "\"outputs\": 4", System.StringComparison.Ordinal)));
        GeneratorRunResult second = Run(ref driver, compilation);

        Assert.Contains(Outputs(second, NetworkGenerator.Steps.FileNetworks), r => r == IncrementalStepRunReason.Modified);
        Assert.Contains(SourceOutputs(second), r => r == IncrementalStepRunReason.Modified);
        AssertOutputs(second, NetworkGenerator.Steps.AttributeNetworks, IncrementalStepRunReason.Unchanged, IncrementalStepRunReason.Cached);
    }

    private static (GeneratorDriver Driver, CSharpCompilation Compilation) FirstRun()
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(GeneratorHarness.Parse(Networks));
        GeneratorDriver driver = GeneratorHarness.Driver([Json], trackSteps: true);
        GeneratorRunResult first = Run(ref driver, compilation);

        // The baseline the later runs are compared with: two networks emitted, one orphan reported, every step seen.
        Assert.Equal(2, first.GeneratedSources.Length);
        Assert.Equal("SCK0011", Assert.Single(first.Diagnostics).Id);
        foreach (string step in TrackedSteps)
        {
            Assert.True(first.TrackedSteps.ContainsKey(step), $"Step {step} was not tracked.");
        }

        Assert.Contains(Outputs(first, NetworkGenerator.Steps.AttributeNetworks), r => r == IncrementalStepRunReason.New);
        return (driver, compilation);
    }

    private static GeneratorRunResult Run(ref GeneratorDriver driver, Compilation compilation)
    {
        driver = driver.RunGenerators(compilation, TestContext.Current.CancellationToken);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        return result;
    }

    private static void AssertNothingChanged(GeneratorRunResult second)
    {
        foreach (string step in TrackedSteps)
        {
            AssertOutputs(second, step, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        }

        AssertSourceOutputs(second, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        Assert.Equal(2, second.GeneratedSources.Length);
    }

    private static void AssertOutputs(GeneratorRunResult result, string step, params IncrementalStepRunReason[] allowed)
    {
        IncrementalStepRunReason[] reasons = Outputs(result, step);
        Assert.NotEmpty(reasons);
        Assert.True(reasons.All(allowed.Contains), $"Step {step} ran with [{string.Join(", ", reasons)}]; expected only [{string.Join(", ", allowed)}].");
    }

    private static void AssertSourceOutputs(GeneratorRunResult result, params IncrementalStepRunReason[] allowed) =>
        AssertSourceOutputs(result, from: null, allowed);

    /// <summary>Checks the source outputs fed by the step <paramref name="from"/> (all of them when null).</summary>
    private static void AssertSourceOutputs(GeneratorRunResult result, string? from, params IncrementalStepRunReason[] allowed)
    {
        IncrementalStepRunReason[] reasons = SourceOutputs(result, from);
        Assert.NotEmpty(reasons);
        Assert.True(reasons.All(allowed.Contains), $"The source outputs of {from ?? "every step"} ran with [{string.Join(", ", reasons)}]; expected only [{string.Join(", ", allowed)}].");
    }

    private static IncrementalStepRunReason[] Outputs(GeneratorRunResult result, string step) =>
        result.TrackedSteps.TryGetValue(step, out ImmutableArray<IncrementalGeneratorRunStep> steps)
            ? steps.SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray()
            : [];

    private static IncrementalStepRunReason[] SourceOutputs(GeneratorRunResult result, string? from = null) =>
        result.TrackedOutputSteps.Values
            .SelectMany(steps => steps)
            .Where(s => from is null || s.Inputs.Any(i => i.Source.Name == from))
            .SelectMany(s => s.Outputs)
            .Select(o => o.Reason)
            .ToArray();
}
