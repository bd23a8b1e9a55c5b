using System;

namespace SimdCheckpoint;

/// <summary>
/// Marks a <c>partial</c> type as a network described by a spec file that the project lists as
/// <c>&lt;AdditionalFiles Include="..." /&gt;</c>. The path is matched against the end of each additional file's
/// path, so <c>"mnist.json"</c> and <c>"models/mnist.json"</c> both find <c>models/mnist.json</c>.
/// </summary>
/// <param name="path">The spec file: a <c>.json</c> spec (see the README for its schema) or an <c>.onnx</c> model.</param>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class NetworkFileAttribute(string path) : Attribute
{
    /// <summary>The spec file, as given.</summary>
    public string Path { get; } = path;

    /// <inheritdoc cref="NetworkAttribute.TileRows"/>
    public int TileRows { get; set; }

    /// <inheritdoc cref="NetworkAttribute.TileColumns"/>
    public int TileColumns { get; set; }

    /// <inheritdoc cref="NetworkAttribute.Gradients"/>
    public bool Gradients { get; set; }
}
