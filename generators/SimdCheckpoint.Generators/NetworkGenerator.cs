using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SimdCheckpoint.Generators.Diagnostics;
using SimdCheckpoint.Generators.Emitting;
using SimdCheckpoint.Generators.Model;
using SimdCheckpoint.Generators.Parsing;

namespace SimdCheckpoint.Generators;

/// <summary>
/// Compiles network declarations into kernels: spec source (attributes, or a JSON or ONNX AdditionalFile) → parser →
/// value-equatable <see cref="NetworkModel"/> → planner → emitter. Steps are named for the caching tests.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class NetworkGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps, asserted by the caching tests.</summary>
    public static class Steps
    {
        /// <summary>Models of <c>[Network]</c> + <c>[Dense]</c> types.</summary>
        public const string AttributeNetworks = nameof(AttributeNetworks);

        /// <summary>Declarations of <c>[NetworkFile]</c> types.</summary>
        public const string FileDeclarations = nameof(FileDeclarations);

        /// <summary>The project's JSON and ONNX AdditionalFiles (ONNX ones already read into layers).</summary>
        public const string SpecFiles = nameof(SpecFiles);

        /// <summary>Models of <c>[NetworkFile]</c> types, after reading their file.</summary>
        public const string FileNetworks = nameof(FileNetworks);

        /// <summary>Diagnostics for <c>[Dense]</c> on types without a network attribute.</summary>
        public const string OrphanLayers = nameof(OrphanLayers);
    }

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<NetworkModel> attributeNetworks = context.SyntaxProvider
            .ForAttributeWithMetadataName(DeclarationChecks.NetworkAttribute, static (node, _) => node is TypeDeclarationSyntax, AttributeSpecParser.Parse)
            .WithTrackingName(Steps.AttributeNetworks);

        IncrementalValuesProvider<NetworkFileDeclaration> fileDeclarations = context.SyntaxProvider
            .ForAttributeWithMetadataName(DeclarationChecks.NetworkFileAttribute, static (node, _) => node is TypeDeclarationSyntax, NetworkFileParser.ParseDeclaration)
            .WithTrackingName(Steps.FileDeclarations);

        IncrementalValueProvider<System.Collections.Immutable.ImmutableArray<AdditionalFileModel>> specFiles = context.AdditionalTextsProvider
            .Where(static file => file.Path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || NetworkFileParser.IsOnnx(file.Path))
            .Select(static (file, ct) => NetworkFileParser.IsOnnx(file.Path)
                ? NetworkFileParser.ReadOnnx(file, ct)
                : new AdditionalFileModel(file.Path, file.GetText(ct)?.ToString()))
            .Collect()
            .WithTrackingName(Steps.SpecFiles);

        IncrementalValuesProvider<NetworkModel> fileNetworks = fileDeclarations
            .Combine(specFiles)
            .Select(static (input, ct) => NetworkFileParser.Resolve(input, ct))
            .Where(static model => model is not null)
            .Select(static (model, _) => model!)
            .WithTrackingName(Steps.FileNetworks);

        IncrementalValuesProvider<DiagnosticInfo> orphans = context.SyntaxProvider
            .ForAttributeWithMetadataName(DeclarationChecks.DenseAttribute, static (node, _) => node is TypeDeclarationSyntax, static (ctx, _) => OrphanLayers(ctx))
            .Where(static d => d is not null)
            .Select(static (d, _) => d!)
            .WithTrackingName(Steps.OrphanLayers);

        context.RegisterSourceOutput(attributeNetworks, Emit);
        context.RegisterSourceOutput(fileNetworks, Emit);
        context.RegisterSourceOutput(orphans, static (spc, d) => spc.ReportDiagnostic(d.ToDiagnostic()));
    }

    private static void Emit(SourceProductionContext context, NetworkModel model)
    {
        foreach (DiagnosticInfo d in model.Diagnostics)
        {
            context.ReportDiagnostic(d.ToDiagnostic());
        }

        if (model.HasErrors || model.Spec is null)
        {
            return;
        }

        try
        {
            // AddSource is inside too: it throws on a hint name it rejects, and the generator must never throw.
            context.AddSource(HintName(model.Type), NetworkEmitter.Emit(model.Type, model.Spec, model.Tile, model.Gradients, model.SourceDescription));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.InternalError,
                null,
                $"The SimdCheckpoint generator failed to emit '{model.Type.FullName}': {e.GetType().Name}: {e.Message}. Please report this."));
        }
    }

    private static DiagnosticInfo? OrphanLayers(GeneratorAttributeSyntaxContext context)
    {
        var symbol = (INamedTypeSymbol)context.TargetSymbol;
        if (DeclarationChecks.HasAttribute(symbol, DeclarationChecks.NetworkAttribute)
            || DeclarationChecks.HasAttribute(symbol, DeclarationChecks.NetworkFileAttribute))
        {
            return null;
        }

        return new DiagnosticInfo(
            DiagnosticDescriptors.ConflictingDeclarations,
            DeclarationChecks.AttributeLocation(context.Attributes[0]),
            $"'{symbol.ToDisplayString()}' has [Dense] layers but no [Network] attribute, so no kernels are generated; add [Network].");
    }

    /// <summary>
    /// "Ns.Outer+Net.g.cs": nested types are joined with '+' as in metadata names, so a type and a namespace of the same
    /// name (CS0101) cannot produce one hint name twice, which would make the driver throw. '@' (a keyword namespace
    /// is displayed "@class") is not allowed in hint names.
    /// </summary>
    private static string HintName(TypeDeclarationModel type)
    {
        var name = new System.Text.StringBuilder();
        if (type.Namespace is not null)
        {
            name.Append(type.Namespace).Append('.');
        }

        foreach (TypeHeader outer in type.ContainingTypes)
        {
            name.Append(outer.Name).Append('+');
        }

        name.Append(type.Name).Append(".g.cs");
        return name.ToString().Replace('<', '_').Replace('>', '_').Replace("@", string.Empty);
    }
}
