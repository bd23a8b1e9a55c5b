using System;
using System.Collections.Generic;
using System.Linq;
using SimdCheckpoint.Numerics;
using SimdCheckpoint.Reference;
using SimdCheckpoint.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Tests.Checkpointing;

/// <summary>
/// The canonical backward pass (DESIGN.md section 2.5) against an independent reference: central finite differences
/// of the same network evaluated in double precision, for every activation, with respect to the input, the weights and
/// the biases.
/// </summary>
public sealed class ReferenceBackwardTests
{
    public static TheoryData<Activation> Activations() =>
        new(Enum.GetValues<Activation>());

    [Theory]
    [MemberData(nameof(Activations))]
    public void Gradients_match_central_differences_in_double_precision(Activation activation)
    {
        var spec = new NetworkSpec("fd", [
            new DenseLayerSpec("a", 5, 7, activation, activation == Activation.LeakyRelu ? 0.1f : null),
            new DenseLayerSpec("b", 7, 6, Activation.Tanh),
            new DenseLayerSpec("c", 6, 4, activation, activation == Activation.LeakyRelu ? 0.1f : null),
        ]);
        IReadOnlyList<DenseLayerWeights> weights = RandomWeights.Create(spec, seed: 17);
        const int batch = 3;
        float[] x = TestData.Random(batch * spec.InputSize, seed: 23, scale: 1.5f);
        float[] dy = TestData.Random(batch * spec.OutputSize, seed: 29);
        BackwardResult result = new ReferenceNetwork(spec, weights).Backward(x, batch, dy);

        var model = new DoubleNetwork(spec, weights);
        double Loss() => model.Loss(x.Select(v => (double)v).ToArray(), batch, dy);

        // d/dx
        double[] input = x.Select(v => (double)v).ToArray();
        for (int i = 0; i < input.Length; i++)
        {
            double numeric = CentralDifference(h => { double saved = input[i]; input[i] = saved + h; double l = model.Loss(input, batch, dy); input[i] = saved; return l; });
            AssertClose(numeric, result.InputGradient[i], $"{activation}: dX[{i}]");
        }

        // d/dW and d/db of every layer
        for (int layer = 0; layer < spec.Layers.Count; layer++)
        {
            DenseLayerSpec l = spec.Layers[layer];
            for (int k = 0; k < l.Inputs; k++)
            {
                for (int n = 0; n < l.Outputs; n++)
                {
                    int index = (k * l.Outputs) + n;
                    double numeric = CentralDifference(h => model.WithWeight(layer, index, h, Loss));
                    AssertClose(numeric, result.WeightGradients[layer][index], $"{activation}: dW{layer}[{k},{n}]");
                }
            }

            for (int n = 0; n < l.Outputs; n++)
            {
                double numeric = CentralDifference(h => model.WithBias(layer, n, h, Loss));
                AssertClose(numeric, result.BiasGradients[layer][n], $"{activation}: db{layer}[{n}]");
            }
        }
    }

    [Fact]
    public void The_default_upstream_gradient_is_that_of_the_sum_of_the_outputs()
    {
        NetworkSpec spec = new("sum", [new DenseLayerSpec("a", 4, 3, Activation.Gelu), new DenseLayerSpec("b", 3, 2, Activation.Sigmoid)]);
        IReadOnlyList<DenseLayerWeights> weights = RandomWeights.Create(spec, seed: 3);
        float[] x = TestData.Random(8, seed: 4);
        var reference = new ReferenceNetwork(spec, weights);
        BackwardResult implicitOnes = reference.Backward(x, 2);
        BackwardResult explicitOnes = reference.Backward(x, 2, Enumerable.Repeat(1f, 4).ToArray());
        Bits.Equal(explicitOnes.InputGradient, implicitOnes.InputGradient, "dX");
        float[] output = new float[4];
        reference.Forward(x, output, 2);
        Bits.Equal(output, implicitOnes.Output, "output");
    }

    private static double CentralDifference(Func<double, double> loss)
    {
        const double h = 1e-6;
        return (loss(h) - loss(-h)) / (2 * h);
    }

    private static void AssertClose(double numeric, float analytic, string what) =>
        Assert.True(Math.Abs(numeric - analytic) <= 2e-4 * Math.Max(1, Math.Abs(numeric)), $"{what}: analytic {analytic:R}, central difference {numeric:R}");

    /// <summary>The same network in double precision, its activations from <see cref="ReferenceMath"/>.</summary>
    private sealed class DoubleNetwork(NetworkSpec spec, IReadOnlyList<DenseLayerWeights> weights)
    {
        private readonly double[][] w = weights.Select(l => l.Weight.Select(v => (double)v).ToArray()).ToArray();
        private readonly double[][] b = weights.Select(l => l.Bias.Select(v => (double)v).ToArray()).ToArray();

        public double WithWeight(int layer, int index, double h, Func<double> loss)
        {
            double saved = w[layer][index];
            w[layer][index] = saved + h;
            double result = loss();
            w[layer][index] = saved;
            return result;
        }

        public double WithBias(int layer, int index, double h, Func<double> loss)
        {
            double saved = b[layer][index];
            b[layer][index] = saved + h;
            double result = loss();
            b[layer][index] = saved;
            return result;
        }

        /// <summary>Σ output·dY, whose gradient is the backward pass's with upstream gradient dY.</summary>
        public double Loss(double[] x, int batch, float[] dy)
        {
            double[] current = x;
            for (int i = 0; i < spec.Layers.Count; i++)
            {
                DenseLayerSpec layer = spec.Layers[i];
                double[] next = new double[batch * layer.Outputs];
                for (int m = 0; m < batch; m++)
                {
                    for (int n = 0; n < layer.Outputs; n++)
                    {
                        double acc = b[i][n];
                        for (int k = 0; k < layer.Inputs; k++)
                        {
                            acc += current[(m * layer.Inputs) + k] * w[i][(k * layer.Outputs) + n];
                        }

                        next[(m * layer.Outputs) + n] = acc;
                    }

                    Activate(layer, next.AsSpan(m * layer.Outputs, layer.Outputs));
                }

                current = next;
            }

            double loss = 0;
            for (int j = 0; j < current.Length; j++)
            {
                loss += current[j] * dy[j];
            }

            return loss;
        }

        private static void Activate(DenseLayerSpec layer, Span<double> row)
        {
            if (layer.Activation == Activation.Softmax)
            {
                double max = double.NegativeInfinity;
                foreach (double v in row)
                {
                    max = Math.Max(max, v);
                }

                double sum = 0;
                for (int j = 0; j < row.Length; j++)
                {
                    row[j] = Math.Exp(row[j] - max);
                    sum += row[j];
                }

                for (int j = 0; j < row.Length; j++)
                {
                    row[j] /= sum;
                }

                return;
            }

            for (int j = 0; j < row.Length; j++)
            {
                double v = row[j];
                row[j] = layer.Activation switch
                {
                    Activation.Identity => v,
                    Activation.Relu => Math.Max(v, 0),
                    Activation.LeakyRelu => v < 0 ? v * layer.Alpha : v,
                    Activation.Sigmoid => ReferenceMath.Sigmoid(v),
                    Activation.Tanh => ReferenceMath.Tanh(v),
                    Activation.Gelu => ReferenceMath.Gelu(v),
                    Activation.GeluTanh => ReferenceMath.GeluTanh(v),
                    Activation.Silu => ReferenceMath.Silu(v),
                    _ => throw new ArgumentOutOfRangeException(nameof(layer)),
                };
            }
        }
    }
}
