using System;
using System.IO;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Win32.SafeHandles;

namespace SimdCheckpoint.Benchmarks;

/// <summary>
/// 64 layers of 4096 × 4096 (4.0 GiB of packed weights, 4.3 GB) from a packed weights file: streamed through a
/// <see cref="StreamingSession{TNetwork}"/> with a 256 MiB budget, against the same weights in memory
/// (<see cref="InferenceSession{TNetwork}"/>), at batch 1 and 64, beside the file's sequential read rate measured the same
/// way the session reads it (<see cref="SequentialRead"/>: positional reads of every block, in order, into a 64-byte
/// aligned buffer of one block). Streamed at batch 1 should approach the read rate (a layer costs max(read, compute));
/// batch 64 shares each read among 64 rows. The file is written once (seeded, layer by layer) under the temporary
/// folder, reused by later runs, and left there: simdcheckpoint-bench/stream4g-*.sckw.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class StreamedInference
{
    private const ulong Seed = 4096;
    private const long Budget = 256L << 20;

    private string _path = null!;
    private StreamingSession<Stream4G>? _streamed;
    private InferenceSession<Stream4G>? _inMemory;
    private SafeFileHandle? _file;
    private float[] _buffer = null!;
    private float[] _input = null!;
    private float[] _output = null!;

    /// <summary>Rows per call.</summary>
    [Params(1, 64)]
    public int Batch { get; set; } = 1;

    /// <summary>The bytes of packed weights one call reads.</summary>
    public static long WeightBytes => StreamingSession<Stream4G>.PackedBytes;

    [GlobalSetup(Targets = [nameof(Streamed)])]
    public void SetupStreamed()
    {
        Prepare();
        _streamed = new StreamingSession<Stream4G>(_path, Budget, Batch, verifyChecksums: false);
    }

    [GlobalSetup(Targets = [nameof(InMemory)])]
    public void SetupInMemory()
    {
        Prepare();
        _inMemory = new InferenceSession<Stream4G>(NetworkWeights<Stream4G>.FromPacked(_path), Batch);
    }

    [GlobalSetup(Targets = [nameof(SequentialRead)])]
    public void SetupRead()
    {
        Prepare();
        _file = File.OpenHandle(_path, FileMode.Open, FileAccess.Read, FileShare.Read);
        _buffer = GC.AllocateUninitializedArray<float>((int)(StreamingSession<Stream4G>.SlotBytes / sizeof(float)) + 16, pinned: true);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _streamed?.Dispose();
        _inMemory?.Dispose();
        _file?.Dispose();
    }

    /// <summary>Every block of the file read once, in order, into one aligned buffer: the rate streaming can reach.</summary>
    [Benchmark]
    public long SequentialRead()
    {
        using PackedWeightsFile header = PackedWeightsFile.Open(_path);
        long address = Marshal.UnsafeAddrOfPinnedArrayElement(_buffer, 0).ToInt64();
        int skip = (int)((64 - (address % 64)) % 64) / sizeof(float);
        Span<byte> buffer = MemoryMarshal.AsBytes(_buffer.AsSpan(skip));
        long total = 0;
        foreach (PackedWeightsEntry e in header.Layers)
        {
            Span<byte> block = buffer[..(int)e.Length];
            for (long done = 0; done < e.Length;)
            {
                int read = RandomAccess.Read(_file!, block[(int)done..], e.Offset + done);
                done += read > 0 ? read : throw new EndOfStreamException();
            }

            total += e.Length;
        }

        return total;
    }

    [Benchmark]
    public void Streamed() => _streamed!.Forward(_input, _output, Batch);

    [Benchmark]
    public void InMemory() => _inMemory!.Forward(_input, _output, Batch);

    private void Prepare()
    {
        string folder = Path.Combine(Path.GetTempPath(), "simdcheckpoint-bench");
        Directory.CreateDirectory(folder);
        _path = Path.Combine(folder, $"stream4g-{Stream4G.Spec.Fingerprint}-{Seed}.sckw");
        if (!Valid(_path))
        {
            PackedWeightsFile.WriteRandom<Stream4G>(Seed, _path);
        }

        _input = new float[Batch * Stream4G.Spec.InputSize];
        new DeterministicRandom(7).Fill(_input, 1f);
        _output = new float[Batch * Stream4G.Spec.OutputSize];
    }

    private static bool Valid(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        try
        {
            using PackedWeightsFile file = PackedWeightsFile.Open(path);
            file.RequireNetwork<Stream4G>();
            return true;
        }
        catch (WeightsException)
        {
            return false;
        }
    }
}
