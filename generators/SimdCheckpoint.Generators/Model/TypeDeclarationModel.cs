using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace SimdCheckpoint.Generators.Model;

/// <summary>One type in the chain from the namespace to the network type: the keyword and name to re-declare it.</summary>
internal sealed class TypeHeader : IEquatable<TypeHeader>
{
    public TypeHeader(string keyword, string name)
    {
        Keyword = keyword;
        Name = name;
    }

    /// <summary>"class", "struct", "record", "record struct".</summary>
    public string Keyword { get; }

    public string Name { get; }

    public bool Equals(TypeHeader? other) => other is not null && Keyword == other.Keyword && Name == other.Name;

    public override bool Equals(object? obj) => Equals(obj as TypeHeader);

    public override int GetHashCode() => SpecHash.Combine(SpecHash.Of(Keyword), SpecHash.Of(Name));
}

/// <summary>Where the generated partial declaration goes: namespace, containing types and the network type itself.</summary>
internal sealed class TypeDeclarationModel : IEquatable<TypeDeclarationModel>
{
    public TypeDeclarationModel(string? ns, ImmutableEquatableArray<TypeHeader> containingTypes, TypeHeader type)
    {
        Namespace = ns;
        ContainingTypes = containingTypes;
        Type = type;
    }

    public string? Namespace { get; }

    /// <summary>Outermost first.</summary>
    public ImmutableEquatableArray<TypeHeader> ContainingTypes { get; }

    public TypeHeader Type { get; }

    public string Name => Type.Name;

    /// <summary>"Outer.Inner.Net", for messages and hint names.</summary>
    public string FullName
    {
        get
        {
            var parts = new List<string>();
            if (Namespace is not null)
            {
                parts.Add(Namespace);
            }

            foreach (TypeHeader t in ContainingTypes)
            {
                parts.Add(t.Name);
            }

            parts.Add(Type.Name);
            return string.Join(".", parts);
        }
    }

    public static TypeDeclarationModel From(INamedTypeSymbol symbol, TypeDeclarationSyntax syntax)
    {
        string? ns = symbol.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : null;
        var containing = new List<TypeHeader>();
        for (SyntaxNode? parent = syntax.Parent; parent is TypeDeclarationSyntax outer; parent = parent.Parent)
        {
            containing.Insert(0, new TypeHeader(Keyword(outer), outer.Identifier.ValueText));
        }

        return new TypeDeclarationModel(ns, containing.ToEquatableArray(), new TypeHeader(Keyword(syntax), syntax.Identifier.ValueText));
    }

    public bool Equals(TypeDeclarationModel? other) =>
        other is not null && Namespace == other.Namespace && ContainingTypes.Equals(other.ContainingTypes) && Type.Equals(other.Type);

    public override bool Equals(object? obj) => Equals(obj as TypeDeclarationModel);

    public override int GetHashCode() => SpecHash.Combine(SpecHash.Of(Namespace), ContainingTypes.GetHashCode(), Type.GetHashCode());

    private static string Keyword(TypeDeclarationSyntax syntax) => syntax switch
    {
        RecordDeclarationSyntax r when r.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) => "record struct",
        RecordDeclarationSyntax => "record",
        StructDeclarationSyntax => "struct",
        InterfaceDeclarationSyntax => "interface",
        _ => "class",
    };
}
