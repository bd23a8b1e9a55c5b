using System.Collections.Generic;
using System.Globalization;

namespace SimdCheckpoint.Generators.Planning;

/// <summary>
/// One register-tiled microkernel, planned: R rows by a list of column vectors of one width that share a K-step
/// stride, with no loop in the row or column direction. A main tile spans whole panels; a tail tile spans the
/// zero-padded tail panel and stores its last vector only as far as the layer's last column. Tiles are generic over
/// the kernel's constants (K, offsets, activation), so every layer whose plan needs this shape shares one.
/// </summary>
internal sealed class TilePlan
{
    private TilePlan(VectorIsa isa, int rows, int lanes, IReadOnlyList<TileColumn> columns, int stepStride, int panels, bool tail, string name, string description, bool kBlock = false)
    {
        KBlock = kBlock;
        Isa = isa;
        Rows = rows;
        Lanes = lanes;
        Columns = columns;
        StepStride = stepStride;
        Panels = panels;
        IsTail = tail;
        Name = name;
        Description = description;
        var key = new System.Text.StringBuilder();
        key.Append(isa.Name).Append('|').Append(rows).Append('|').Append(lanes).Append('|').Append(stepStride).Append('|').Append(panels).Append('|').Append(tail).Append('|').Append(kBlock);
        foreach (TileColumn c in columns)
        {
            key.Append('|').Append(c.Panel).Append(':').Append(c.WeightOffset).Append(':').Append(c.YOffset).Append(':').Append(c.Partial);
        }

        Key = key.ToString();
    }

    /// <summary>Everything the tile's code depends on: two tiles with one key are the same text.</summary>
    public string Key { get; }

    public VectorIsa Isa { get; }

    public int Rows { get; }

    /// <summary>Lanes of each column vector.</summary>
    public int Lanes { get; }

    public IReadOnlyList<TileColumn> Columns { get; }

    /// <summary>Floats between consecutive k in the packed panel: the panel width, or the tail panel's.</summary>
    public int StepStride { get; }

    /// <summary>Whole panels spanned (main tiles); 0 for a tail tile.</summary>
    public int Panels { get; }

    public bool IsTail { get; }

    /// <summary>
    /// A K-block tile: k in [k0, k1) only, starting from the bias when k0 = 0 and otherwise from the partial sums it
    /// stored in y for [0, k0), with the activation only after the block that ends at K.
    /// </summary>
    public bool KBlock { get; }

    /// <summary>"Tile8x48", "Tail3x12": unique within its path's tile class.</summary>
    public string Name { get; }

    public string Description { get; }

    /// <summary>Whether the step loads the weight vectors first and broadcasts each row in turn (rows ≥ columns), or the reverse.</summary>
    public bool WeightsFirst => Rows >= Columns.Count;

    /// <summary>R rows by <paramref name="panels"/> whole panels of <paramref name="panelWidth"/> columns.</summary>
    public static TilePlan Main(VectorIsa isa, int rows, int panels, int panelWidth)
    {
        int lanes = VectorIsa.LanesDividing(panelWidth, isa.Lanes);
        var columns = new List<TileColumn>();
        for (int q = 0; q < panels; q++)
        {
            for (int v = 0; v * lanes < panelWidth; v++)
            {
                columns.Add(new TileColumn(q, v * lanes, (q * panelWidth) + (v * lanes), partial: false));
            }
        }

        int width = panels * panelWidth;
        string description = panels == 1
            ? $"{rows}x{width} tile: {rows} row(s) by one {panelWidth}-column panel"
            : $"{rows}x{width} tile: {rows} row(s) by {panels} consecutive {panelWidth}-column panels";
        return new TilePlan(isa, rows, lanes, columns, panelWidth, panels, tail: false, "Tile" + Int(rows) + "x" + Int(width), description);
    }

    /// <summary>The K-block form of <see cref="Main"/>'s tile: what a sweep runs a long-K layer's full row blocks on, one K block at a time.</summary>
    public static TilePlan KBlocked(VectorIsa isa, int rows, int panels, int panelWidth)
    {
        TilePlan main = Main(isa, rows, panels, panelWidth);
        string description = main.Description.Replace(" tile:", " K-block tile:");
        return new TilePlan(isa, rows, main.Lanes, main.Columns, panelWidth, panels, tail: false, "KBlock" + Int(rows) + "x" + Int(panels * panelWidth), description, kBlock: true);
    }

    /// <summary>
    /// R rows by the tail panel of <paramref name="tailWidth"/> columns, <paramref name="vectors"/> vectors of
    /// <paramref name="lanes"/> of which hold weights (vectors wholly in the padding are neither computed nor stored).
    /// </summary>
    public static TilePlan Tail(VectorIsa isa, int rows, int tailWidth, int lanes, int vectors)
    {
        var columns = new List<TileColumn>();
        for (int v = 0; v < vectors; v++)
        {
            columns.Add(new TileColumn(0, v * lanes, v * lanes, partial: v == vectors - 1));
        }

        int width = vectors * lanes;
        string description = $"{rows}-row tail tile: {rows} row(s) by the tail panel ({tailWidth} wide), {vectors} vector(s) of {lanes}, the last stored as far as the layer's last column";
        return new TilePlan(isa, rows, lanes, columns, tailWidth, 0, tail: true, "Tail" + Int(rows) + "x" + Int(width), description);
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A column vector of a tile: which panel and where in it its weights are, where it goes in y, whether its store is partial.</summary>
internal sealed class TileColumn
{
    public TileColumn(int panel, int weightOffset, int yOffset, bool partial)
    {
        Panel = panel;
        WeightOffset = weightOffset;
        YOffset = yOffset;
        Partial = partial;
    }

    /// <summary>The panel of the tile (0-based): its weights are <c>Panel · PanelStride</c> further on.</summary>
    public int Panel { get; }

    /// <summary>Offset within the panel's K step.</summary>
    public int WeightOffset { get; }

    public int YOffset { get; }

    /// <summary>Stored only as far as the tail's last column (<c>TKernel.TailColumns − YOffset</c> lanes).</summary>
    public bool Partial { get; }
}
