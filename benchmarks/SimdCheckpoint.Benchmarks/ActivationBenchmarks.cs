using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using SimdCheckpoint.Numerics;
using Tensor = System.Numerics.Tensors.TensorPrimitives;

namespace SimdCheckpoint.Benchmarks;

/// <summary>
/// Element-wise throughput of the canonical functions over 4096 floats (16 KiB in, 16 KiB out: L1-resident), on the
/// widest path (Auto) and on Vector256, against the corresponding TensorPrimitives function in the same run. The
/// "elements/ns" column is 4096 over the mean time. TensorPrimitives has no erf, so GELU (erf form) and erf have no
/// baseline; SiLU's is Sigmoid then Multiply, GELU-tanh's the formula in TensorPrimitives operations, as a user
/// would write them.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 12)]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ActivationBenchmarks
{
    public const int Length = 4096;

    private readonly float[] x = new float[Length];
    private readonly float[] logits = new float[Length];
    private readonly float[] y = new float[Length];
    private readonly float[] t = new float[Length];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new DeterministicRandom(5);
        rng.Fill(x, 8f);
        rng.Fill(logits, 20f);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("exp")]
    public void Exp_TensorPrimitives() => Tensor.Exp(x, y);

    [Benchmark, BenchmarkCategory("exp")]
    public void Exp_SimdCheckpoint() => Elementwise.Map<UnaryFunctions.Exp>(x, y);

    [Benchmark, BenchmarkCategory("exp")]
    public void Exp_SimdCheckpoint256() => Elementwise.Map<UnaryFunctions.Exp>(x, y, KernelPath.Vector256);

    [Benchmark(Baseline = true), BenchmarkCategory("sigmoid")]
    public void Sigmoid_TensorPrimitives() => Tensor.Sigmoid(x, y);

    [Benchmark, BenchmarkCategory("sigmoid")]
    public void Sigmoid_SimdCheckpoint() => Elementwise.Map<UnaryFunctions.Sigmoid>(x, y);

    [Benchmark, BenchmarkCategory("sigmoid")]
    public void Sigmoid_SimdCheckpoint256() => Elementwise.Map<UnaryFunctions.Sigmoid>(x, y, KernelPath.Vector256);

    [Benchmark(Baseline = true), BenchmarkCategory("tanh")]
    public void Tanh_TensorPrimitives() => Tensor.Tanh(x, y);

    [Benchmark, BenchmarkCategory("tanh")]
    public void Tanh_SimdCheckpoint() => Elementwise.Map<UnaryFunctions.Tanh>(x, y);

    [Benchmark, BenchmarkCategory("tanh")]
    public void Tanh_SimdCheckpoint256() => Elementwise.Map<UnaryFunctions.Tanh>(x, y, KernelPath.Vector256);

    [Benchmark(Baseline = true), BenchmarkCategory("silu")]
    public void Silu_TensorPrimitives()
    {
        Tensor.Sigmoid(x, y);
        Tensor.Multiply(y, x, y);
    }

    [Benchmark, BenchmarkCategory("silu")]
    public void Silu_SimdCheckpoint() => Elementwise.Map<UnaryFunctions.Silu>(x, y);

    [Benchmark, BenchmarkCategory("silu")]
    public void Silu_SimdCheckpoint256() => Elementwise.Map<UnaryFunctions.Silu>(x, y, KernelPath.Vector256);

    /// <summary>0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) in seven TensorPrimitives passes.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("gelu_tanh")]
    public void GeluTanh_TensorPrimitives()
    {
        Tensor.Multiply(x, x, t);
        Tensor.Multiply(t, 0.044715f, t);
        Tensor.Add(t, 1f, t);
        Tensor.Multiply(t, x, t);
        Tensor.Multiply(t, MathF.Sqrt(2f / MathF.PI), t);
        Tensor.Tanh(t, t);
        Tensor.AddMultiply(t, 1f, x, y);
        Tensor.Multiply(y, 0.5f, y);
    }

    [Benchmark, BenchmarkCategory("gelu_tanh")]
    public void GeluTanh_SimdCheckpoint() => Elementwise.Map<UnaryFunctions.GeluTanh>(x, y);

    [Benchmark, BenchmarkCategory("gelu_tanh")]
    public void GeluTanh_SimdCheckpoint256() => Elementwise.Map<UnaryFunctions.GeluTanh>(x, y, KernelPath.Vector256);

    [Benchmark(Baseline = true), BenchmarkCategory("gelu")]
    public void Gelu_SimdCheckpoint() => Elementwise.Map<UnaryFunctions.Gelu>(x, y);

    [Benchmark, BenchmarkCategory("gelu")]
    public void Gelu_SimdCheckpoint256() => Elementwise.Map<UnaryFunctions.Gelu>(x, y, KernelPath.Vector256);

    [Benchmark(Baseline = true), BenchmarkCategory("erf")]
    public void Erf_SimdCheckpoint() => Elementwise.Map<UnaryFunctions.Erf>(x, y);

    [Benchmark, BenchmarkCategory("erf")]
    public void Erf_SimdCheckpoint256() => Elementwise.Map<UnaryFunctions.Erf>(x, y, KernelPath.Vector256);

    [Benchmark(Baseline = true), BenchmarkCategory("softmax")]
    public void Softmax_TensorPrimitives() => Tensor.SoftMax(logits, y);

    [Benchmark, BenchmarkCategory("softmax")]
    public void Softmax_SimdCheckpoint() => Softmax.Row(logits, y);

    [Benchmark, BenchmarkCategory("softmax")]
    public void Softmax_SimdCheckpoint256() => Softmax.Row(logits, y, KernelPath.Vector256);
}
