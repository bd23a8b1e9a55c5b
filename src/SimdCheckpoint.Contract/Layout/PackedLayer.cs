using System;
using System.Globalization;

namespace SimdCheckpoint;

/// <summary>
/// Where one dense layer's weights live in a network's packed buffer, in the panel layout its kernels read: the one
/// definition of that layout (<see cref="For"/>), which the generator plans its kernels' constants with at build time
/// and the runtime packs, transposes and checks weights with.
/// </summary>
/// <remarks>
/// Offsets and lengths count floats from the start of the (64-byte aligned) packed buffer.
/// <list type="bullet">
/// <item><description>Main panels p = 0 .. N / PanelWidth - 1 start at <c>WeightOffset + p·K·PanelWidth</c>; element
/// (k, j) of a panel, at <c>k·PanelWidth + j</c>, holds W[k, p·PanelWidth + j].</description></item>
/// <item><description>A tail panel, when N is not a multiple of PanelWidth, follows them with width TailWidth (N's
/// remainder rounded up to 8 floats): element (k, j) at <c>k·TailWidth + j</c> holds W[k, MainColumns + j], zero past
/// N.</description></item>
/// <item><description>The bias, zero-padded to MainColumns + TailWidth, starts at <c>BiasOffset</c>, rounded up to 16
/// floats (64 bytes); the block's <c>Length</c> is rounded up to 16 floats too, so the next layer's block is aligned.</description></item>
/// </list>
/// Zero padding means a kernel computes its tail columns with full vectors and simply does not store the padding.
/// </remarks>
public sealed class PackedLayer
{
    /// <summary>The tail panel's width is the remainder rounded up to this many floats: one Vector256, or half a Vector512.</summary>
    public const int TailGranule = 8;

    /// <summary>Blocks and the bias start on this many floats: 64 bytes, a cache line and a Vector512.</summary>
    public const int Alignment = 16;

    private PackedLayer(int inputs, int outputs, int panelWidth, int weightOffset)
    {
        Inputs = inputs;
        Outputs = outputs;
        PanelWidth = panelWidth;
        WeightOffset = weightOffset;
        MainPanels = outputs / panelWidth;
        TailColumns = outputs - (MainPanels * panelWidth);
        TailWidth = RoundUp(TailColumns, TailGranule);
        long panelStride = (long)inputs * panelWidth;
        long tailOffset = MainPanels * panelStride;
        long bias = RoundUp(tailOffset + ((long)inputs * TailWidth), Alignment);
        long length = RoundUp(bias + ((long)MainPanels * panelWidth) + TailWidth, Alignment);
        if (weightOffset + length > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(inputs), "The packed layer would end past the largest array.");
        }

        PanelStride = (int)panelStride;
        TailOffset = weightOffset + (int)tailOffset;
        BiasOffset = weightOffset + (int)bias;
        Length = (int)length;
    }

    /// <summary>K.</summary>
    public int Inputs { get; }

    /// <summary>N.</summary>
    public int Outputs { get; }

    /// <summary>Columns per main panel (the kernel's NR).</summary>
    public int PanelWidth { get; }

    /// <summary>The number of full panels.</summary>
    public int MainPanels { get; }

    /// <summary>The columns covered by full panels.</summary>
    public int MainColumns => MainPanels * PanelWidth;

    /// <summary>The columns of the tail panel that hold weights: N − MainColumns (0 when N is a multiple of <see cref="PanelWidth"/>).</summary>
    public int TailColumns { get; }

    /// <summary>Columns of the zero-padded tail panel, or 0 when N is a multiple of <see cref="PanelWidth"/>.</summary>
    public int TailWidth { get; }

    /// <summary>Floats per main panel: K·PanelWidth.</summary>
    public int PanelStride { get; }

    /// <summary>Offset of the first panel.</summary>
    public int WeightOffset { get; }

    /// <summary>Offset of the tail panel (where the main panels end).</summary>
    public int TailOffset { get; }

    /// <summary>Offset of the bias.</summary>
    public int BiasOffset { get; }

    /// <summary>Floats from <see cref="WeightOffset"/> to the end of this layer's block (padding included); a multiple of 16.</summary>
    public int Length { get; }

    /// <summary>
    /// Column panels, the zero-padded tail counted as the last: the unit in which threads share a layer's columns
    /// (panel p covers columns p·PanelWidth up to the next panel or N).
    /// </summary>
    public int Panels => MainPanels + (TailWidth > 0 ? 1 : 0);

    /// <summary>The layout of a layer of <paramref name="inputs"/> × <paramref name="outputs"/> whose block starts at <paramref name="weightOffset"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, the panel width is not a positive multiple of 8, or the offset is not 64-byte aligned.</exception>
    public static PackedLayer For(int inputs, int outputs, int panelWidth, int weightOffset)
    {
        if (inputs <= 0 || outputs <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(inputs), "A packed layer needs at least one input and one output.");
        }

        if (panelWidth <= 0 || panelWidth % TailGranule != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(panelWidth), panelWidth, "The panel width must be a positive multiple of 8.");
        }

        if (weightOffset < 0 || weightOffset % Alignment != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(weightOffset), weightOffset, "A layer's block starts on a multiple of 16 floats.");
        }

        return new PackedLayer(inputs, outputs, panelWidth, weightOffset);
    }

    /// <summary>Where panel <paramref name="panel"/> (the tail when it is <see cref="MainPanels"/>) starts.</summary>
    public int PanelOffset(int panel) => WeightOffset + (panel * PanelStride);

    /// <summary>The row stride of panel <paramref name="panel"/>: <see cref="PanelWidth"/>, or <see cref="TailWidth"/> for the tail.</summary>
    public int PanelColumns(int panel) => panel < MainPanels ? PanelWidth : TailWidth;

    /// <summary>Where W[<paramref name="k"/>, <paramref name="n"/>] lives.</summary>
    public int Offset(int k, int n)
    {
        int panel = n / PanelWidth;
        return PanelOffset(panel) + (k * PanelColumns(panel)) + (n - (panel * PanelWidth));
    }

    /// <inheritdoc/>
    public override string ToString() =>
        Inputs.ToString(CultureInfo.InvariantCulture) + "x" + Outputs.ToString(CultureInfo.InvariantCulture) + " at "
        + WeightOffset.ToString(CultureInfo.InvariantCulture) + ": " + MainPanels.ToString(CultureInfo.InvariantCulture) + " panel(s) of "
        + PanelWidth.ToString(CultureInfo.InvariantCulture) + (TailWidth > 0 ? ", a tail of " + TailWidth.ToString(CultureInfo.InvariantCulture) : string.Empty)
        + ", bias at " + BiasOffset.ToString(CultureInfo.InvariantCulture) + ", " + Length.ToString(CultureInfo.InvariantCulture) + " floats";

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    private static long RoundUp(long value, long multiple) => (value + multiple - 1) / multiple * multiple;
}
