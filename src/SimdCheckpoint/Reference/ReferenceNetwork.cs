using System;
using System.Collections.Generic;
using SimdCheckpoint.Numerics;

namespace SimdCheckpoint.Reference;

/// <summary>
/// A whole network evaluated layer by layer with <see cref="ReferenceDense"/>, from unpacked weights: the definition
/// the generated kernels must reproduce bit for bit. Allocates; meant for tests and verification.
/// </summary>
public sealed class ReferenceNetwork
{
    private readonly DenseLayerWeights[] _weights;

    /// <summary>Pairs a spec with one <see cref="DenseLayerWeights"/> per layer.</summary>
    public ReferenceNetwork(NetworkSpec spec, IReadOnlyList<DenseLayerWeights> weights)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count != spec.Layers.Count)
        {
            throw new ArgumentException($"The network has {spec.Layers.Count} layers but {weights.Count} weights were given.", nameof(weights));
        }

        for (int i = 0; i < weights.Count; i++)
        {
            weights[i].CheckShape(spec.Layers[i], "layer " + i);
        }

        Spec = spec;
        _weights = [.. weights];
    }

    /// <summary>The network.</summary>
    public NetworkSpec Spec { get; }

    /// <summary>Runs <paramref name="batch"/> rows through every node of the graph, in order.</summary>
    public void Forward(ReadOnlySpan<float> input, Span<float> output, int batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        if (input.Length != batch * Spec.InputSize || output.Length != batch * Spec.OutputSize)
        {
            throw new ArgumentException("The input or output length does not match the batch size.");
        }

        float[][] all = ForwardAllLayers(input, batch);
        all[Spec.ProducerOf(Spec.Outputs[0].Name)].CopyTo(output);
    }

    /// <summary>Runs the network and returns the tensor every node writes (index i is node i's output: for a chain, layer i's).</summary>
    public float[][] ForwardAllLayers(ReadOnlySpan<float> input, int batch)
    {
        var tensors = new Dictionary<string, float[]>(StringComparer.Ordinal) { [Spec.Inputs[0].Name] = input.ToArray() };
        var result = new float[Spec.Nodes.Count][];
        for (int i = 0; i < Spec.Nodes.Count; i++)
        {
            var layer = (DenseLayerSpec)Spec.Nodes[i];
            int index = Spec.Layers.Count == Spec.Nodes.Count ? i : IndexOf(layer);
            float[] next = new float[batch * layer.Outputs];
            ReferenceDense.Forward(
                tensors[layer.InputTensors[0]], layer.Inputs, _weights[index].Weight, _weights[index].Bias, next, layer.Outputs, batch,
                layer.Inputs, layer.Outputs, layer.Activation, layer.Alpha, _weights[index].Layout);
            tensors[layer.OutputTensor!] = next;
            result[i] = next;
        }

        return result;
    }

    private int IndexOf(DenseLayerSpec layer)
    {
        for (int i = 0; i < Spec.Layers.Count; i++)
        {
            if (ReferenceEquals(Spec.Layers[i], layer))
            {
                return i;
            }
        }

        throw new InvalidOperationException($"'{layer.Name}' is not a layer of {Spec.Name}.");
    }

    /// <summary>
    /// The store-all backward pass in the canonical arithmetic, from the pre-activation and output of every layer: the
    /// gradient with respect to the input, and every layer's dW ([K, N], row-major) and db, for the upstream gradient
    /// <paramref name="outputGradient"/> (default: all ones, the gradient of the sum of the outputs).
    /// </summary>
    /// <exception cref="NotSupportedException">The network is not a chain.</exception>
    public BackwardResult Backward(ReadOnlySpan<float> input, int batch, ReadOnlySpan<float> outputGradient = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        if (!Spec.IsChain)
        {
            throw new NotSupportedException($"{Spec.Name} is not a chain of layers; the backward pass runs on chains.");
        }

        if (input.Length != batch * Spec.InputSize || (!outputGradient.IsEmpty && outputGradient.Length != batch * Spec.OutputSize))
        {
            throw new ArgumentException("The input or output gradient length does not match the batch size.");
        }

        int layers = _weights.Length;
        var x = new float[layers + 1][];
        var z = new float[layers][];
        x[0] = input.ToArray();
        for (int i = 0; i < layers; i++)
        {
            DenseLayerSpec layer = Spec.Layers[i];
            z[i] = new float[batch * layer.Outputs];
            ReferenceDense.Forward(x[i], layer.Inputs, _weights[i].Weight, _weights[i].Bias, z[i], layer.Outputs, batch, layer.Inputs, layer.Outputs, Activation.Identity, 0f, _weights[i].Layout);
            x[i + 1] = new float[z[i].Length];
            for (int row = 0; row < batch; row++)
            {
                ReadOnlySpan<float> zr = z[i].AsSpan(row * layer.Outputs, layer.Outputs);
                Span<float> yr = x[i + 1].AsSpan(row * layer.Outputs, layer.Outputs);
                if (layer.Activation == Activation.Softmax)
                {
                    Softmax.Row(zr, yr, KernelPath.Scalar);
                }
                else
                {
                    for (int j = 0; j < zr.Length; j++)
                    {
                        yr[j] = Activations.Apply(layer.Activation, zr[j], layer.Alpha);
                    }
                }
            }
        }

        float[] gradient = outputGradient.IsEmpty ? CreateOnes(batch * Spec.OutputSize) : outputGradient.ToArray();
        var dw = new float[layers][];
        var db = new float[layers][];
        for (int i = layers - 1; i >= 0; i--)
        {
            DenseLayerSpec layer = Spec.Layers[i];
            float[] dz = new float[gradient.Length];
            ReferenceDense.ActivationBackward(layer.Activation, layer.Alpha, z[i], x[i + 1], gradient, dz, batch, layer.Outputs);
            float[] dx = new float[batch * layer.Inputs];
            dw[i] = new float[layer.Inputs * layer.Outputs];
            db[i] = new float[layer.Outputs];
            ReferenceDense.Backward(x[i], _weights[i].Weight, dz, dx, dw[i], db[i], batch, layer.Inputs, layer.Outputs, _weights[i].Layout);
            gradient = dx;
        }

        return new BackwardResult(gradient, dw, db, x[layers]);
    }

    private static float[] CreateOnes(int length)
    {
        float[] ones = new float[length];
        ones.AsSpan().Fill(1f);
        return ones;
    }
}

/// <summary>What <see cref="ReferenceNetwork.Backward"/> computes.</summary>
/// <param name="InputGradient">dX of the network's input [batch, inputs].</param>
/// <param name="WeightGradients">Each layer's dW, [K, N] row-major.</param>
/// <param name="BiasGradients">Each layer's db [N].</param>
/// <param name="Output">The network's output [batch, outputs].</param>
#pragma warning disable CA1819 // Properties should not return arrays: a plain result record for tests and verification.
public sealed record BackwardResult(float[] InputGradient, float[][] WeightGradients, float[][] BiasGradients, float[] Output);
#pragma warning restore CA1819
