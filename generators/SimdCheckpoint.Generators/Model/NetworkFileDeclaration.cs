using System;

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
        ImmutableEquatableArray<DiagnosticInfo> diagnostics,
        bool skip)
    {
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
        && Diagnostics.Equals(other.Diagnostics)
        && Skip == other.Skip;

    public override bool Equals(object? obj) => Equals(obj as NetworkFileDeclaration);

    public override int GetHashCode() => SpecHash.Combine(Type.GetHashCode(), SpecHash.Of(Path), Diagnostics.GetHashCode());
}

/// <summary>An additional file's path and text, as values.</summary>
internal sealed class AdditionalFileModel : IEquatable<AdditionalFileModel>
{
    public AdditionalFileModel(string path, string? text)
    {
        Path = path;
        Text = text;
    }

    public string Path { get; }

    /// <summary>Null when the file could not be read.</summary>
    public string? Text { get; }

    public bool Equals(AdditionalFileModel? other) => other is not null && Path == other.Path && Text == other.Text;

    public override bool Equals(object? obj) => Equals(obj as AdditionalFileModel);

    public override int GetHashCode() => SpecHash.Combine(SpecHash.Of(Path), SpecHash.Of(Text));
}
