using System;
using System.Collections.Generic;
using SimdCheckpoint.Reference;

namespace SimdCheckpoint.Tests.Support;

/// <summary>Seeded weights for a generated network, packed for its kernels and kept unpacked for the reference.</summary>
internal sealed class NetworkHarness<TNetwork>
    where TNetwork : IGeneratedNetwork<TNetwork>
{
    public NetworkHarness(ulong seed, bool specialWeights = false, WeightLayout layout = WeightLayout.InputsByOutputs)
    {
        NetworkSpec spec = TNetwork.Spec;
        var layers = new List<DenseLayerWeights>();
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            DenseLayerSpec l = spec.Layers[i];
            int count = l.Inputs * l.Outputs;
            float[] w = specialWeights ? TestData.WithSpecialValues(count, seed + (ulong)i) : TestData.Random(count, seed + (ulong)i, 1f / MathF.Sqrt(l.Inputs));
            float[] b = specialWeights ? TestData.WithSpecialValues(l.Outputs, seed + 1000 + (ulong)i) : TestData.Random(l.Outputs, seed + 1000 + (ulong)i, 0.5f);
            layers.Add(new DenseLayerWeights(w, b, layout));
        }

        Layers = layers;
        Weights = NetworkWeights<TNetwork>.FromLayers(layers);
        Reference = new ReferenceNetwork(spec, layers);
    }

    public IReadOnlyList<DenseLayerWeights> Layers { get; }

    public NetworkWeights<TNetwork> Weights { get; }

    public ReferenceNetwork Reference { get; }

    public static NetworkSpec Spec => TNetwork.Spec;

    public float[] ReferenceForward(float[] input, int batch)
    {
        float[] output = new float[batch * Spec.OutputSize];
        Reference.Forward(input, output, batch);
        return output;
    }

    public float[] Forward(float[] input, int batch, KernelPath path, int? maxBatch = null)
    {
        var session = new InferenceSession<TNetwork>(Weights, maxBatch ?? batch);
        float[] output = new float[batch * Spec.OutputSize];
        session.Forward(input, output, batch, path);
        return output;
    }
}
