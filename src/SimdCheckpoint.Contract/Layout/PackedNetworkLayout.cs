using System;
using System.Collections.Generic;

namespace SimdCheckpoint;

/// <summary>
/// The packed layout of every dense layer of a network: each layer's block (<see cref="PackedLayer.For"/>) laid end
/// to end, in the order the layers run.
/// </summary>
public sealed class PackedNetworkLayout
{
    private readonly PackedLayer[] _layers;

    private PackedNetworkLayout(PackedLayer[] layers, int length, int panelWidth)
    {
        _layers = layers;
        Length = length;
        PanelWidth = panelWidth;
    }

    /// <summary>One entry per dense layer (<see cref="NetworkSpec.Layers"/>).</summary>
    public IReadOnlyList<PackedLayer> Layers => _layers;

    /// <summary>The packed buffer's length in floats.</summary>
    public int Length { get; }

    /// <summary>Columns per main panel, the same for every layer.</summary>
    public int PanelWidth { get; }

    /// <summary>The layout of <paramref name="spec"/>'s weights in panels of <paramref name="panelWidth"/> columns.</summary>
    public static PackedNetworkLayout For(NetworkSpec spec, int panelWidth) => Create(spec, panelWidth, transposed: false);

    /// <summary>
    /// The layout of each layer's transposed weights, as a layer of N inputs and K outputs with a zero bias: what the
    /// backward pass's dX = dZ·Wᵀ kernels read.
    /// </summary>
    public static PackedNetworkLayout ForTransposed(NetworkSpec spec, int panelWidth) => Create(spec, panelWidth, transposed: true);

    private static PackedNetworkLayout Create(NetworkSpec spec, int panelWidth, bool transposed)
    {
        if (spec is null)
        {
            throw new ArgumentNullException(nameof(spec));
        }

        var layers = new PackedLayer[spec.Layers.Count];
        long offset = 0;
        for (int i = 0; i < layers.Length; i++)
        {
            DenseLayerSpec l = spec.Layers[i];
            if (offset > int.MaxValue)
            {
                throw new ArgumentOutOfRangeException(nameof(spec), "The packed weights would exceed the largest array.");
            }

            layers[i] = transposed ? PackedLayer.For(l.Outputs, l.Inputs, panelWidth, (int)offset) : PackedLayer.For(l.Inputs, l.Outputs, panelWidth, (int)offset);
            offset += layers[i].Length;
        }

        if (offset > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(spec), "The packed weights would exceed the largest array.");
        }

        return new PackedNetworkLayout(layers, (int)offset, panelWidth);
    }
}
