using System.Collections.Generic;

namespace SimdCheckpoint.Generators.Planning;

/// <summary>
/// How one vector path of one kernel is tiled: MR rows by a number of 16-column panels, the vector width of its
/// columns, and the tiles for the rows left over after the MR-row blocks.
/// </summary>
internal sealed class PathPlan
{
    /// <summary>Remainder rows beyond this are split into blocks of this many, which keeps the number of distinct tiles small.</summary>
    public const int MaxRemainderTile = 6;

    public PathPlan(VectorIsa isa, KernelPlan kernel, int rowsOverride)
    {
        Isa = isa;
        PanelWidth = kernel.PanelWidth;
        ColumnLanes = VectorIsa.LanesDividing(kernel.PanelWidth, isa.Lanes);
        TailLanes = kernel.TailWidth == 0 ? 0 : VectorIsa.LanesDividing(kernel.TailWidth, isa.Lanes);
        int rows = rowsOverride > 0 ? rowsOverride : isa.DefaultRows;
        int panels = rowsOverride > 0 ? 1 : isa.DefaultPanels;
        while (!isa.Fits(rows, VectorsPerPanel * panels))
        {
            if (panels > 1)
            {
                panels--;
            }
            else
            {
                rows--;
            }
        }

        Rows = rows;
        TilePanels = panels;

        // The last rows get tiles spanning several panels, so a call still keeps MinChains independent FMA chains
        // in flight (batch 1 on a one-panel tile would otherwise wait on FMA latency).
        int remainder = System.Math.Min(rows - 1, MaxRemainderTile);
        int[] rowPanels = new int[remainder + 1];
        for (int r = 1; r <= remainder; r++)
        {
            int q = 1;
            while (r * VectorsPerPanel * q < TilePolicy.MinChains && isa.Fits(r, VectorsPerPanel * (q + 1)) && q < kernel.MainPanels)
            {
                q++;
            }

            rowPanels[r] = q;
        }

        RowPanels = rowPanels;

        // The driver walks the panels in blocks: each block down every MR-row block, then the remaining rows over it
        // while it is still in cache. A block is a multiple of the MR-row tile's panels (so only a layer's last block
        // needs a narrower MR-row tile) and at least as wide as the widest remaining-row tile (1 row: 8 panels on
        // Vector512), so batch 1 keeps its chains; a remaining-row tile that does not divide it (3 panels of 8) ends
        // each block with narrower ones. Wider blocks would hold more of a long-K layer than the caches keep.
        int block = panels;
        for (int r = 1; r <= remainder; r++)
        {
            block = System.Math.Max(block, rowPanels[r]);
        }

        BlockPanels = (block + panels - 1) / panels * panels;
    }

    public VectorIsa Isa { get; }

    /// <summary>MR.</summary>
    public int Rows { get; }

    /// <summary>Panels per full tile.</summary>
    public int TilePanels { get; }

    /// <summary>Lanes of each main-panel column vector (the ISA's width, or narrower when the panel width needs it).</summary>
    public int ColumnLanes { get; }

    /// <summary>Lanes of each tail column vector.</summary>
    public int TailLanes { get; }

    public int PanelWidth { get; }

    public int VectorsPerPanel => PanelWidth / ColumnLanes;

    /// <summary>Rows 1..MaxRemainderTile: panels per remainder tile; index 0 unused.</summary>
    public IReadOnlyList<int> RowPanels { get; }

    public int RemainderTiles => RowPanels.Count - 1;

    /// <summary>Panels per block of the driver's walk: the remaining rows of a batch are computed block by block.</summary>
    public int BlockPanels { get; }
}
