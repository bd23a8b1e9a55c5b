using System;
using System.Globalization;

namespace SimdCheckpoint;

/// <summary>
/// A named tensor of a network graph: rows of <see cref="Width"/> floats, one row per sample of a batch. The network's
/// inputs are tensors; every node writes one.
/// </summary>
public sealed class TensorSpec : IEquatable<TensorSpec>
{
    /// <summary>Describes a tensor.</summary>
    /// <param name="name">Its name, unique in the network.</param>
    /// <param name="width">Floats per row.</param>
    public TensorSpec(string name, int width)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        Width = width;
    }

    /// <summary>The tensor's name.</summary>
    public string Name { get; }

    /// <summary>Floats per row.</summary>
    public int Width { get; }

    /// <inheritdoc/>
    public bool Equals(TensorSpec? other) => other is not null && string.Equals(Name, other.Name, StringComparison.Ordinal) && Width == other.Width;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as TensorSpec);

    /// <inheritdoc/>
    public override int GetHashCode() => SpecHash.Combine(SpecHash.Of(Name), Width);

    /// <inheritdoc/>
    public override string ToString() => Name + " [" + Width.ToString(CultureInfo.InvariantCulture) + "]";
}
