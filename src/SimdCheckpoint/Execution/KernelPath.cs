namespace SimdCheckpoint;

/// <summary>
/// The implementation paths a generated network has. Every path gives the same bits; they differ in speed only.
/// <see cref="Auto"/> takes the fastest path this machine accelerates. Forcing a path is for verification: a
/// vector path forced on a machine that does not accelerate it runs in software emulation, correct but slow.
/// </summary>
public enum KernelPath
{
    /// <summary>The widest path this machine accelerates.</summary>
    Auto = 0,

    /// <summary>Plain scalar code with <see cref="System.MathF.FusedMultiplyAdd"/>; runs everywhere.</summary>
    Scalar = 1,

    /// <summary>Register-tiled <see cref="System.Runtime.Intrinsics.Vector256{T}"/> + FMA microkernels (x64 AVX2 + FMA3).</summary>
    Vector256 = 2,

    /// <summary>Register-tiled <see cref="System.Runtime.Intrinsics.Vector128{T}"/> microkernels (arm64 NEON; x64 without AVX2).</summary>
    Vector128 = 3,

    /// <summary>Register-tiled <see cref="System.Runtime.Intrinsics.Vector512{T}"/> microkernels (x64 AVX-512).</summary>
    Vector512 = 4,
}
