using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using System.Text.Json;
using SimdCheckpoint.Cli.Networks;
using SimdCheckpoint.Reference;

namespace SimdCheckpoint.Cli.Commands;

/// <summary>
/// Runs every generated path of a fixed set of networks, batches and seeds layer by layer, compares each layer's
/// output with the scalar reference bit for bit, and prints a digest of the outputs that any machine can compare.
/// Exit code 0 only if every path is identical.
/// </summary>
internal static class SelfCheckCommand
{
    public const ulong Seed = 20261127;

    /// <summary>1, remainders of every path's row tile, a few tiles, and a batch with NaN, ±inf and subnormal inputs.</summary>
    private static readonly (int Batch, bool Special)[] Batches = [(1, false), (7, false), (13, true), (64, false)];

    public static int Run(TextWriter output, string? jsonPath)
    {
        output.WriteLine("SimdCheckpoint selfcheck: every generated path against the scalar reference, bit for bit.");
        output.WriteLine($"  machine   {MachineInfo.Describe()}");
        var paths = PathCatalog.All.ToDictionary(p => p, p => new PathResult(p));
        using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var networks = new List<string>();
        Check<Deep32>(paths, digest, networks);
        Check<SelfCheckMnist>(paths, digest, networks);
        Check<SelfCheckUneven>(paths, digest, networks);
        Check<SelfCheckWide>(paths, digest, networks);
        Check<SelfCheckTranscendental>(paths, digest, networks);
        CheckEncoder<SelfCheckEncoder>(paths, digest, networks);
        string hash = Convert.ToHexStringLower(digest.GetHashAndReset());

        output.WriteLine($"  networks  {string.Join("; ", networks)}");
        output.WriteLine($"  batches   {string.Join(", ", Batches.Select(b => b.Special ? $"{b.Batch} (NaN, ±inf, subnormal inputs)" : b.Batch.ToString(System.Globalization.CultureInfo.InvariantCulture)))}; seed {Seed}");
        foreach (PathResult r in paths.Values)
        {
            string verdict = r.Mismatch ?? "identical";
            output.WriteLine($"  {r.Path,-10} {PathCatalog.Describe(r.Path),-22} {r.Outputs,9:N0} outputs  {verdict}");
        }

        KernelPath auto = Experiment.ExperimentRunner.AutoPathOf<Deep32>();
        output.WriteLine($"  digest    {hash} (SHA-256 of every network's outputs on the {auto} path; NaN bits canonicalised)");
        bool ok = paths.Values.All(r => r.Mismatch is null);
        output.WriteLine(ok ? "  result    OK: every path is identical to the reference." : "  result    FAILED: a path differs from the reference.");

        if (jsonPath is not null)
        {
            WriteJson(jsonPath, paths.Values, hash, networks, auto, ok);
            output.WriteLine($"  json      {jsonPath}");
        }

        return ok ? 0 : 1;
    }

    private static void Check<TNetwork>(Dictionary<KernelPath, PathResult> paths, IncrementalHash digest, List<string> networks)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        NetworkSpec spec = TNetwork.Spec;
        networks.Add($"{spec.Name} ({ShapeText.Abbreviate(spec)})");
        IReadOnlyList<DenseLayerWeights> weights = RandomWeights.Create(spec, Seed);
        NetworkWeights<TNetwork> packed = NetworkWeights<TNetwork>.FromLayers(weights);
        var reference = new ReferenceNetwork(spec, weights);
        using var session = new InferenceSession<TNetwork>(packed, Batches.Max(b => b.Batch));
        foreach ((int batch, bool special) in Batches)
        {
            float[] input = Inputs(batch * spec.InputSize, Seed + (ulong)batch, special);
            float[][] expected = reference.ForwardAllLayers(input, batch);
            foreach (PathResult result in paths.Values)
            {
                float[] x = input;
                for (int layer = 0; layer < spec.Layers.Count; layer++)
                {
                    float[] y = new float[batch * spec.Layers[layer].Outputs];
                    session.ForwardLayer(layer, x, y, batch, result.Path);
                    result.Outputs += y.Length;
                    int at = FirstDifference(expected[layer], y);
                    if (at >= 0)
                    {
                        result.Mismatch ??= $"MISMATCH: {spec.Name}, batch {batch}, layer {layer} ('{spec.Layers[layer].Name}'), index {at}: expected 0x{Bits(expected[layer][at]):X8}, got 0x{Bits(y[at]):X8}";
                        break;
                    }

                    x = y;
                }
            }

            // The digest is of what this machine's default path computes; every path was compared with it above.
            float[] final = new float[batch * spec.OutputSize];
            float[] current = input;
            for (int layer = 0; layer < spec.Layers.Count; layer++)
            {
                float[] y = layer == spec.Layers.Count - 1 ? final : new float[batch * spec.Layers[layer].Outputs];
                session.ForwardLayer(layer, current, y, batch);
                current = y;
            }

            // NaN payloads may differ between x64 and arm64 (DESIGN.md section 2); every NaN hashes alike.
            byte[] bytes = new byte[final.Length * 4];
            for (int i = 0; i < final.Length; i++)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), float.IsNaN(final[i]) ? 0x7FC00000 : Bits(final[i]));
            }

            digest.AppendData(bytes);
        }
    }

    /// <summary>
    /// An encoder on every path, with one thread and with two, against <see cref="ReferenceEncoder"/>: a batch of three
    /// sequences of 11, 5 and 8 real tokens, padded on the right, with seeded weights and ids.
    /// </summary>
    private static void CheckEncoder<TNetwork>(Dictionary<KernelPath, PathResult> paths, IncrementalHash digest, List<string> networks)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        NetworkSpec spec = TNetwork.Spec;
        EncoderConfig config = spec.Encoder!;
        networks.Add($"{spec.Name} (encoder: {config.Layers} layers, hidden {config.Hidden}, {config.Heads} heads, FFN {config.Intermediate})");
        Dictionary<string, float[]> tensors = EncoderTensors(spec, Seed);
        EncoderWeights<TNetwork> weights = EncoderWeights<TNetwork>.FromTensors(tensors, "seeded tensors");
        const int batch = 3, sequence = 11;
        int[] lengths = [11, 5, 8];
        var rng = new DeterministicRandom(Seed + 1);
        int[] ids = new int[batch * sequence], mask = new int[batch * sequence], types = new int[batch * sequence];
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < lengths[b]; t++)
            {
                ids[(b * sequence) + t] = (int)(rng.NextUInt64() % (ulong)config.Vocabulary);
                mask[(b * sequence) + t] = 1;
                types[(b * sequence) + t] = t >= lengths[b] / 2 ? 1 : 0;
            }
        }

        Dictionary<string, float[]> expected = ReferenceEncoder.Run(spec, tensors, ids, mask, types, batch, sequence);
        var last = new float[batch * sequence * config.Hidden];
        var pooled = new float[batch * config.Hidden];
        foreach (PathResult result in paths.Values)
        {
            foreach (int threads in new[] { 1, 2 })
            {
                using var session = new EncoderSession<TNetwork>(weights, batch, sequence, result.Path, threads);
                session.Run(ids, mask, types, batch, sequence, last, pooled);
                result.Outputs += last.Length + pooled.Length;
                foreach ((string name, float[] actual) in new[] { ("last_hidden_state", last), ("pooler_output", pooled) })
                {
                    int at = FirstDifference(expected[name], actual);
                    if (at >= 0)
                    {
                        result.Mismatch ??= $"MISMATCH: {spec.Name}, {threads} thread(s), {name}, index {at}: expected 0x{Bits(expected[name][at]):X8}, got 0x{Bits(actual[at]):X8}";
                    }
                }
            }
        }

        using (var session = new EncoderSession<TNetwork>(weights, batch, sequence))
        {
            session.Run(ids, mask, types, batch, sequence, last, pooled);
        }

        foreach (float[] output in new[] { last, pooled })
        {
            byte[] bytes = new byte[output.Length * 4];
            for (int i = 0; i < output.Length; i++)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), Bits(output[i]));
            }

            digest.AppendData(bytes);
        }
    }

    /// <summary>Seeded tensors under the encoder's names: dense weights [out, in] and biases, embedding tables, layer norms near γ = 1, β = 0.</summary>
    private static Dictionary<string, float[]> EncoderTensors(NetworkSpec spec, ulong seed)
    {
        var rng = new DeterministicRandom(seed);
        var tensors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        float[] Random(long count, float scale, float offset = 0f)
        {
            var t = new float[count];
            rng.Fill(t, scale);
            for (int i = 0; i < t.Length; i++)
            {
                t[i] += offset;
            }

            return t;
        }

        foreach (NodeSpec node in spec.Nodes)
        {
            switch (node)
            {
                case DenseLayerSpec d:
                    tensors[d.Name + ".weight"] = Random((long)d.Inputs * d.Outputs, 1f / MathF.Sqrt(d.Inputs));
                    tensors[d.Name + ".bias"] = Random(d.Outputs, 0.1f);
                    break;
                case EmbeddingSpec e:
                    tensors[e.Name + ".word_embeddings.weight"] = Random((long)e.Vocabulary * e.Hidden, 1f);
                    tensors[e.Name + ".position_embeddings.weight"] = Random((long)e.Positions * e.Hidden, 0.5f);
                    tensors[e.Name + ".token_type_embeddings.weight"] = Random((long)e.TypeVocabulary * e.Hidden, 0.5f);
                    break;
                case LayerNormSpec l:
                    tensors[l.Name + ".weight"] = Random(l.Width, 0.1f, 1f);
                    tensors[l.Name + ".bias"] = Random(l.Width, 0.1f);
                    break;
            }
        }

        return tensors;
    }

    private static int FirstDifference(float[] expected, float[] actual)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            bool same = float.IsNaN(expected[i]) ? float.IsNaN(actual[i]) : Bits(expected[i]) == Bits(actual[i]);
            if (!same)
            {
                return i;
            }
        }

        return -1;
    }

    private static float[] Inputs(int length, ulong seed, bool special)
    {
        float[] specials = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, float.Epsilon, -1.5e-39f, 3e38f, -3e38f];
        var rng = new DeterministicRandom(seed);
        float[] values = new float[length];
        for (int i = 0; i < length; i++)
        {
            ulong r = rng.NextUInt64();
            values[i] = special && (r & 15) == 0 ? specials[(int)((r >> 8) % (ulong)specials.Length)] : rng.NextSigned();
        }

        return values;
    }

    private static int Bits(float v) => BitConverter.SingleToInt32Bits(v);

    private static void WriteJson(string path, IEnumerable<PathResult> results, string hash, List<string> networks, KernelPath auto, bool ok)
    {
        using FileStream file = File.Create(path);
        using var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("machine", MachineInfo.Describe());
        json.WriteString("architecture", RuntimeInformation.ProcessArchitecture.ToString());
        json.WriteStartObject("accelerates");
        json.WriteBoolean("vector128", Vector128.IsHardwareAccelerated);
        json.WriteBoolean("vector256", Vector256.IsHardwareAccelerated);
        json.WriteBoolean("vector512", Vector512.IsHardwareAccelerated);
        json.WriteBoolean("fma3", Fma.IsSupported);
        json.WriteBoolean("avx512f", Avx512F.IsSupported);
        json.WriteBoolean("neon", AdvSimd.IsSupported);
        json.WriteEndObject();
        json.WriteNumber("seed", Seed);
        json.WriteStartArray("networks");
        foreach (string n in networks)
        {
            json.WriteStringValue(n);
        }

        json.WriteEndArray();
        json.WriteStartArray("paths");
        foreach (PathResult r in results)
        {
            json.WriteStartObject();
            json.WriteString("path", r.Path.ToString());
            json.WriteBoolean("accelerated", PathCatalog.IsAccelerated(r.Path));
            json.WriteBoolean("identical", r.Mismatch is null);
            json.WriteNumber("outputs", r.Outputs);
            if (r.Mismatch is not null)
            {
                json.WriteString("mismatch", r.Mismatch);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteString("digestPath", auto.ToString());
        json.WriteString("digest", hash);
        json.WriteBoolean("identical", ok);
        json.WriteEndObject();
    }

    private sealed class PathResult(KernelPath path)
    {
        public KernelPath Path { get; } = path;

        public long Outputs { get; set; }

        public string? Mismatch { get; set; }
    }
}
