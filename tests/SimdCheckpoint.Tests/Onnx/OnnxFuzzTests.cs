using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using CsCheck;
using SimdCheckpoint.Onnx;
using SimdCheckpoint.Tests.Networks;
using Xunit;

namespace SimdCheckpoint.Tests.Onnx;

/// <summary>
/// 10^5 mutated ONNX files made from three PyTorch-exported models: edits of the protobuf structure that keep every
/// length consistent (fields deleted, duplicated, swapped or renumbered; varints set to edge values; names and
/// operator types exchanged between nodes; overlong varints; special floats in attributes), then byte edits biased
/// toward the tags and length prefixes (flipped bits, replaced and inserted bytes, truncations, lengths off by a
/// little or a lot), with a few anywhere (where the weights are). For each: <see cref="OnnxNetworkReader.Read"/> never
/// throws; <see cref="NetworkSpec.FromOnnx"/> returns a spec or throws <see cref="NetworkSpecException"/>;
/// <see cref="NetworkWeights{TNetwork}.FromOnnx(byte[], string)"/> loads or throws a <see cref="WeightsException"/>;
/// and none takes more than a second.
/// </summary>
public sealed class OnnxFuzzTests
{
    private const int Iterations = 100_000;

    private const int TreeKinds = 8;
    private const int ByteKinds = 7;

    [Fact]
    public void Mutated_models_are_read_or_rejected_with_the_documented_exceptions()
    {
        // Each seed is loaded into the type compiled from it, so that a mutation can still load.
        Seed[] seeds =
        [
            new("mlp_gelu_tanh_softmax.onnx", b => NetworkWeights<TorchMlpGeluTanhSoftmax>.FromOnnx(b, "fuzz.onnx").PackedBytes), // Constant nodes, the GELU pattern, Tanh, Softmax
            new("mlp_silu_leaky_sigmoid.onnx", b => NetworkWeights<TorchMlpSiluLeakySigmoid>.FromOnnx(b, "fuzz.onnx").PackedBytes), // the SiLU pattern, LeakyRelu's alpha
            new("matmul_add.onnx", b => NetworkWeights<TorchMatMulAdd>.FromOnnx(b, "fuzz.onnx").PackedBytes), // MatMul + Add, opset 14
        ];

        Gen<(int Seed, (int Kind, int A, int B)[] Edits)> cases = Gen.Select(
            Gen.Int[0, seeds.Length - 1],
            Gen.Select(Gen.Int[0, TreeKinds + ByteKinds - 1], Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue]).Array[1, 4]);
        long specs = 0, specRejected = 0, loaded = 0, formatRejected = 0, mismatchRejected = 0;
        long slowest = 0;
        var clock = Stopwatch.StartNew();
        cases.Sample(
            c =>
            {
                Seed seed = seeds[c.Seed];
                byte[] bytes = Mutate(seed, c.Edits);

                long start = Stopwatch.GetTimestamp();
                OnnxNetworkReadResult read = OnnxNetworkReader.Read(bytes, "fuzz", "fuzz.onnx");
                Assert.True(read.Spec is not null || read.Problems.Count > 0, "no spec and no problem");
                Assert.All(read.Problems, p => Assert.StartsWith("SCK", p.Id, StringComparison.Ordinal));
                Within(start, "OnnxNetworkReader.Read", ref slowest);

                start = Stopwatch.GetTimestamp();
                try
                {
                    NetworkSpec spec = NetworkSpec.FromOnnx(bytes, "fuzz.onnx");
                    Assert.NotNull(read.Spec);
                    Assert.Equal(read.Spec.Fingerprint, spec.Fingerprint);
                    Interlocked.Increment(ref specs);
                }
                catch (NetworkSpecException e)
                {
                    Assert.Null(read.Spec);
                    Assert.NotEmpty(e.Problems);
                    Interlocked.Increment(ref specRejected);
                }

                Within(start, "NetworkSpec.FromOnnx", ref slowest);

                start = Stopwatch.GetTimestamp();
                try
                {
                    Assert.True(seed.Load(bytes) > 0);
                    Assert.NotNull(read.Spec);
                    Interlocked.Increment(ref loaded);
                }
                catch (WeightsFormatException)
                {
                    Interlocked.Increment(ref formatRejected);
                }
                catch (WeightsMismatchException)
                {
                    Interlocked.Increment(ref mismatchRejected);
                }

                Within(start, "NetworkWeights.FromOnnx", ref slowest);
            },
            iter: Iterations);

        string counts = $"{specs} specs read, {specRejected} rejected; {loaded} weights loaded, {formatRejected} format and "
            + $"{mismatchRejected} mismatch rejections; slowest call {TimeSpan.FromTicks(slowest * TimeSpan.TicksPerSecond / Stopwatch.Frequency).TotalMilliseconds:F1} ms; "
            + $"{clock.Elapsed.TotalSeconds:F1} s in all";
        TestContext.Current.TestOutputHelper?.WriteLine(counts);
        Assert.Equal(Iterations, specs + specRejected);
        Assert.Equal(Iterations, loaded + formatRejected + mismatchRejected);
        Assert.True(specs > 0 && specRejected > 0, counts);
        Assert.True(loaded > 0 && formatRejected > 0 && mismatchRejected > 0, counts);
    }

    [Fact]
    public void The_tree_serializes_each_seed_back_to_its_bytes()
    {
        // The structure-aware mutations start from the parsed tree: with no edit it must be the file itself.
        foreach (string name in new[] { "mlp_gelu_tanh_softmax.onnx", "mlp_silu_leaky_sigmoid.onnx", "matmul_add.onnx", "mlp_relu.onnx", "mlp_flatten_dropout.onnx" })
        {
            byte[] file = File.ReadAllBytes(TorchModelTests.ModelPath(name));
            List<ProtoField> tree = ProtoField.Parse(file, 0, file.Length, 0) ?? throw new InvalidOperationException(name + " is not a message");
            Assert.Equal(file, ProtoField.Serialize(tree, []));
            Assert.True(Flatten(tree).Count(f => f.Children is not null) > 10, $"{name}: the nested messages were found");
        }
    }

    private static void Within(long start, string what, ref long slowest)
    {
        long elapsed = Stopwatch.GetTimestamp() - start;
        long seen;
        while (elapsed > (seen = Interlocked.Read(ref slowest)) && Interlocked.CompareExchange(ref slowest, elapsed, seen) != seen)
        {
        }

        Assert.True(elapsed < Stopwatch.Frequency, $"{what} took more than a second");
    }

    private static byte[] Mutate(Seed seed, (int Kind, int A, int B)[] edits)
    {
        // Structural edits first, on a copy of the tree (lengths stay consistent), then byte edits on its bytes.
        List<ProtoField> tree = seed.Tree.ConvertAll(f => f.Clone());
        foreach ((int kind, int a, int b) in edits)
        {
            if (kind < TreeKinds)
            {
                EditTree(seed, tree, kind, a, b);
            }
        }

        var marks = new List<Mark>();
        var bytes = ProtoField.Serialize(tree, marks).ToList();
        foreach ((int kind, int a, int b) in edits)
        {
            if (kind >= TreeKinds)
            {
                EditBytes(bytes, marks, kind - TreeKinds, a, b);
            }
        }

        return [.. bytes];
    }

    private static void EditTree(Seed seed, List<ProtoField> tree, int kind, int a, int b)
    {
        List<(ProtoField Field, List<ProtoField> Siblings)> all = WithSiblings(tree).ToList();
        if (all.Count == 0)
        {
            return;
        }

        (ProtoField field, List<ProtoField> siblings) = all[a % all.Count];
        switch (kind)
        {
            case 0: // delete a field: a node, an initializer, an attribute, a dimension, a name…
                siblings.Remove(field);
                break;
            case 1: // duplicate it
                siblings.Insert(siblings.IndexOf(field) + 1, field.Clone());
                break;
            case 2: // a varint at an edge: 0, ±1 of its value, negative, 2^31, 2^32, large
                List<ProtoField> varints = all.Select(x => x.Field).Where(x => x.Wire == ProtoField.Varint).ToList();
                if (varints.Count > 0)
                {
                    ProtoField v = varints[a % varints.Count];
                    v.Value = (b % 9) switch
                    {
                        0 => 0,
                        1 => v.Value + 1,
                        2 => v.Value - 1,
                        3 => ulong.MaxValue, // -1 as int64
                        4 => 1UL << 31,
                        5 => (1UL << 32) + 1,
                        6 => (ulong)(b >> 4) & 0xFF,
                        7 => (ulong)b << 24,
                        _ => unchecked((ulong)(-(long)(b & 0xFFFF))),
                    };
                }

                break;
            case 3: // a short string (a name, an operator type, a domain) replaced by another of the seed's
                List<ProtoField> strings = all.Select(x => x.Field).Where(x => x.Wire == ProtoField.LengthDelimited && x.Children is null && x.Bytes.Length <= 64).ToList();
                if (strings.Count > 0)
                {
                    strings[a % strings.Count].Bytes = seed.Strings[b % seed.Strings.Length];
                }

                break;
            case 4: // swap with the next sibling (node order is the topological order)
                int i = siblings.IndexOf(field);
                if (i + 1 < siblings.Count)
                {
                    (siblings[i], siblings[i + 1]) = (siblings[i + 1], siblings[i]);
                }

                break;
            case 5: // renumber (an input becomes an output, dims become data…)
                field.Number = 1 + (b % 20);
                break;
            case 6: // an overlong varint for the tag or the length: valid up to 10 bytes, malformed after
                if ((b & 1) == 0)
                {
                    field.TagPadding = 1 + ((b >> 1) % 10);
                }
                else if (field.Wire == ProtoField.LengthDelimited)
                {
                    field.LengthPadding = 1 + ((b >> 1) % 10);
                }

                break;
            case 7: // a special float (alpha, beta, float_data)
                List<ProtoField> floats = all.Select(x => x.Field).Where(x => x.Wire == ProtoField.Fixed32).ToList();
                if (floats.Count > 0)
                {
                    float[] special = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -1f, 2f, 1e30f, float.Epsilon];
                    floats[a % floats.Count].Bytes = BitConverter.GetBytes(special[b % special.Length]);
                }

                break;
        }
    }

    private static void EditBytes(List<byte> bytes, List<Mark> marks, int kind, int a, int b)
    {
        // A structural position: a byte of a tag or of a length prefix.
        int Structural()
        {
            Mark m = marks[a % marks.Count];
            return Math.Min(m.Offset + ((b >> 8) % m.Length), Math.Max(bytes.Count - 1, 0));
        }

        int anywhere = bytes.Count == 0 ? 0 : a % bytes.Count;
        switch (kind)
        {
            case 0 when bytes.Count > 0: // flip a bit anywhere (mostly in the weights)
                bytes[anywhere] ^= (byte)(1 << (b % 8));
                break;
            case 1 when bytes.Count > 0 && marks.Count > 0: // flip a bit of a tag or length
                bytes[Structural()] ^= (byte)(1 << (b % 8));
                break;
            case 2 when bytes.Count > 0 && marks.Count > 0: // replace a byte of a tag or length
                bytes[Structural()] = (byte)b;
                break;
            case 3: // truncate, at a field boundary or anywhere
                int at = (b & 1) == 0 && marks.Count > 0 ? Math.Min(marks[a % marks.Count].Offset, bytes.Count) : anywhere;
                bytes.RemoveRange(at, bytes.Count - at);
                break;
            case 4 when marks.Count > 0: // insert a byte at a tag or length
                bytes.Insert(Math.Min(marks[a % marks.Count].Offset, bytes.Count), (byte)b);
                break;
            case 5 when marks.Count > 0: // a length prefix off by a little, or by a lot
                Mark[] lengths = marks.Where(m => m.IsLength && m.Offset + m.Length <= bytes.Count).ToArray();
                if (lengths.Length > 0)
                {
                    Mark m = lengths[a % lengths.Length];
                    ulong value = (b % 4) switch
                    {
                        0 => m.Value + 1 + (ulong)((b >> 2) % 4),
                        1 => m.Value - Math.Min(m.Value, 1 + (ulong)((b >> 2) % 4)),
                        2 => (ulong)bytes.Count + (ulong)((b >> 2) % 64),
                        _ => (ulong)b << 8,
                    };
                    bytes.RemoveRange(m.Offset, m.Length);
                    bytes.InsertRange(m.Offset, ProtoField.Encode(value, 0));
                }

                break;
            case 6 when bytes.Count > 0: // replace a byte anywhere
                bytes[anywhere] = (byte)b;
                break;
        }
    }

    private static IEnumerable<ProtoField> Flatten(List<ProtoField> tree) => WithSiblings(tree).Select(x => x.Field);

    /// <summary>Every field, depth first, with the list it is in.</summary>
    private static IEnumerable<(ProtoField Field, List<ProtoField> Siblings)> WithSiblings(List<ProtoField> tree)
    {
        foreach (ProtoField f in tree)
        {
            yield return (f, tree);
            if (f.Children is not null)
            {
                foreach ((ProtoField, List<ProtoField>) x in WithSiblings(f.Children))
                {
                    yield return x;
                }
            }
        }
    }

    private sealed class Seed
    {
        public Seed(string name, Func<byte[], long> load)
        {
            byte[] file = File.ReadAllBytes(TorchModelTests.ModelPath(name));
            Tree = ProtoField.Parse(file, 0, file.Length, 0) ?? throw new InvalidOperationException(name + " is not a message");
            Load = load;
            Strings = [.. Flatten(Tree).Where(f => f.Wire == ProtoField.LengthDelimited && f.Children is null && f.Bytes.Length <= 64).Select(f => f.Bytes), []];
        }

        public List<ProtoField> Tree { get; }

        /// <summary>Loads the weights into the seed's compiled type; returns the packed size.</summary>
        public Func<byte[], long> Load { get; }

        /// <summary>Every short leaf (names, operator types, small tensors' data) and the empty string.</summary>
        public byte[][] Strings { get; }
    }
}

/// <summary>Where a tag or length prefix was written: the structural bytes the byte edits aim at.</summary>
internal readonly record struct Mark(int Offset, int Length, ulong Value, bool IsLength);

/// <summary>
/// A protobuf field parsed without a schema: a length-delimited field whose bytes parse as a message (and serialize
/// back to the same bytes) is a message, anything else a leaf. Serializing computes every length again, so the tree
/// edits keep a file well-formed at the wire level.
/// </summary>
internal sealed class ProtoField
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int Fixed32 = 5;

    public int Number { get; set; }

    public int Wire { get; init; }

    /// <summary>A varint field's value.</summary>
    public ulong Value { get; set; }

    /// <summary>A fixed field's bytes, or a length-delimited leaf's content.</summary>
    public byte[] Bytes { get; set; } = [];

    /// <summary>A nested message's fields; null for a leaf.</summary>
    public List<ProtoField>? Children { get; init; }

    /// <summary>Extra bytes in the tag's varint (an overlong encoding).</summary>
    public int TagPadding { get; set; }

    /// <summary>Extra bytes in the length prefix's varint.</summary>
    public int LengthPadding { get; set; }

    public ProtoField Clone() => new()
    {
        Number = Number,
        Wire = Wire,
        Value = Value,
        Bytes = Bytes,
        Children = Children?.ConvertAll(c => c.Clone()),
        TagPadding = TagPadding,
        LengthPadding = LengthPadding,
    };

    /// <summary>The fields of data[start..end), or null when those bytes are not a message.</summary>
    public static List<ProtoField>? Parse(byte[] data, int start, int end, int depth)
    {
        var fields = new List<ProtoField>();
        int p = start;
        while (p < end)
        {
            if (!TryVarint(data, ref p, end, out ulong tag) || tag >> 3 == 0 || tag >> 3 > 536_870_911)
            {
                return null;
            }

            int number = (int)(tag >> 3), wire = (int)(tag & 7);
            switch (wire)
            {
                case Varint:
                    if (!TryVarint(data, ref p, end, out ulong value))
                    {
                        return null;
                    }

                    fields.Add(new ProtoField { Number = number, Wire = wire, Value = value });
                    break;
                case Fixed64 or Fixed32:
                    int size = wire == Fixed64 ? 8 : 4;
                    if (end - p < size)
                    {
                        return null;
                    }

                    fields.Add(new ProtoField { Number = number, Wire = wire, Bytes = data[p..(p + size)] });
                    p += size;
                    break;
                case LengthDelimited:
                    if (!TryVarint(data, ref p, end, out ulong length) || length > (ulong)(end - p))
                    {
                        return null;
                    }

                    byte[] content = data[p..(p + (int)length)];
                    List<ProtoField>? children = depth < 8 && content.Length > 0 ? Parse(data, p, p + (int)length, depth + 1) : null;
                    if (children is not null && !Serialize(children, []).AsSpan().SequenceEqual(content))
                    {
                        children = null;
                    }

                    fields.Add(new ProtoField { Number = number, Wire = wire, Bytes = children is null ? content : [], Children = children });
                    p += (int)length;
                    break;
                default:
                    return null;
            }
        }

        return fields;
    }

    /// <summary>The bytes of the fields, every length computed; records where each tag and length prefix went.</summary>
    public static byte[] Serialize(List<ProtoField> fields, List<Mark> marks)
    {
        var output = new List<byte>();
        Write(fields, output, marks);
        return [.. output];
    }

    /// <summary>A varint of the value, with <paramref name="padding"/> more bytes than it needs (0x80 … 0x00).</summary>
    public static byte[] Encode(ulong value, int padding)
    {
        int size = 1;
        while (size < 10 && (value >> (7 * size)) != 0)
        {
            size++;
        }

        size += padding;
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++)
        {
            ulong group = 7 * i < 64 ? (value >> (7 * i)) & 0x7F : 0;
            bytes[i] = (byte)(group | (i < size - 1 ? 0x80UL : 0));
        }

        return bytes;
    }

    private static void Write(List<ProtoField> fields, List<byte> output, List<Mark> marks)
    {
        foreach (ProtoField f in fields)
        {
            ulong tag = ((ulong)f.Number << 3) | (uint)f.Wire;
            byte[] tagBytes = Encode(tag, f.TagPadding);
            marks.Add(new Mark(output.Count, tagBytes.Length, tag, false));
            output.AddRange(tagBytes);
            switch (f.Wire)
            {
                case Varint:
                    output.AddRange(Encode(f.Value, 0));
                    break;
                case LengthDelimited:
                    byte[] content;
                    var inner = new List<Mark>();
                    if (f.Children is not null)
                    {
                        var buffer = new List<byte>();
                        Write(f.Children, buffer, inner);
                        content = [.. buffer];
                    }
                    else
                    {
                        content = f.Bytes;
                    }

                    byte[] length = Encode((ulong)content.Length, f.LengthPadding);
                    marks.Add(new Mark(output.Count, length.Length, (ulong)content.Length, true));
                    output.AddRange(length);
                    int offset = output.Count;
                    marks.AddRange(inner.Select(m => m with { Offset = m.Offset + offset }));
                    output.AddRange(content);
                    break;
                default:
                    output.AddRange(f.Bytes);
                    break;
            }
        }
    }

    private static bool TryVarint(byte[] data, ref int p, int end, out ulong value)
    {
        value = 0;
        for (int shift = 0; shift < 64 && p < end; shift += 7)
        {
            byte b = data[p++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }

        return false;
    }
}
