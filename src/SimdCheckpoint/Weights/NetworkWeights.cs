using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using SimdCheckpoint.Safetensors;

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

    /// <summary>
    /// Loads <c>{layer}.weight</c> and <c>{layer}.bias</c> for every layer from a safetensors file.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="layout">How the file lays out each weight: PyTorch's <c>state_dict()</c> is <see cref="WeightLayout.OutputsByInputs"/>.</param>
    /// <exception cref="WeightsFormatException">The file is not well-formed safetensors.</exception>
    /// <exception cref="WeightsMismatchException">A tensor is missing, has the wrong shape or is not F32.</exception>
    public static NetworkWeights<TNetwork> FromSafetensors(string path, WeightLayout layout)
    {
        using SafetensorsReader reader = SafetensorsReader.Open(path);
        return FromSafetensors(reader, layout);
    }

    /// <summary>Loads the weights from a safetensors stream; see <see cref="FromSafetensors(string, WeightLayout)"/>.</summary>
    /// <param name="stream">The source, read from its current position.</param>
    /// <param name="layout">How the stream lays out each weight.</param>
    /// <param name="sourceName">What error messages call the stream.</param>
    public static NetworkWeights<TNetwork> FromSafetensors(Stream stream, WeightLayout layout, string sourceName = "stream")
    {
        using SafetensorsReader reader = SafetensorsReader.Open(stream, sourceName, leaveOpen: true);
        return FromSafetensors(reader, layout);
    }

    /// <summary>Loads the weights from an open safetensors reader.</summary>
    public static NetworkWeights<TNetwork> FromSafetensors(SafetensorsReader reader, WeightLayout layout)
    {
        ArgumentNullException.ThrowIfNull(reader);
        NetworkSpec spec = TNetwork.Spec;
        if (reader.Metadata.TryGetValue(SafetensorsWriter.SpecFingerprintKey, out string? fingerprint) && fingerprint != spec.Fingerprint)
        {
            string shape = reader.Metadata.TryGetValue("shape", out string? s) ? $" ({s})" : string.Empty;
            throw new WeightsMismatchException(
                $"'{reader.SourceName}' was saved for a network with spec fingerprint {fingerprint}{shape}, but {spec.Name} was compiled as "
                + $"{spec.Shape} (fingerprint {spec.Fingerprint}): the file belongs to a different or since-changed network.",
                reader.SourceName,
                null,
                null);
        }

        NetworkWeightsBuilder<TNetwork> builder = CreateBuilder();

        // Check every tensor's presence, dtype and shape before reading any data, so the first error is the clearest.
        var found = new List<(SafetensorsTensorInfo Weight, SafetensorsTensorInfo Bias)>(spec.Layers.Count);
        foreach (DenseLayerSpec layer in spec.Layers)
        {
            long[] weightShape = layout == WeightLayout.InputsByOutputs ? [layer.Inputs, layer.Outputs] : [layer.Outputs, layer.Inputs];
            found.Add((Find(reader, layer, layer.Name + ".weight", weightShape, layout), Find(reader, layer, layer.Name + ".bias", [layer.Outputs], layout)));
        }

        for (int i = 0; i < found.Count; i++)
        {
            (SafetensorsTensorInfo w, SafetensorsTensorInfo b) = found[i];
            float[] weight = ArrayPool<float>.Shared.Rent(checked((int)w.ElementCount));
            float[] bias = ArrayPool<float>.Shared.Rent(checked((int)b.ElementCount));
            try
            {
                Span<float> ws = weight.AsSpan(0, (int)w.ElementCount);
                Span<float> bs = bias.AsSpan(0, (int)b.ElementCount);
                reader.ReadFloat32(w, ws);
                reader.ReadFloat32(b, bs);
                builder.SetLayer(i, ws, bs, layout);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(weight);
                ArrayPool<float>.Shared.Return(bias);
            }
        }

        return builder.Build();
    }

    /// <summary>Packs weights held in arrays, one <see cref="DenseLayerWeights"/> per layer.</summary>
    /// <exception cref="ArgumentException">The count or a shape does not match the network.</exception>
    public static NetworkWeights<TNetwork> FromLayers(IReadOnlyList<DenseLayerWeights> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        NetworkSpec spec = TNetwork.Spec;
        if (layers.Count != spec.Layers.Count)
        {
            throw new ArgumentException($"{spec.Name} has {spec.Layers.Count} layers but {layers.Count} were given.", nameof(layers));
        }

        NetworkWeightsBuilder<TNetwork> builder = CreateBuilder();
        for (int i = 0; i < layers.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(layers[i], nameof(layers));
            builder.SetLayer(i, layers[i].Weight, layers[i].Bias, layers[i].Layout);
        }

        return builder.Build();
    }

    /// <summary>Starts packing weights layer by layer from spans.</summary>
    public static NetworkWeightsBuilder<TNetwork> CreateBuilder() => new();

    private static SafetensorsTensorInfo Find(SafetensorsReader reader, DenseLayerSpec layer, string name, long[] shape, WeightLayout layout)
    {
        if (!reader.Tensors.TryGetValue(name, out SafetensorsTensorInfo? tensor))
        {
            throw new WeightsMismatchException(
                $"'{reader.SourceName}' has no tensor '{name}', which layer '{layer.Name}' of {TNetwork.Spec.Name} needs.", reader.SourceName, name, layer.Name);
        }

        if (tensor.DType != "F32")
        {
            throw new WeightsMismatchException(
                $"Tensor '{name}' in '{reader.SourceName}' has dtype {tensor.DType}; only F32 tensors can be loaded.", reader.SourceName, name, layer.Name);
        }

        bool sameShape = tensor.Shape.Count == shape.Length;
        for (int d = 0; sameShape && d < shape.Length; d++)
        {
            sameShape = tensor.Shape[d] == shape[d];
        }

        if (!sameShape)
        {
            string hint = shape.Length == 2 && tensor.Shape.Count == 2 && tensor.Shape[0] == shape[1] && tensor.Shape[1] == shape[0]
                ? $" It looks transposed: load it with WeightLayout.{(layout == WeightLayout.InputsByOutputs ? WeightLayout.OutputsByInputs : WeightLayout.InputsByOutputs)}."
                : string.Empty;
            throw new WeightsMismatchException(
                $"Tensor '{name}' in '{reader.SourceName}' has shape {tensor.ShapeText}; layer '{layer.Name}' ({layer.Inputs} -> {layer.Outputs}, {layout}) needs {SafetensorsTensorInfo.FormatShape(shape)}.{hint}",
                reader.SourceName,
                name,
                layer.Name);
        }

        return tensor;
    }
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
        _layout = TNetwork.PackedLayout;
        _layout.Validate(spec);
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
