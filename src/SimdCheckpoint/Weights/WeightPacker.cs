using System;

namespace SimdCheckpoint;

/// <summary>Copies a layer's weights and bias into the panel layout of <see cref="PackedLayer"/>, and back out of it.</summary>
internal static class WeightPacker
{
    /// <summary>
    /// Packs W (in <paramref name="layout"/>) and b into <paramref name="packed"/>, which is the whole network's packed
    /// buffer. Padding is written as zeros, so a buffer can be packed again in place.
    /// </summary>
    public static void Pack(PackedLayer layer, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, WeightLayout layout, Span<float> packed)
    {
        int k = layer.Inputs;
        int n = layer.Outputs;
        packed.Slice(layer.WeightOffset, layer.Length).Clear();
        for (int p = 0; p < layer.Panels; p++)
        {
            int width = layer.PanelColumns(p);
            int firstColumn = p * layer.PanelWidth;
            int columns = Math.Min(width, n - firstColumn);
            Span<float> panel = packed.Slice(layer.PanelOffset(p), k * width);
            if (layout == WeightLayout.InputsByOutputs)
            {
                for (int row = 0; row < k; row++)
                {
                    weight.Slice((row * n) + firstColumn, columns).CopyTo(panel.Slice(row * width, columns));
                }
            }
            else
            {
                for (int j = 0; j < columns; j++)
                {
                    ReadOnlySpan<float> column = weight.Slice((firstColumn + j) * k, k);
                    for (int row = 0; row < k; row++)
                    {
                        panel[(row * width) + j] = column[row];
                    }
                }
            }
        }

        bias.CopyTo(packed.Slice(layer.BiasOffset, n));
    }

    /// <summary>W of a packed layer as [N, K] (row n holds W[·, n]): the layout of its transpose as a layer of N inputs.</summary>
    public static void UnpackTransposed(PackedLayer layer, ReadOnlySpan<float> packed, Span<float> transposed)
    {
        int k = layer.Inputs;
        for (int row = 0; row < k; row++)
        {
            for (int n = 0; n < layer.Outputs; n++)
            {
                transposed[(n * k) + row] = packed[layer.Offset(row, n)];
            }
        }
    }
}
