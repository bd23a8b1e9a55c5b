using System;

namespace SimdCheckpoint.Generators.Planning;

/// <summary>
/// The register budget the Vector256 tiles are planned against: x64 has 16 ymm registers; a tile of R rows by V
/// vectors keeps R·V accumulators, plus either V weight vectors and one broadcast, or R broadcasts and one weight
/// vector, whichever order the emitter picks (it streams whichever side is larger).
/// </summary>
internal static class TilePolicy
{
    public const int VectorWidth = 8;
    /// <summary>The override sets the Vector256 tile, so it is checked against that path's register file.</summary>
    public static int Registers => VectorIsa.Vector256.Registers;

    /// <summary>6×16: see <see cref="VectorIsa.Vector256"/>.</summary>
    public static int DefaultRows => VectorIsa.Vector256.DefaultRows;

    public const int DefaultColumns = 16;

    /// <summary>K steps per loop iteration: amortises the loop's compare-and-branch and pointer bump over 4 steps.</summary>
    public const int KUnroll = 4;

    /// <summary>FMA latency 4 × 2 FMA pipes on Zen 3 and Skylake-era cores: fewer independent chains leave pipes idle.</summary>
    public const int MinChains = 8;

    public const int MaxColumns = 64;

    /// <summary>
    /// A network whose packed weights take more bytes than this prefetches each panel group's successor while the group
    /// computes (<c>WeightPrefetch</c>): its layers do not all fit an L2, so each layer's weights come from the L3 or
    /// memory. Below it they can stay in the L2 from call to call, where the prefetches only cost issue slots.
    /// Measured on an Ice Lake core (docs/performance.md, "Prefetching the next panel group"): 31 layers of 256 x 256
    /// at 64 rows (8 MiB) ran 10-16 % faster with it, MiniLM at 1 x 128 5 %; one such layer repeated with its weights hot
    /// 0-4 % slower.
    /// </summary>
    public const int PrefetchAboveBytes = 1 << 20;

    /// <summary>
    /// K steps per block of a long-K layer's full row blocks: an MR-row tile's x rows over one block (8 KiB for 8 rows)
    /// stay in L1 and a block of panels over it (144 KiB for 9 panels of 16) in L2. MLAS blocks K by 256 as well.
    /// </summary>
    public const int KBlock = 256;

    /// <summary>
    /// Layers with more inputs than this run their full row blocks in K blocks of <see cref="KBlock"/>: above it a pair
    /// of panels over all of K (more than 256 KiB) and a batch-64 input (more than 512 KiB) are about an L2's size
    /// (1.5 MiB at K = 4096 against the 1.25 MiB of an Ice Lake core).
    /// Measured on an Ice Lake core (docs/performance.md, "K blocking"): K = 784 and 1536 ran 4-21 % slower blocked,
    /// K = 1024 level in two A/Bs of three; K = 4096 faster in one or two of three and never slower.
    /// </summary>
    public const int KBlockAbove = 2048;

    /// <summary>A row block's remaining rows run as at most two remainder blocks of at most <see cref="SweepPlan.MaxRemainderTile"/> rows.</summary>
    public const int MaxRows = (2 * SweepPlan.MaxRemainderTile) + 1;

    public static bool Fits(int rows, int vectors) => VectorIsa.Vector256.Fits(rows, vectors);

    /// <summary>Null when the override (0 = planner's choice) can be planned; otherwise why not.</summary>
    public static string? Check(int rows, int columns)
    {
        if (rows < 0 || rows > MaxRows)
        {
            return $"TileRows = {rows}: it must be between 1 and {MaxRows} (or 0 for the planner's choice).";
        }

        if (columns < 0 || columns > MaxColumns || columns % VectorWidth != 0)
        {
            return $"TileColumns = {columns}: it must be a multiple of {VectorWidth} between {VectorWidth} and {MaxColumns} (or 0 for the planner's choice).";
        }

        int r = rows == 0 ? DefaultRows : rows;
        int c = columns == 0 ? DefaultColumns : columns;
        int narrow = c / VectorIsa.Vector128.Lanes;
        if (!VectorIsa.Vector128.Fits(1, narrow))
        {
            return $"TileColumns = {c}: the Vector128 (SSE, NEON) path would need {narrow + 2} registers for even one row of a {c}-column panel; x64 has {VectorIsa.Vector128.Registers}. Choose at most {(VectorIsa.Vector128.Registers - 2) * VectorIsa.Vector128.Lanes} columns.";
        }

        if (!Fits(r, c / VectorWidth))
        {
            return $"A {r}x{c} tile needs {(r * (c / VectorWidth)) + 1 + Math.Min(r, c / VectorWidth)} vector registers; x64 has {Registers}, so it would spill. Choose a smaller tile.";
        }

        return null;
    }
}
