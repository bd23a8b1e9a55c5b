using System;

namespace SimdCheckpoint.Numerics;

/// <summary>
/// What a scan of one canonical function found. Ulps are of the exact value's binade (2^-149 for subnormals); a
/// result is a "reference mismatch" when it is NaN, infinite or finite where the reference is not (NaN for a NaN
/// input is required, and a result beyond the binary32 range must be the infinity of its sign).
/// </summary>
/// <param name="Function">The function's name.</param>
/// <param name="Inputs">Bit patterns scanned, NaNs included.</param>
/// <param name="Measured">Inputs whose result was compared with a finite reference value.</param>
/// <param name="MaxUlp">The largest error in ulps.</param>
/// <param name="MaxUlpInput">An input where it occurs.</param>
/// <param name="MaxAbsoluteError">The largest absolute error.</param>
/// <param name="MaxAbsoluteInput">An input where it occurs.</param>
/// <param name="OverOneUlp">Results more than 1 ulp from the reference.</param>
/// <param name="ReferenceMismatches">Results whose kind (NaN, infinite, finite) disagrees with the reference.</param>
/// <param name="FirstReferenceMismatch">The first such input, if any.</param>
/// <param name="WidthMismatches">Inputs where a 4-, 8- or 16-lane form did not give the scalar bits.</param>
/// <param name="FirstWidthMismatch">The first such input, if any.</param>
/// <param name="Elapsed">Wall-clock time of the scan.</param>
public sealed record AccuracyReport(
    string Function,
    long Inputs,
    long Measured,
    double MaxUlp,
    float MaxUlpInput,
    double MaxAbsoluteError,
    float MaxAbsoluteInput,
    long OverOneUlp,
    long ReferenceMismatches,
    float? FirstReferenceMismatch,
    long WidthMismatches,
    float? FirstWidthMismatch,
    TimeSpan Elapsed);
