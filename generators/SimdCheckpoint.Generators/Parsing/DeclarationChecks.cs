using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SimdCheckpoint.Generators.Diagnostics;
using SimdCheckpoint.Generators.Model;
using SimdCheckpoint.Generators.Planning;

namespace SimdCheckpoint.Generators.Parsing;

/// <summary>Checks shared by both ways of declaring a network: the type's shape and the tile override.</summary>
internal static class DeclarationChecks
{
    public const string NetworkAttribute = "SimdCheckpoint.NetworkAttribute";
    public const string NetworkFileAttribute = "SimdCheckpoint.NetworkFileAttribute";
    public const string DenseAttribute = "SimdCheckpoint.DenseAttribute";

    /// <summary>The members the generator adds to every network type.</summary>
    public static readonly string[] ReservedMembers = { "Spec", "Kernels", "LoadWeights", "CreateSession" };

    /// <summary>The generated code re-declares the type and its containers, so all must be partial; it implements a static interface, so not static or generic.</summary>
    public static void CheckType(INamedTypeSymbol symbol, TypeDeclarationSyntax syntax, List<DiagnosticInfo> diagnostics)
    {
        LocationInfo at = LocationInfo.From(syntax.Identifier.GetLocation())!;
        string name = symbol.ToDisplayString();
        if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            diagnostics.Add(new DiagnosticInfo(
                DiagnosticDescriptors.TypeNotPartial, at, $"Network type '{name}' must be declared partial so the generated kernels can be added to it."));
        }

        if (symbol.IsStatic || syntax is InterfaceDeclarationSyntax)
        {
            diagnostics.Add(new DiagnosticInfo(
                DiagnosticDescriptors.TypeNotPartial, at, $"Network type '{name}' must be a non-static class or struct: it implements IGeneratedNetwork<T>."));
        }

        if (symbol.IsGenericType)
        {
            diagnostics.Add(new DiagnosticInfo(
                DiagnosticDescriptors.TypeNotPartial, at, $"Network type '{name}' must not be generic."));
        }

        if (syntax.Modifiers.Any(SyntaxKind.FileKeyword))
        {
            diagnostics.Add(new DiagnosticInfo(
                DiagnosticDescriptors.TypeNotPartial, at, $"Network type '{name}' must not be file-local: the generated part lives in another file."));
        }

        foreach (string reserved in ReservedMembers)
        {
            if (symbol.Name == reserved)
            {
                diagnostics.Add(new DiagnosticInfo(
                    DiagnosticDescriptors.ReservedMemberName, at, $"A network type cannot be named '{reserved}': the generator adds a member of that name to it."));
                continue;
            }

            foreach (ISymbol member in symbol.GetMembers(reserved))
            {
                diagnostics.Add(new DiagnosticInfo(
                    DiagnosticDescriptors.ReservedMemberName,
                    LocationInfo.From(member.Locations.Length > 0 ? member.Locations[0] : null) ?? at,
                    $"'{name}' declares '{reserved}', which the generator adds to network types; rename it."));
                break;
            }
        }

        for (SyntaxNode? parent = syntax.Parent; parent is TypeDeclarationSyntax outer; parent = parent.Parent)
        {
            if (!outer.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(new DiagnosticInfo(
                    DiagnosticDescriptors.TypeNotPartial,
                    at,
                    $"Network type '{name}' is nested in '{outer.Identifier.ValueText}', which must also be declared partial."));
            }
        }
    }

    /// <summary>Reads TileRows/TileColumns from a network attribute and checks them against the register file.</summary>
    public static TileOverride ReadTile(AttributeData attribute, List<DiagnosticInfo> diagnostics)
    {
        int rows = 0;
        int columns = 0;
        foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
        {
            if (named.Key == "TileRows" && named.Value.Value is int r)
            {
                rows = r;
            }
            else if (named.Key == "TileColumns" && named.Value.Value is int c)
            {
                columns = c;
            }
        }

        string? problem = TilePolicy.Check(rows, columns);
        if (problem is not null)
        {
            diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.InvalidTile, AttributeLocation(attribute), problem));
            return default;
        }

        return new TileOverride(rows, columns);
    }

    /// <summary>Whether a network attribute asks for the backward pass's kernels (<c>Gradients = true</c>).</summary>
    public static bool ReadGradients(AttributeData attribute)
    {
        foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
        {
            if (named.Key == "Gradients" && named.Value.Value is bool b)
            {
                return b;
            }
        }

        return false;
    }

    public static LocationInfo? AttributeLocation(AttributeData attribute) =>
        attribute.ApplicationSyntaxReference?.GetSyntax() is { } syntax ? LocationInfo.From(syntax) : null;

    public static bool HasAttribute(INamedTypeSymbol symbol, string metadataName) => CountAttributes(symbol, metadataName) > 0;

    /// <summary>
    /// More than one [Network] or [NetworkFile] (on several partial declarations) is CS0579; each would be parsed and
    /// emitted under the same hint name, which makes the driver throw, so such a type is left to the compiler's error.
    /// </summary>
    public static bool IsDuplicated(INamedTypeSymbol symbol, string metadataName) => CountAttributes(symbol, metadataName) > 1;

    private static int CountAttributes(INamedTypeSymbol symbol, string metadataName)
    {
        int count = 0;
        foreach (AttributeData a in symbol.GetAttributes())
        {
            if (a.AttributeClass?.ToDisplayString() == metadataName)
            {
                count++;
            }
        }

        return count;
    }
}
