using System;
using System.Collections.Generic;
using System.IO;
using SimdCheckpoint.Onnx;

namespace SimdCheckpoint;

public sealed partial class NetworkSpec
{
    /// <summary>
    /// Reads the network an ONNX model describes, with the same reader and rules the source generator applies to an
    /// <c>.onnx</c> <see cref="NetworkFileAttribute"/> file: a chain of <c>Gemm</c> or <c>MatMul</c> (+ <c>Add</c>)
    /// layers with their activations; see docs/onnx.md.
    /// </summary>
    /// <param name="model">The file's bytes.</param>
    /// <param name="sourceName">The file name for messages; without its extension, the network's name.</param>
    /// <exception cref="NetworkSpecException">
    /// The bytes are not an ONNX model (SCK0017) or the graph has a node or shape SimdCheckpoint does not compile (SCK0016);
    /// each problem names the node and its operator.
    /// </exception>
    public static NetworkSpec FromOnnx(byte[] model, string sourceName = "model.onnx")
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sourceName);
        OnnxNetworkReadResult result = OnnxNetworkReader.Read(model, Path.GetFileNameWithoutExtension(sourceName), Path.GetFileName(sourceName));
        return result.Spec ?? throw new NetworkSpecException(sourceName, new List<SpecProblem>(result.Problems));
    }

    /// <summary>Reads the network of an ONNX model file; see <see cref="FromOnnx(byte[], string)"/>.</summary>
    public static NetworkSpec FromOnnxFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return FromOnnx(File.ReadAllBytes(path), path);
    }
}

public sealed partial class NetworkWeights<TNetwork>
{
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
}
