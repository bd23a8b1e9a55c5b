using System;
using System.IO;
using System.Linq;
using System.Reflection;
using SimdCheckpoint.Generators.Emitting;
using SimdCheckpoint.Generators.Planning;
using SimdCheckpoint.Generators.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Generators.Tests;

/// <summary>
/// The runtime ships the default plan's tiles (src/SimdCheckpoint/Kernels/StockTiles.cs) and generated code calls
/// them: the file is exactly what the emitter writes, every tile a default network's sweeps call is in it, and a
/// network of an overridden tile shape writes its own.
/// </summary>
public sealed class StockTilesTests
{
    private static readonly string RuntimeFile = Path.GetFullPath(Path.Combine(
        typeof(StockTilesTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ProjectDirectory").Value!,
        "..", "..", "src", "SimdCheckpoint", "Kernels", "StockTiles.cs"));

    [Fact]
    public void The_runtime_file_is_what_the_emitter_writes()
    {
        string expected = TileEmitter.EmitStockFile();
        if (Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1")
        {
            File.WriteAllText(RuntimeFile, expected);
            return;
        }

        Assert.True(File.Exists(RuntimeFile), $"There is no {RuntimeFile}; run the tests with UPDATE_SNAPSHOTS=1 to write it.");
        string actual = File.ReadAllText(RuntimeFile).Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.True(expected == actual, $"{RuntimeFile} is not what the emitter writes:\n{Snapshot.FirstDifference(expected, actual)}\nRerun with UPDATE_SNAPSHOTS=1 and review the diff.");
    }

    [Fact]
    public void Every_path_has_its_register_tile_and_every_remaining_row_count()
    {
        foreach (VectorIsa isa in VectorIsa.All)
        {
            var tiles = StockTiles.For(isa);
            Assert.Contains(tiles, t => !t.IsTail && t.Rows == isa.DefaultRows && t.Panels == isa.DefaultPanels);
            for (int r = 1; r < Math.Min(isa.DefaultRows, SweepPlan.MaxRemainderTile + 1); r++)
            {
                Assert.Contains(tiles, t => !t.IsTail && t.Rows == r);
                Assert.Contains(tiles, t => t.IsTail && t.Rows == r);
            }

            Assert.Equal(tiles.Count, tiles.Select(t => t.Name).Distinct(StringComparer.Ordinal).Count());
        }
    }

    [Fact]
    public void A_default_network_calls_the_stock_tiles_and_writes_none()
    {
        GeneratorRun run = GeneratorHarness.Run(SnapshotTests.TinySource);

        Assert.Contains("global::SimdCheckpoint.Kernels.Vector512Tiles.Tile8x16<TKernel>(", run.SingleSource, StringComparison.Ordinal);
        Assert.DoesNotContain("private static class Vector512Tiles", run.SingleSource, StringComparison.Ordinal);
        Assert.DoesNotContain("private static class Vector256Tiles", run.SingleSource, StringComparison.Ordinal);
        Assert.DoesNotContain("private static class Vector128Tiles", run.SingleSource, StringComparison.Ordinal);
    }

    [Fact]
    public void A_network_of_an_overridden_tile_shape_writes_its_own_tiles()
    {
        const string source = """
            using SimdCheckpoint;
            namespace N;
            [Network(TileRows = 4, TileColumns = 24)]
            [Dense(10, 50, Activation.Relu)]
            public partial class Wide24;
            """;
        GeneratorRun run = GeneratorHarness.Run(source);

        Assert.Empty(run.Diagnostics);
        Assert.Contains("private static class Vector256Tiles", run.SingleSource, StringComparison.Ordinal);
        Assert.Contains("Vector256Tiles.Tile4x24<TKernel>(", run.SingleSource, StringComparison.Ordinal);
        Assert.DoesNotContain("global::SimdCheckpoint.Kernels.Vector256Tiles.Tile4x24", run.SingleSource, StringComparison.Ordinal);
    }

    [Fact]
    public void A_k_blocked_sweep_of_an_overridden_tile_shape_writes_its_k_block_tile_but_not_the_unused_whole_k_one()
    {
        // 2100 inputs: each path's sweep of this shape (8x24 on Vector512, 4x24 on Vector256, 2x24 on Vector128) runs its
        // full row blocks in K blocks, on the K-block tile only; the remaining rows keep whole-K tiles of fewer rows, and
        // no path writes a whole-K tile of its full row block, which nothing would call.
        const string source = """
            using SimdCheckpoint;
            namespace N;
            [Network(TileRows = 4, TileColumns = 24)]
            [Dense(2100, 50, Activation.Relu)]
            public partial class LongWide24;
            """;
        GeneratorRun run = GeneratorHarness.Run(source);
        string code = run.SingleSource;
        string vector256Tiles = code[code.IndexOf("private static class Vector256Tiles", StringComparison.Ordinal)..code.IndexOf("private static class Vector128Sweep0", StringComparison.Ordinal)];

        Assert.Empty(run.Diagnostics);
        Assert.Contains("Vector512Tiles.KBlock8x24<TKernel>(", code, StringComparison.Ordinal);
        Assert.Contains("Vector256Tiles.KBlock4x24<TKernel>(", code, StringComparison.Ordinal);
        Assert.Contains("Vector128Tiles.KBlock2x24<TKernel>(", code, StringComparison.Ordinal);
        Assert.Contains("public static void KBlock4x24<TKernel>(", vector256Tiles, StringComparison.Ordinal);
        Assert.Contains("public static void Tile3x24<TKernel>(", vector256Tiles, StringComparison.Ordinal);
        Assert.DoesNotContain("void Tile8x24<TKernel>(", code, StringComparison.Ordinal);
        Assert.DoesNotContain("void Tile4x24<TKernel>(", vector256Tiles, StringComparison.Ordinal);
        Assert.DoesNotContain("void Tile2x24<TKernel>(", code[code.IndexOf("private static class Vector128Tiles", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }

    [Fact]
    public void Only_a_network_whose_weights_exceed_an_l2_shares_out_prefetches()
    {
        // 1024 x 512 is 2 MiB of weights: the Vector512 and Vector256 sweeps share the next panel group's lines before
        // each full row block's tile (8x48, 6x16). Vector128's 3x16 tile streams its four weight vectors one at a time
        // and takes no share, so its sweep shares none. The tiny sample (a few KiB) never shares.
        const string source = """
            using SimdCheckpoint;
            namespace N;
            [Network]
            [Dense(1024, 512, Activation.Relu)]
            public partial class Big;
            """;
        GeneratorRun big = GeneratorHarness.Run(source);
        GeneratorRun tiny = GeneratorHarness.Run(SnapshotTests.TinySource);

        Assert.Empty(big.Diagnostics);
        string share = "global::SimdCheckpoint.Kernels.WeightPrefetch.Share(ref Unsafe.Add(ref wp, ";
        Assert.Contains(share + "3 * TKernel.PanelStride), 3 * TKernel.PanelStride, i / 8, full / 8);", big.SingleSource, StringComparison.Ordinal);
        Assert.Contains(share + "1 * TKernel.PanelStride), 1 * TKernel.PanelStride, i / 6, full / 6);", big.SingleSource, StringComparison.Ordinal);
        Assert.DoesNotContain("i / 3, full / 3);", big.SingleSource, StringComparison.Ordinal);
        Assert.DoesNotContain("WeightPrefetch", tiny.SingleSource, StringComparison.Ordinal);
    }
}
