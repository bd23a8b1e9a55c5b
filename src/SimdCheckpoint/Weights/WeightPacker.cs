using System;

namespace SimdCheckpoint;

/// <summary>Copies a layer's weights and bias into the panel layout of <see cref="PackedLayer"/>.</summary>
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
        Span<float> block = packed.Slice(layer.WeightOffset, layer.Length);
        block.Clear();

        int width = layer.PanelWidth;
        int panels = layer.MainPanels;
        for (int p = 0; p <= panels; p++)
        {
            bool tail = p == panels;
            int panelWidth = tail ? layer.TailWidth : width;
            if (panelWidth == 0)
            {
                break;
            }

            int firstColumn = p * width;
            int columns = Math.Min(panelWidth, n - firstColumn);
            Span<float> panel = block.Slice(p * k * width, k * panelWidth);
            if (layout == WeightLayout.InputsByOutputs)
            {
                for (int row = 0; row < k; row++)
                {
                    weight.Slice((row * n) + firstColumn, columns).CopyTo(panel.Slice(row * panelWidth, columns));
                }
            }
            else
            {
                for (int j = 0; j < columns; j++)
                {
                    ReadOnlySpan<float> column = weight.Slice((firstColumn + j) * k, k);
                    for (int row = 0; row < k; row++)
                    {
                        panel[(row * panelWidth) + j] = column[row];
                    }
                }
            }
        }

        bias.CopyTo(packed.Slice(layer.BiasOffset, n));
    }
}
