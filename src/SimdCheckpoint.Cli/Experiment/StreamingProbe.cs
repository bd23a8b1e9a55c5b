using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using SimdCheckpoint.Cli.Networks;

namespace SimdCheckpoint.Cli.Experiment;

/// <summary>
/// Experiment test 4's measurement, in a process of its own (the hidden <c>stream-probe</c> command), because a
/// process's peak resident memory (VmHWM) only grows: each figure needs a fresh process. One probe reads a packed file
/// (the read rate), runs it whole (<see cref="InferenceSession{TNetwork}"/> over <see cref="NetworkWeights{TNetwork}.FromPacked"/>)
/// or streams it (<see cref="StreamingSession{TNetwork}"/>), and prints one line of key=value figures.
/// </summary>
internal static class StreamingProbe
{
    /// <summary>The networks by name, as the runner and the probe call them.</summary>
    public static readonly string[] Networks = ["stream-256m", "stream-bert-base", "stream-1g", "stream-4g"];

    /// <summary>Tokens per sequence in an encoder's probe (every one real): its batch is sequences of this many tokens.</summary>
    public const int EncoderTokens = 128;

    // The untimed first call of this process's probe (a file not in the page cache is read from the disk then; the JIT
    // compiles the kernels then too).
    private static double _firstSeconds;
    private static bool _verify = true;

    /// <summary>Whether the named network is an encoder (its batch counts sequences of <see cref="EncoderTokens"/> tokens).</summary>
    public static bool IsEncoder(string network) => network == "stream-bert-base";

    public static Command CreateCommand()
    {
        var network = new Option<string>("--network") { Required = true };
        var packed = new Option<string>("--packed") { Required = true };
        var mode = new Option<string>("--mode") { Required = true };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => 1 };
        var budget = new Option<long>("--budget") { DefaultValueFactory = _ => 64L << 20 };
        var calls = new Option<int>("--calls") { DefaultValueFactory = _ => 3 };
        var skipChecksums = new Option<bool>("--skip-checksums") { Description = "Open a streamed session without its checksum pass, which would bring the file into the page cache before a cold first call." };
        var command = new Command("stream-probe", "Experiment test 4's measurement in a fresh process (internal).") { network, packed, mode, batch, budget, calls, skipChecksums };
        command.Hidden = true;
        command.SetAction(result =>
        {
            if (result.GetValue(mode) == "write")
            {
                // Writes the seeded file the other modes read (seed 42), for probes run by hand.
                WritePacked(result.GetValue(network)!, 42, result.GetValue(packed)!);
                return 0;
            }

            _verify = !result.GetValue(skipChecksums);
            string line = Probe(result.GetValue(network)!, result.GetValue(packed)!, result.GetValue(mode)!, result.GetValue(batch), result.GetValue(budget), result.GetValue(calls));
            result.InvocationConfiguration.Output.WriteLine(line);
            return 0;
        });
        return command;
    }

    /// <summary>Where an encoder's embedding tables and layer norms are written beside its packed dense layers.</summary>
    public static string ParametersPath(string packed) => System.IO.Path.ChangeExtension(packed, ".parameters.safetensors");

    /// <summary>Writes the network's seeded weights to <paramref name="path"/> (an encoder's other parameters to <see cref="ParametersPath"/>).</summary>
    public static void WritePacked(string network, ulong seed, string path)
    {
        switch (network)
        {
            case "stream-256m": PackedWeightsFile.WriteRandom<Stream256M>(seed, path); break;
            case "stream-1g": PackedWeightsFile.WriteRandom<Stream1G>(seed, path); break;
            case "stream-4g": PackedWeightsFile.WriteRandom<Stream4G>(seed, path); break;
            case "stream-bert-base":
                PackedWeightsFile.WriteRandom<StreamBertBase>(seed, path);
                WriteSeededParameters<StreamBertBase>(seed, ParametersPath(path));
                break;
            default: throw new ArgumentOutOfRangeException(nameof(network), network, "Unknown streaming network.");
        }
    }

    /// <summary>The figures of one probe, parsed from its line.</summary>
    public static Dictionary<string, string> Parse(string line) =>
        line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    private static string Probe(string network, string packed, string mode, int batch, long budget, int calls) => network switch
    {
        "stream-256m" => Probe<Stream256M>(packed, mode, batch, budget, calls),
        "stream-1g" => Probe<Stream1G>(packed, mode, batch, budget, calls),
        "stream-4g" => Probe<Stream4G>(packed, mode, batch, budget, calls),
        "stream-bert-base" => ProbeEncoder<StreamBertBase>(packed, mode, batch, budget, calls),
        _ => throw new ArgumentOutOfRangeException(nameof(network), network, "Unknown streaming network."),
    };

    private static string Probe<TNetwork>(string packed, string mode, int batch, long budget, int calls)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        long residentBefore = ProcessMemory.ResidentBytes();
        long peakBefore = ProcessMemory.PeakResidentBytes();
        float[] input = new float[batch * TNetwork.Spec.InputSize];
        new DeterministicRandom(3).Fill(input, 1f);
        float[] output = new float[batch * TNetwork.Spec.OutputSize];
        var seconds = new List<double>();
        long allocated = 0;
        long bytes = StreamingSession<TNetwork>.PackedBytes;
        switch (mode)
        {
            case "read":
                Read(packed, calls, seconds);
                break;
            case "memory":
                {
                    using var session = new InferenceSession<TNetwork>(NetworkWeights<TNetwork>.FromPacked(packed), batch);
                    allocated = Time(() => session.Forward(input, output, batch), calls, seconds);
                    break;
                }

            case "streamed":
                {
                    using var session = new StreamingSession<TNetwork>(packed, budget, batch, _verify);
                    allocated = Time(() => session.Forward(input, output, batch), calls, seconds);
                    break;
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "read, memory or streamed");
        }

        return Line(mode, batch, bytes, residentBefore, peakBefore, seconds, allocated, output);
    }

    /// <summary>
    /// An encoder's probe: <paramref name="batch"/> sequences of <see cref="EncoderTokens"/> seeded tokens, the dense layers
    /// whole (<see cref="NetworkWeights{TNetwork}.FromPacked"/>) or streamed (<see cref="EncoderSession{TNetwork}.Streaming"/>),
    /// the embedding tables and layer norms loaded from <see cref="ParametersPath"/> and resident in both.
    /// </summary>
    private static string ProbeEncoder<TNetwork>(string packed, string mode, int batch, long budget, int calls)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        long residentBefore = ProcessMemory.ResidentBytes();
        long peakBefore = ProcessMemory.PeakResidentBytes();
        EncoderConfig config = TNetwork.Spec.Encoder!;
        int tokens = batch * EncoderTokens;
        int[] ids = new int[tokens], mask = new int[tokens], types = new int[tokens];
        var random = new Random(5);
        for (int t = 0; t < tokens; t++)
        {
            ids[t] = random.Next(config.Vocabulary);
            mask[t] = 1;
        }

        float[] output = new float[tokens * config.Hidden];
        float[] pooled = new float[batch * config.Hidden];
        var seconds = new List<double>();
        long allocated = 0;
        switch (mode)
        {
            case "read":
                Read(packed, calls, seconds);
                break;
            case "memory":
                {
                    EncoderWeights<TNetwork> weights = EncoderWeights<TNetwork>.FromSafetensors(ParametersPath(packed), includeDense: false)
                        .WithDense(NetworkWeights<TNetwork>.FromPacked(packed));
                    using var session = new EncoderSession<TNetwork>(weights, batch, EncoderTokens);
                    allocated = Time(() => session.Run(ids, mask, types, batch, EncoderTokens, output, pooled), calls, seconds);
                    break;
                }

            case "streamed":
                {
                    using EncoderSession<TNetwork> session = EncoderSession<TNetwork>.Streaming(
                        EncoderWeights<TNetwork>.FromSafetensors(ParametersPath(packed), includeDense: false), packed, budget, batch, EncoderTokens, verifyChecksums: _verify);
                    allocated = Time(() => session.Run(ids, mask, types, batch, EncoderTokens, output, pooled), calls, seconds);
                    break;
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "read, memory or streamed");
        }

        return Line(mode, batch, StreamingSession<TNetwork>.PackedBytes, residentBefore, peakBefore, seconds, allocated, output);
    }

    /// <summary>
    /// An encoder's embedding tables and layer norms from a seed (γ near 1, β and the tables small) as a safetensors file
    /// with Hugging Face's names, which the probes load without the dense layers, as a user would.
    /// </summary>
    private static void WriteSeededParameters<TNetwork>(ulong seed, string path)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        var tensors = new List<Safetensors.SafetensorsTensor>();
        var random = new DeterministicRandom(seed + 1);
        void Add(string name, long[] shape, float center, float bound)
        {
            float[] data = new float[(int)shape.Aggregate(1L, (a, b) => a * b)];
            random.Fill(data, bound);
            for (int i = 0; i < data.Length; i++)
            {
                data[i] += center;
            }

            tensors.Add(new Safetensors.SafetensorsTensor(name, shape, data));
        }

        foreach (NodeSpec node in TNetwork.Spec.Nodes)
        {
            switch (node)
            {
                case EmbeddingSpec e:
                    Add(e.Name + ".word_embeddings.weight", [e.Vocabulary, e.Hidden], 0f, 0.05f);
                    Add(e.Name + ".position_embeddings.weight", [e.Positions, e.Hidden], 0f, 0.05f);
                    Add(e.Name + ".token_type_embeddings.weight", [e.TypeVocabulary, e.Hidden], 0f, 0.05f);
                    break;
                case LayerNormSpec l:
                    Add(l.Name + ".weight", [l.Width], 1f, 0.1f);
                    Add(l.Name + ".bias", [l.Width], 0f, 0.1f);
                    break;
            }
        }

        using FileStream stream = File.Create(path);
        Safetensors.SafetensorsWriter.Write(stream, tensors);
    }

    private static string Line(string mode, int batch, long bytes, long residentBefore, long peakBefore, List<double> seconds, long allocated, float[] output)
    {
        long peakAfter = ProcessMemory.PeakResidentBytes();
        seconds.Sort();
        double median = seconds.Count > 0 ? seconds[seconds.Count / 2] : double.NaN;
        ulong digest = 14695981039346656037UL;
        foreach (float f in output)
        {
            digest = (digest ^ BitConverter.SingleToUInt32Bits(f)) * 1099511628211UL;
        }

        return string.Create(
            CultureInfo.InvariantCulture,
            $"probe mode={mode} batch={batch} weight_bytes={bytes} resident_before={residentBefore} peak_before={peakBefore} peak_after={peakAfter} median_s={median:R} first_s={_firstSeconds:R} calls={seconds.Count} allocated_bytes={allocated} output_digest={digest:x16}");
    }

    /// <summary>
    /// One call untimed (JIT, and the reader filling the ring), then <paramref name="calls"/> timed; returns the bytes the
    /// whole process allocated during the timed calls, every thread counted (the session's reader too).
    /// </summary>
    private static long Time(Action call, int calls, List<double> seconds)
    {
        long first = Stopwatch.GetTimestamp();
        call();
        _firstSeconds = Stopwatch.GetElapsedTime(first).TotalSeconds;
        seconds.EnsureCapacity(calls);
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < calls; i++)
        {
            long start = Stopwatch.GetTimestamp();
            call();
            seconds.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }

        return GC.GetTotalAllocatedBytes(precise: true) - allocated;
    }

    /// <summary>Every block read in order into one aligned buffer of the largest block: how the session reads, without the compute.</summary>
    private static void Read(string path, int calls, List<double> seconds)
    {
        using PackedWeightsFile file = PackedWeightsFile.Open(path);
        long largest = file.Layers.Max(e => e.Length);
        float[] array = GC.AllocateUninitializedArray<float>((int)(largest / sizeof(float)) + 16, pinned: true);
        long address = Marshal.UnsafeAddrOfPinnedArrayElement(array, 0).ToInt64();
        int skip = (int)((64 - (address % 64)) % 64) / sizeof(float);
        using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        for (int call = 0; call <= calls; call++)
        {
            long start = Stopwatch.GetTimestamp();
            Span<byte> buffer = MemoryMarshal.AsBytes(array.AsSpan(skip));
            foreach (PackedWeightsEntry e in file.Layers)
            {
                for (long done = 0; done < e.Length;)
                {
                    int read = RandomAccess.Read(handle, buffer[(int)done..(int)e.Length], e.Offset + done);
                    done += read > 0 ? read : throw new EndOfStreamException(path);
                }
            }

            if (call > 0)
            {
                seconds.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
            }
            else
            {
                _firstSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            }
        }
    }
}
