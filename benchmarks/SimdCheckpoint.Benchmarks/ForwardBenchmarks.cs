using System;
using BenchmarkDotNet.Attributes;

namespace SimdCheckpoint.Benchmarks;

/// <summary>
/// The generated Forward (its Auto path, and its scalar path) against the scalar reference and a hand-written
/// TensorPrimitives MLP, on the same seeded weights and inputs. The TensorPrimitives row is the ratio baseline.
/// </summary>
[MemoryDiagnoser]
public class ForwardBenchmarks
{
    private IMlpRunner _runner = null!;

    [Params("mnist", "deep32")]
    public string Model { get; set; } = "mnist";

    [Params(1, 64)]
    public int Batch { get; set; }

    public static IMlpRunner CreateRunner(string model) => model switch
    {
        "mnist" => new MlpRunner<Mnist>(),
        "deep32" => new MlpRunner<Deep32>(),
        _ => throw new ArgumentOutOfRangeException(nameof(model), model, "Unknown model."),
    };

    [GlobalSetup]
    public void Setup()
    {
        _runner = CreateRunner(Model);
        Console.WriteLine($"// {Model} batch {Batch}: generated paths verified bit for bit against the reference; {_runner.Verify(Batch)}.");
    }

    [Benchmark(Description = "SimdCheckpoint")]
    public void Generated() => _runner.Generated(Batch, KernelPath.Auto);

    [Benchmark(Description = "SimdCheckpoint scalar path")]
    public void GeneratedScalar() => _runner.Generated(Batch, KernelPath.Scalar);

    [Benchmark(Description = "Scalar reference")]
    public void Reference() => _runner.Reference(Batch);

    [Benchmark(Baseline = true, Description = "TensorPrimitives")]
    public void TensorPrimitives() => _runner.TensorPrimitivesForward(Batch);
}
