using System;

namespace SimdCheckpoint;

/// <summary>One dense layer's unpacked weights and bias, as a framework would hold them.</summary>
public sealed class DenseLayerWeights
{
    /// <summary>Wraps (does not copy) a layer's weights and bias.</summary>
    /// <param name="weight">K·N floats in <paramref name="layout"/>.</param>
    /// <param name="bias">N floats.</param>
    /// <param name="layout">The layout of <paramref name="weight"/>.</param>
    public DenseLayerWeights(float[] weight, float[] bias, WeightLayout layout)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(bias);
        Weight = weight;
        Bias = bias;
        Layout = layout;
    }

    /// <summary>The weights, K·N floats in <see cref="Layout"/>.</summary>
    public float[] Weight { get; }

    /// <summary>The bias, N floats.</summary>
    public float[] Bias { get; }

    /// <summary>The layout of <see cref="Weight"/>.</summary>
    public WeightLayout Layout { get; }

    /// <summary>The weight W[k, n], whatever the layout.</summary>
    public float this[int k, int n, int inputs, int outputs] =>
        Layout == WeightLayout.InputsByOutputs ? Weight[(k * outputs) + n] : Weight[(n * inputs) + k];

    internal void CheckShape(DenseLayerSpec layer, string who)
    {
        if (Weight.Length != (long)layer.Inputs * layer.Outputs)
        {
            throw new ArgumentException($"The weight of {who} ('{layer.Name}') has {Weight.Length} elements; it needs {layer.Inputs}·{layer.Outputs} = {(long)layer.Inputs * layer.Outputs}.");
        }

        if (Bias.Length != layer.Outputs)
        {
            throw new ArgumentException($"The bias of {who} ('{layer.Name}') has {Bias.Length} elements; it needs {layer.Outputs}.");
        }
    }
}
