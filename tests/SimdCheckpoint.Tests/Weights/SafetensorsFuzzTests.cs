using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using CsCheck;
using SimdCheckpoint.Safetensors;
using SimdCheckpoint.Tests.Networks;
using SimdCheckpoint.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Tests.Weights;

/// <summary>
/// 10^5 mutated safetensors files (flipped bits, replaced bytes, truncations, insertions, edits of the JSON header's
/// text and of the length prefix): loading each one either succeeds or throws a <see cref="WeightsException"/>,
/// never anything else, and never takes more than a second.
/// </summary>
public sealed class SafetensorsFuzzTests
{
    [Fact]
    public void Mutated_files_load_or_are_rejected_with_a_weights_exception()
    {
        var harness = new NetworkHarness<Uneven>(seed: 4);
        var stream = new MemoryStream();
        SafetensorsWriter.WriteNetwork(stream, Uneven.Spec, harness.Layers);
        byte[] seed = stream.ToArray();
        int headerEnd = 8 + (int)BitConverter.ToUInt64(seed, 0);
        byte[] tokens = Encoding.ASCII.GetBytes("{}[]\":,0123456789-eE.F32F16 ");
        Gen<(int Kind, int Position, byte Value)[]> edits = Gen.Select(Gen.Int[0, 5], Gen.Int[0, int.MaxValue], Gen.Byte).Array[1, 5];
        long loaded = 0, rejected = 0;
        edits.Sample(
            e =>
            {
                byte[] bytes = Mutate(seed, headerEnd, tokens, e);
                long start = Stopwatch.GetTimestamp();
                try
                {
                    NetworkWeights<Uneven> weights = NetworkWeights<Uneven>.FromSafetensors(new MemoryStream(bytes), WeightLayout.InputsByOutputs, "fuzz.safetensors");
                    Assert.True(weights.PackedBytes > 0);
                    System.Threading.Interlocked.Increment(ref loaded);
                }
                catch (WeightsException)
                {
                    System.Threading.Interlocked.Increment(ref rejected);
                }

                Assert.True(Stopwatch.GetElapsedTime(start).TotalSeconds < 1, "a load took more than a second");
            },
            iter: 100_000);
        Assert.Equal(100_000, loaded + rejected);
        Assert.True(loaded > 0 && rejected > 0, $"{loaded} loaded, {rejected} rejected: the mutations should produce both");
    }

    [Fact]
    public void A_header_with_invalid_utf8_is_a_format_error()
    {
        // Found by the fuzzer: JsonDocument parsed it and threw InvalidOperationException when the name was read.
        // 0x9C: a UTF-8 continuation byte with no lead byte, inside the tensor name.
        byte[] json = [.. Encoding.ASCII.GetBytes("{\"fc1.weight"), 0x9C, .. Encoding.ASCII.GetBytes("\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}")];
        byte[] file = [.. BitConverter.GetBytes((ulong)json.Length), .. json, 0, 0, 0, 0];
        WeightsFormatException e = Assert.Throws<WeightsFormatException>(() => NetworkWeights<Uneven>.FromSafetensors(new MemoryStream(file), WeightLayout.InputsByOutputs, "bad.safetensors"));
        Assert.Contains("not valid UTF-8", e.Message, StringComparison.Ordinal);
    }

    private static byte[] Mutate(byte[] seed, int headerEnd, byte[] tokens, (int Kind, int Position, byte Value)[] edits)
    {
        var bytes = seed.ToList();
        foreach ((int kind, int position, byte value) in edits)
        {
            // Most edits land in the 8-byte prefix or the JSON header, where the parsing is.
            int span = kind == 5 || position % 4 != 0 ? Math.Min(headerEnd, bytes.Count) : bytes.Count;
            int at = span == 0 ? 0 : position % span;
            switch (kind)
            {
                case 0 when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << (value % 8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[at] = tokens[value % tokens.Length]; // a JSON-ish character
                    break;
                case 2:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 3:
                    bytes.Insert(at, tokens[value % tokens.Length]);
                    break;
                case 4 when bytes.Count > 8:
                    bytes[value % 8] = (byte)(value * 13); // the length prefix
                    break;
                case 5 when bytes.Count > 0:
                    bytes[at] = value;
                    break;
            }
        }

        return [.. bytes];
    }
}
