using System;
using System.Collections.Generic;

namespace SimdCheckpoint;

/// <summary>The operation a <see cref="NodeSpec"/> performs.</summary>
public enum NodeKind
{
    /// <summary>A fully connected layer, <see cref="DenseLayerSpec"/>.</summary>
    Dense = 0,

    /// <summary>Token, position and token-type embeddings summed, <see cref="EmbeddingSpec"/>.</summary>
    Embedding = 1,

    /// <summary>Layer normalisation over the hidden axis, of one tensor or of the sum of two, <see cref="LayerNormSpec"/>.</summary>
    LayerNorm = 2,

    /// <summary>Multi-head self-attention over a sequence with a padding mask, <see cref="AttentionSpec"/>.</summary>
    Attention = 3,

    /// <summary>The first token of each sequence (the pooler's input), <see cref="FirstTokenSpec"/>.</summary>
    FirstToken = 4,
}

/// <summary>
/// One operation of a network graph: it reads named tensors and writes one. A node is described by itself (its kind,
/// sizes and parameters) and wired into a graph by the names of the tensors it reads (<see cref="InputTensors"/>) and
/// writes (<see cref="OutputTensor"/>). Until a <see cref="NetworkSpec"/> wires it (a chain wires its layers in order),
/// a node reads and writes nothing by name. Immutable and compared by value.
/// </summary>
public abstract class NodeSpec : IEquatable<NodeSpec>
{
    private static readonly string[] NoTensors = Array.Empty<string>();

    private readonly string[] _inputTensors;

    private protected NodeSpec(string name, string[]? inputTensors, string? outputTensor)
    {
        Name = name;
        _inputTensors = inputTensors ?? NoTensors;
        OutputTensor = outputTensor;
    }

    /// <summary>The node's name: unique in its network; a dense layer's tensors are <c>{Name}.weight</c> and <c>{Name}.bias</c>.</summary>
    public string Name { get; }

    /// <summary>What the node computes.</summary>
    public abstract NodeKind Kind { get; }

    /// <summary>The tensors the node reads, by name, in the order its operation takes them; empty while it is not wired.</summary>
    public IReadOnlyList<string> InputTensors => _inputTensors;

    /// <summary>The tensor the node writes; null while it is not wired.</summary>
    public string? OutputTensor { get; }

    /// <summary>Whether the node names the tensors it reads and writes.</summary>
    public bool IsWired => OutputTensor is not null;

    /// <summary>The number of weights and other parameters the node holds.</summary>
    public abstract long ParameterCount { get; }

    /// <summary>Floating-point operations per row of a forward pass, counting each fused multiply-add as two.</summary>
    public abstract long FlopsPerRow { get; }

    /// <summary>The width (floats per row) of the tensor the node writes.</summary>
    public abstract int OutputWidth { get; }

    /// <summary>How many tensors the node reads.</summary>
    internal abstract int Arity { get; }

    /// <summary>"layer 2 ('fc3')": how messages name the node at <paramref name="index"/>.</summary>
    internal string Describe(int index) => SpecRules.Describe(Name, index);

    /// <summary>A copy of this node reading <paramref name="inputs"/> and writing <paramref name="output"/>.</summary>
    internal abstract NodeSpec Wire(string[] inputs, string output);

    /// <summary>
    /// Checks what only the node's kind knows (sizes, parameters) and that the widths of the tensors it reads fit it;
    /// <paramref name="inputWidths"/> holds each input's width: -1 where no earlier node writes that tensor (a wiring
    /// problem already reported), 0 where the tensor is itself invalid.
    /// </summary>
    internal abstract void Validate(int index, IReadOnlyList<int> inputWidths, SpecProblems problems);

    /// <summary>The kind-specific part of the node, for the fingerprint: what its kernels compile (not its name).</summary>
    internal abstract string CompiledForm { get; }

    /// <inheritdoc/>
    public bool Equals(NodeSpec? other) =>
        other is not null
        && other.Kind == Kind
        && string.Equals(Name, other.Name, StringComparison.Ordinal)
        && string.Equals(OutputTensor, other.OutputTensor, StringComparison.Ordinal)
        && SameTensors(_inputTensors, other._inputTensors)
        && SameOperation(other);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as NodeSpec);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        int h = SpecHash.Combine((int)Kind, SpecHash.Of(Name), SpecHash.Of(OutputTensor));
        foreach (string t in _inputTensors)
        {
            h = SpecHash.Combine(h, SpecHash.Of(t));
        }

        return SpecHash.Combine(h, OperationHash());
    }

    /// <summary>Whether <paramref name="other"/>, a node of the same kind, performs the same operation.</summary>
    private protected abstract bool SameOperation(NodeSpec other);

    private protected abstract int OperationHash();

    private static bool SameTensors(string[] a, string[] b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (int i = 0; i < a.Length; i++)
        {
            if (!string.Equals(a[i], b[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
