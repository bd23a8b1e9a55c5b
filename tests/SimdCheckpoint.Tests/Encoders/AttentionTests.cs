using System;
using SimdCheckpoint.Reference;
using Xunit;

namespace SimdCheckpoint.Tests.Encoders;

/// <summary>
/// <see cref="EncoderOps.Attention"/> on every path against the contract written out one float at a time, bit for bit,
/// over head sizes below, at and above each width's column blocks (1 to 72: one vector, two, a ragged tail) and sequences
/// below, at and above the query blocks (1 to 130 queries: fewer than four, four, eight, ragged), with every key real or
/// about a third of them padding. Key rows are padded to multiples of 16, so on 16 lanes these lengths reach each of
/// the scores' four-, two- and one-block loops (17, 31: two; 33, 47, 100: two then one; 67, 130: four then one); on 8
/// lanes the two-block loop (16, 48, 80 padded keys); 4 lanes only ever run the four-block loop. The committed test
/// encoders have head sizes of 8 and 16 only, which never reach the 16-lane path's widest loops.
/// </summary>
public sealed class AttentionTests
{
    private static readonly int[] HeadSizes = [1, 8, 15, 16, 17, 32, 33, 48, 64, 72];
    private static readonly int[] Sequences = [1, 3, 4, 7, 8, 9, 16, 17, 31, 33, 47, 67, 100, 130];

    public static TheoryData<KernelPath> Paths() => new(KernelPath.Scalar, KernelPath.Vector128, KernelPath.Vector256, KernelPath.Vector512);

    [Theory]
    [MemberData(nameof(Paths))]
    public void Every_path_gives_the_contracts_bits(KernelPath path)
    {
        const int heads = 2;
        int cases = 0;
        foreach (int headSize in HeadSizes)
        {
            foreach (int sequence in Sequences)
            {
                foreach (bool padded in new[] { false, true })
                {
                    var rng = new DeterministicRandom((ulong)((headSize * 1000) + (sequence * 2) + (padded ? 1 : 0)));
                    int hidden = heads * headSize;
                    float[] q = Values(ref rng, sequence * hidden), k = Values(ref rng, sequence * hidden), v = Values(ref rng, sequence * hidden);
                    int[] mask = Mask(ref rng, sequence, padded);
                    var expected = new float[sequence * hidden];
                    ReferenceEncoder.Attention(q, k, v, mask, hidden, heads, expected);
                    var actual = new float[sequence * hidden];
                    EncoderOps.Attention(q, k, v, mask, hidden, heads, actual, path);
                    for (int i = 0; i < actual.Length; i++)
                    {
                        if (BitConverter.SingleToInt32Bits(actual[i]) != BitConverter.SingleToInt32Bits(expected[i]))
                        {
                            Assert.Fail($"{path}, head size {headSize}, {sequence} tokens{(padded ? " with padding" : string.Empty)}: "
                                + $"query {i / hidden}, column {i % hidden} is {actual[i]:R}, the contract gives {expected[i]:R}.");
                        }
                    }

                    cases++;
                }
            }
        }

        Assert.Equal(HeadSizes.Length * Sequences.Length * 2, cases);
    }

    [Fact]
    public void Padding_keys_are_ignored_and_padding_queries_still_attend()
    {
        // Two heads of 32 over 9 tokens, the last three padding: every query (padding ones too) attends to the six real
        // keys only, so changing a padding key's or value's row changes nothing.
        const int hidden = 64, heads = 2, sequence = 9;
        var rng = new DeterministicRandom(23);
        float[] q = Values(ref rng, sequence * hidden), k = Values(ref rng, sequence * hidden), v = Values(ref rng, sequence * hidden);
        int[] mask = [1, 1, 1, 1, 1, 1, 0, 0, 0];
        var first = new float[sequence * hidden];
        EncoderOps.Attention(q, k, v, mask, hidden, heads, first);
        for (int c = 0; c < hidden; c++)
        {
            k[(7 * hidden) + c] = 1000f;
            v[(8 * hidden) + c] = -1000f;
        }

        var second = new float[sequence * hidden];
        EncoderOps.Attention(q, k, v, mask, hidden, heads, second);
        Assert.Equal(first, second);
        Assert.All(second, x => Assert.True(float.IsFinite(x)));
    }

    private static float[] Values(ref DeterministicRandom rng, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = rng.NextSigned() * 2f;
        }

        return values;
    }

    private static int[] Mask(ref DeterministicRandom rng, int sequence, bool padded)
    {
        var mask = new int[sequence];
        for (int j = 0; j < sequence; j++)
        {
            mask[j] = !padded || rng.NextUInt64() % 100 >= 35 ? 1 : 0;
        }

        mask[0] = 1;
        return mask;
    }
}
