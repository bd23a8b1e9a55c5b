using System;
using System.Collections.Generic;
using SimdCheckpoint.Onnx;

namespace SimdCheckpoint.Generators.Model;

/// <summary>A <c>[NetworkFile("...")]</c> type before its file is found and read.</summary>
internal sealed class NetworkFileDeclaration : IEquatable<NetworkFileDeclaration>
{
    public NetworkFileDeclaration(
        TypeDeclarationModel type,
        string path,
        string? declaringDirectory,
        LocationInfo? pathLocation,
        TileOverride tile,
        bool gradients,
        ImmutableEquatableArray<DiagnosticInfo> diagnostics,
        bool skip)
    {
        Gradients = gradients;
        Type = type;
        Path = path;
        DeclaringDirectory = declaringDirectory;
        PathLocation = pathLocation;
        Tile = tile;
        Diagnostics = diagnostics;
        Skip = skip;
    }

    public TypeDeclarationModel Type { get; }

    /// <summary>The path as written in the attribute.</summary>
    public string Path { get; }

    /// <summary>The directory of the source file with the attribute, to resolve relative paths.</summary>
    public string? DeclaringDirectory { get; }

    public LocationInfo? PathLocation { get; }

    public TileOverride Tile { get; }

    public bool Gradients { get; }

    public ImmutableEquatableArray<DiagnosticInfo> Diagnostics { get; }

    /// <summary>
    /// True when the [Network] attribute is also present (that declaration reports the conflict), or [NetworkFile] is
    /// given twice (the compiler reports CS0579).
    /// </summary>
    public bool Skip { get; }

    public bool Equals(NetworkFileDeclaration? other) =>
        other is not null
        && Type.Equals(other.Type)
        && Path == other.Path
        && DeclaringDirectory == other.DeclaringDirectory
        && Equals(PathLocation, other.PathLocation)
        && Tile.Equals(other.Tile)
        && Gradients == other.Gradients
        && Diagnostics.Equals(other.Diagnostics)
        && Skip == other.Skip;

    public override bool Equals(object? obj) => Equals(obj as NetworkFileDeclaration);

    public override int GetHashCode() => SpecHash.Combine(Type.GetHashCode(), SpecHash.Of(Path), Diagnostics.GetHashCode());
}

/// <summary>
/// An additional file as values: a JSON spec's path and text, or an ONNX model's path and what the contract's reader
/// made of its graph (the network, or its problems), so the pipeline caches on the network and not on the file's bytes.
/// </summary>
internal sealed class AdditionalFileModel : IEquatable<AdditionalFileModel>
{
    public AdditionalFileModel(string path, string? text)
    {
        Path = path;
        Text = text;
        OnnxProblems = ImmutableEquatableArray<SpecProblem>.Empty;
    }

    private AdditionalFileModel(string path, NetworkSpec? spec, ImmutableEquatableArray<SpecProblem> problems)
    {
        Path = path;
        IsOnnx = true;
        OnnxSpec = spec;
        OnnxProblems = problems;
    }

    public string Path { get; }

    /// <summary>A JSON file's text; null when the file could not be read, or for ONNX.</summary>
    public string? Text { get; }

    public bool IsOnnx { get; }

    /// <summary>The network an ONNX model describes (null when it has problems).</summary>
    public NetworkSpec? OnnxSpec { get; }

    public ImmutableEquatableArray<SpecProblem> OnnxProblems { get; }

    public static AdditionalFileModel ForOnnx(string path, NetworkSpec? spec, List<SpecProblem> problems) =>
        new(path, spec, problems.ToEquatableArray());

    public static AdditionalFileModel ForUnreadableOnnx(string path, string message) =>
        new(path, null, new List<SpecProblem>
        {
            new(SpecDiagnosticIds.NetworkFileNotFound, message, -1, SpecField.Network),
        }.ToEquatableArray());

    public bool Equals(AdditionalFileModel? other) =>
        other is not null && Path == other.Path && Text == other.Text && IsOnnx == other.IsOnnx
        && Equals(OnnxSpec, other.OnnxSpec) && OnnxProblems.Equals(other.OnnxProblems);

    public override bool Equals(object? obj) => Equals(obj as AdditionalFileModel);

    public override int GetHashCode() => SpecHash.Combine(SpecHash.Of(Path), SpecHash.Of(Text), OnnxSpec?.GetHashCode() ?? 0);
}
