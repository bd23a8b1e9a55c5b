using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using SimdCheckpoint.Onnx;
using SimdCheckpoint.Safetensors;

namespace SimdCheckpoint;

/// <summary>
/// The parameters of a compiled encoder (<see cref="NetworkSpec.ForEncoder"/>): its dense layers packed in the kernels'
/// panel layout (<see cref="Dense"/>), and the embedding tables and layer-norm scales and shifts as read. Loaded from a
/// safetensors file with Hugging Face's BERT names, from an ONNX file's initializers, or from arrays; every tensor's
/// presence, type and shape is checked before any is used.
/// </summary>
/// <typeparam name="TNetwork">The generated encoder type.</typeparam>
public sealed class EncoderWeights<TNetwork>
    where TNetwork : IGeneratedNetwork<TNetwork>
{
    private readonly float[]?[] _parameters;
    private readonly NetworkWeights<TNetwork>? _dense;

    private EncoderWeights(NetworkWeights<TNetwork>? dense, float[]?[] parameters)
    {
        _dense = dense;
        _parameters = parameters;
    }

    /// <summary>The dense layers, packed.</summary>
    /// <exception cref="InvalidOperationException">The weights were loaded without their dense layers (<see cref="HasDense"/> is false).</exception>
    public NetworkWeights<TNetwork> Dense => _dense ?? throw new InvalidOperationException(
        $"These weights of {TNetwork.Spec.Name} were loaded without their dense layers, for an EncoderSession that streams them from a packed weights file; load them with includeDense: true to hold them in memory.");

    /// <summary>
    /// Whether the dense layers were loaded; without them (<c>includeDense: false</c>) the weights hold only the embedding
    /// tables and layer norms, for an <see cref="EncoderSession{TNetwork}"/> that streams the dense layers from a packed file.
    /// </summary>
    public bool HasDense => _dense is not null;

    /// <summary>The bytes these weights hold: the packed dense layers (when loaded) and every other parameter.</summary>
    public long Bytes
    {
        get
        {
            long bytes = _dense?.PackedBytes ?? 0;
            foreach (float[]? p in _parameters)
            {
                bytes += (p?.LongLength ?? 0) * sizeof(float);
            }

            return bytes;
        }
    }

    /// <summary>Node <paramref name="node"/>'s parameters besides dense ones: an embedding's word, position and type tables in that order, a layer norm's γ then β.</summary>
    internal ReadOnlySpan<float> Parameters(int node) => _parameters[node];

    /// <summary>
    /// Loads every tensor from a safetensors file by the names the spec's nodes give (Hugging Face's BERT names; dense
    /// weights [out, in] as PyTorch saves them).
    /// </summary>
    /// <exception cref="WeightsFormatException">The file is not well-formed safetensors.</exception>
    /// <exception cref="WeightsMismatchException">A tensor is missing, has the wrong shape or is not F32.</exception>
    public static EncoderWeights<TNetwork> FromSafetensors(string path) => FromSafetensors(path, includeDense: true);

    /// <summary>
    /// As <see cref="FromSafetensors(string)"/>; with <paramref name="includeDense"/> false, only the embedding tables and
    /// layer norms are read (the dense layers are neither read nor checked), for an <see cref="EncoderSession{TNetwork}"/>
    /// that streams the dense layers from a packed weights file.
    /// </summary>
    public static EncoderWeights<TNetwork> FromSafetensors(string path, bool includeDense)
    {
        using SafetensorsReader reader = SafetensorsReader.Open(path);
        return FromSafetensors(reader, includeDense);
    }

    /// <summary>Loads the weights from an open safetensors reader; see <see cref="FromSafetensors(string)"/>.</summary>
    public static EncoderWeights<TNetwork> FromSafetensors(SafetensorsReader reader) => FromSafetensors(reader, includeDense: true);

    private static EncoderWeights<TNetwork> FromSafetensors(SafetensorsReader reader, bool includeDense)
    {
        ArgumentNullException.ThrowIfNull(reader);
        NetworkWeights<TNetwork>? dense = includeDense ? NetworkWeights<TNetwork>.FromSafetensors(reader, WeightLayout.OutputsByInputs) : null;
        return new EncoderWeights<TNetwork>(dense, ReadParameters(reader.SourceName, (name, shape, node, destination) =>
        {
            if (!reader.Tensors.TryGetValue(name, out SafetensorsTensorInfo? info))
            {
                throw new WeightsMismatchException($"'{reader.SourceName}' has no tensor '{name}', which node '{node}' of {TNetwork.Spec.Name} needs.", reader.SourceName, name, node);
            }

            if (info.DType != "F32")
            {
                throw new WeightsMismatchException($"Tensor '{name}' in '{reader.SourceName}' has dtype {info.DType}; only F32 tensors can be loaded.", reader.SourceName, name, node);
            }

            CheckShape(reader.SourceName, name, node, info.Shape, shape);
            reader.ReadFloat32(info, destination);
        }));
    }

    /// <summary>
    /// Builds the weights from arrays by the spec's tensor names: <c>{layer}.weight</c> ([out, in], PyTorch's layout) and
    /// <c>{layer}.bias</c> for each dense layer, the embedding tables and the layer norms' <c>weight</c> and <c>bias</c>.
    /// </summary>
    /// <exception cref="WeightsMismatchException">A tensor is missing or has the wrong number of elements.</exception>
    public static EncoderWeights<TNetwork> FromTensors(IReadOnlyDictionary<string, float[]> tensors, string sourceName = "tensors") => FromTensors(tensors, sourceName, includeDense: true);

    /// <summary>
    /// As <see cref="FromTensors(IReadOnlyDictionary{string, float[]}, string)"/>, reading only the embedding tables and
    /// layer norms (dense tensors need not be there; <see cref="HasDense"/> is false), for an
    /// <see cref="EncoderSession{TNetwork}"/> that streams the dense layers from a packed weights file.
    /// </summary>
    public static EncoderWeights<TNetwork> FromParameterTensors(IReadOnlyDictionary<string, float[]> tensors, string sourceName) => FromTensors(tensors, sourceName, includeDense: false);

    private static EncoderWeights<TNetwork> FromTensors(IReadOnlyDictionary<string, float[]> tensors, string sourceName, bool includeDense)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        float[] Get(string name, long[] shape, string node)
        {
            if (!tensors.TryGetValue(name, out float[]? data))
            {
                throw new WeightsMismatchException($"{sourceName} has no tensor '{name}', which node '{node}' of {TNetwork.Spec.Name} needs.", sourceName, name, node);
            }

            long count = 1;
            foreach (long d in shape)
            {
                count *= d;
            }

            if (data.LongLength != count)
            {
                throw new WeightsMismatchException(
                    $"Tensor '{name}' in {sourceName} has {data.LongLength} elements; node '{node}' needs {SafetensorsTensorInfo.FormatShape(shape)} = {count}.", sourceName, name, node);
            }

            return data;
        }

        NetworkWeights<TNetwork>? dense = null;
        if (includeDense)
        {
            NetworkWeightsBuilder<TNetwork> builder = NetworkWeights<TNetwork>.CreateBuilder();
            IReadOnlyList<DenseLayerSpec> layers = TNetwork.Spec.Layers;
            for (int i = 0; i < layers.Count; i++)
            {
                DenseLayerSpec l = layers[i];
                builder.SetLayer(i, Get(l.Name + ".weight", [l.Outputs, l.Inputs], l.Name), Get(l.Name + ".bias", [l.Outputs], l.Name), WeightLayout.OutputsByInputs);
            }

            dense = builder.Build();
        }

        return new EncoderWeights<TNetwork>(dense, ReadParameters(sourceName, (name, shape, node, destination) => Get(name, shape, node).CopyTo(destination)));
    }

    /// <summary>
    /// These embedding tables and layer norms with the given dense layers (for example
    /// <see cref="NetworkWeights{TNetwork}.FromPacked"/> of the packed file a streaming session reads): weights an
    /// in-memory <see cref="EncoderSession{TNetwork}"/> can run. Nothing is copied.
    /// </summary>
    public EncoderWeights<TNetwork> WithDense(NetworkWeights<TNetwork> dense)
    {
        ArgumentNullException.ThrowIfNull(dense);
        return new EncoderWeights<TNetwork>(dense, _parameters);
    }

    /// <summary>
    /// Loads the weights from the ONNX file the encoder was compiled from (its initializers, found by the same reader the
    /// generator used; MatMul weights are transposed into PyTorch's [out, in] once).
    /// </summary>
    /// <exception cref="WeightsFormatException">The file is not an ONNX model, or a tensor's data cannot be read.</exception>
    /// <exception cref="WeightsMismatchException">The file describes another network.</exception>
    public static EncoderWeights<TNetwork> FromOnnx(string path) => FromOnnx(path, includeDense: true);

    /// <summary>
    /// As <see cref="FromOnnx(string)"/>; with <paramref name="includeDense"/> false, only the embedding tables and layer
    /// norms are kept (the file is still read whole while it is parsed), for an <see cref="EncoderSession{TNetwork}"/> that
    /// streams the dense layers from a packed weights file.
    /// </summary>
    public static EncoderWeights<TNetwork> FromOnnx(string path, bool includeDense)
    {
        ArgumentNullException.ThrowIfNull(path);
        return FromOnnx(File.ReadAllBytes(path), path, includeDense);
    }

    /// <summary>Loads the weights from an ONNX model's bytes; see <see cref="FromOnnx(string)"/>.</summary>
    public static EncoderWeights<TNetwork> FromOnnx(byte[] model, string sourceName) => FromOnnx(model, sourceName, includeDense: true);

    private static EncoderWeights<TNetwork> FromOnnx(byte[] model, string sourceName, bool includeDense)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sourceName);
        NetworkSpec compiled = TNetwork.Spec;
        OnnxEncoderReadResult result = OnnxEncoderReader.Read(model, compiled.Name, Path.GetFileName(sourceName));
        if (result.Spec is null)
        {
            string problems = string.Join(" ", result.Problems);
            string message = $"'{sourceName}' cannot give the weights of {compiled.Name}: {problems}";
            throw result.Problems.Count > 0 && result.Problems[0].Id == SpecDiagnosticIds.MalformedOnnx
                ? new WeightsFormatException(message, sourceName)
                : new WeightsMismatchException(message, sourceName, null, null);
        }

        if (!result.Spec.Encoder!.Equals(compiled.Encoder) || result.Spec.Fingerprint != compiled.Fingerprint)
        {
            throw new WeightsMismatchException(
                $"'{sourceName}' describes an encoder of {result.Spec.Encoder} (spec fingerprint {result.Spec.Fingerprint}), but {compiled.Name} was compiled as "
                + $"{compiled.Encoder?.ToString() ?? compiled.Shape} (fingerprint {compiled.Fingerprint}). Rebuild after changing the model, or load the file it was compiled from.",
                sourceName,
                null,
                null);
        }

        ReadOnlySpan<float> Get(string name, long[] shape, string node) => Read(name, shape, node, asStored: false, out _);

        // The values are read in place from the model's bytes where they can be (no copy: a 90 MB model allocated and
        // filled 90 MB of arrays, page by page), and a MatMul weight, stored [K, N], is packed from that layout directly.
        ReadOnlySpan<float> Read(string name, long[] shape, string node, bool asStored, out bool transposed)
        {
            if (!result.Tensors.TryGetValue(name, out OnnxEncoderTensor? tensor))
            {
                throw new WeightsMismatchException($"'{sourceName}' holds no tensor for '{name}', which node '{node}' of {compiled.Name} needs.", sourceName, name, node);
            }

            ReadOnlySpan<float> data;
            transposed = asStored && tensor.Transpose;
            try
            {
                data = (asStored || !tensor.Transpose) && tensor.Tensor.TryGetRawFloats(out byte[] file, out int start, out int values)
                    ? MemoryMarshal.Cast<byte, float>(file.AsSpan(start, values * sizeof(float)))
                    : asStored ? tensor.Tensor.ReadFloats() : tensor.ReadFloats();
            }
            catch (OnnxFormatException e)
            {
                throw new WeightsFormatException($"'{sourceName}': {e.Message}", sourceName, tensor.Tensor.Name);
            }

            long count = 1;
            foreach (long d in shape)
            {
                count *= d;
            }

            if (data.Length != count)
            {
                throw new WeightsMismatchException(
                    $"'{sourceName}': '{tensor.Tensor.Name}' (for '{name}') has {data.Length} elements; node '{node}' needs {SafetensorsTensorInfo.FormatShape(shape)} = {count}.", sourceName, name, node);
            }

            return data;
        }

        NetworkWeights<TNetwork>? dense = null;
        if (includeDense)
        {
            NetworkWeightsBuilder<TNetwork> builder = NetworkWeights<TNetwork>.CreateBuilder();
            IReadOnlyList<DenseLayerSpec> layers = compiled.Layers;
            for (int i = 0; i < layers.Count; i++)
            {
                DenseLayerSpec l = layers[i];
                ReadOnlySpan<float> weight = Read(l.Name + ".weight", [l.Outputs, l.Inputs], l.Name, asStored: true, out bool stored);
                builder.SetLayer(i, weight, Get(l.Name + ".bias", [l.Outputs], l.Name), stored ? WeightLayout.InputsByOutputs : WeightLayout.OutputsByInputs);
            }

            dense = builder.Build();
        }

        return new EncoderWeights<TNetwork>(dense, ReadParameters(sourceName, (name, shape, node, destination) => Get(name, shape, node).CopyTo(destination)));
    }

    /// <summary>Checks tensor <c>name</c> against <c>shape</c> for <c>node</c> and reads its values into <c>destination</c> (of the shape's size).</summary>
    private delegate void ParameterReader(string name, long[] shape, string node, Span<float> destination);

    /// <summary>
    /// Reads every non-dense node's parameters with <paramref name="read"/>, which checks them, straight into the arrays
    /// kept (an embedding's three tables into one), so loading holds no second copy of the tables.
    /// </summary>
    private static float[]?[] ReadParameters(string sourceName, ParameterReader read)
    {
        NetworkSpec spec = TNetwork.Spec;
        if (spec.Encoder is null)
        {
            throw new InvalidOperationException($"{spec.Name} is not an encoder (NetworkSpec.ForEncoder): load it with NetworkWeights<{typeof(TNetwork).Name}>.");
        }

        var parameters = new float[]?[spec.Nodes.Count];
        for (int i = 0; i < spec.Nodes.Count; i++)
        {
            switch (spec.Nodes[i])
            {
                case EmbeddingSpec e:
                {
                    int word = checked(e.Vocabulary * e.Hidden), position = checked(e.Positions * e.Hidden), type = checked(e.TypeVocabulary * e.Hidden);
                    var all = new float[checked(word + position + type)];
                    read(e.Name + ".word_embeddings.weight", [e.Vocabulary, e.Hidden], e.Name, all.AsSpan(0, word));
                    read(e.Name + ".position_embeddings.weight", [e.Positions, e.Hidden], e.Name, all.AsSpan(word, position));
                    read(e.Name + ".token_type_embeddings.weight", [e.TypeVocabulary, e.Hidden], e.Name, all.AsSpan(word + position, type));
                    parameters[i] = all;
                    break;
                }

                case LayerNormSpec l:
                {
                    var all = new float[2 * l.Width];
                    read(l.Name + ".weight", [l.Width], l.Name, all.AsSpan(0, l.Width));
                    read(l.Name + ".bias", [l.Width], l.Name, all.AsSpan(l.Width));
                    parameters[i] = all;
                    break;
                }
            }
        }

        _ = sourceName;
        return parameters;
    }

    private static void CheckShape(string source, string name, string node, IReadOnlyList<long> actual, long[] expected)
    {
        bool same = actual.Count == expected.Length;
        for (int d = 0; same && d < expected.Length; d++)
        {
            same = actual[d] == expected[d];
        }

        if (!same)
        {
            throw new WeightsMismatchException(
                $"Tensor '{name}' in '{source}' has shape {SafetensorsTensorInfo.FormatShape(actual)}; node '{node}' of {TNetwork.Spec.Name} needs {SafetensorsTensorInfo.FormatShape(expected)}.",
                source,
                name,
                node);
        }
    }
}
