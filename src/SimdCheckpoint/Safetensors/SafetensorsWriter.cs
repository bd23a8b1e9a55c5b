using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace SimdCheckpoint.Safetensors;

/// <summary>One F32 tensor to write.</summary>
/// <param name="Name">The tensor's name.</param>
/// <param name="Shape">Its dimensions, outermost first.</param>
/// <param name="Data">Its elements, row-major.</param>
public readonly record struct SafetensorsTensor(string Name, long[] Shape, ReadOnlyMemory<float> Data);

/// <summary>Writes F32 tensors in the safetensors format, header padded to 8 bytes as the format recommends.</summary>
public static class SafetensorsWriter
{
    /// <summary>
    /// The <c>__metadata__</c> key under which <see cref="WriteNetwork"/> records <see cref="NetworkSpec.Fingerprint"/>;
    /// <see cref="NetworkWeights{TNetwork}.FromSafetensors(string, WeightLayout)"/> rejects a file whose value differs
    /// from the compiled network's. Files without it (PyTorch's) are checked tensor by tensor only.
    /// </summary>
    public const string SpecFingerprintKey = "simdcheckpoint.spec_fingerprint";

    /// <summary>Writes the tensors, in the order given, with optional string metadata.</summary>
    public static void Write(Stream stream, IReadOnlyList<SafetensorsTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);

        var headerStream = new MemoryStream();
        using (var json = new Utf8JsonWriter(headerStream))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (KeyValuePair<string, string> kv in metadata)
                {
                    json.WriteString(kv.Key, kv.Value);
                }

                json.WriteEndObject();
            }

            long offset = 0;
            foreach (SafetensorsTensor t in tensors)
            {
                long count = 1;
                foreach (long d in t.Shape)
                {
                    count = checked(count * d);
                }

                if (count != t.Data.Length)
                {
                    throw new ArgumentException($"Tensor '{t.Name}' has shape {SafetensorsTensorInfo.FormatShape(t.Shape)} ({count} elements) but {t.Data.Length} values.", nameof(tensors));
                }

                json.WriteStartObject(t.Name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (long d in t.Shape)
                {
                    json.WriteNumberValue(d);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + (count * 4));
                json.WriteEndArray();
                json.WriteEndObject();
                offset += count * 4;
            }

            json.WriteEndObject();
        }

        while (headerStream.Length % 8 != 0)
        {
            headerStream.WriteByte((byte)' ');
        }

        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)headerStream.Length);
        stream.Write(prefix);
        headerStream.Position = 0;
        headerStream.CopyTo(stream);
        foreach (SafetensorsTensor t in tensors)
        {
            if (BitConverter.IsLittleEndian)
            {
                stream.Write(MemoryMarshal.AsBytes(t.Data.Span));
            }
            else
            {
                byte[] bytes = new byte[t.Data.Length * 4];
                for (int i = 0; i < t.Data.Length; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), t.Data.Span[i]);
                }

                stream.Write(bytes);
            }
        }
    }

    /// <summary>
    /// Writes a network's weights as <c>{layer}.weight</c> (shaped for each layer's layout: [K, N] or [N, K]) and
    /// <c>{layer}.bias</c> ([N]), the names and shapes <see cref="NetworkWeights{TNetwork}"/> loads.
    /// </summary>
    public static void WriteNetwork(Stream stream, NetworkSpec spec, IReadOnlyList<DenseLayerWeights> weights)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count != spec.Layers.Count)
        {
            throw new ArgumentException($"The network has {spec.Layers.Count} layers but {weights.Count} weights were given.", nameof(weights));
        }

        var tensors = new List<SafetensorsTensor>();
        for (int i = 0; i < weights.Count; i++)
        {
            DenseLayerSpec layer = spec.Layers[i];
            weights[i].CheckShape(layer, "layer " + i);
            long[] shape = weights[i].Layout == WeightLayout.InputsByOutputs ? [layer.Inputs, layer.Outputs] : [layer.Outputs, layer.Inputs];
            tensors.Add(new SafetensorsTensor(layer.Name + ".weight", shape, weights[i].Weight));
            tensors.Add(new SafetensorsTensor(layer.Name + ".bias", [layer.Outputs], weights[i].Bias));
        }

        Write(stream, tensors, new Dictionary<string, string>
        {
            ["network"] = spec.Name,
            ["shape"] = spec.Shape,
            [SpecFingerprintKey] = spec.Fingerprint,
        });
    }
}
