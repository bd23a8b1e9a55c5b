using System;
using System.Collections.Generic;

namespace SimdCheckpoint;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood, 2014): a tiny generator whose sequence is fixed by its seed on every machine
/// and runtime, unlike <see cref="Random"/>, so seeded weights and inputs, and digests of outputs, can be compared
/// across machines.
/// </summary>
public struct DeterministicRandom
{
    private ulong _state;

    /// <summary>Starts the sequence for <paramref name="seed"/>.</summary>
    public DeterministicRandom(ulong seed)
    {
        _state = seed;
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A float in [-1, 1), a multiple of 2^-23, computed exactly.</summary>
    public float NextSigned() => ((int)(NextUInt64() >> 40) - (1 << 23)) * (1f / (1 << 23));

    /// <summary>Fills <paramref name="destination"/> with <see cref="NextSigned"/> · <paramref name="scale"/> (one rounding each).</summary>
    public void Fill(Span<float> destination, float scale)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = NextSigned() * scale;
        }
    }
}

/// <summary>Seeded weights for any network, identical on every machine: for tests, benchmarks and self-checks.</summary>
public static class RandomWeights
{
    /// <summary>
    /// Weights and biases uniform in [-1/√K, 1/√K), PyTorch's default initialisation of <c>nn.Linear</c>, in
    /// [K, N] layout, from <paramref name="seed"/>.
    /// </summary>
    public static IReadOnlyList<DenseLayerWeights> Create(NetworkSpec spec, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var rng = new DeterministicRandom(seed);
        var result = new DenseLayerWeights[spec.Layers.Count];
        for (int i = 0; i < result.Length; i++)
        {
            DenseLayerSpec layer = spec.Layers[i];
            float bound = 1f / MathF.Sqrt(layer.Inputs);
            float[] w = new float[(long)layer.Inputs * layer.Outputs];
            float[] b = new float[layer.Outputs];
            rng.Fill(w, bound);
            rng.Fill(b, bound);
            result[i] = new DenseLayerWeights(w, b, WeightLayout.InputsByOutputs);
        }

        return result;
    }
}
