using System;
using System.Linq;
using SimdCheckpoint.Numerics;
using SimdCheckpoint.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Tests.Numerics;

/// <summary>Softmax over the last axis: the same bits on every path, accuracy, huge logits, and bad arguments.</summary>
public sealed class SoftmaxTests
{
    private static readonly KernelPath[] Paths = [KernelPath.Scalar, KernelPath.Vector128, KernelPath.Vector256, KernelPath.Vector512];

    /// <summary>Every length below, at and above the 16 partials and each vector width, and long rows.</summary>
    public static TheoryData<int> Lengths() => new(Enumerable.Range(1, 40).Concat([47, 48, 63, 64, 65, 100, 1000, 1031, 4099]));

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Every_path_gives_the_scalar_bits_in_place_or_not(int n)
    {
        foreach (float scale in new[] { 1f, 30f, 1e4f })
        {
            float[] x = TestData.Random(n, seed: (ulong)n * 7, scale: scale);
            float[] expected = new float[n];
            Softmax.Row(x, expected, KernelPath.Scalar);
            foreach (KernelPath path in Paths)
            {
                float[] y = new float[n];
                Softmax.Row(x, y, path);
                Bits.Equal(expected, y, $"softmax n={n} scale={scale} {path}");

                float[] inPlace = (float[])x.Clone();
                Softmax.Row(inPlace, inPlace, path);
                Bits.Equal(expected, inPlace, $"in-place softmax n={n} scale={scale} {path}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Each_output_is_within_the_stated_relative_bound_and_the_row_sums_to_one(int n)
    {
        // Stated bound: relative error at most (ceil(n/16) + 8)·2^-24 per output (exp ≤ 1.01 ulp, the sum's
        // ceil(n/16) + 4 additions, the division), and |Σy − 1| within the same bound.
        double bound = (Math.Ceiling(n / 16.0) + 8) * Math.ScaleB(1, -24);
        foreach (float scale in new[] { 1f, 10f, 80f })
        {
            float[] x = TestData.Random(n, seed: (ulong)n + 11, scale: scale);
            float[] y = new float[n];
            Softmax.Row(x, y);
            double max = x.Max();
            double[] e = x.Select(v => Math.Exp(v - max)).ToArray();
            double sum = e.Sum();
            double total = 0;
            for (int i = 0; i < n; i++)
            {
                double exact = e[i] / sum;
                total += y[i];
                Assert.True(Math.Abs(y[i] - exact) <= (exact * bound) + float.Epsilon, $"n={n} scale={scale}: y[{i}] = {y[i]:R}, exact {exact:R}");
            }

            Assert.True(Math.Abs(total - 1) <= bound, $"n={n} scale={scale}: the row sums to {total:R}");
        }
    }

    [Fact]
    public void The_maximum_across_the_partials_is_the_ascending_selection_bit_for_bit()
    {
        // MaxInOrder takes max = p[j] > max ? p[j] : max for j = 1..15 (one maxss each on x86). Where that selection and
        // a plain maximum differ, it must be the selection: equal zeros keep the earlier one's sign, a NaN is skipped
        // unless it comes first, and infinities order as usual.
        float nan = float.NaN;
        float[][] rows =
        [
            [0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f],
            [-0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f],
            [nan, 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 10f, 11f, 12f, 13f, 14f, 15f],
            [1f, nan, 3f, nan, 2f, 7f, nan, 5f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, nan],
            [float.NegativeInfinity, -3f, float.PositiveInfinity, 2f, nan, 0f, -0f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f],
            [-5f, -5f, -4f, -4f, -4f, -6f, -4f, -3.5f, -3.5f, -10f, -3.5f, -20f, -30f, -40f, -50f, -3.5f],
        ];

        var rng = new DeterministicRandom(91);
        var all = rows.ToList();
        for (int r = 0; r < 200; r++)
        {
            var row = new float[Softmax.Partials];
            for (int j = 0; j < row.Length; j++)
            {
                ulong pick = rng.NextUInt64() % 8;
                row[j] = pick switch { 0 => 0f, 1 => -0f, 2 => nan, 3 => 1.5f, 4 => -1.5f, _ => rng.NextSigned() * 4f };
            }

            all.Add(row);
        }

        foreach (float[] row in all)
        {
            float expected = row[0];
            for (int j = 1; j < row.Length; j++)
            {
                expected = row[j] > expected ? row[j] : expected;
            }

            float actual = Softmax.MaxInOrder(ref row[0]);
            Assert.True(
                BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual) || (float.IsNaN(expected) && float.IsNaN(actual)),
                $"[{string.Join(", ", row.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}]: {actual:R}, the selection gives {expected:R}.");
        }
    }

    [Fact]
    public void Huge_logits_do_not_overflow()
    {
        float[] x = [float.MaxValue, float.MaxValue, 0f, -float.MaxValue, 88.8f, 3e38f];
        float[] y = new float[x.Length];
        foreach (KernelPath path in Paths)
        {
            Softmax.Row(x, y, path);
            Assert.Equal([0.5f, 0.5f, 0f, 0f, 0f, 0f], y);
        }

        float[] big = [1e30f, 1e30f + 1e24f, 1e30f - 1e24f];
        Softmax.Row(big, y.AsSpan(0, 3));
        Assert.Equal([0f, 1f, 0f], y.AsSpan(0, 3).ToArray());
    }

    [Fact]
    public void NaN_and_infinite_rows_give_NaN_and_single_elements_give_one()
    {
        AssertAllNaN([1f, float.NaN, 2f]);
        AssertAllNaN([1f, float.PositiveInfinity, 2f]);
        AssertAllNaN([float.NegativeInfinity, float.NegativeInfinity]);
        float[] y = new float[1];
        Softmax.Row([-1e30f], y);
        Assert.Equal(1f, y[0]);
        float[] withMinusInfinity = new float[3];
        Softmax.Row([0f, float.NegativeInfinity, 0f], withMinusInfinity);
        Assert.Equal([0.5f, 0f, 0.5f], withMinusInfinity);
    }

    [Fact]
    public void Rows_apply_to_each_strided_row_and_leave_the_gaps_alone()
    {
        const int n = 21, ld = 25, m = 5;
        float[] x = TestData.Random(m * ld, seed: 5, scale: 4f);
        foreach (KernelPath path in Paths)
        {
            float[] y = Enumerable.Repeat(-7f, m * ld).ToArray();
            RowsOn(path, x, ld, y, ld, n, m);

            for (int row = 0; row < m; row++)
            {
                float[] expected = new float[n];
                Softmax.Row(x.AsSpan(row * ld, n), expected, KernelPath.Scalar);
                Bits.Equal(expected, y.AsSpan(row * ld, n), $"{path} row {row}");
                Assert.All(y.AsSpan((row * ld) + n, ld - n).ToArray(), v => Assert.Equal(-7f, v));
            }
        }
    }

    /// <summary>
    /// Rows of a whole number of 16-element blocks run two at a time on the vector paths (the attention's padded score
    /// rows): every row must still give the one-row scalar bits, whichever row of a pair it is, with an odd row left
    /// over, in place and not, and with rows of special values beside ordinary ones (NaN, +inf, only -inf, -inf
    /// padding, huge logits, a single finite value).
    /// </summary>
    [Theory]
    [InlineData(16, 2)]
    [InlineData(16, 3)]
    [InlineData(32, 5)]
    [InlineData(48, 4)]
    [InlineData(128, 8)]
    [InlineData(256, 7)]
    [InlineData(16, 25)]
    public void Rows_taken_two_at_a_time_give_each_rows_scalar_bits(int n, int m)
    {
        int ld = n + 16;
        float[] x = TestData.Random(m * ld, seed: (ulong)(11 + n + m), scale: 6f);
        int special = 0;
        for (int row = 3; row < m; row += 4)
        {
            Span<float> r = x.AsSpan(row * ld, n);
            switch (special++ % 6)
            {
                case 0:
                    r[n / 3] = float.NaN;
                    break;
                case 1:
                    r[n - 1] = float.PositiveInfinity;
                    break;
                case 2:
                    r.Fill(float.NegativeInfinity);
                    break;
                case 3:
                    r[(n / 2)..].Fill(float.NegativeInfinity);
                    break;
                case 4:
                    r[0] = 1e30f;
                    r[1] = 1e30f + 1e24f;
                    break;
                default:
                    r.Fill(float.NegativeInfinity);
                    r[n / 2] = -3f;
                    break;
            }
        }

        float[][] expected = new float[m][];
        for (int row = 0; row < m; row++)
        {
            expected[row] = new float[n];
            Softmax.Row(x.AsSpan(row * ld, n), expected[row], KernelPath.Scalar);
        }

        foreach (KernelPath path in Paths)
        {
            foreach (bool inPlace in new[] { false, true })
            {
                // Out of place, the output rows have a stride of their own, so that the two strides cannot be mixed up.
                int ldy = inPlace ? ld : ld + 32;
                float[] y = inPlace ? x.ToArray() : Enumerable.Repeat(-7f, m * ldy).ToArray();
                float[] source = inPlace ? y : x;
                RowsOn(path, source, ld, y, ldy, n, m);

                for (int row = 0; row < m; row++)
                {
                    Bits.Equal(expected[row], y.AsSpan(row * ldy, n), $"{path} n={n} row {row} of {m}{(inPlace ? " in place" : string.Empty)}");
                    float[] gap = y.AsSpan((row * ldy) + n, ldy - n).ToArray();
                    float[] gapBefore = inPlace ? x.AsSpan((row * ld) + n, ld - n).ToArray() : Enumerable.Repeat(-7f, ldy - n).ToArray();
                    Bits.Equal(gapBefore, gap, $"{path} n={n} gap after row {row}");
                }
            }
        }

        // Row 3, where there is one, holds a NaN, so the scalar reference itself is all NaN there: the special rows are
        // exercised; the pairs of ordinary rows are, too.
        if (m > 3)
        {
            Assert.All(expected[3], v => Assert.True(float.IsNaN(v)));
        }

        Assert.All(expected[1], v => Assert.True(float.IsFinite(v)));
    }

    /// <summary><see cref="Softmax.Rows{TOps, T}"/> of m rows of n, strides ldx and ldy, on <paramref name="path"/>'s width.</summary>
    private static void RowsOn(KernelPath path, float[] x, int ldx, float[] y, int ldy, int n, int m)
    {
        switch (path)
        {
            case KernelPath.Vector512:
                Softmax.Rows<Vector512Ops, System.Runtime.Intrinsics.Vector512<float>>(x, ldx, y, ldy, n, m);
                break;
            case KernelPath.Vector256:
                Softmax.Rows<Vector256Ops, System.Runtime.Intrinsics.Vector256<float>>(x, ldx, y, ldy, n, m);
                break;
            case KernelPath.Vector128:
                Softmax.Rows<Vector128Ops, System.Runtime.Intrinsics.Vector128<float>>(x, ldx, y, ldy, n, m);
                break;
            default:
                Softmax.Rows<ScalarOps, float>(x, ldx, y, ldy, n, m);
                break;
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(33)]
    [InlineData(1000)]
    public void Backward_matches_the_double_formula_and_every_path_gives_the_scalar_bits(int n)
    {
        float[] y = new float[n];
        Softmax.Row(TestData.Random(n, seed: 3, scale: 5f), y);
        float[] dy = TestData.Random(n, seed: 4);
        float[] expected = new float[n];
        Softmax.Backward(y, dy, expected, KernelPath.Scalar);
        double dot = Enumerable.Range(0, n).Sum(i => (double)y[i] * dy[i]);
        for (int i = 0; i < n; i++)
        {
            double exact = y[i] * (dy[i] - dot);
            Assert.True(Math.Abs(expected[i] - exact) <= 1e-6 * (Math.Abs(y[i]) + 1e-30), $"dx[{i}] = {expected[i]:R}, exact {exact:R}");
        }

        foreach (KernelPath path in Paths)
        {
            float[] dx = new float[n];
            Softmax.Backward(y, dy, dx, path);
            Bits.Equal(expected, dx, $"softmax backward n={n} {path}");
        }
    }

    [Fact]
    public void Bad_arguments_are_rejected_with_clear_messages()
    {
        float[] x = new float[10];
        ArgumentException e = Assert.Throws<ArgumentException>(() => Softmax.Row(x, new float[9]));
        Assert.Contains("9 elements but the input has 10", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Softmax.Row(x.AsSpan(0, 8), x.AsSpan(2, 8)));
        Assert.Contains("overlaps the input at an offset of 2", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Softmax.Row(ReadOnlySpan<float>.Empty, Span<float>.Empty));
        Assert.Contains("at least one element", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Softmax.Rows<ScalarOps, float>(x, 5, new float[10], 5, 5, 3));
        Assert.Contains("does not fit", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Softmax.Backward(new float[3], new float[3], new float[4]));
    }

    [Fact]
    public void Softmax_allocates_nothing()
    {
        float[] x = TestData.Random(1031, seed: 9);
        float[] y = new float[x.Length];
        Softmax.Row(x, y);
        Softmax.Backward(y, x, y);
        SteadyState.AssertAllocatesNothing(
            () =>
            {
                Softmax.Row(x, y);
                Softmax.Backward(x, x, y);
            },
            callsPerWindow: 1);
    }

    private static void AssertAllNaN(float[] x)
    {
        foreach (KernelPath path in Paths)
        {
            float[] y = new float[x.Length];
            Softmax.Row(x, y, path);
            Assert.All(y, v => Assert.True(float.IsNaN(v), $"{path}: {v}"));
        }
    }
}
