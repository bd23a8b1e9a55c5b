using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using CsCheck;
using SimdCheckpoint.Npy;
using SimdCheckpoint.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Tests.Npy;

/// <summary>
/// .npy reading and writing: NumPy's own files (tools/npy/make_npy_goldens.py) read back exactly and written byte for
/// byte the same; every malformed file a clear <see cref="NpyFormatException"/>; and 10^5 mutated files that never
/// crash, hang or throw anything else.
/// </summary>
public sealed class NpyFileTests
{
    private static string Golden(string name) => Path.Combine(AppContext.BaseDirectory, "Goldens", "npy", name);

    [Theory]
    [InlineData("matrix_3x4.npy", new[] { 3, 4 })]
    [InlineData("vector_5.npy", new[] { 5 })]
    [InlineData("scalar.npy", new int[0])]
    [InlineData("empty_0x7.npy", new[] { 0, 7 })]
    [InlineData("cube_2x3x4.npy", new[] { 2, 3, 4 })]
    public void NumPy_files_read_back_and_write_byte_for_byte(string name, int[] shape)
    {
        byte[] numpy = File.ReadAllBytes(Golden(name));
        NpyArray array = NpyFile.Read(Golden(name));
        Assert.Equal(shape, array.Shape);
        Assert.Equal(shape.Aggregate(1, (a, b) => a * b), array.Data.Length);

        var written = new MemoryStream();
        NpyFile.Write(written, array.Data, shape);
        Assert.Equal(numpy, written.ToArray());
    }

    [Fact]
    public void Values_keep_their_bits()
    {
        float[] values = NpyFile.Read(Golden("vector_5.npy")).Data;
        Assert.Equal([0f, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon], values.Where((_, i) => i != 1));
        Assert.True(float.IsNegative(values[1]) && values[1] == 0f, "-0 keeps its sign");
        Assert.Equal(3f / 7f, NpyFile.Read(Golden("matrix_3x4.npy")).Data[3]);

        float[] special = TestData.WithSpecialValues(37, seed: 3);
        var stream = new MemoryStream();
        NpyFile.Write(stream, special, [37]);
        Bits.Equal(special, NpyFile.Read(stream.ToArray(), "round-trip.npy").Data, "round trip");
    }

    [Theory]
    [InlineData("float64.npy", "'<f8' (float64; convert with array.astype(numpy.float32))")]
    [InlineData("bigendian.npy", "'>f4' (big-endian float32)")]
    [InlineData("int32.npy", "'<i4' (not float32)")]
    [InlineData("fortran.npy", "Fortran (column-major) order")]
    public void Other_dtypes_and_orders_are_rejected_by_name(string name, string expected)
    {
        NpyFormatException e = Assert.Throws<NpyFormatException>(() => NpyFile.Read(Golden(name)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> Malformed() => new()
    {
        { "not a numpy file at all", "does not start with the .npy magic" },
        { Header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", version: 4), "Format version 4.0 is not supported" },
        { Header("{'descr': '<f4', 'fortran_order': False, }"), "The header has no 'shape'" },
        { Header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1, }"), "malformed" },
        { Header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'other': 'x', }"), "unknown key 'other'" },
        { Header("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }"), "expected a non-negative integer dimension" },
        { Header("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 4), }"), "holds more than" },
        { Header("{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536), }"), "holds more than" },
        { Header("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,), }"), "expected a string, a tuple, True or False" },
        { Header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'shape': (2,), }"), "appears twice" },
        { Header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", dataBytes: 20), "needs 24 bytes of data; the file has 20 (truncated)" },
        { Header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", dataBytes: 12), "the file has 12, 4 more than the header says" },
        { Header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", headerLengthDelta: 500), "the file ends before it does" },
        { Header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\u00e9"), "non-ASCII byte" },
        { Header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", headerLengthDelta: -117), "The header dictionary is malformed at character 1: expected a quoted string" }, // found by the fuzzer: a 1-byte header, shorter than the preamble's read-ahead
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_files_get_a_specific_message(string file, string expected)
    {
        byte[] bytes = Encoding.Latin1.GetBytes(file);
        NpyFormatException e = Assert.Throws<NpyFormatException>(() => NpyFile.Read(bytes, "x.npy"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("x.npy: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stream_that_cannot_seek_reads_the_same()
    {
        byte[] bytes = File.ReadAllBytes(Golden("cube_2x3x4.npy"));
        using var pipe = new ForwardOnlyStream(bytes);
        Assert.Equal(NpyFile.Read(Golden("cube_2x3x4.npy")).Data, NpyFile.Read(pipe, "pipe").Data);
    }

    [Fact]
    public void Writing_checks_the_shape_against_the_data()
    {
        var stream = new MemoryStream();
        Assert.Throws<ArgumentException>(() => NpyFile.Write(stream, new float[5], [2, 3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => NpyFile.Write(stream, Array.Empty<float>(), [-1]));
        Assert.Equal(0, stream.Length);
    }

    /// <summary>
    /// 10^5 mutations of valid files (flipped bits and bytes, truncations, insertions and header-length rewrites):
    /// each reads or throws <see cref="NpyFormatException"/>, and none takes more than a second.
    /// </summary>
    [Fact]
    public void Mutated_files_never_crash_hang_or_throw_anything_else()
    {
        byte[][] seeds = [.. new[] { "matrix_3x4.npy", "vector_5.npy", "scalar.npy", "empty_0x7.npy", "cube_2x3x4.npy", "fortran.npy" }
            .Select(n => File.ReadAllBytes(Golden(n)))];
        Gen<(int Seed, (int Kind, int Position, byte Value)[] Edits)> cases = Gen.Select(
            Gen.Int[0, seeds.Length - 1],
            Gen.Select(Gen.Int[0, 4], Gen.Int[0, 199], Gen.Byte).Array[1, 6]);
        long read = 0, rejected = 0;
        cases.Sample(
            c =>
            {
                byte[] bytes = Mutate(seeds[c.Seed], c.Edits);
                long start = Stopwatch.GetTimestamp();
                try
                {
                    NpyArray array = NpyFile.Read(bytes, "fuzz.npy");
                    Assert.Equal(array.Shape.Aggregate(1L, (a, b) => a * b), array.Data.Length);
                    System.Threading.Interlocked.Increment(ref read);
                }
                catch (NpyFormatException)
                {
                    System.Threading.Interlocked.Increment(ref rejected);
                }

                Assert.True(Stopwatch.GetElapsedTime(start).TotalSeconds < 1, "a read took more than a second");
            },
            iter: 100_000);
        Assert.Equal(100_000, read + rejected);
        Assert.True(read > 0 && rejected > 0, $"{read} read, {rejected} rejected: the mutations should produce both");
    }

    private static byte[] Mutate(byte[] seed, (int Kind, int Position, byte Value)[] edits)
    {
        var bytes = seed.ToList();
        foreach ((int kind, int position, byte value) in edits)
        {
            int at = bytes.Count == 0 ? 0 : position % bytes.Count;
            switch (kind)
            {
                case 0 when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << (value % 8)); // flip one bit
                    break;
                case 1 when bytes.Count > 0:
                    bytes[at] = value; // replace a byte
                    break;
                case 2:
                    bytes.RemoveRange(at, bytes.Count - at); // truncate
                    break;
                case 3:
                    bytes.Insert(at, value); // insert a byte
                    break;
                case 4 when bytes.Count > 9:
                    bytes[8] = value; // rewrite the header length
                    bytes[9] = (byte)(value * 7);
                    break;
            }
        }

        return [.. bytes];
    }

    /// <summary>A v1 file with the given header dictionary (padded as NumPy pads it) and data bytes.</summary>
    private static string Header(string dictionary, int version = 1, int dataBytes = 8, int headerLengthDelta = 0)
    {
        int total = (10 + dictionary.Length + 1 + 63) / 64 * 64;
        string header = dictionary + new string(' ', total - 10 - dictionary.Length - 1) + "\n";
        int length = header.Length + headerLengthDelta;
        return "\u0093NUMPY" + (char)version + "\0" + (char)(length & 0xFF) + (char)(length >> 8) + header + new string('\0', dataBytes);
    }

    private sealed class ForwardOnlyStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    }
}
