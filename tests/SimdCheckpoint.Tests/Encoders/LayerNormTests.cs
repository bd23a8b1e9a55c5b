using System;
using SimdCheckpoint.Reference;
using Xunit;

namespace SimdCheckpoint.Tests.Encoders;

/// <summary>
/// <see cref="EncoderOps.LayerNorm"/> on every path against the contract written out one float at a time, bit for bit:
/// widths below, at and above the 16 partials and each path's vector (1 to 385: no whole block of 16, whole blocks only,
/// whole blocks and a ragged tail), one row and several, with and without the residual, and rows whose mean sits far from
/// 0 so that the sums' order shows in their last bits.
/// </summary>
public sealed class LayerNormTests
{
    private static readonly int[] Widths = [1, 3, 4, 5, 8, 12, 15, 16, 17, 24, 31, 32, 33, 48, 63, 64, 65, 100, 384, 385];

    public static TheoryData<KernelPath> Paths() => new(KernelPath.Scalar, KernelPath.Vector128, KernelPath.Vector256, KernelPath.Vector512);

    [Theory]
    [MemberData(nameof(Paths))]
    public void Every_path_gives_the_contracts_bits(KernelPath path)
    {
        int cases = 0;
        foreach (int width in Widths)
        {
            foreach (int rows in new[] { 1, 3 })
            {
                foreach (bool residual in new[] { false, true })
                {
                    var rng = new DeterministicRandom((ulong)((width * 100) + (rows * 2) + (residual ? 1 : 0)));
                    float[] a = Values(ref rng, rows * width, offset: 37.5f);
                    float[]? r = residual ? Values(ref rng, rows * width, offset: -3f) : null;
                    float[] gamma = Values(ref rng, width, offset: 1f), beta = Values(ref rng, width, offset: 0f);
                    Check(path, a, r, gamma, beta, 1e-12f, width, $"width {width}, {rows} row(s){(residual ? ", with the residual" : string.Empty)}");
                    cases++;
                }
            }
        }

        Assert.Equal(Widths.Length * 2 * 2, cases);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void A_constant_row_normalises_to_beta_and_large_values_keep_their_bits(KernelPath path)
    {
        const int width = 40;
        float[] gamma = new float[width], beta = new float[width];
        var rng = new DeterministicRandom(5);
        for (int i = 0; i < width; i++)
        {
            gamma[i] = 1f + rng.NextSigned();
            beta[i] = rng.NextSigned();
        }

        // Row 0: every element 3 (variance 0, so y = β exactly); row 1: magnitudes near 1e18, whose squares near 1e36
        // sum close to float's range; row 2: one element far from the rest.
        float[] a = new float[3 * width];
        for (int i = 0; i < width; i++)
        {
            a[i] = 3f;
            a[width + i] = (1f + (i * 0.01f)) * 1e18f * (i % 2 == 0 ? 1f : -1f);
            a[(2 * width) + i] = i == 21 ? 1e6f : i * 0.5f;
        }

        float[] y = Check(path, a, null, gamma, beta, 1e-5f, width, "special rows");
        for (int i = 0; i < width; i++)
        {
            Assert.Equal(beta[i], y[i]);
        }
    }

    [Fact]
    public void Spans_that_do_not_fit_are_refused_with_the_sizes()
    {
        float[] gamma = new float[8], beta = new float[8];
        var e = Assert.Throws<ArgumentException>(() => EncoderOps.LayerNorm(new float[16], default, gamma, beta, 1e-12f, new float[15], 2));
        Assert.Contains("need 16 floats", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => EncoderOps.LayerNorm(new float[16], new float[8], gamma, beta, 1e-12f, new float[16], 2));
        Assert.Throws<ArgumentException>(() => EncoderOps.LayerNorm(new float[16], default, gamma, new float[7], 1e-12f, new float[16], 2));
        float[] shared = new float[16];
        Assert.Throws<ArgumentException>(() => EncoderOps.LayerNorm(shared, default, gamma, beta, 1e-12f, shared, 2));
    }

    private static float[] Check(KernelPath path, float[] a, float[]? r, float[] gamma, float[] beta, float epsilon, int width, string what)
    {
        var expected = new float[a.Length];
        ReferenceEncoder.LayerNorm(a, r, gamma, beta, epsilon, expected, width);
        var actual = new float[a.Length];
        EncoderOps.LayerNorm(a, r, gamma, beta, epsilon, actual, a.Length / width, path);
        for (int i = 0; i < actual.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(actual[i]) != BitConverter.SingleToInt32Bits(expected[i]))
            {
                Assert.Fail($"{path}, {what}: row {i / width}, column {i % width} is {actual[i]:R}, the contract gives {expected[i]:R}.");
            }
        }

        return actual;
    }

    private static float[] Values(ref DeterministicRandom rng, int count, float offset)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = offset + (rng.NextSigned() * 2f);
        }

        return values;
    }
}
