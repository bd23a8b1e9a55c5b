using System;

namespace SimdCheckpoint.Checkpointing;

/// <summary>Every layer's dW ([K, N], row-major: the InputsByOutputs layout) and db, allocated once and overwritten by each backward pass.</summary>
public sealed class LayerGradients
{
    private readonly float[][] _weights;
    private readonly float[][] _biases;

    /// <summary>Allocates the gradients of every layer of <paramref name="spec"/>.</summary>
    public LayerGradients(NetworkSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Spec = spec;
        _weights = new float[spec.Layers.Count][];
        _biases = new float[spec.Layers.Count][];
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            _weights[i] = new float[spec.Layers[i].Inputs * spec.Layers[i].Outputs];
            _biases[i] = new float[spec.Layers[i].Outputs];
        }
    }

    /// <summary>The network these gradients belong to.</summary>
    public NetworkSpec Spec { get; }

    /// <summary>dW of layer <paramref name="layer"/>: K·N floats, W[k, n] at k·N + n.</summary>
    public Span<float> Weight(int layer) => _weights[layer];

    /// <summary>db of layer <paramref name="layer"/>: N floats.</summary>
    public Span<float> Bias(int layer) => _biases[layer];
}
