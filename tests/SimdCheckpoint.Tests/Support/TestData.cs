using System;

namespace SimdCheckpoint.Tests.Support;

internal static class TestData
{
    /// <summary>Seeded values in [-scale, scale), identical on every machine.</summary>
    public static float[] Random(int length, ulong seed, float scale = 1f)
    {
        var rng = new DeterministicRandom(seed);
        float[] result = new float[length];
        rng.Fill(result, scale);
        return result;
    }

    /// <summary>
    /// Seeded values with the awkward ones mixed in: NaN, ±inf, ±0, subnormals, the largest finite values, and
    /// magnitudes that overflow or cancel inside an fma chain.
    /// </summary>
    public static float[] WithSpecialValues(int length, ulong seed)
    {
        float[] specials =
        [
            float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, float.Epsilon, -float.Epsilon,
            1.17549421e-38f, -5.9e-39f, float.MaxValue, -float.MaxValue, 1e30f, -1e30f, 1e-30f, 3.4e19f, 65504f,
        ];
        var rng = new DeterministicRandom(seed);
        float[] result = new float[length];
        for (int i = 0; i < length; i++)
        {
            ulong r = rng.NextUInt64();
            result[i] = (r & 7) == 0 ? specials[(int)((r >> 8) % (ulong)specials.Length)] : rng.NextSigned() * 2f;
        }

        return result;
    }
}
