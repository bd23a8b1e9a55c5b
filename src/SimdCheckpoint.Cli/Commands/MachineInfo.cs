using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace SimdCheckpoint.Cli.Commands;

/// <summary>What this machine accelerates, in one line.</summary>
internal static class MachineInfo
{
    public static string Describe()
    {
        var isas = new List<string>();
        if (Vector128.IsHardwareAccelerated)
        {
            isas.Add("Vector128");
        }

        if (Vector256.IsHardwareAccelerated)
        {
            isas.Add("Vector256");
        }

        if (Vector512.IsHardwareAccelerated)
        {
            isas.Add("Vector512");
        }

        if (Fma.IsSupported)
        {
            isas.Add("FMA3");
        }

        if (Avx512F.IsSupported)
        {
            isas.Add("AVX-512F");
        }

        if (AdvSimd.IsSupported)
        {
            isas.Add("NEON");
        }

        return $"{RuntimeInformation.OSDescription.Trim()}, {RuntimeInformation.ProcessArchitecture}, {Environment.ProcessorCount} logical cores, .NET {Environment.Version}; accelerates {(isas.Count == 0 ? "no SIMD" : string.Join(", ", isas))}";
    }
}
