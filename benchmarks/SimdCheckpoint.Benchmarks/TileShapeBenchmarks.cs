using System;
using BenchmarkDotNet.Attributes;

namespace SimdCheckpoint.Benchmarks;

/// <summary>
/// The Vector256 path's 6x16 register tile (the tile override sets it) against the other shapes that fit 16 ymm registers, at batch 64 where full
/// tiles dominate. The 6x16 row is the ratio baseline.
/// </summary>
[MemoryDiagnoser]
public class TileShapeBenchmarks
{
    private IMlpRunner _runner = null!;

    [Params("mnist", "deep32")]
    public string Model { get; set; } = "mnist";

    [Params("6x16", "4x16", "5x16", "4x24", "3x32", "8x8", "12x8")]
    public string Tile { get; set; } = "6x16";

    [Params(64)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _runner = (Model, Tile) switch
        {
            ("mnist", "6x16") => new MlpRunner<MnistTile6x16>(),
            ("mnist", "4x16") => new MlpRunner<MnistTile4x16>(),
            ("mnist", "5x16") => new MlpRunner<MnistTile5x16>(),
            ("mnist", "4x24") => new MlpRunner<MnistTile4x24>(),
            ("mnist", "3x32") => new MlpRunner<MnistTile3x32>(),
            ("mnist", "8x8") => new MlpRunner<MnistTile8x8>(),
            ("mnist", "12x8") => new MlpRunner<MnistTile12x8>(),
            ("deep32", "6x16") => new MlpRunner<Deep32Tile6x16>(),
            ("deep32", "4x16") => new MlpRunner<Deep32Tile4x16>(),
            ("deep32", "5x16") => new MlpRunner<Deep32Tile5x16>(),
            ("deep32", "4x24") => new MlpRunner<Deep32Tile4x24>(),
            ("deep32", "3x32") => new MlpRunner<Deep32Tile3x32>(),
            ("deep32", "8x8") => new MlpRunner<Deep32Tile8x8>(),
            ("deep32", "12x8") => new MlpRunner<Deep32Tile12x8>(),
            _ => throw new ArgumentOutOfRangeException(nameof(Tile), Tile, "Unknown tile."),
        };
        _runner.Verify(Batch);
    }

    [Benchmark]
    public void Forward() => _runner.Generated(Batch, KernelPath.Vector256);
}
