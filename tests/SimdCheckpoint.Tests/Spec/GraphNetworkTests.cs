using System;
using System.Linq;
using SimdCheckpoint.Tests.Networks;
using SimdCheckpoint.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Tests.Spec;

/// <summary>
/// A network declared as a graph of nodes joined by named tensors: a chain written that way is the same network, with
/// the same kernels and bits, and a graph sessions cannot run yet (two outputs) is refused with a message saying so.
/// </summary>
public sealed class GraphNetworkTests
{
    [Fact]
    public void A_chain_declared_as_a_graph_gives_the_chains_bits_on_every_path()
    {
        Assert.True(UnevenGraph.Spec.IsChain);
        Assert.Equal(["features"], UnevenGraph.Spec.Inputs.Select(t => t.Name));
        Assert.Equal(["scores"], UnevenGraph.Spec.Outputs.Select(t => t.Name));
        Assert.Equal(
            Uneven.Spec.Layers.Select(l => (l.Name, l.Inputs, l.Outputs, l.Activation, l.Alpha)),
            UnevenGraph.Spec.Layers.Select(l => (l.Name, l.Inputs, l.Outputs, l.Activation, l.Alpha)));

        var chain = new NetworkHarness<Uneven>(seed: 41);
        var graph = NetworkWeights<UnevenGraph>.FromLayers(chain.Layers);
        using var session = new InferenceSession<UnevenGraph>(graph, maxBatch: 13);
        foreach (int batch in new[] { 1, 5, 13 })
        {
            float[] input = TestData.Random(batch * 37, seed: (ulong)batch);
            foreach (KernelPath path in new[] { KernelPath.Vector512, KernelPath.Vector256, KernelPath.Vector128, KernelPath.Scalar })
            {
                float[] actual = new float[batch * 3];
                session.Forward(input, actual, batch, path);
                Bits.Equal(chain.ReferenceForward(input, batch), actual, $"batch {batch} {path}");
            }
        }
    }

    [Fact]
    public void A_graph_of_two_outputs_compiles_and_its_spec_wires_both_heads()
    {
        NetworkSpec spec = TwoHeads.Spec;
        Assert.False(spec.IsChain);
        Assert.Equal(["logits", "v"], spec.Outputs.Select(t => t.Name));
        Assert.Equal([3, 1], spec.Outputs.Select(t => t.Width));
        Assert.Equal(["h", "h"], spec.Nodes.Skip(1).Select(n => n.InputTensors.Single()));
        Assert.Throws<InvalidOperationException>(() => spec.OutputSize);
    }

    [Fact]
    public void A_session_refuses_a_graph_of_two_outputs_by_name()
    {
        var layers = TwoHeads.Spec.Layers.Select(l => new DenseLayerWeights(new float[l.Inputs * l.Outputs], new float[l.Outputs], WeightLayout.InputsByOutputs)).ToArray();
        NetworkWeights<TwoHeads> weights = NetworkWeights<TwoHeads>.FromLayers(layers);
        var e = Assert.Throws<NotSupportedException>(() => new InferenceSession<TwoHeads>(weights, maxBatch: 1));
        Assert.Contains("TwoHeads has 1 input(s) and 2 output(s)", e.Message, StringComparison.Ordinal);
    }
}
