using Microsoft.CodeAnalysis;

namespace SimdCheckpoint.Generators.Diagnostics;

/// <summary>
/// Every diagnostic the generator reports. IDs are stable (SpecDiagnosticIds) and documented in docs/diagnostics.md;
/// the message is composed where the problem is found, so each names the layer, field or file concerned. Each links
/// to its section of that page (HelpLinks).
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "SimdCheckpoint";

    public static readonly DiagnosticDescriptor TypeNotPartial = Error(
        SpecDiagnosticIds.TypeNotPartial, "Network type must be a non-generic, non-static partial class or struct");

    public static readonly DiagnosticDescriptor EmptyNetwork = Error(SpecDiagnosticIds.EmptyNetwork, "Network has no layers");

    public static readonly DiagnosticDescriptor NonPositiveSize = Error(SpecDiagnosticIds.NonPositiveSize, "Layer size must be positive");

    public static readonly DiagnosticDescriptor UnknownActivation = Error(SpecDiagnosticIds.UnknownActivation, "Unknown activation");

    public static readonly DiagnosticDescriptor SizeMismatch = Error(
        SpecDiagnosticIds.SizeMismatch, "Layer input size differs from the previous layer's output size");

    public static readonly DiagnosticDescriptor NetworkFileNotFound = Error(
        SpecDiagnosticIds.NetworkFileNotFound, "Network file not found among AdditionalFiles");

    public static readonly DiagnosticDescriptor MalformedJson = Error(SpecDiagnosticIds.MalformedJson, "Network file is not valid JSON");

    public static readonly DiagnosticDescriptor InvalidJsonSpec = Error(SpecDiagnosticIds.InvalidJsonSpec, "Network file does not follow the spec schema");

    public static readonly DiagnosticDescriptor InvalidAlpha = Error(SpecDiagnosticIds.InvalidAlpha, "Invalid activation parameter");

    public static readonly DiagnosticDescriptor InvalidLayerName = Error(SpecDiagnosticIds.InvalidLayerName, "Invalid or duplicate layer name");

    public static readonly DiagnosticDescriptor ConflictingDeclarations = Error(
        SpecDiagnosticIds.ConflictingDeclarations, "Conflicting network declarations");

    public static readonly DiagnosticDescriptor NetworkTooLarge = Error(SpecDiagnosticIds.NetworkTooLarge, "Network too large");

    public static readonly DiagnosticDescriptor InvalidTile = Error(SpecDiagnosticIds.InvalidTile, "Invalid register tile override");

    public static readonly DiagnosticDescriptor UnsupportedNetworkFile = Error(
        SpecDiagnosticIds.UnsupportedNetworkFile, "Unsupported network file type");

    public static readonly DiagnosticDescriptor ReservedMemberName = Error(
        SpecDiagnosticIds.ReservedMemberName, "Member name reserved by the generator");

    public static readonly DiagnosticDescriptor UnsupportedOnnxModel = Error(
        SpecDiagnosticIds.UnsupportedOnnxModel, "ONNX graph has a node or shape SimdCheckpoint does not compile");

    public static readonly DiagnosticDescriptor MalformedOnnx = Error(SpecDiagnosticIds.MalformedOnnx, "Network file is not a valid ONNX model");

    public static readonly DiagnosticDescriptor InvalidGraph = Error(SpecDiagnosticIds.InvalidGraph, "Network graph is not wired correctly");

    public static readonly DiagnosticDescriptor GradientsNotDeclared = Error(
        SpecDiagnosticIds.GradientsNotDeclared, "Checkpoint session for a network without gradients");

    public static readonly DiagnosticDescriptor InternalError = Error(
        SpecDiagnosticIds.InternalError, "SimdCheckpoint generator failed");

    /// <summary>The descriptor for a problem found by the shared spec rules.</summary>
    public static DiagnosticDescriptor ForId(string id) => id switch
    {
        SpecDiagnosticIds.TypeNotPartial => TypeNotPartial,
        SpecDiagnosticIds.EmptyNetwork => EmptyNetwork,
        SpecDiagnosticIds.NonPositiveSize => NonPositiveSize,
        SpecDiagnosticIds.UnknownActivation => UnknownActivation,
        SpecDiagnosticIds.SizeMismatch => SizeMismatch,
        SpecDiagnosticIds.NetworkFileNotFound => NetworkFileNotFound,
        SpecDiagnosticIds.MalformedJson => MalformedJson,
        SpecDiagnosticIds.InvalidJsonSpec => InvalidJsonSpec,
        SpecDiagnosticIds.InvalidAlpha => InvalidAlpha,
        SpecDiagnosticIds.InvalidLayerName => InvalidLayerName,
        SpecDiagnosticIds.ConflictingDeclarations => ConflictingDeclarations,
        SpecDiagnosticIds.NetworkTooLarge => NetworkTooLarge,
        SpecDiagnosticIds.InvalidTile => InvalidTile,
        SpecDiagnosticIds.UnsupportedNetworkFile => UnsupportedNetworkFile,
        SpecDiagnosticIds.ReservedMemberName => ReservedMemberName,
        SpecDiagnosticIds.UnsupportedOnnxModel => UnsupportedOnnxModel,
        SpecDiagnosticIds.MalformedOnnx => MalformedOnnx,
        SpecDiagnosticIds.InvalidGraph => InvalidGraph,
        SpecDiagnosticIds.GradientsNotDeclared => GradientsNotDeclared,
        _ => InternalError,
    };

    private static DiagnosticDescriptor Error(string id, string title) =>
        new(id, title, "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLinks.For(id));
}
