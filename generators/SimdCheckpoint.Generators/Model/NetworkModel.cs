using System;

namespace SimdCheckpoint.Generators.Model;

/// <summary>
/// Everything the emitter needs for one network, as values: where to declare it, the validated spec (null when the
/// declaration has errors), the tile override, whether it has gradients, and the diagnostics to report. Compared by value so the pipeline
/// skips emission when an edit did not change the network.
/// </summary>
internal sealed class NetworkModel : IEquatable<NetworkModel>
{
    public NetworkModel(
        TypeDeclarationModel type,
        NetworkSpec? spec,
        TileOverride tile,
        bool gradients,
        string sourceDescription,
        ImmutableEquatableArray<DiagnosticInfo> diagnostics)
    {
        Type = type;
        Spec = spec;
        Tile = tile;
        Gradients = gradients;
        SourceDescription = sourceDescription;
        Diagnostics = diagnostics;
    }

    public TypeDeclarationModel Type { get; }

    public NetworkSpec? Spec { get; }

    public TileOverride Tile { get; }

    /// <summary>Whether the declaration asks for the backward pass's kernels (<c>Gradients = true</c>).</summary>
    public bool Gradients { get; }

    /// <summary>"the [Dense] attributes on Samples.MnistMlp" or "models/mnist.json": where the spec came from.</summary>
    public string SourceDescription { get; }

    public ImmutableEquatableArray<DiagnosticInfo> Diagnostics { get; }

    public bool HasErrors
    {
        get
        {
            foreach (DiagnosticInfo d in Diagnostics)
            {
                if (d.IsError)
                {
                    return true;
                }
            }

            return false;
        }
    }

    public bool Equals(NetworkModel? other) =>
        other is not null
        && Type.Equals(other.Type)
        && Equals(Spec, other.Spec)
        && Tile.Equals(other.Tile)
        && Gradients == other.Gradients
        && SourceDescription == other.SourceDescription
        && Diagnostics.Equals(other.Diagnostics);

    public override bool Equals(object? obj) => Equals(obj as NetworkModel);

    public override int GetHashCode() =>
        SpecHash.Combine(Type.GetHashCode(), Spec?.GetHashCode() ?? 0, Tile.GetHashCode(), Diagnostics.GetHashCode());
}

/// <summary>A register tile forced by the user (0 = the planner chooses).</summary>
internal readonly struct TileOverride : IEquatable<TileOverride>
{
    public TileOverride(int rows, int columns)
    {
        Rows = rows;
        Columns = columns;
    }

    public int Rows { get; }

    public int Columns { get; }

    public bool Equals(TileOverride other) => Rows == other.Rows && Columns == other.Columns;

    public override bool Equals(object? obj) => obj is TileOverride t && Equals(t);

    public override int GetHashCode() => SpecHash.Combine(Rows, Columns);
}
