using System;
using System.Collections.Generic;

namespace SimdCheckpoint;

/// <summary>
/// A network's weights and biases, validated against its spec and packed once into the panel layout its kernels
/// read, 64-byte aligned. Immutable: any number of <see cref="InferenceSession{TNetwork}"/>s, on any threads, can
/// share one instance.
/// </summary>
/// <typeparam name="TNetwork">The generated network the weights belong to.</typeparam>
public sealed partial class NetworkWeights<TNetwork>
    where TNetwork : IGeneratedNetwork<TNetwork>
{
    private readonly AlignedBuffer _packed;

    internal NetworkWeights(AlignedBuffer packed)
    {
        _packed = packed;
    }

    /// <summary>The network.</summary>
    public NetworkSpec Spec => TNetwork.Spec;

    /// <summary>The packed buffer, as the generated kernels read it.</summary>
    public ReadOnlySpan<float> Packed => _packed.Span;

    /// <summary>The packed buffer's size in bytes, padding included.</summary>
    public long PackedBytes => (long)_packed.Length * sizeof(float);

    /// <summary>Starts packing weights layer by layer from spans.</summary>
    public static NetworkWeightsBuilder<TNetwork> CreateBuilder() => new();
}

/// <summary>Packs a network's weights layer by layer, from spans; see <see cref="NetworkWeights{TNetwork}.CreateBuilder"/>.</summary>
/// <typeparam name="TNetwork">The generated network.</typeparam>
public sealed class NetworkWeightsBuilder<TNetwork>
    where TNetwork : IGeneratedNetwork<TNetwork>
{
    private readonly PackedNetworkLayout _layout;
    private readonly bool[] _set;
    private AlignedBuffer? _buffer;

    internal NetworkWeightsBuilder()
    {
        NetworkSpec spec = TNetwork.Spec;
        _layout = NetworkLayout<TNetwork>.Packed;
        _set = new bool[spec.Layers.Count];
        _buffer = AlignedBuffer.Allocate(_layout.Length);
    }

    /// <summary>Packs layer <paramref name="index"/>'s weight (K·N floats in <paramref name="layout"/>) and bias (N floats).</summary>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    public NetworkWeightsBuilder<TNetwork> SetLayer(int index, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, WeightLayout layout)
    {
        AlignedBuffer buffer = _buffer ?? throw new InvalidOperationException("Build() has already been called on this builder.");
        NetworkSpec spec = TNetwork.Spec;
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, spec.Layers.Count);
        if (!Enum.IsDefined(layout))
        {
            throw new ArgumentOutOfRangeException(nameof(layout), layout, "Unknown weight layout.");
        }

        DenseLayerSpec layer = spec.Layers[index];
        if (weight.Length != (long)layer.Inputs * layer.Outputs)
        {
            throw new ArgumentException(
                $"Layer {index} ('{layer.Name}') of {spec.Name} is {layer.Inputs} -> {layer.Outputs}: its weight needs {(long)layer.Inputs * layer.Outputs} floats, got {weight.Length}.",
                nameof(weight));
        }

        if (bias.Length != layer.Outputs)
        {
            throw new ArgumentException(
                $"Layer {index} ('{layer.Name}') of {spec.Name} has {layer.Outputs} outputs: its bias needs {layer.Outputs} floats, got {bias.Length}.",
                nameof(bias));
        }

        WeightPacker.Pack(_layout.Layers[index], weight, bias, layout, buffer.Span);
        _set[index] = true;
        return this;
    }

    /// <summary>Packs the layer named <paramref name="name"/>; see <see cref="SetLayer(int, ReadOnlySpan{float}, ReadOnlySpan{float}, WeightLayout)"/>.</summary>
    public NetworkWeightsBuilder<TNetwork> SetLayer(string name, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, WeightLayout layout)
    {
        ArgumentNullException.ThrowIfNull(name);
        IReadOnlyList<DenseLayerSpec> layers = TNetwork.Spec.Layers;
        for (int i = 0; i < layers.Count; i++)
        {
            if (layers[i].Name == name)
            {
                return SetLayer(i, weight, bias, layout);
            }
        }

        throw new ArgumentException($"{TNetwork.Spec.Name} has no layer named '{name}'.", nameof(name));
    }

    /// <summary>Finishes: every layer must have been set.</summary>
    public NetworkWeights<TNetwork> Build()
    {
        AlignedBuffer buffer = _buffer ?? throw new InvalidOperationException("Build() has already been called on this builder.");
        int missing = Array.IndexOf(_set, false);
        if (missing >= 0)
        {
            throw new InvalidOperationException($"Layer {missing} ('{TNetwork.Spec.Layers[missing].Name}') of {TNetwork.Spec.Name} has no weights; call SetLayer for every layer.");
        }

        _buffer = null;
        return new NetworkWeights<TNetwork>(buffer);
    }
}
