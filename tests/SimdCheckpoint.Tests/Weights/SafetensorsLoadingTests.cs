using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text;
using SimdCheckpoint.Safetensors;
using SimdCheckpoint.Tests.Networks;
using SimdCheckpoint.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Tests.Weights;

/// <summary>Loading weights from safetensors: the happy path, and a specific error naming file and tensor for every way a file can be wrong.</summary>
public sealed class SafetensorsLoadingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("simdcheckpoint-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(WeightLayout.InputsByOutputs)]
    [InlineData(WeightLayout.OutputsByInputs)]
    public void A_written_file_loads_to_the_same_packed_weights(WeightLayout layout)
    {
        var harness = new NetworkHarness<Uneven>(seed: 4, layout: layout);
        string path = Write("uneven.safetensors", Uneven.Spec, harness.Layers);
        NetworkWeights<Uneven> loaded = Uneven.LoadWeights(path, layout);
        Assert.True(harness.Weights.Packed.SequenceEqual(loaded.Packed));

        using FileStream stream = File.OpenRead(path);
        NetworkWeights<Uneven> fromStream = NetworkWeights<Uneven>.FromSafetensors(stream, layout, "uneven");
        Assert.True(harness.Weights.Packed.SequenceEqual(fromStream.Packed));
    }

    [Fact]
    public void A_stream_that_cannot_seek_loads_too()
    {
        var harness = new NetworkHarness<Uneven>(seed: 4);
        byte[] bytes = File.ReadAllBytes(Write("u.safetensors", Uneven.Spec, harness.Layers));
        using var stream = new ForwardOnlyStream(bytes);
        NetworkWeights<Uneven> loaded = NetworkWeights<Uneven>.FromSafetensors(stream, WeightLayout.InputsByOutputs, "pipe");
        Assert.True(harness.Weights.Packed.SequenceEqual(loaded.Packed));
    }

    [Fact]
    public void Packed_weights_are_64_byte_aligned()
    {
        var harness = new NetworkHarness<Uneven>(seed: 4);
        unsafe
        {
            fixed (float* p = harness.Weights.Packed)
            {
                Assert.Equal(0u, (nuint)p % 64);
            }
        }
    }

    [Fact]
    public void A_missing_tensor_is_named_with_its_layer_and_file()
    {
        var harness = new NetworkHarness<Uneven>(seed: 4);
        var tensors = Tensors(Uneven.Spec, harness.Layers);
        tensors.RemoveAll(t => t.Name == "expand.bias");
        string path = WriteTensors("missing.safetensors", tensors);
        var e = Assert.Throws<WeightsMismatchException>(() => Uneven.LoadWeights(path, WeightLayout.InputsByOutputs));
        Assert.Equal("expand.bias", e.TensorName);
        Assert.Equal("expand", e.LayerName);
        Assert.Equal(path, e.SourceName);
        Assert.Contains("missing.safetensors", e.Message, StringComparison.Ordinal);
        Assert.Contains("'expand.bias'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_shape_is_reported_with_both_shapes()
    {
        var harness = new NetworkHarness<Uneven>(seed: 4);
        var tensors = Tensors(Uneven.Spec, harness.Layers);
        int i = tensors.FindIndex(t => t.Name == "squeeze.weight");
        tensors[i] = new SafetensorsTensor("squeeze.weight", [50, 18], new float[50 * 18]);
        string path = WriteTensors("shape.safetensors", tensors);
        var e = Assert.Throws<WeightsMismatchException>(() => Uneven.LoadWeights(path, WeightLayout.InputsByOutputs));
        Assert.Equal("squeeze.weight", e.TensorName);
        Assert.Contains("[50, 18]", e.Message, StringComparison.Ordinal);
        Assert.Contains("[50, 19]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_transposed_weight_suggests_the_other_layout()
    {
        var harness = new NetworkHarness<Uneven>(seed: 4);
        string path = Write("t.safetensors", Uneven.Spec, harness.Layers);
        var e = Assert.Throws<WeightsMismatchException>(() => Uneven.LoadWeights(path, WeightLayout.OutputsByInputs));
        Assert.Contains("WeightLayout.InputsByOutputs", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_dtype_is_reported()
    {
        byte[] file = RawFile("""{"dense0.weight":{"dtype":"F16","shape":[20,7],"data_offsets":[0,280]},"dense0.bias":{"dtype":"F32","shape":[7],"data_offsets":[280,308]}}""", 308);
        string path = Path.Combine(_dir, "f16.safetensors");
        File.WriteAllBytes(path, file);
        var e = Assert.Throws<WeightsMismatchException>(() => SingleLayer.LoadWeights(path, WeightLayout.InputsByOutputs));
        Assert.Equal("dense0.weight", e.TensorName);
        Assert.Contains("F16", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_file_names_the_tensor_that_runs_past_the_end()
    {
        var harness = new NetworkHarness<SingleLayer>(seed: 4);
        byte[] bytes = File.ReadAllBytes(Write("full.safetensors", SingleLayer.Spec, harness.Layers));
        string path = Path.Combine(_dir, "cut.safetensors");
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length - 5).ToArray());
        var e = Assert.Throws<WeightsFormatException>(() => SingleLayer.LoadWeights(path, WeightLayout.InputsByOutputs));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        Assert.Equal("dense0.bias", e.TensorName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void A_file_shorter_than_the_length_prefix_is_truncated(int length)
    {
        string path = Path.Combine(_dir, "tiny.safetensors");
        File.WriteAllBytes(path, new byte[length]);
        var e = Assert.Throws<WeightsFormatException>(() => SingleLayer.LoadWeights(path, WeightLayout.InputsByOutputs));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        Assert.Equal(path, e.SourceName);
    }

    [Theory]
    [InlineData(ulong.MaxValue, "beyond the format's limit")]
    [InlineData(1UL << 40, "beyond the format's limit")]
    [InlineData(5000UL, "only")]
    public void A_header_length_that_overflows_or_lies_is_rejected(ulong declared, string expected)
    {
        byte[] file = RawFile("{}", 0);
        BinaryPrimitives.WriteUInt64LittleEndian(file, declared);
        string path = Path.Combine(_dir, "lies.safetensors");
        File.WriteAllBytes(path, file);
        var e = Assert.Throws<WeightsFormatException>(() => SingleLayer.LoadWeights(path, WeightLayout.InputsByOutputs));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"dense0.weight":{"dtype":"F32","shape":[20,7],"data_offsets":[0,999999]}}""", "dense0.weight", "hold")]
    [InlineData("""{"dense0.weight":{"dtype":"F32","shape":[20,7],"data_offsets":[560,0]}}""", "dense0.weight", "data_offsets")]
    [InlineData("""{"dense0.weight":{"dtype":"F32","shape":[20,7],"data_offsets":["0",560]}}""", "dense0.weight", "data_offsets")]
    [InlineData("""{"dense0.weight":{"dtype":"F32","shape":[20,7],"data_offsets":[0,{}]}}""", "dense0.weight", "data_offsets")]
    [InlineData("""{"dense0.weight":{"dtype":"F32","shape":[20,-7],"data_offsets":[0,560]}}""", "dense0.weight", "shape")]
    [InlineData("""{"dense0.weight":{"dtype":"F32","shape":[9223372036854775807,4],"data_offsets":[0,560]}}""", "dense0.weight", "overflows")]
    [InlineData("""{"dense0.weight":{"shape":[20,7],"data_offsets":[0,560]}}""", "dense0.weight", "dtype")]
    [InlineData("""{"dense0.weight":[1,2]}""", "dense0.weight", "object")]
    [InlineData("""{"dense0.weight":{"dtype":"F32","shape":[20,7],"data_offsets":[0,560]}""", null, "not valid JSON")]
    [InlineData("""[1,2,3]""", null, "must be a JSON object")]
    public void A_malformed_header_is_rejected_with_the_tensor_named(string header, string? tensor, string expected)
    {
        string path = Path.Combine(_dir, "bad.safetensors");
        File.WriteAllBytes(path, RawFile(header, 560));
        var e = Assert.Throws<WeightsFormatException>(() => SingleLayer.LoadWeights(path, WeightLayout.InputsByOutputs));
        Assert.Equal(tensor, e.TensorName);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains("bad.safetensors", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Layers_given_as_spans_must_have_the_right_lengths()
    {
        NetworkWeightsBuilder<SingleLayer> builder = NetworkWeights<SingleLayer>.CreateBuilder();
        var e = Assert.Throws<ArgumentException>(() => builder.SetLayer(0, new float[139], new float[7], WeightLayout.InputsByOutputs));
        Assert.Contains("140", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => builder.SetLayer(0, new float[140], new float[6], WeightLayout.InputsByOutputs));
        Assert.Throws<ArgumentException>(() => builder.SetLayer("nope", new float[140], new float[7], WeightLayout.InputsByOutputs));
        Assert.Throws<InvalidOperationException>(() => builder.Build());
        builder.SetLayer("dense0", new float[140], new float[7], WeightLayout.InputsByOutputs);
        Assert.Equal(0f, builder.Build().Packed[0]);
    }

    private string Write(string name, NetworkSpec spec, IReadOnlyList<DenseLayerWeights> layers)
    {
        string path = Path.Combine(_dir, name);
        using FileStream stream = File.Create(path);
        SafetensorsWriter.WriteNetwork(stream, spec, layers);
        return path;
    }

    private string WriteTensors(string name, List<SafetensorsTensor> tensors)
    {
        string path = Path.Combine(_dir, name);
        using FileStream stream = File.Create(path);
        SafetensorsWriter.Write(stream, tensors);
        return path;
    }

    private static List<SafetensorsTensor> Tensors(NetworkSpec spec, IReadOnlyList<DenseLayerWeights> layers)
    {
        var result = new List<SafetensorsTensor>();
        for (int i = 0; i < layers.Count; i++)
        {
            DenseLayerSpec l = spec.Layers[i];
            result.Add(new SafetensorsTensor(l.Name + ".weight", [l.Inputs, l.Outputs], layers[i].Weight));
            result.Add(new SafetensorsTensor(l.Name + ".bias", [l.Outputs], layers[i].Bias));
        }

        return result;
    }

    private static byte[] RawFile(string header, int dataBytes)
    {
        byte[] h = Encoding.UTF8.GetBytes(header);
        byte[] file = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)h.Length);
        h.CopyTo(file, 8);
        return file;
    }

    private sealed class ForwardOnlyStream(byte[] bytes) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(count, Math.Min(1000, bytes.Length - _position));
            Array.Copy(bytes, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
