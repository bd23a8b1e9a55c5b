using System;
using System.Buffers.Binary;
using System.IO;
using System.Security.Cryptography;
using SimdCheckpoint.Tests.Networks;
using SimdCheckpoint.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Tests.Streaming;

/// <summary>
/// The packed weights file (.sckw): what is written reads back bit for bit, and every kind of damage (truncation, a
/// flipped byte in the header or in a block, a lying offset, another network) is a specific <see cref="WeightsException"/>
/// raised before any weight is used, never an out-of-range read.
/// </summary>
public sealed class PackedWeightsFileTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Written_weights_read_back_with_the_same_bits()
    {
        RoundTrip<Uneven>();
        RoundTrip<MnistMlp>();
        RoundTrip<Transcendental>();
        RoundTrip<Narrow13>();
    }

    [Fact]
    public void WriteRandom_writes_the_weights_RandomWeights_creates()
    {
        string path = _folder.File("deep32.sckw");
        PackedWeightsFile.WriteRandom<Deep32>(seed: 9, path);
        NetworkWeights<Deep32> expected = NetworkWeights<Deep32>.FromLayers(RandomWeights.Create(Deep32.Spec, 9));
        Bits.Equal(expected.Packed, NetworkWeights<Deep32>.FromPacked(path).Packed, "packed");
    }

    [Fact]
    public void The_header_describes_the_layout()
    {
        string path = Write<MnistMlp>("mnist.sckw");
        using PackedWeightsFile file = PackedWeightsFile.Open(path);
        Assert.Equal(MnistMlp.Spec.Fingerprint, file.SpecFingerprint);
        Assert.Equal(PanelWidthOf<MnistMlp>(), file.PanelWidth);
        Assert.Equal(PackedWeightsFile.FormatVersion, file.Version);
        Assert.Equal(new FileInfo(path).Length, file.FileLength);
        Assert.Equal(3, file.Layers.Count);
        PackedNetworkLayout layout = PackedNetworkLayout.For(MnistMlp.Spec, PanelWidthOf<MnistMlp>());
        long previousEnd = file.HeaderBytes;
        for (int i = 0; i < 3; i++)
        {
            PackedWeightsEntry e = file.Layers[i];
            Assert.Equal(0, e.Offset % PackedWeightsFile.BlockAlignment);
            Assert.True(e.Offset >= previousEnd);
            Assert.Equal((long)layout.Layers[i].Length * sizeof(float), e.Length);
            Assert.Equal(MnistMlp.Spec.Layers[i].Inputs, e.Inputs);
            Assert.Equal(64, e.Sha256.Length);
            previousEnd = e.Offset + e.Length;
        }

        Assert.Equal(layout.Length * (long)sizeof(float), file.WeightBytes);
        file.VerifyChecksums();
    }

    [Fact]
    public void A_truncated_file_is_a_format_error_at_every_length()
    {
        string path = Write<Uneven>("uneven.sckw");
        byte[] whole = File.ReadAllBytes(path);
        string cut = _folder.File("cut.sckw");
        foreach (int length in new[] { 0, 1, 8, 63, 64, 95, PackedWeightsFile.HeaderLength(5) - 1, PackedWeightsFile.HeaderLength(5), 4096, 4097, whole.Length / 2, whole.Length - 1 })
        {
            File.WriteAllBytes(cut, whole.AsSpan(0, length).ToArray());
            WeightsFormatException e = Assert.Throws<WeightsFormatException>(() => NetworkWeights<Uneven>.FromPacked(cut));
            Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
            Assert.Equal(cut, e.SourceName);
        }
    }

    [Fact]
    public void A_flipped_byte_anywhere_in_the_header_is_a_format_error()
    {
        string path = Write<Uneven>("uneven.sckw");
        byte[] whole = File.ReadAllBytes(path);
        int header = PackedWeightsFile.HeaderLength(5);
        string bad = _folder.File("bad.sckw");
        for (int i = 0; i < header; i++)
        {
            byte[] bytes = (byte[])whole.Clone();
            bytes[i] ^= 0x10;
            File.WriteAllBytes(bad, bytes);
            WeightsFormatException e = Assert.Throws<WeightsFormatException>(() => NetworkWeights<Uneven>.FromPacked(bad));
            string expected = i switch
            {
                < 8 => "magic",
                < 12 => "format version",
                < 16 or (>= 20 and < 24) => "header that lies",
                _ => "header whose SHA-256 does not match",
            };
            Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), $"byte {i}: {e.Message}");
        }
    }

    [Fact]
    public void A_flipped_byte_in_a_block_names_the_layer()
    {
        string path = Write<Uneven>("uneven.sckw");
        long offset;
        using (PackedWeightsFile file = PackedWeightsFile.Open(path))
        {
            offset = file.Layers[2].Offset + 40;
        }

        byte[] bytes = File.ReadAllBytes(path);
        bytes[offset] ^= 1;
        File.WriteAllBytes(path, bytes);
        using (PackedWeightsFile file = PackedWeightsFile.Open(path))
        {
            WeightsFormatException verify = Assert.Throws<WeightsFormatException>(file.VerifyChecksums);
            Assert.Contains("Layer 2's block", verify.Message, StringComparison.Ordinal);
            Assert.Equal("layer 2", verify.TensorName);
        }

        WeightsFormatException load = Assert.Throws<WeightsFormatException>(() => NetworkWeights<Uneven>.FromPacked(path));
        Assert.Contains("Layer 2's block", load.Message, StringComparison.Ordinal);
        Assert.Contains("does not match its SHA-256", load.Message, StringComparison.Ordinal);
        Assert.Throws<WeightsFormatException>(() => new StreamingSession<Uneven>(path, 1 << 20, 1));
    }

    [Fact]
    public void Weights_packed_for_another_network_are_a_mismatch()
    {
        string path = Write<Uneven>("uneven.sckw");
        WeightsMismatchException e = Assert.Throws<WeightsMismatchException>(() => NetworkWeights<MnistMlp>.FromPacked(path));
        Assert.Contains("spec fingerprint " + Uneven.Spec.Fingerprint, e.Message, StringComparison.Ordinal);
        Assert.Contains("different or since-changed network", e.Message, StringComparison.Ordinal);
        Assert.Throws<WeightsMismatchException>(() => new StreamingSession<MnistMlp>(path, 1L << 30, 1));
    }

    [Fact]
    public void Another_panel_width_is_a_mismatch()
    {
        string path = Write<Uneven>("uneven.sckw");
        Edit(path, header => BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(16), PanelWidthOf<Uneven>() + 8));
        WeightsMismatchException e = Assert.Throws<WeightsMismatchException>(() => NetworkWeights<Uneven>.FromPacked(path));
        Assert.Contains($"panels of {PanelWidthOf<Uneven>() + 8} columns", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 1L << 40, "past the end of the file")]
    [InlineData(1, 4096 + 8, "not a multiple of 4096")]
    [InlineData(0, 0, "not a multiple of 4096 at or after")]
    [InlineData(2, -4096, "not a multiple of 4096 at or after")]
    public void An_offset_outside_the_file_or_out_of_order_is_a_format_error(int layer, long offset, string expected)
    {
        string path = Write<Uneven>("uneven.sckw");
        Edit(path, header =>
        {
            Span<byte> entry = header.AsSpan(64 + (layer * 64));
            long value = offset < 0 ? BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(64 + ((layer - 1) * 64) + 8)) : offset;
            BinaryPrimitives.WriteInt64LittleEndian(entry[8..], value);
        });
        WeightsFormatException e = Assert.Throws<WeightsFormatException>(() => PackedWeightsFile.Open(path).Dispose());
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Equal($"layer {layer}", e.TensorName);
    }

    [Fact]
    public void A_length_past_the_end_or_not_matching_the_spec_is_an_error()
    {
        string path = Write<Uneven>("uneven.sckw");
        Edit(path, header => BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(64 + (4 * 64) + 16), 1L << 20));
        Assert.Contains("past the end of the file", Assert.Throws<WeightsFormatException>(() => PackedWeightsFile.Open(path).Dispose()).Message, StringComparison.Ordinal);

        path = Write<Uneven>("uneven2.sckw");
        Edit(path, header => BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(64 + 16), 64));
        WeightsMismatchException e = Assert.Throws<WeightsMismatchException>(() => NetworkWeights<Uneven>.FromPacked(path));
        Assert.Contains("Layer 0 of", e.Message, StringComparison.Ordinal);
        Assert.Equal("in", e.LayerName);
    }

    [Fact]
    public void Random_damage_loads_or_is_a_weights_exception()
    {
        string path = Write<Uneven>("uneven.sckw");
        byte[] whole = File.ReadAllBytes(path);
        string bad = _folder.File("fuzz.sckw");
        var rng = new DeterministicRandom(17);
        int loaded = 0, rejected = 0;
        for (int trial = 0; trial < 400; trial++)
        {
            byte[] bytes = (byte[])whole.Clone();
            int edits = 1 + (int)(rng.NextUInt64() % 4);
            for (int k = 0; k < edits; k++)
            {
                bytes[(int)(rng.NextUInt64() % (ulong)bytes.Length)] = (byte)rng.NextUInt64();
            }

            int length = rng.NextUInt64() % 4 == 0 ? (int)(rng.NextUInt64() % (ulong)bytes.Length) : bytes.Length;
            File.WriteAllBytes(bad, bytes.AsSpan(0, length).ToArray());
            try
            {
                NetworkWeights<Uneven> weights = NetworkWeights<Uneven>.FromPacked(bad);
                Bits.Equal(NetworkWeights<Uneven>.FromPacked(path).Packed, weights.Packed, "a damaged file that loads changed only padding");
                loaded++;
            }
            catch (WeightsException)
            {
                rejected++;
            }
        }

        Assert.True(rejected > 300, $"{rejected} rejected, {loaded} loaded");
    }

    private static int PanelWidthOf<TNetwork>()
        where TNetwork : IGeneratedNetwork<TNetwork> => TNetwork.PanelWidth;

    private static void Edit(string path, Action<byte[]> edit)
    {
        byte[] bytes = File.ReadAllBytes(path);
        using (PackedWeightsFile file = PackedWeightsFile.Open(path))
        {
            int header = file.HeaderBytes;
            byte[] head = bytes.AsSpan(0, header).ToArray();
            edit(head);
            SHA256.HashData(head.AsSpan(0, header - 32), head.AsSpan(header - 32));
            head.CopyTo(bytes, 0);
        }

        File.WriteAllBytes(path, bytes);
    }

    private string Write<TNetwork>(string name)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        string path = _folder.File(name);
        PackedWeightsFile.Write(new NetworkHarness<TNetwork>(seed: 3).Weights, path);
        return path;
    }

    private void RoundTrip<TNetwork>()
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        var harness = new NetworkHarness<TNetwork>(seed: 5, specialWeights: true);
        string path = _folder.File(TNetwork.Spec.Name + ".sckw");
        PackedWeightsFile.Write(harness.Weights, path);
        Bits.Equal(harness.Weights.Packed, NetworkWeights<TNetwork>.FromPacked(path).Packed, TNetwork.Spec.Name);
    }
}
