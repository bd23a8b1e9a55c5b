using System;
using System.Collections.Generic;

namespace SimdCheckpoint;

/// <summary>
/// Where one layer's weights live in a network's packed buffer, in the panel layout its kernels read. The source
/// generator decides it at compile time (the kernels use the same numbers as constants); the packer follows it.
/// </summary>
/// <remarks>
/// Offsets and lengths count floats from the start of the (64-byte aligned) packed buffer.
/// <list type="bullet">
/// <item><description>Main panels p = 0 .. N / PanelWidth - 1 start at <c>WeightOffset + p·K·PanelWidth</c>; element
/// (k, j) of a panel, at <c>k·PanelWidth + j</c>, holds W[k, p·PanelWidth + j].</description></item>
/// <item><description>A tail panel, when N is not a multiple of PanelWidth, follows them with width TailWidth (a
/// multiple of the vector width): element (k, j) at <c>k·TailWidth + j</c> holds W[k, MainColumns + j], zero past N.</description></item>
/// <item><description>The bias, zero-padded to MainColumns + TailWidth, starts at <c>BiasOffset</c>.</description></item>
/// </list>
/// Zero padding means a kernel computes its tail columns with full vectors and simply does not store the padding.
/// </remarks>
public sealed class PackedLayer
{
    /// <summary>Describes one layer's place in the packed buffer; see the type's remarks.</summary>
    public PackedLayer(int inputs, int outputs, int panelWidth, int tailWidth, int weightOffset, int biasOffset, int length)
    {
        Inputs = inputs;
        Outputs = outputs;
        PanelWidth = panelWidth;
        TailWidth = tailWidth;
        WeightOffset = weightOffset;
        BiasOffset = biasOffset;
        Length = length;
    }

    /// <summary>K.</summary>
    public int Inputs { get; }

    /// <summary>N.</summary>
    public int Outputs { get; }

    /// <summary>Columns per main panel (the kernel's NR).</summary>
    public int PanelWidth { get; }

    /// <summary>Columns of the zero-padded tail panel, or 0 when N is a multiple of <see cref="PanelWidth"/>.</summary>
    public int TailWidth { get; }

    /// <summary>Offset of the first panel.</summary>
    public int WeightOffset { get; }

    /// <summary>Offset of the bias.</summary>
    public int BiasOffset { get; }

    /// <summary>Floats from <see cref="WeightOffset"/> to the end of this layer's block (padding included).</summary>
    public int Length { get; }

    /// <summary>The number of full panels.</summary>
    public int MainPanels => Outputs / PanelWidth;

    /// <summary>The columns covered by full panels.</summary>
    public int MainColumns => MainPanels * PanelWidth;

    /// <summary>
    /// Column panels, the zero-padded tail counted as the last: the unit in which threads share a layer's columns
    /// (panel p covers columns p·PanelWidth up to the next panel or N).
    /// </summary>
    public int Panels => MainPanels + (TailWidth > 0 ? 1 : 0);

    /// <summary>Checks that the layout is self-consistent for a layer of K inputs and N outputs.</summary>
    internal void Validate(int index, DenseLayerSpec layer)
    {
        int tailColumns = Outputs - MainColumns;
        bool ok = Inputs == layer.Inputs
            && Outputs == layer.Outputs
            && PanelWidth > 0 && PanelWidth % 4 == 0
            && (tailColumns == 0 ? TailWidth == 0 : TailWidth >= tailColumns && TailWidth <= PanelWidth)
            && WeightOffset >= 0 && WeightOffset % 16 == 0
            && BiasOffset >= WeightOffset + ((long)Inputs * (MainColumns + TailWidth))
            && BiasOffset % 16 == 0
            && (long)WeightOffset + Length >= BiasOffset + MainColumns + (long)TailWidth;
        if (!ok)
        {
            throw new InvalidOperationException($"The generated packing layout of layer {index} ('{layer.Name}') is inconsistent with its spec; rebuild the project.");
        }
    }
}

/// <summary>The packed layout of every layer of a network, as the source generator planned it.</summary>
public sealed class PackedNetworkLayout
{
    private readonly PackedLayer[] _layers;

    /// <summary>Creates the layout; <paramref name="length"/> is the packed buffer's total length in floats.</summary>
    public PackedNetworkLayout(PackedLayer[] layers, int length)
    {
        ArgumentNullException.ThrowIfNull(layers);
        _layers = layers;
        Length = length;
    }

    /// <summary>One entry per layer.</summary>
    public IReadOnlyList<PackedLayer> Layers => _layers;

    /// <summary>The packed buffer's length in floats.</summary>
    public int Length { get; }

    internal void Validate(NetworkSpec spec) => Validate(spec, transposed: false);

    /// <summary>Checks the layout against the spec's layers, or, when <paramref name="transposed"/>, against each layer's Wᵀ (N inputs, K outputs).</summary>
    internal void Validate(NetworkSpec spec, bool transposed)
    {
        if (_layers.Length != spec.Layers.Count)
        {
            throw new InvalidOperationException($"The generated packing layout has {_layers.Length} layers; the network has {spec.Layers.Count}. Rebuild the project.");
        }

        long end = 0;
        for (int i = 0; i < _layers.Length; i++)
        {
            DenseLayerSpec layer = spec.Layers[i];
            _layers[i].Validate(i, transposed ? new DenseLayerSpec(layer.Name, layer.Outputs, layer.Inputs) : layer);
            if (_layers[i].WeightOffset < end)
            {
                throw new InvalidOperationException($"The generated packing layout of layer {i} overlaps the layer before it. Rebuild the project.");
            }

            end = (long)_layers[i].WeightOffset + _layers[i].Length;
        }

        if (end > Length)
        {
            throw new InvalidOperationException("The generated packing layout is longer than its declared length. Rebuild the project.");
        }
    }
}
