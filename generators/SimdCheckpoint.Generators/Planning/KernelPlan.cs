using System;
using System.Collections.Generic;
using System.Globalization;

namespace SimdCheckpoint.Generators.Planning;

/// <summary>
/// The compile-time plan of one dense kernel (shared by every layer with the same K, N and activation): register
/// tile, K unroll, column panels and tail, remainder-row tiles, and the packed layout its code addresses.
/// </summary>
internal sealed class KernelPlan
{
    public KernelPlan(string name, DenseLayerSpec layer, int rows, int panelWidth)
    {
        Name = name;
        Inputs = layer.Inputs;
        Outputs = layer.Outputs;
        Activation = layer.Activation;
        Alpha = layer.Alpha;
        Rows = rows;
        PanelWidth = panelWidth;
        MainPanels = Outputs / panelWidth;
        TailColumns = Outputs - (MainPanels * panelWidth);
        TailWidth = RoundUp(TailColumns, TilePolicy.VectorWidth);
        KUnroll = TilePolicy.KUnroll;

        PanelStride = (long)Inputs * panelWidth;
        TailOffset = MainPanels * PanelStride;
        BiasOffset = RoundUp(TailOffset + ((long)Inputs * TailWidth), 16);
        PackedLength = RoundUp(BiasOffset + (MainPanels * panelWidth) + TailWidth, 16);

        // Rows left over after the full MR-row blocks get tiles that span several panels, so each call still keeps
        // at least MinChains independent FMA chains (batch 1 would otherwise run 2 chains and wait on latency).
        int[] rowPanels = new int[rows + 1];
        for (int r = 1; r <= rows; r++)
        {
            int q = 1;
            while (r < rows && r * Vectors * q < TilePolicy.MinChains && TilePolicy.Fits(r, Vectors * (q + 1)) && q < MainPanels)
            {
                q++;
            }

            rowPanels[r] = q;
        }

        RowPanels = rowPanels;
    }

    /// <summary>"Dense784x256Relu".</summary>
    public string Name { get; }

    public int Inputs { get; }

    public int Outputs { get; }

    public Activation Activation { get; }

    public float Alpha { get; }

    /// <summary>MR.</summary>
    public int Rows { get; }

    /// <summary>NR.</summary>
    public int PanelWidth { get; }

    public int Vectors => PanelWidth / TilePolicy.VectorWidth;

    public int KUnroll { get; }

    public int MainPanels { get; }

    public int MainColumns => MainPanels * PanelWidth;

    public int TailColumns { get; }

    /// <summary>The tail panel's width, a multiple of 8 (0 when N is a multiple of NR).</summary>
    public int TailWidth { get; }

    /// <summary>Floats per main panel: K·NR.</summary>
    public long PanelStride { get; }

    public long TailOffset { get; }

    public long BiasOffset { get; }

    /// <summary>Floats of one layer's packed block, padding included; a multiple of 16 (64 bytes).</summary>
    public long PackedLength { get; }

    /// <summary>For r = 1..MR remaining rows, how many main panels one tile call covers.</summary>
    public IReadOnlyList<int> RowPanels { get; }

    public List<int> LayerIndices { get; } = new();

    public static long RoundUp(long value, long multiple) => (value + multiple - 1) / multiple * multiple;

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    /// <summary>The canonical formula the kernel implements, for its header.</summary>
    public string Formula
    {
        get
        {
            string act = Activation switch
            {
                Activation.Relu => "relu",
                Activation.LeakyRelu => "leaky_relu[alpha=" + Alpha.ToString("R", CultureInfo.InvariantCulture) + "]",
                _ => string.Empty,
            };
            string k = (Inputs - 1).ToString(CultureInfo.InvariantCulture);
            return act.Length == 0
                ? $"y[m,n] = acc, acc = b[n]; for k = 0..{k} ascending: acc = fma(x[m,k], W[k,n], acc)"
                : $"y[m,n] = {act}(acc), acc = b[n]; for k = 0..{k} ascending: acc = fma(x[m,k], W[k,n], acc)";
        }
    }

    public bool SameShape(DenseLayerSpec layer) =>
        layer.Inputs == Inputs && layer.Outputs == Outputs && layer.Activation == Activation
        && BitConverter.ToInt32(BitConverter.GetBytes(layer.Alpha), 0) == BitConverter.ToInt32(BitConverter.GetBytes(Alpha), 0);
}
