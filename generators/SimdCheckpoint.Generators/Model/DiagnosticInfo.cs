using System;
using Microsoft.CodeAnalysis;

namespace SimdCheckpoint.Generators.Model;

/// <summary>A diagnostic to report, kept as plain values so the model that carries it stays cacheable.</summary>
internal sealed class DiagnosticInfo : IEquatable<DiagnosticInfo>
{
    public DiagnosticInfo(DiagnosticDescriptor descriptor, LocationInfo? location, string message)
    {
        Descriptor = descriptor;
        Location = location;
        Message = message;
    }

    public DiagnosticDescriptor Descriptor { get; }

    public LocationInfo? Location { get; }

    public string Message { get; }

    public bool IsError => Descriptor.DefaultSeverity == DiagnosticSeverity.Error;

    public Diagnostic ToDiagnostic() => Diagnostic.Create(Descriptor, Location?.ToLocation(), Message);

    public bool Equals(DiagnosticInfo? other) =>
        other is not null && Descriptor.Id == other.Descriptor.Id && Equals(Location, other.Location) && Message == other.Message;

    public override bool Equals(object? obj) => Equals(obj as DiagnosticInfo);

    public override int GetHashCode() => SpecHash.Combine(SpecHash.Of(Descriptor.Id), Location?.GetHashCode() ?? 0, SpecHash.Of(Message));
}
