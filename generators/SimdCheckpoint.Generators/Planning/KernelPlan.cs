using System;
using System.Collections.Generic;
using System.Globalization;

namespace SimdCheckpoint.Generators.Planning;

/// <summary>
/// The compile-time plan of one dense kernel (shared by every layer with the same K, N and activation): register
/// tile, K unroll, column panels and tail, remainder-row tiles, and the packed layout its code addresses. A gradient
/// kernel is the same GEMM with another epilogue: y holds dY on entry and receives dY ⊙ act′(acc).
/// </summary>
internal sealed class KernelPlan
{
    public KernelPlan(string name, DenseLayerSpec layer, int rows, int panelWidth, bool gradient = false)
    {
        Name = name;
        Gradient = gradient;
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

        var paths = new List<PathPlan>();
        foreach (VectorIsa isa in VectorIsa.All)
        {
            // A tile override sets the Vector256 tile (and NR for all); the other paths keep their own rows.
            paths.Add(new PathPlan(isa, this, isa == VectorIsa.Vector256 ? rows : 0));
        }

        Paths = paths;
    }

    /// <summary>
    /// The backward epilogue: y holds the upstream gradient dY on entry, and each output becomes dY[m,n]·act′(acc)
    /// (one multiply), the pre-activation never leaving the registers.
    /// </summary>
    public bool Gradient { get; }

    /// <summary>"Dense784x256Relu".</summary>
    public string Name { get; }

    public int Inputs { get; }

    public int Outputs { get; }

    public Activation Activation { get; }

    public float Alpha { get; }

    /// <summary>The Vector256 path's MR (the tile override's rows).</summary>
    public int Rows { get; }

    /// <summary>NR: the packed panel width, shared by every path.</summary>
    public int PanelWidth { get; }

    /// <summary>The plan of each vector path, widest first.</summary>
    public IReadOnlyList<PathPlan> Paths { get; }

    public int KUnroll { get; }

    public int MainPanels { get; }

    public int MainColumns => MainPanels * PanelWidth;

    /// <summary>Column panels, the zero-padded tail counted as the last: the unit a thread takes of a layer's columns.</summary>
    public int Panels => MainPanels + (TailWidth > 0 ? 1 : 0);

    /// <summary>
    /// Whether the kernel gets RunPanels paths: a forward kernel of some layer whose activation is element-wise (softmax
    /// normalises whole rows, so its layers are split by rows instead).
    /// </summary>
    public bool SplitsByPanel => !Gradient && Activation != Activation.Softmax && LayerIndices.Count > 0;

    public int TailColumns { get; }

    /// <summary>The tail panel's width, a multiple of 8 (0 when N is a multiple of NR).</summary>
    public int TailWidth { get; }

    /// <summary>Floats per main panel: K·NR.</summary>
    public long PanelStride { get; }

    public long TailOffset { get; }

    public long BiasOffset { get; }

    /// <summary>Floats of one layer's packed block, padding included; a multiple of 16 (64 bytes).</summary>
    public long PackedLength { get; }

    /// <summary>The layers whose forward pass runs this kernel.</summary>
    public List<int> LayerIndices { get; } = new();

    /// <summary>The layers whose dX = dZ·Wᵀ runs this kernel on their transposed packed weights (zero bias).</summary>
    public List<int> TransposeOf { get; } = new();

    /// <summary>The layers whose dZ = dY ⊙ act′(z) runs this (gradient) kernel on their own packed weights.</summary>
    public List<int> GradientOf { get; } = new();

    public static long RoundUp(long value, long multiple) => (value + multiple - 1) / multiple * multiple;

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    /// <summary>The canonical formula the kernel implements, for its header.</summary>
    public string Formula
    {
        get
        {
            string act = Activation switch
            {
                Activation.Identity => string.Empty,
                Activation.LeakyRelu => "leaky_relu[alpha=" + Alpha.ToString("R", CultureInfo.InvariantCulture) + "]",
                _ => ActivationNames.ToJsonName(Activation),
            };
            string k = (Inputs - 1).ToString(CultureInfo.InvariantCulture);
            if (Gradient)
            {
                return $"y[m,n] = y[m,n]·{act}′(acc) (y holds dY on entry and receives dZ), acc = b[n]; for k = 0..{k} ascending: acc = fma(x[m,k], W[k,n], acc)";
            }

            return act.Length == 0
                ? $"y[m,n] = acc, acc = b[n]; for k = 0..{k} ascending: acc = fma(x[m,k], W[k,n], acc)"
                : Activation == Activation.Softmax
                ? $"y[m,:] = softmax(acc[m,:]) over the row, acc = b[n]; for k = 0..{k} ascending: acc = fma(x[m,k], W[k,n], acc)"
                : $"y[m,n] = {act}(acc), acc = b[n]; for k = 0..{k} ascending: acc = fma(x[m,k], W[k,n], acc)";
        }
    }

    public bool SameShape(DenseLayerSpec layer, bool gradient) =>
        gradient == Gradient && layer.Inputs == Inputs && layer.Outputs == Outputs && layer.Activation == Activation
        && BitConverter.ToInt32(BitConverter.GetBytes(layer.Alpha), 0) == BitConverter.ToInt32(BitConverter.GetBytes(Alpha), 0);
}
