using System;
using System.Collections.Generic;
using System.Text;

namespace SimdCheckpoint.Generators.Planning;

/// <summary>
/// How one vector path computes a layer, planned once for every kernel that shares it: MR-row blocks of q-panel
/// tiles (with tiles of halving width for a range's last panels), the tail tile, and for the m % MR rows left over,
/// tiles spanning several panels so a small batch still keeps enough FMA chains in flight. The driver walks the
/// panels in blocks, each down every row block and then the remaining rows while it is in cache.
/// </summary>
internal sealed class SweepPlan
{
    /// <summary>Remainder rows beyond this are split into blocks of this many, which keeps the number of distinct tiles small.</summary>
    public const int MaxRemainderTile = 6;

    private SweepPlan(
        VectorIsa isa, int rows, int groupPanels, bool hasMain, TileShape? tail, int[] rowPanels, int blockPanels, int panelWidth, bool kBlocked)
    {
        KBlocked = kBlocked;
        Isa = isa;
        Rows = rows;
        GroupPanels = groupPanels;
        HasMain = hasMain;
        Tail = tail;
        RowPanels = rowPanels;
        BlockPanels = blockPanels;
        PanelWidth = panelWidth;
        var key = new StringBuilder();
        key.Append(isa.Name).Append('|').Append(rows).Append('|').Append(groupPanels).Append('|').Append(hasMain).Append('|')
            .Append(tail is null ? "-" : tail.Key).Append('|').Append(string.Join(",", rowPanels)).Append('|').Append(kBlocked);
        Key = key.ToString();
    }

    public VectorIsa Isa { get; }

    /// <summary>MR.</summary>
    public int Rows { get; }

    /// <summary>q: panels per full tile.</summary>
    public int GroupPanels { get; }

    public int PanelWidth { get; }

    /// <summary>Whether the kernels of this sweep have full panels (N ≥ NR).</summary>
    public bool HasMain { get; }

    /// <summary>The tail panel's vectors, or null when N is a multiple of NR.</summary>
    public TileShape? Tail { get; }

    /// <summary>Rows 1..RemainderTiles: panels per remainder tile; index 0 unused.</summary>
    public IReadOnlyList<int> RowPanels { get; }

    public int RemainderTiles => RowPanels.Count - 1;

    /// <summary>Panels per block of the driver's walk: the remaining rows of a batch are computed block by block.</summary>
    public int BlockPanels { get; }

    /// <summary>
    /// Whether the full row blocks run K block by K block (<see cref="TilePolicy.KBlock"/>): a layer of more than
    /// <see cref="TilePolicy.KBlockAbove"/> inputs with full panels and MR above 1.
    /// </summary>
    public bool KBlocked { get; }

    /// <summary>What makes two kernels' sweeps the same code.</summary>
    public string Key { get; }

    /// <summary>"Sweep0": set by the network plan, unique within the path.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The kernels (by index) that run this sweep.</summary>
    public List<int> Kernels { get; } = new();

    /// <summary>Plans the sweep of a layer of <paramref name="layout"/>'s shape on <paramref name="isa"/>; a tile override sets the Vector256 rows.</summary>
    public static SweepPlan Create(VectorIsa isa, PackedLayer layout, int rowsOverride)
    {
        int panelWidth = layout.PanelWidth;
        int vectorsPerPanel = panelWidth / VectorIsa.LanesDividing(panelWidth, isa.Lanes);
        bool vector256Override = rowsOverride > 0 && isa == VectorIsa.Vector256;
        int rows = vector256Override ? rowsOverride : isa.DefaultRows;
        int panels = vector256Override ? 1 : isa.DefaultPanels;
        while (!isa.Fits(rows, vectorsPerPanel * panels))
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

        if (rows < 1)
        {
            // TilePolicy.Check refuses a panel width no path can tile; reaching here is a planner bug.
            throw new System.InvalidOperationException($"No {isa.Name} tile fits a {panelWidth}-column panel.");
        }

        // The last rows get tiles spanning several panels, so a call still keeps MinChains independent FMA chains
        // in flight (batch 1 on a one-panel tile would otherwise wait on FMA latency).
        int remainder = Math.Min(rows - 1, MaxRemainderTile);
        int[] rowPanels = new int[remainder + 1];
        for (int r = 1; r <= remainder; r++)
        {
            int q = 1;
            while (r * vectorsPerPanel * q < TilePolicy.MinChains && isa.Fits(r, vectorsPerPanel * (q + 1)) && q < layout.MainPanels)
            {
                q++;
            }

            rowPanels[r] = q;
        }

        // A block is a multiple of the MR-row tile's panels (so only a layer's last block needs a narrower MR-row tile)
        // and at least as wide as the widest remaining-row tile (1 row: 8 panels on Vector512), so batch 1 keeps its
        // chains; a remaining-row tile that does not divide it ends each block with narrower ones (Vector512's blocks of 9
        // panels: 8 + 1 for one remaining row, 4 + 4 + 1 for two, 2 + 2 + 2 + 2 + 1 for four to six; the 8x48 tile's
        // gain on every full row block outweighs that). Wider blocks would hold more of a long-K layer than the caches keep.
        int block = panels;
        for (int r = 1; r <= remainder; r++)
        {
            block = Math.Max(block, rowPanels[r]);
        }

        int blockPanels = (block + panels - 1) / panels * panels;
        TileShape? tail = null;
        if (layout.TailWidth > 0)
        {
            int lanes = VectorIsa.LanesDividing(layout.TailWidth, isa.Lanes);
            tail = new TileShape(layout.TailWidth, lanes, (layout.TailColumns + lanes - 1) / lanes);
        }

        bool kBlocked = layout.Inputs > TilePolicy.KBlockAbove && layout.MainPanels > 0 && rows > 1;
        return new SweepPlan(isa, rows, panels, layout.MainPanels > 0, tail, rowPanels, blockPanels, panelWidth, kBlocked);
    }

    /// <summary>The tiles this sweep calls: main tiles of every width its ranges may need, and tail tiles, for the row counts it uses.</summary>
    public IEnumerable<TilePlan> Tiles()
    {
        if (KBlocked)
        {
            yield return TilePlan.KBlocked(Isa, Rows, GroupPanels, PanelWidth);
        }

        foreach ((int rows, int panels) in RowTiles())
        {
            if (HasMain)
            {
                // A K-blocked sweep runs its whole groups' full row blocks on the K-block tile only: the whole-K tile of
                // that shape would never be called (the smaller ones still are, at a range's end).
                if (!(KBlocked && rows == Rows))
                {
                    yield return TilePlan.Main(Isa, rows, panels, PanelWidth);
                }

                for (int s = HighestPowerOfTwoBelow(panels); s >= 1; s /= 2)
                {
                    yield return TilePlan.Main(Isa, rows, s, PanelWidth);
                }
            }

            if (Tail is not null)
            {
                yield return TilePlan.Tail(Isa, rows, Tail.Width, Tail.Lanes, Tail.Vectors);
            }
        }
    }

    /// <summary>(rows, panels) of the MR-row tile and of each remainder tile.</summary>
    public IEnumerable<(int Rows, int Panels)> RowTiles()
    {
        yield return (Rows, GroupPanels);
        for (int r = 1; r <= RemainderTiles; r++)
        {
            yield return (r, RowPanels[r]);
        }
    }

    /// <summary>The largest power of two strictly below <paramref name="q"/> (0 for q = 1): the smaller tiles a range's end may need.</summary>
    public static int HighestPowerOfTwoBelow(int q)
    {
        int s = 0;
        for (int t = 1; t < q; t *= 2)
        {
            s = t;
        }

        return s;
    }
}

/// <summary>A tail panel's shape on one path: its width, the lanes of its vectors and how many hold weights.</summary>
internal sealed class TileShape
{
    public TileShape(int width, int lanes, int vectors)
    {
        Width = width;
        Lanes = lanes;
        Vectors = vectors;
    }

    public int Width { get; }

    public int Lanes { get; }

    public int Vectors { get; }

    public string Key => Width + "/" + Lanes + "/" + Vectors;
}
