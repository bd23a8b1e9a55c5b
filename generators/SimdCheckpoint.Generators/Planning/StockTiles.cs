using System.Collections.Generic;

namespace SimdCheckpoint.Generators.Planning;

/// <summary>
/// The tiles the runtime assembly ships, compiled once (<c>src/SimdCheckpoint/Kernels/StockTiles.cs</c>, written by
/// <see cref="Emitting.TileEmitter.EmitStockFile"/> and checked against it by a test): every tile that a plan with the
/// default 16-column panels and no row override can call, on every vector path. A network's generated code calls
/// these and emits only the tiles of an overridden tile shape; the tiles are generic over the kernel's constants, so
/// the JIT specialises a stock tile per layer shape exactly as it does a generated one, and the bits are the same.
/// </summary>
internal static class StockTiles
{
    /// <summary>Panel counts up to this many cover every remaining-row tile width (at most 8 panels, a Vector512 row).</summary>
    private const int MaxMainPanels = 17;

    private static readonly Dictionary<string, IReadOnlyList<TilePlan>> ByIsa = Build();

    private static readonly HashSet<string> Keys = CollectKeys();

    /// <summary>The stock tiles of <paramref name="isa"/>: main tiles, widest and tallest first, then tail tiles.</summary>
    public static IReadOnlyList<TilePlan> For(VectorIsa isa) => ByIsa[isa.Name];

    /// <summary>Whether the runtime ships <paramref name="tile"/>, so generated code calls it instead of writing it.</summary>
    public static bool Contains(TilePlan tile) => Keys.Contains(tile.Key);

    private static Dictionary<string, IReadOnlyList<TilePlan>> Build()
    {
        var result = new Dictionary<string, IReadOnlyList<TilePlan>>();
        foreach (VectorIsa isa in VectorIsa.All)
        {
            var tiles = new List<TilePlan>();
            var seen = new HashSet<string>();

            // A layer's tiles depend on its main panel count, its tail's columns and whether K is long enough to be
            // blocked (which adds the MR-row K-block tile), never otherwise on K.
            foreach (int inputs in new[] { 1, TilePolicy.KBlockAbove + 1 })
            {
                for (int outputs = 1; outputs <= (MaxMainPanels * TilePolicy.DefaultColumns) + TilePolicy.DefaultColumns - 1; outputs++)
                {
                    SweepPlan sweep = SweepPlan.Create(isa, PackedLayer.For(inputs, outputs, TilePolicy.DefaultColumns, 0), 0);
                    foreach (TilePlan tile in sweep.Tiles())
                    {
                        if (seen.Add(tile.Key))
                        {
                            tiles.Add(tile);
                        }
                    }
                }
            }

            NetworkPlan.SortTiles(tiles);
            result.Add(isa.Name, tiles);
        }

        return result;
    }

    private static HashSet<string> CollectKeys()
    {
        var keys = new HashSet<string>();
        foreach (IReadOnlyList<TilePlan> tiles in ByIsa.Values)
        {
            foreach (TilePlan tile in tiles)
            {
                keys.Add(tile.Key);
            }
        }

        return keys;
    }
}
