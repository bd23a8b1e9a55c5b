using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using SimdCheckpoint.Npy;

namespace SimdCheckpoint.Benchmarks;

/// <summary>The MiniLM-sized encoder (hidden 384, 12 heads, 6 layers, FFN 1536, vocabulary 30522), compiled from its JSON spec.</summary>
[NetworkFile("minilm.json")]
public partial class MiniLm;

/// <summary>
/// The MiniLM-sized encoder, batch × tokens per call: the generated kernels on one thread and on two, and ONNX Runtime
/// (one intra-op thread, every graph optimisation, IOBinding over pre-allocated buffers) on the same weights, the model
/// PyTorch exported at opset 17. The weights are written at set-up by <c>tools/torch/make_bert_models.py --minilm</c>
/// (Debian's python3-torch) into <c>SIMDCHECKPOINT_MINILM</c> or the system's temporary folder, once; set-up checks
/// that our output and ONNX Runtime's agree and that two threads give one thread's bits.
/// </summary>
[MemoryDiagnoser]
public class EncoderInference
{
    private EncoderSession<MiniLm> _one = null!;
    private EncoderSession<MiniLm> _two = null!;
    private EncoderOnnxRunner _onnx = null!;
    private int[] _ids = null!, _mask = null!, _types = null!;
    private float[] _last = null!, _pooled = null!;

    /// <summary>Sequences per call: 1, and 8 (the 8 × 128; the grid also gives 8 × 16, 64 and 256).</summary>
    [Params(1, 8)]
    public int Batch { get; set; } = 1;

    /// <summary>Tokens per sequence, every one real.</summary>
    [Params(16, 64, 128, 256)]
    public int Tokens { get; set; } = 128;

    /// <summary>FLOPs of one call (a fused multiply-add counts 2): dense layers per token, attention 4·hidden·S per token and layer, the pooler per sequence.</summary>
    public static long Flops(int batch, int tokens)
    {
        NetworkSpec spec = MiniLm.Spec;
        EncoderConfig c = spec.Encoder!;
        long perToken = spec.Layers.Where(l => l.Name != "pooler.dense").Sum(l => l.FlopsPerRow);
        return (perToken * batch * tokens) + (c.Layers * 4L * c.Hidden * tokens * batch * tokens) + (2L * c.Hidden * c.Hidden * batch);
    }

    /// <summary>The folder holding minilm.op17.onnx and minilm.safetensors, written by the PyTorch script on first use.</summary>
    public static string ModelFolder()
    {
        string folder = Environment.GetEnvironmentVariable("SIMDCHECKPOINT_MINILM") ?? Path.Combine(Path.GetTempPath(), "simdcheckpoint-minilm");
        if (File.Exists(Path.Combine(folder, "minilm.op17.onnx")) && File.Exists(Path.Combine(folder, "minilm.safetensors")))
        {
            return folder;
        }

        string script = FindScript();
        using var process = Process.Start(new ProcessStartInfo("/usr/bin/python3", [script, "--minilm", folder]) { RedirectStandardOutput = true })
            ?? throw new InvalidOperationException("Could not start python3.");
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} --minilm {folder} failed (exit {process.ExitCode}); it needs Debian's python3-torch.");
        }

        return folder;
    }

    [GlobalSetup]
    public void Setup()
    {
        string folder = ModelFolder();
        EncoderWeights<MiniLm> weights = EncoderWeights<MiniLm>.FromSafetensors(Path.Combine(folder, "minilm.safetensors"));
        int hidden = MiniLm.Spec.Encoder!.Hidden;
        var rng = new DeterministicRandom(20261205);
        int tokens = Batch * Tokens;
        _ids = Enumerable.Range(0, tokens).Select(_ => 1 + (int)(rng.NextUInt64() % 30521)).ToArray();
        _mask = Enumerable.Repeat(1, tokens).ToArray();
        _types = new int[tokens];
        _last = new float[tokens * hidden];
        _pooled = new float[Batch * hidden];
        _one = new EncoderSession<MiniLm>(weights, Batch, Tokens, KernelPath.Auto, threads: 1);
        _two = new EncoderSession<MiniLm>(weights, Batch, Tokens, KernelPath.Auto, threads: 2);
        _onnx = new EncoderOnnxRunner(Path.Combine(folder, "minilm.op17.onnx"), _ids, _mask, _types, Batch, Tokens, hidden);

        _two.Run(_ids, _mask, _types, Batch, Tokens, _last, _pooled);
        float[] twoThreads = _last.ToArray();
        _one.Run(_ids, _mask, _types, Batch, Tokens, _last, _pooled);
        if (!twoThreads.AsSpan().SequenceEqual(_last))
        {
            throw new InvalidOperationException("Two threads did not give one thread's bits.");
        }

        _onnx.Run();
        double worst = _last.Zip(_onnx.LastHiddenState).Max(p => Math.Abs((double)p.First - p.Second));
        if (worst > 1e-3)
        {
            throw new InvalidOperationException($"ONNX Runtime's last hidden state differs from ours by {worst:G3}: not the same model.");
        }

        Console.WriteLine($"// minilm {Batch} x {Tokens}: two threads give one thread's bits; ONNX Runtime {OrtEnv.Instance().GetVersionString()} max |difference| {worst:G3}.");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _one.Dispose();
        _two.Dispose();
        _onnx.Dispose();
    }

    [Benchmark(Description = "SimdCheckpoint")]
    public void SimdCheckpoint() => _one.Run(_ids, _mask, _types, Batch, Tokens, _last, _pooled);

    [Benchmark(Description = "SimdCheckpoint 2 threads")]
    public void SimdCheckpoint2Threads() => _two.Run(_ids, _mask, _types, Batch, Tokens, _last, _pooled);

    [Benchmark(Baseline = true, Description = "OnnxRuntime")]
    public void OnnxRuntime() => _onnx.Run();

    private static string FindScript()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "tools", "torch", "make_bert_models.py");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("tools/torch/make_bert_models.py not found above " + AppContext.BaseDirectory + "; set SIMDCHECKPOINT_MINILM to a folder holding minilm.op17.onnx and minilm.safetensors.");
    }
}

/// <summary>An ONNX Runtime session of an exported encoder over pre-bound int64 inputs and float outputs.</summary>
public sealed class EncoderOnnxRunner : IDisposable
{
    private readonly Microsoft.ML.OnnxRuntime.InferenceSession _session;
    private readonly OrtIoBinding _binding;
    private readonly RunOptions _run = new();
    private readonly OrtValue[] _values;

    /// <summary>A session of <paramref name="model"/> bound to these inputs; with <paramref name="profilePrefix"/>, ONNX Runtime's own profiler records every node's time (<see cref="EndProfiling"/>).</summary>
    public EncoderOnnxRunner(string model, int[] ids, int[] mask, int[] types, int batch, int tokens, int hidden, string? profilePrefix = null)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        if (profilePrefix is not null)
        {
            options.EnableProfiling = true;
            options.ProfileOutputPathPrefix = profilePrefix;
        }

        _session = new Microsoft.ML.OnnxRuntime.InferenceSession(model, options);
        long[] shape = [batch, tokens];
        LastHiddenState = new float[batch * tokens * hidden];
        PoolerOutput = new float[batch * hidden];
        _values =
        [
            OrtValue.CreateTensorValueFromMemory(ids.Select(i => (long)i).ToArray(), shape),
            OrtValue.CreateTensorValueFromMemory(mask.Select(i => (long)i).ToArray(), shape),
            OrtValue.CreateTensorValueFromMemory(types.Select(i => (long)i).ToArray(), shape),
            OrtValue.CreateTensorValueFromMemory(LastHiddenState, [batch, tokens, hidden]),
            OrtValue.CreateTensorValueFromMemory(PoolerOutput, [batch, hidden]),
        ];
        _binding = _session.CreateIoBinding();
        _binding.BindInput("input_ids", _values[0]);
        _binding.BindInput("attention_mask", _values[1]);
        _binding.BindInput("token_type_ids", _values[2]);
        _binding.BindOutput("last_hidden_state", _values[3]);
        _binding.BindOutput("pooler_output", _values[4]);
    }

    public float[] LastHiddenState { get; }

    public float[] PoolerOutput { get; }

    public void Run() => _session.RunWithBinding(_run, _binding);

    /// <summary>Ends the profiler a profiling session started, and returns the path of its JSON trace.</summary>
    public string EndProfiling() => _session.EndProfiling();

    public void Dispose()
    {
        _binding.Dispose();
        foreach (OrtValue v in _values)
        {
            v.Dispose();
        }

        _run.Dispose();
        _session.Dispose();
    }
}
