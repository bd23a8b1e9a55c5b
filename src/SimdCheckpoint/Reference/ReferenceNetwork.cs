using System;
using System.Collections.Generic;

namespace SimdCheckpoint.Reference;

/// <summary>
/// A whole network evaluated layer by layer with <see cref="ReferenceDense"/>, from unpacked weights: the definition
/// the generated kernels must reproduce bit for bit. Allocates; meant for tests and verification.
/// </summary>
public sealed class ReferenceNetwork
{
    private readonly DenseLayerWeights[] _weights;

    /// <summary>Pairs a spec with one <see cref="DenseLayerWeights"/> per layer.</summary>
    public ReferenceNetwork(NetworkSpec spec, IReadOnlyList<DenseLayerWeights> weights)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count != spec.Layers.Count)
        {
            throw new ArgumentException($"The network has {spec.Layers.Count} layers but {weights.Count} weights were given.", nameof(weights));
        }

        for (int i = 0; i < weights.Count; i++)
        {
            weights[i].CheckShape(spec.Layers[i], "layer " + i);
        }

        Spec = spec;
        _weights = [.. weights];
    }

    /// <summary>The network.</summary>
    public NetworkSpec Spec { get; }

    /// <summary>Runs <paramref name="batch"/> rows through every layer.</summary>
    public void Forward(ReadOnlySpan<float> input, Span<float> output, int batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        if (input.Length != batch * Spec.InputSize || output.Length != batch * Spec.OutputSize)
        {
            throw new ArgumentException("The input or output length does not match the batch size.");
        }

        float[] current = input.ToArray();
        for (int i = 0; i < _weights.Length; i++)
        {
            DenseLayerSpec layer = Spec.Layers[i];
            float[] next = new float[batch * layer.Outputs];
            ReferenceDense.Forward(
                current, layer.Inputs, _weights[i].Weight, _weights[i].Bias, next, layer.Outputs, batch,
                layer.Inputs, layer.Outputs, layer.Activation, layer.Alpha, _weights[i].Layout);
            current = next;
        }

        current.CopyTo(output);
    }

    /// <summary>Runs the network and returns the activation after every layer (index 0 is the first layer's output).</summary>
    public float[][] ForwardAllLayers(ReadOnlySpan<float> input, int batch)
    {
        var result = new float[_weights.Length][];
        float[] current = input.ToArray();
        for (int i = 0; i < _weights.Length; i++)
        {
            DenseLayerSpec layer = Spec.Layers[i];
            float[] next = new float[batch * layer.Outputs];
            ReferenceDense.Forward(
                current, layer.Inputs, _weights[i].Weight, _weights[i].Bias, next, layer.Outputs, batch,
                layer.Inputs, layer.Outputs, layer.Activation, layer.Alpha, _weights[i].Layout);
            result[i] = next;
            current = next;
        }

        return result;
    }
}
