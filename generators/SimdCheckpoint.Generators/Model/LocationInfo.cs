using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace SimdCheckpoint.Generators.Model;

/// <summary>A source location that compares by value; <see cref="Location"/> holds syntax trees and must not be cached.</summary>
internal sealed class LocationInfo : IEquatable<LocationInfo>
{
    public LocationInfo(string filePath, TextSpan span, LinePositionSpan lines)
    {
        FilePath = filePath;
        Span = span;
        Lines = lines;
    }

    public string FilePath { get; }

    public TextSpan Span { get; }

    public LinePositionSpan Lines { get; }

    public static LocationInfo? From(Location? location)
    {
        if (location is null || location.SourceTree is null)
        {
            return null;
        }

        return new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
    }

    public static LocationInfo From(SyntaxNode node) => From(node.GetLocation())!;

    public Location ToLocation() => Location.Create(FilePath, Span, Lines);

    public bool Equals(LocationInfo? other) =>
        other is not null && FilePath == other.FilePath && Span.Equals(other.Span) && Lines.Equals(other.Lines);

    public override bool Equals(object? obj) => Equals(obj as LocationInfo);

    public override int GetHashCode() => SpecHash.Combine(SpecHash.Of(FilePath), Span.GetHashCode(), Lines.GetHashCode());
}
