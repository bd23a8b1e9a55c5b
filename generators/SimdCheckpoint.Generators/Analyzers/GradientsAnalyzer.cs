using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using SimdCheckpoint.Generators.Diagnostics;
using SimdCheckpoint.Generators.Parsing;

namespace SimdCheckpoint.Generators.Analyzers;

/// <summary>
/// SCK0019: a <c>CheckpointSession&lt;T&gt;</c> of a network type declared without <c>Gradients = true</c>. Such a type
/// has no backward kernels, so the session's type constraint fails too (CS0311); this says why, at the type
/// argument, with the fix.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class GradientsAnalyzer : DiagnosticAnalyzer
{
    private const string CheckpointSession = "SimdCheckpoint.Checkpointing.CheckpointSession`1";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.GradientsNotDeclared);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            INamedTypeSymbol? session = start.Compilation.GetTypeByMetadataName(CheckpointSession);
            if (session is not null)
            {
                start.RegisterSyntaxNodeAction(c => Check(c, session), SyntaxKind.GenericName);
            }
        });
    }

    private static void Check(SyntaxNodeAnalysisContext context, INamedTypeSymbol session)
    {
        var name = (GenericNameSyntax)context.Node;
        if (name.Identifier.ValueText != "CheckpointSession" || name.TypeArgumentList.Arguments.Count != 1)
        {
            return;
        }

        SymbolInfo info = context.SemanticModel.GetSymbolInfo(name, context.CancellationToken);
        var candidates = new List<ISymbol>();
        if (info.Symbol is not null)
        {
            candidates.Add(info.Symbol);
        }

        candidates.AddRange(info.CandidateSymbols);
        foreach (ISymbol symbol in candidates)
        {
            if (symbol is INamedTypeSymbol { TypeArguments.Length: 1 } type
                && SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, session)
                && type.TypeArguments[0] is INamedTypeSymbol network
                && DeclaresNetworkWithoutGradients(network, out string attribute))
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.GradientsNotDeclared,
                    name.TypeArgumentList.Arguments[0].GetLocation(),
                    $"'{network.ToDisplayString()}' was generated without backward kernels, so no CheckpointSession can differentiate it: declare it [{attribute}(..., Gradients = true)]."));
                return;
            }
        }
    }

    private static bool DeclaresNetworkWithoutGradients(INamedTypeSymbol network, out string attribute)
    {
        foreach (AttributeData a in network.GetAttributes())
        {
            string? name = a.AttributeClass?.ToDisplayString();
            if (name == DeclarationChecks.NetworkAttribute || name == DeclarationChecks.NetworkFileAttribute)
            {
                attribute = name == DeclarationChecks.NetworkAttribute ? "Network" : "NetworkFile";
                return !DeclarationChecks.ReadGradients(a);
            }
        }

        attribute = string.Empty;
        return false;
    }
}
