using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SimdCheckpoint.Generators.Diagnostics;
using SimdCheckpoint.Generators.Model;

namespace SimdCheckpoint.Generators.Parsing;

/// <summary>Turns <c>[Network]</c> plus its <c>[Dense(...)]</c> attributes into a <see cref="NetworkModel"/>.</summary>
internal static class AttributeSpecParser
{
    private static readonly string[] DenseParameters = { "inputs", "outputs", "activation" };

    public static NetworkModel Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var symbol = (INamedTypeSymbol)context.TargetSymbol;
        var syntax = (TypeDeclarationSyntax)context.TargetNode;
        TypeDeclarationModel type = TypeDeclarationModel.From(symbol, syntax);
        var diagnostics = new List<DiagnosticInfo>();
        string source = "the [Dense] attributes on " + type.FullName;
        try
        {
            return ParseCore(context, symbol, syntax, type, source, diagnostics, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            diagnostics.Add(new DiagnosticInfo(
                DiagnosticDescriptors.InternalError,
                LocationInfo.From(syntax.Identifier.GetLocation()),
                $"The SimdCheckpoint generator failed on '{type.FullName}': {e.GetType().Name}: {e.Message}. Please report this."));
            return new NetworkModel(type, null, default, false, source, diagnostics.ToEquatableArray());
        }
    }

    private static NetworkModel ParseCore(
        GeneratorAttributeSyntaxContext context,
        INamedTypeSymbol symbol,
        TypeDeclarationSyntax syntax,
        TypeDeclarationModel type,
        string source,
        List<DiagnosticInfo> diagnostics,
        CancellationToken cancellationToken)
    {
        if (DeclarationChecks.IsDuplicated(symbol, DeclarationChecks.NetworkAttribute))
        {
            return new NetworkModel(type, null, default, false, source, diagnostics.ToEquatableArray());
        }

        DeclarationChecks.CheckType(symbol, syntax, diagnostics);
        AttributeData network = context.Attributes[0];
        TileOverride tile = DeclarationChecks.ReadTile(network, diagnostics);
        bool gradients = DeclarationChecks.ReadGradients(network);

        if (DeclarationChecks.HasAttribute(symbol, DeclarationChecks.NetworkFileAttribute))
        {
            diagnostics.Add(new DiagnosticInfo(
                DiagnosticDescriptors.ConflictingDeclarations,
                DeclarationChecks.AttributeLocation(network),
                $"'{type.FullName}' has both [Network] and [NetworkFile]; declare its layers one way only."));
        }

        var dense = new List<AttributeData>();
        foreach (AttributeData a in symbol.GetAttributes())
        {
            if (a.AttributeClass?.ToDisplayString() == DeclarationChecks.DenseAttribute)
            {
                dense.Add(a);
            }
        }

        // Layer order is source order, which is only well defined within one declaration of a partial type.
        SyntaxNode? owner = null;
        foreach (AttributeData a in dense)
        {
            SyntaxNode? declaration = a.ApplicationSyntaxReference?.GetSyntax(cancellationToken).Parent?.Parent;
            if (owner is null)
            {
                owner = declaration;
            }
            else if (declaration is not null && declaration != owner)
            {
                diagnostics.Add(new DiagnosticInfo(
                    DiagnosticDescriptors.ConflictingDeclarations,
                    DeclarationChecks.AttributeLocation(a),
                    $"The [Dense] layers of '{type.FullName}' are spread over several partial declarations, so their order is undefined; put them all on one."));
                break;
            }
        }

        dense.Sort((a, b) => (a.ApplicationSyntaxReference?.Span.Start ?? 0).CompareTo(b.ApplicationSyntaxReference?.Span.Start ?? 0));

        var layers = new List<DenseLayerSpec>();
        var locations = new List<Dictionary<SpecField, LocationInfo?>>();
        foreach (AttributeData a in dense)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (a.AttributeConstructor is null || a.ConstructorArguments.Length < 2
                || a.ConstructorArguments[0].Value is not int inputs || a.ConstructorArguments[1].Value is not int outputs)
            {
                // The attribute does not bind; the compiler reports why.
                return new NetworkModel(type, null, tile, gradients, source, diagnostics.ToEquatableArray());
            }

            int activation = a.ConstructorArguments.Length > 2 && a.ConstructorArguments[2].Value is int act ? act : 0;
            float? alpha = null;
            string? name = null;
            foreach (KeyValuePair<string, TypedConstant> named in a.NamedArguments)
            {
                if (named.Key == "Alpha" && named.Value.Value is float f)
                {
                    alpha = f;
                }
                else if (named.Key == "Name")
                {
                    name = named.Value.Value as string ?? string.Empty;
                }
            }

            int index = layers.Count;
            layers.Add(new DenseLayerSpec(name ?? SpecRules.DefaultLayerName(index), inputs, outputs, (Activation)activation, alpha));
            locations.Add(ArgumentLocations(a, cancellationToken));
        }

        NetworkSpec? spec = null;
        try
        {
            spec = new NetworkSpec(type.Name, layers);
        }
        catch (NetworkSpecException e)
        {
            foreach (SpecProblem p in e.Problems)
            {
                LocationInfo? at = p.LayerIndex < 0
                    ? DeclarationChecks.AttributeLocation(network)
                    : locations[p.LayerIndex].TryGetValue(p.Field, out LocationInfo? l) && l is not null ? l : locations[p.LayerIndex][SpecField.Network];
                diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.ForId(p.Id), at, $"Network '{type.FullName}': {p.Message}"));
            }
        }

        if (diagnostics.Exists(d => d.IsError))
        {
            spec = null;
        }
        return new NetworkModel(type, spec, tile, gradients, source, diagnostics.ToEquatableArray());
    }

    /// <summary>The location of each field's argument in a [Dense(...)] attribute, falling back to the attribute.</summary>
    private static Dictionary<SpecField, LocationInfo?> ArgumentLocations(AttributeData attribute, CancellationToken cancellationToken)
    {
        var result = new Dictionary<SpecField, LocationInfo?> { [SpecField.Network] = DeclarationChecks.AttributeLocation(attribute) };
        if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is not AttributeSyntax syntax || syntax.ArgumentList is null)
        {
            return result;
        }

        int positional = 0;
        foreach (AttributeArgumentSyntax arg in syntax.ArgumentList.Arguments)
        {
            LocationInfo location = LocationInfo.From(arg);
            if (arg.NameEquals is not null)
            {
                string property = arg.NameEquals.Name.Identifier.ValueText;
                if (property == "Alpha")
                {
                    result[SpecField.Alpha] = location;
                }
                else if (property == "Name")
                {
                    result[SpecField.Name] = location;
                }

                continue;
            }

            string parameter = arg.NameColon is not null ? arg.NameColon.Name.Identifier.ValueText
                : positional < DenseParameters.Length ? DenseParameters[positional] : string.Empty;
            positional++;
            switch (parameter)
            {
                case "inputs":
                    result[SpecField.Inputs] = location;
                    break;
                case "outputs":
                    result[SpecField.Outputs] = location;
                    break;
                case "activation":
                    result[SpecField.Activation] = location;
                    break;
            }
        }

        return result;
    }
}
