using System;
using System.Linq;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;

namespace SimdCheckpoint.Benchmarks;

/// <summary>
/// The three models side by side: the generated kernels, ONNX Runtime at its best (one intra-op thread, every
/// graph optimisation, IOBinding over pre-allocated buffers, the same weights) and the hand-written TensorPrimitives
/// MLP. ONNX Runtime is the ratio baseline. Every contestant's output is checked in set-up: the generated paths bit
/// for bit against the reference, ONNX Runtime within 1e-4 relative (it sums in another order).
/// </summary>
[MemoryDiagnoser]
public class MlpInference
{
    private IMlpRunner _runner = null!;
    private OnnxRuntimeRunner _onnx = null!;

    [Params("mnist", "deep", "wide")]
    public string Model { get; set; } = "mnist";

    [Params(1, 64)]
    public int Batch { get; set; } = 1;

    public static IMlpRunner CreateRunner(string model) => model switch
    {
        "mnist" => new MlpRunner<Mnist>(),
        "deep" => new MlpRunner<Deep32>(),
        "wide" => new MlpRunner<Wide>(),
        _ => throw new ArgumentOutOfRangeException(nameof(model), model, "Unknown model."),
    };

    [GlobalSetup]
    public void Setup()
    {
        _runner = CreateRunner(Model);
        Console.WriteLine($"// {Model} batch {Batch}: generated paths verified bit for bit against the reference; {_runner.Verify(Batch)}.");
        _onnx = new OnnxRuntimeRunner(OnnxMlpWriter.Write(_runner.Spec, _runner.Layers), _runner.Spec, _runner.Input, Batch);
        _runner.Generated(Batch, KernelPath.Auto);
        float[] ours = _runner.Output.AsSpan(0, Batch * _runner.Spec.OutputSize).ToArray();
        _onnx.Run();
        // ONNX Runtime sums in another order; outputs near zero cancel, so compare against the output's scale.
        double scale = ours.Max(v => Math.Abs((double)v));
        double worst = ours.Zip(_onnx.Output).Max(p => Math.Abs((double)p.First - p.Second)) / scale;
        if (worst > 1e-5)
        {
            throw new InvalidOperationException($"ONNX Runtime's output differs from ours by {worst:G3} of the output's largest magnitude: not the same model.");
        }

        Console.WriteLine($"// ONNX Runtime {OrtEnv.Instance().GetVersionString()}: max difference to ours {worst:G3} of the largest output magnitude.");
    }

    [GlobalCleanup]
    public void Cleanup() => _onnx.Dispose();

    [Benchmark(Description = "SimdCheckpoint")]
    public void SimdCheckpoint() => _runner.Generated(Batch, KernelPath.Auto);

    /// <summary>Two threads as <see cref="ThreadSplit.Auto"/> chooses per call (what a session does by default).</summary>
    [Benchmark(Description = "SimdCheckpoint 2 threads")]
    public void SimdCheckpointTwoThreads() => _runner.GeneratedTwoThreads(Batch);

    /// <summary>Two threads, every call split by rows (a batch below 8 then runs on the caller alone).</summary>
    [Benchmark(Description = "SimdCheckpoint 2 threads rows")]
    public void SimdCheckpointTwoThreadsRows() => _runner.GeneratedTwoThreads(Batch, ThreadSplit.Rows);

    /// <summary>Two threads, every call split by column panels with a barrier between layers.</summary>
    [Benchmark(Description = "SimdCheckpoint 2 threads panels")]
    public void SimdCheckpointTwoThreadsPanels() => _runner.GeneratedTwoThreads(Batch, ThreadSplit.Panels);

    [Benchmark(Baseline = true, Description = "OnnxRuntime")]
    public void OnnxRuntime() => _onnx.Run();

    [Benchmark(Description = "TensorPrimitives")]
    public void TensorPrimitives() => _runner.TensorPrimitivesForward(Batch);
}

/// <summary>An ONNX Runtime session over pre-bound input and output buffers, so a call does no allocation or copying of ours.</summary>
public sealed class OnnxRuntimeRunner : IDisposable
{
    private readonly Microsoft.ML.OnnxRuntime.InferenceSession _session;
    private readonly OrtIoBinding _binding;
    private readonly RunOptions _run = new();
    private readonly OrtValue _input;
    private readonly OrtValue _output;
    private readonly float[] _outputData;

    public OnnxRuntimeRunner(byte[] model, NetworkSpec spec, float[] input, int batch)
    {
        ArgumentNullException.ThrowIfNull(spec);
        using var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new Microsoft.ML.OnnxRuntime.InferenceSession(model, options);
        float[] inputData = input.AsSpan(0, batch * spec.InputSize).ToArray();
        _outputData = new float[batch * spec.OutputSize];
        _input = OrtValue.CreateTensorValueFromMemory(inputData, [batch, spec.InputSize]);
        _output = OrtValue.CreateTensorValueFromMemory(_outputData, [batch, spec.OutputSize]);
        _binding = _session.CreateIoBinding();
        _binding.BindInput(OnnxMlpWriter.InputName, _input);
        _binding.BindOutput(OnnxMlpWriter.OutputName, _output);
    }

    public float[] Output => _outputData;

    public void Run() => _session.RunWithBinding(_run, _binding);

    public void Dispose()
    {
        _binding.Dispose();
        _input.Dispose();
        _output.Dispose();
        _run.Dispose();
        _session.Dispose();
    }
}
