using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using SimdCheckpoint.Onnx;
using SimdCheckpoint.Safetensors;

namespace SimdCheckpoint;

// Where weights come from: every way of loading them is here (a safetensors file or stream, an ONNX model's
// initializers, arrays), each checked against the network before anything is packed.
public sealed partial class NetworkWeights<TNetwork>
{
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

    /// <summary>
    /// Loads the weights from the initializers of an ONNX model (<c>raw_data</c> or <c>float_data</c>, float32),
    /// after checking that the file describes the network <typeparamref name="TNetwork"/> was compiled from: the
    /// graph is read again and its <see cref="NetworkSpec.Fingerprint"/> compared. Gemm's alpha and beta, when not
    /// 1, are multiplied into the weights and bias once here (so such a layer rounds differently from a runtime
    /// that scales after the product).
    /// </summary>
    /// <exception cref="WeightsFormatException">The file is not an ONNX model, or a weight's data are missing, external, or not as long as its shape.</exception>
    /// <exception cref="WeightsMismatchException">The file describes another network, or a weight is not float32.</exception>
    public static NetworkWeights<TNetwork> FromOnnx(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return FromOnnx(File.ReadAllBytes(path), path);
    }

    /// <summary>Loads the weights from an ONNX stream; see <see cref="FromOnnx(string)"/>.</summary>
    public static NetworkWeights<TNetwork> FromOnnx(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return FromOnnx(copy.ToArray(), sourceName);
    }

    /// <summary>Loads the weights from an ONNX model's bytes; see <see cref="FromOnnx(string)"/>.</summary>
    public static NetworkWeights<TNetwork> FromOnnx(byte[] model, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sourceName);
        NetworkSpec compiled = TNetwork.Spec;
        OnnxNetworkReadResult result = OnnxNetworkReader.Read(model, compiled.Name, Path.GetFileName(sourceName));
        if (result.Spec is null)
        {
            string problems = string.Join(" ", result.Problems);
            bool malformed = result.Problems.Count > 0 && result.Problems[0].Id == SpecDiagnosticIds.MalformedOnnx;
            string message = $"'{sourceName}' cannot give the weights of {compiled.Name}: {problems}";
            throw malformed
                ? new WeightsFormatException(message, sourceName)
                : new WeightsMismatchException(message, sourceName, null, null);
        }

        string? difference = compiled.DescribeDifference(result.Spec);
        if (difference is not null)
        {
            throw new WeightsMismatchException(
                $"'{sourceName}' describes {result.Spec.Shape} (spec fingerprint {result.Spec.Fingerprint}), but {compiled.Name} was compiled as "
                + $"{compiled.Shape} (fingerprint {compiled.Fingerprint}): {difference}. Rebuild after changing the model, or load the file it was compiled from.",
                sourceName,
                null,
                null);
        }

        NetworkWeightsBuilder<TNetwork> builder = CreateBuilder();
        for (int i = 0; i < result.Layers.Count; i++)
        {
            OnnxLayerSource source = result.Layers[i];
            DenseLayerSpec layer = compiled.Layers[i];
            float[] weight = Read(source.Weight, sourceName, layer);
            float[] bias = new float[layer.Outputs];
            if (source.Bias is not null)
            {
                float[] b = Read(source.Bias, sourceName, layer);
                for (int n = 0; n < bias.Length; n++)
                {
                    bias[n] = b.Length == 1 ? b[0] : b[n];
                }
            }

            if (source.Alpha != 1f)
            {
                for (int j = 0; j < weight.Length; j++)
                {
                    weight[j] *= source.Alpha;
                }
            }

            if (source.Beta != 1f)
            {
                for (int n = 0; n < bias.Length; n++)
                {
                    bias[n] *= source.Beta;
                }
            }

            builder.SetLayer(i, weight, bias, source.WeightIsOutputsByInputs ? WeightLayout.OutputsByInputs : WeightLayout.InputsByOutputs);
        }

        return builder.Build();
    }

    private static float[] Read(OnnxTensor tensor, string sourceName, DenseLayerSpec layer)
    {
        try
        {
            return tensor.ReadFloats();
        }
        catch (OnnxFormatException e)
        {
            string message = $"'{sourceName}': {e.Message}";
            throw tensor.DataType != OnnxModel.FloatType
                ? new WeightsMismatchException(message, sourceName, tensor.Name, layer.Name)
                : new WeightsFormatException(message, sourceName, tensor.Name);
        }
    }

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
