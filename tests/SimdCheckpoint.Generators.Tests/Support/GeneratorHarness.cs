using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace SimdCheckpoint.Generators.Tests.Support;

/// <summary>
/// Runs <see cref="NetworkGenerator"/> in process on a compilation made of test sources, the .NET 10 reference
/// assemblies, the SimdCheckpoint runtime (the attributes, the types the generated code calls) and the contract assembly
/// (the spec model and activations the attributes name).
/// </summary>
internal static class GeneratorHarness
{
    /// <summary>Where test sources live; a <c>[NetworkFile]</c> path resolves relative to it.</summary>
    public const string SourcePath = "/src/Network.cs";

    public static readonly CSharpParseOptions ParseOptions = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);

    /// <summary>Nullable on and every warning wave reported: generated code must be clean under the strictest settings.</summary>
    public static readonly CSharpCompilationOptions CompilationOptions = new CSharpCompilationOptions(
            OutputKind.DynamicallyLinkedLibrary,
            nullableContextOptions: NullableContextOptions.Enable,
            warningLevel: 9999,
            deterministic: true)
        .WithGeneralDiagnosticOption(ReportDiagnostic.Default);

    private static readonly ImmutableArray<MetadataReference> References = ImmutableArray.CreateRange<MetadataReference>(Net100.References.All)
        .Add(MetadataReference.CreateFromFile(typeof(SimdCheckpoint.NetworkAttribute).Assembly.Location))
        .Add(MetadataReference.CreateFromFile(typeof(SimdCheckpoint.NetworkSpec).Assembly.Location));

    public static SyntaxTree Parse(string source, string path = SourcePath) =>
        CSharpSyntaxTree.ParseText(source, ParseOptions, path, cancellationToken: TestContext.Current.CancellationToken);

    public static CSharpCompilation Compilation(params SyntaxTree[] trees) =>
        CSharpCompilation.Create("TestNetworks", trees, References, CompilationOptions);

    public static CSharpCompilation Compilation(string source) => Compilation(Parse(source));

    public static GeneratorDriver Driver(IEnumerable<AdditionalText>? files = null, bool trackSteps = false) =>
        CSharpGeneratorDriver.Create(
            new[] { new NetworkGenerator().AsSourceGenerator() },
            files,
            ParseOptions,
            optionsProvider: null,
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generator once on <paramref name="source"/> and the given additional files.</summary>
    public static GeneratorRun Run(string source, params AdditionalText[] files)
    {
        CSharpCompilation input = Compilation(source);
        GeneratorDriver driver = Driver(files).RunGeneratorsAndUpdateCompilation(
            input, out Compilation output, out ImmutableArray<Diagnostic> _, TestContext.Current.CancellationToken);
        return new GeneratorRun(driver.GetRunResult(), output, source, files);
    }

    public static AdditionalText Json(string path, string text) => new InMemoryAdditionalText(path, text);

    private sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
    {
        private readonly SourceText _text = SourceText.From(text);

        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }
}

/// <summary>One generator run: what it produced, what it reported, and the texts it read, to check locations against.</summary>
internal sealed class GeneratorRun(GeneratorDriverRunResult result, Compilation output, string source, IReadOnlyList<AdditionalText> files)
{
    public GeneratorDriverRunResult Result { get; } = result;

    public Compilation Output { get; } = output;

    public GeneratorRunResult Generator => Result.Results[0];

    public ImmutableArray<Diagnostic> Diagnostics => Generator.Diagnostics;

    public ImmutableArray<GeneratedSourceResult> Sources => Generator.GeneratedSources;

    /// <summary>The one source the run generated.</summary>
    public string SingleSource
    {
        get
        {
            Assert.True(Diagnostics.IsEmpty, "Unexpected diagnostics:\n" + string.Join("\n", Diagnostics));
            GeneratedSourceResult generated = Assert.Single(Sources);
            return generated.SourceText.ToString();
        }
    }

    /// <summary>
    /// Asserts that the run reported <paramref name="id"/> exactly once, generated nothing (a declaration with errors
    /// emits no source), and did not fail internally; returns the diagnostic.
    /// </summary>
    public Diagnostic Single(string id)
    {
        Assert.Null(Generator.Exception);
        Assert.DoesNotContain(Diagnostics, d => d.Id == "SCK9999");
        Diagnostic[] matching = Diagnostics.Where(d => d.Id == id).ToArray();
        Assert.True(matching.Length == 1, $"Expected one {id}, got:\n" + string.Join("\n", Diagnostics));
        Assert.Equal(DiagnosticSeverity.Error, matching[0].Severity);
        Assert.Empty(Sources);
        return matching[0];
    }

    /// <summary>The text a diagnostic's location spans, read from the source or additional file it names.</summary>
    public string TextAt(Diagnostic diagnostic)
    {
        Location location = diagnostic.Location;
        Assert.NotEqual(Location.None, location);
        string path = location.GetLineSpan().Path;
        SourceText text = path == GeneratorHarness.SourcePath
            ? SourceText.From(source)
            : files.Single(f => f.Path == path).GetText(TestContext.Current.CancellationToken)!;
        Assert.Equal(text.Lines.GetLinePositionSpan(location.SourceSpan), location.GetLineSpan().Span);
        return text.ToString(location.SourceSpan);
    }
}
