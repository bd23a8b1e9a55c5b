using System.Collections.Generic;

namespace SimdCheckpoint.Cli.Experiment;

/// <summary>Everything one experiment run measured; the report and results.json are written from this alone.</summary>
internal sealed class ExperimentResults
{
    public required string Machine { get; init; }

    public required string StartedUtc { get; init; }

    public required bool Quick { get; init; }

    public required ulong Seed { get; init; }

    public required string AutoPath { get; init; }

    public List<IdentityRow> Identity { get; } = [];

    public List<ScalingPoint> Scaling { get; } = [];

    public List<ScalingFit> Fits { get; } = [];

    public List<SpeedRow> Speed { get; } = [];

    public List<StreamingRow> Streaming { get; } = [];

    public double Seconds { get; set; }

    /// <summary>The process's peak resident bytes after each stage (VmHWM: it only grows), for the report's memory note.</summary>
    public List<MemoryMark> PeakResident { get; } = [];
}

/// <summary>The process's peak resident bytes (<see cref="ProcessMemory"/>) when a stage of the run had finished.</summary>
internal sealed record MemoryMark(string Stage, long PeakResidentBytes);

/// <summary>
/// Test 1, one (network, schedule, path, batch): every value it produced (forward outputs, every probed activation,
/// dX, dW, db) over all inputs and repeats, against store-all's on the network's first path.
/// </summary>
internal sealed record IdentityRow(
    string Network, string Schedule, string Path, int Batch, int Inputs, int Repeats, long ValuesCompared, double MaxAbsDifference, long DifferingBits);

/// <summary>Test 2, one (depth, schedule): the backward pass's peak activation bytes and forward evaluations, measured and planned.</summary>
internal sealed record ScalingPoint(
    int Depth, string Schedule, int Batch, long MeasuredPeakBytes, long PredictedPeakBytes, long WorkingBytes, int MeasuredForwards, int PredictedForwards);

/// <summary>Test 2: a least-squares fit of a schedule's checkpoint bytes (peak minus the two working buffers) to a·f(n) + b.</summary>
internal sealed record ScalingFit(string Schedule, string Model, double A, double B, double RSquared);

/// <summary>Test 3, one (operation, schedule): wall-clock statistics over repeated calls, in milliseconds.</summary>
internal sealed record SpeedRow(
    string Operation, string Schedule, int Batch, int Runs, double MedianMs, double P25Ms, double P75Ms, double MinMs, double MaxMs, double RelativeToStoreAll, int ForwardEvaluations, long PeakBytes);

/// <summary>
/// Test 4, one (network, mode, batch) measured in a fresh process: the packed file read alone ("read"), run whole
/// ("memory") or streamed within <see cref="Budget"/> ("streamed"); its resident bytes before anything was loaded, its
/// peak after the timed calls (VmHWM), the median seconds per call (per whole-file read for "read"), the bytes the whole
/// process allocated during the timed calls (every thread, the session's reader too), and a digest of the last call's
/// outputs (whole and streamed runs of the same batch must agree).
/// </summary>
internal sealed record StreamingRow(
    string Network, long WeightBytes, string Mode, int Batch, long Budget, long ResidentBeforeBytes, long PeakBytes, double MedianSeconds, int Calls, long AllocatedBytes, string OutputDigest);
