using System;
using System.Collections.Generic;
using System.IO;

namespace SimdCheckpoint.Cli.Models;

/// <summary>
/// Where a model's weights come from, packed for a network type that exists only once the model is compiled: a
/// safetensors file (with a .json spec, or instead of an ONNX model's own), an ONNX model's initializers, or arrays.
/// </summary>
internal sealed class WeightsSource
{
    private readonly string? _path;
    private readonly WeightLayout _layout;
    private readonly IReadOnlyList<DenseLayerWeights>? _layers;
    private readonly bool _onnx;

    private WeightsSource(string description, string? path, WeightLayout layout, IReadOnlyList<DenseLayerWeights>? layers, bool onnx = false)
    {
        _onnx = onnx;
        Description = description;
        _path = path;
        _layout = layout;
        _layers = layers;
    }

    /// <summary>"mnist.safetensors (outputs-by-inputs)", for summaries.</summary>
    public string Description { get; }

    public static WeightsSource Safetensors(string path, WeightLayout layout) =>
        new($"{path} ({(layout == WeightLayout.OutputsByInputs ? "outputs-by-inputs" : "inputs-by-outputs")})", path, layout, null);

    /// <summary>The initializers of an ONNX model, checked against the compiled network by spec fingerprint.</summary>
    public static WeightsSource Onnx(string path) => new($"{path} (initializers)", path, default, null, onnx: true);

    public static WeightsSource FromLayers(IReadOnlyList<DenseLayerWeights> layers, string description) =>
        new(description, null, default, layers);

    /// <summary>An encoder's weights: its ONNX file's initializers, or a safetensors file with Hugging Face's names.</summary>
    public EncoderWeights<TNetwork> LoadEncoder<TNetwork>(bool includeDense = true)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        if (_layers is not null)
        {
            throw new InvalidOperationException("An encoder's weights come from a file.");
        }

        try
        {
            return _onnx ? EncoderWeights<TNetwork>.FromOnnx(_path!, includeDense) : EncoderWeights<TNetwork>.FromSafetensors(_path!, includeDense);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new Commands.UserInputException(_path!, "cannot be read: " + e.Message, e);
        }
    }

    /// <summary>Validates the weights against <typeparamref name="TNetwork"/>'s spec and packs them.</summary>
    /// <exception cref="WeightsException">The file is malformed, or a tensor is missing or has the wrong shape or dtype.</exception>
    public NetworkWeights<TNetwork> Load<TNetwork>()
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        if (_layers is not null)
        {
            return NetworkWeights<TNetwork>.FromLayers(_layers);
        }

        try
        {
            if (_onnx)
            {
                return NetworkWeights<TNetwork>.FromOnnx(_path!);
            }

            return NetworkWeights<TNetwork>.FromSafetensors(_path!, _layout);
        }
        catch (WeightsMismatchException e)
        {
            // The library's hint names its API; on the command line the same advice is an option.
            string message = e.Message
                .Replace("WeightLayout.OutputsByInputs", "--layout outputs-by-inputs", StringComparison.Ordinal)
                .Replace("WeightLayout.InputsByOutputs", "--layout inputs-by-outputs", StringComparison.Ordinal)
                .Replace(", OutputsByInputs)", ", outputs-by-inputs)", StringComparison.Ordinal)
                .Replace(", InputsByOutputs)", ", inputs-by-outputs)", StringComparison.Ordinal);
            throw new WeightsMismatchException(message, e.SourceName, e.TensorName, e.LayerName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new Commands.UserInputException(_path!, "cannot be read: " + e.Message, e);
        }
    }
}
