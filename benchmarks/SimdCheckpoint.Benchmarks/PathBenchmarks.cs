using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using BenchmarkDotNet.Attributes;

namespace SimdCheckpoint.Benchmarks;

/// <summary>One 256×256 ReLU layer.</summary>
[Network]
[Dense(256, 256, Activation.Relu)]
public partial class Layer256;

/// <summary>
/// Each generated path on one layer shape (256×256 ReLU), batch 1 and 64. A path this machine does not accelerate
/// runs in the runtime's software emulation; its Description says so.
/// </summary>
[MemoryDiagnoser]
public class PathBenchmarks
{
    private MlpRunner<Layer256> _runner = null!;

    [Params(KernelPath.Vector512, KernelPath.Vector256, KernelPath.Vector128, KernelPath.Scalar)]
    public KernelPath Path { get; set; }

    [Params(1, 64)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _runner = new MlpRunner<Layer256>();
        _runner.Verify(Batch);
        bool accelerated = Path switch
        {
            KernelPath.Vector512 => Vector512.IsHardwareAccelerated,
            KernelPath.Vector256 => Vector256.IsHardwareAccelerated && Fma.IsSupported,
            KernelPath.Vector128 => Vector128.IsHardwareAccelerated,
            _ => true,
        };
        Console.WriteLine($"// {Path}: {(accelerated ? "hardware" : "EMULATED in software (not accelerated on this machine)")}");
    }

    [Benchmark]
    public void Layer() => _runner.Generated(Batch, Path);
}
