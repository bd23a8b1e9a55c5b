using System;
using SimdCheckpoint.Reference;
using SimdCheckpoint.Tests.Encoders;
using Xunit;

namespace SimdCheckpoint.Tests.Embeddings;

/// <summary>Sentence pooling on every path against the scalar reference, bit for bit, at widths around every vector and partial-sum size.</summary>
public sealed class SentencePoolingTests
{
    public static TheoryData<KernelPath, PoolingMode, bool> Cases()
    {
        var data = new TheoryData<KernelPath, PoolingMode, bool>();
        foreach (KernelPath path in new[] { KernelPath.Scalar, KernelPath.Vector128, KernelPath.Vector256, KernelPath.Vector512 })
        {
            foreach (PoolingMode mode in new[] { PoolingMode.Mean, PoolingMode.Cls })
            {
                data.Add(path, mode, false);
                data.Add(path, mode, true);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_path_gives_the_reference_bits(KernelPath path, PoolingMode mode, bool normalize)
    {
        var random = new Random(20261205);
        foreach (int hidden in new[] { 1, 3, 4, 7, 8, 15, 16, 17, 31, 32, 33, 48, 64, 100, 384 })
        {
            foreach ((int batch, int sequence) in new[] { (1, 1), (1, 9), (3, 7), (5, 33) })
            {
                var h = new float[batch * sequence * hidden];
                for (int i = 0; i < h.Length; i++)
                {
                    h[i] = (float)((random.NextDouble() * 8) - 4);
                }

                // Right padding of a random length per sequence (at least one real token), and one sequence with a hole.
                var mask = new int[batch * sequence];
                for (int b = 0; b < batch; b++)
                {
                    int real = 1 + random.Next(sequence);
                    for (int t = 0; t < real; t++)
                    {
                        mask[(b * sequence) + t] = 1;
                    }
                }

                if (sequence > 2)
                {
                    mask[(batch - 1) * sequence] = 1;
                    mask[((batch - 1) * sequence) + 1] = 0;
                    mask[((batch - 1) * sequence) + 2] = 1;
                }

                float[] expected = ReferenceEncoder.Pool(h, mask, batch, sequence, hidden, mode, normalize);
                var actual = new float[batch * hidden];
                SentencePooling.Pool(h, mask, batch, sequence, hidden, mode, normalize, actual, path);
                EncoderSessionTests.AssertBits(expected, actual, $"{mode}{(normalize ? " normalised" : string.Empty)}, hidden {hidden}, {batch}×{sequence}, {path}");
            }
        }
    }

    [Fact]
    public void Mean_is_the_sum_of_the_real_tokens_over_their_count_and_padding_never_enters()
    {
        // Two tokens of 2 floats, the second padded: the mean is the first token; with both real, their average.
        float[] h = [1f, 2f, 1000f, -1000f];
        var y = new float[2];
        SentencePooling.Pool(h, [1, 0], 1, 2, 2, PoolingMode.Mean, normalize: false, y);
        Assert.Equal([1f, 2f], y);
        SentencePooling.Pool(h, [1, 1], 1, 2, 2, PoolingMode.Mean, normalize: false, y);
        Assert.Equal([500.5f, -499f], y);
        SentencePooling.Pool(h, [0, 1], 1, 2, 2, PoolingMode.Cls, normalize: false, y);
        Assert.Equal([1f, 2f], y);
    }

    [Fact]
    public void Normalised_vectors_have_unit_length_and_a_zero_vector_stays_zero()
    {
        float[] h = [3f, 4f, 0f, 0f];
        var y = new float[4];
        SentencePooling.Pool(h, [1, 1], 2, 1, 2, PoolingMode.Mean, normalize: true, y);
        Assert.Equal([0.6f, 0.8f, 0f, 0f], y);
    }

    [Fact]
    public void Bad_sizes_masks_and_empty_sequences_are_refused_with_the_reason()
    {
        var y = new float[2];
        ArgumentException e = Assert.Throws<ArgumentException>(() => SentencePooling.Pool(new float[4], [1, 2], 1, 2, 2, PoolingMode.Mean, false, y));
        Assert.Contains("attention_mask[0, 1] is 2", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => SentencePooling.Pool(new float[4], [0, 0], 1, 2, 2, PoolingMode.Mean, false, y));
        Assert.Contains("no real token", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => SentencePooling.Pool(new float[3], [1, 1], 1, 2, 2, PoolingMode.Mean, false, y));
        Assert.Contains("needs 4 floats", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => SentencePooling.Pool(new float[4], [1, 1], 1, 2, 2, PoolingMode.Mean, false, new float[3]));
        Assert.Contains("destination 2 floats", e.Message, StringComparison.Ordinal);
        float[] shared = new float[6];
        SentencePooling.Pool(shared.AsSpan(0, 4), [1, 1], 1, 2, 2, PoolingMode.Mean, false, shared.AsSpan(4, 2)); // beside it: fine
        e = Assert.Throws<ArgumentException>(() => SentencePooling.Pool(shared.AsSpan(0, 4), [1, 1], 1, 2, 2, PoolingMode.Mean, false, shared.AsSpan(2, 2)));
        Assert.Contains("overlap", e.Message, StringComparison.Ordinal);
    }
}
