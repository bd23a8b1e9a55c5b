using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace SimdCheckpoint.Cli.Commands;

/// <summary>Every path the generator emits, and whether this machine runs it in hardware.</summary>
internal static class PathCatalog
{
    public static readonly KernelPath[] All = [KernelPath.Vector512, KernelPath.Vector256, KernelPath.Vector128, KernelPath.Scalar];

    /// <summary>How this machine runs a path: in hardware, or in the runtime's software emulation (correct, slow).</summary>
    public static string Describe(KernelPath path) => path switch
    {
        KernelPath.Scalar => "scalar",
        KernelPath.Vector128 when Vector128.IsHardwareAccelerated && !IsAccelerated(path) => "hardware, FMA emulated",
        _ => IsAccelerated(path) ? "hardware" : "software emulation",
    };

    /// <summary>A path that is not accelerated still runs, in the runtime's software emulation: correct, slow.</summary>
    public static bool IsAccelerated(KernelPath path) => path switch
    {
        KernelPath.Vector512 => Vector512.IsHardwareAccelerated,
        KernelPath.Vector256 => Vector256.IsHardwareAccelerated && Fma.IsSupported,
        KernelPath.Vector128 => Vector128.IsHardwareAccelerated && (Fma.IsSupported || AdvSimd.IsSupported),
        _ => true,
    };
}
