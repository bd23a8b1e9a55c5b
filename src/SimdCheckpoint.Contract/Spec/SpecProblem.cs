using System;

namespace SimdCheckpoint;

/// <summary>Which part of a network declaration a <see cref="SpecProblem"/> is about.</summary>
public enum SpecField
{
    /// <summary>The network as a whole (for example: it has no layers).</summary>
    Network,

    /// <summary>A layer's name.</summary>
    Name,

    /// <summary>A layer's input size (K).</summary>
    Inputs,

    /// <summary>A layer's output size (N).</summary>
    Outputs,

    /// <summary>A layer's activation.</summary>
    Activation,

    /// <summary>A layer's activation parameter.</summary>
    Alpha,

    /// <summary>The tensors a node reads or writes, or the network's inputs and outputs.</summary>
    Tensors,
}

/// <summary>
/// One thing wrong with a network declaration: a stable identifier (the same one the source generator reports
/// as a compiler diagnostic), a message, and the layer and field it is about.
/// </summary>
public sealed class SpecProblem : IEquatable<SpecProblem>
{
    /// <summary>Creates a problem report.</summary>
    public SpecProblem(string id, string message, int layerIndex, SpecField field)
    {
        Id = id;
        Message = message;
        LayerIndex = layerIndex;
        Field = field;
    }

    /// <summary>The stable identifier, <c>SCK0002</c>…; see <c>docs/diagnostics.md</c>.</summary>
    public string Id { get; }

    /// <summary>What is wrong and, where it helps, how to fix it.</summary>
    public string Message { get; }

    /// <summary>The zero-based index of the layer (the node, in a graph), or -1 when the problem is about the whole network.</summary>
    public int LayerIndex { get; }

    /// <summary>The part of the declaration the problem is about.</summary>
    public SpecField Field { get; }

    /// <inheritdoc/>
    public bool Equals(SpecProblem? other) =>
        other is not null && Id == other.Id && Message == other.Message && LayerIndex == other.LayerIndex && Field == other.Field;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as SpecProblem);

    /// <inheritdoc/>
    public override int GetHashCode() => SpecHash.Combine(SpecHash.Of(Id), SpecHash.Of(Message), LayerIndex, (int)Field);

    /// <inheritdoc/>
    public override string ToString() => Id + ": " + Message;
}
