using System;
using System.CommandLine;
#if !NATIVE_AOT
using System.Diagnostics;
using System.Globalization;
using System.IO;
using SimdCheckpoint.Cli.Compilation;
using SimdCheckpoint.Cli.Experiment;
using SimdCheckpoint.Cli.Models;
#endif

namespace SimdCheckpoint.Cli.Commands;

/// <summary>
/// <c>simdcheckpoint run --packed W.sckw [--weight-budget SIZE]</c>: the forward pass over a packed weights file, loaded
/// whole (an <see cref="InferenceSession{TNetwork}"/>) or streamed layer by layer through a
/// <see cref="StreamingSession{TNetwork}"/> within the budget, with the same bits either way. A streamed run also reports
/// the process's resident memory before the session and its peak after the call (VmHWM on Linux), so the budget can be
/// checked against what the machine actually gave the process.
/// </summary>
internal static class PackedRun
{
    public static (Option<string?> Packed, Option<string?> WeightBudget) Options() =>
    (
        new Option<string?>("--packed")
        {
            Description = "Run the weights of a packed weights file (.sckw, written by simdcheckpoint pack) instead of --weights: loaded whole, or streamed with --weight-budget.",
        },
        new Option<string?>("--weight-budget")
        {
            Description = "With --packed: keep at most this much weight memory resident and stream the layers from the file, one ahead of the compute (same bits). Bytes or a size: 64MiB, 1GiB, 500MB.",
        });

#if !NATIVE_AOT
    public static int Run(RunArguments a, KernelPath path, TextWriter output, TextWriter error)
    {
        if (a.Packed is null)
        {
            throw new UserInputException("--weight-budget", "streams a packed weights file; give --packed FILE.sckw too (simdcheckpoint pack writes one).");
        }

        if (a.Weights is not null)
        {
            throw new UserInputException("--packed", "holds the weights; leave out --weights.");
        }

        long? budget = a.WeightBudget is null ? null : ByteSize.Parse(a.WeightBudget, "--weight-budget");
        LoadedModel model = ModelFile.Load(a.Model, weightsPath: null, WeightLayout.OutputsByInputs);
        if (model.Spec.Encoder is not null)
        {
            throw new UserInputException("--packed", $"{model.Path} is an encoder; run streams the weights of dense networks. Stream an encoder's dense layers with: simdcheckpoint embed --model {model.Path} --vocab vocab.txt --packed FILE.sckw [--weight-budget SIZE] (or EncoderSession.Streaming in the library).");
        }

        ModelOptions.RequireFile(a.Packed, "a packed weights file (.sckw)");
        try
        {
            // The header is checked before the model is compiled: a file for another network is named at once.
            using PackedWeightsFile file = PackedWeightsFile.Open(a.Packed);
            if (file.SpecFingerprint != model.Spec.Fingerprint)
            {
                throw new WeightsMismatchException(
                    $"'{a.Packed}' was packed for a network with spec fingerprint {file.SpecFingerprint}, but {model.Path} is {model.Spec.Shape} (fingerprint {model.Spec.Fingerprint}): pack the weights for this model.",
                    a.Packed,
                    null,
                    null);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException(a.Packed, "cannot be read: " + e.Message, e);
        }

        if (a.AllInputs is { Count: > 1 } || a.AllOutputs is { Count: > 1 })
        {
            throw new UserInputException(model.Path, "has one input and one output; give --input and --output once each.");
        }

        NpyBatch input = ArrayFiles.ReadBatch(a.Input, model.Spec.InputSize, "inputs", model.Path);
        ArrayFiles.RequireOutputPath(a.Output);
        CompiledModel compiled = ModelCompiler.CompileAndReport(model, gradients: false, a.CacheDirectory, a.Verbose, error, "run");
        Result result = NetworkTypeCall.Invoke<Result>(typeof(PackedRun), nameof(Forward), compiled.NetworkType, a.Packed, budget ?? -1L, input, path);
        ArrayFiles.Write(a.Output, result.Output, [input.Batch, model.Spec.OutputSize]);
        output.WriteLine($"run: {model.Path} ({ShapeText.Abbreviate(model.Spec)}), {input.Batch} sample(s) of ({input.ShapeText}), path {result.Path}{(path == KernelPath.Auto ? " (auto)" : string.Empty)}");
        output.WriteLine($"  weights  {result.Weights}");
        output.WriteLine($"  forward  {result.Elapsed.TotalMilliseconds:F3} ms (one call, the first: it includes compiling the kernels' machine code)");
        if (result.Memory is not null)
        {
            output.WriteLine($"  memory   {result.Memory}");
        }

        output.WriteLine($"  wrote    {a.Output} ({input.Batch}, {model.Spec.OutputSize})");
        return CommandLineInvocation.Success;
    }

    private static Result Forward<TNetwork>(string packed, long budget, NpyBatch input, KernelPath path)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        float[] result = new float[input.Batch * TNetwork.Spec.OutputSize];
        KernelPath ran = path == KernelPath.Auto ? TNetwork.AutoPath : path;
        if (budget < 0)
        {
            NetworkWeights<TNetwork> weights = NetworkWeights<TNetwork>.FromPacked(packed);
            using var session = new InferenceSession<TNetwork>(weights, input.Batch);
            long start = Stopwatch.GetTimestamp();
            session.Forward(input.Data, result, input.Batch, path);
            TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
            return new Result(result, ran, elapsed, $"{packed} (packed, loaded whole: {Describe(weights.PackedBytes)}, every layer's SHA-256 checked)", null);
        }

        if (budget < StreamingSession<TNetwork>.MinimumWeightBudget)
        {
            long minimum = StreamingSession<TNetwork>.MinimumWeightBudget;
            throw new UserInputException(
                "--weight-budget",
                string.Create(CultureInfo.InvariantCulture, $"{budget} bytes cannot hold the largest layer of {TNetwork.Spec.Name}: the minimum is {minimum} bytes ({Describe(minimum)}); twice that lets the next layer be read while one computes."));
        }

        long residentBefore = ProcessMemory.ResidentBytes();
        long peakBefore = ProcessMemory.PeakResidentBytes();
        using var streamed = new StreamingSession<TNetwork>(packed, budget, input.Batch);
        long t0 = Stopwatch.GetTimestamp();
        streamed.Forward(input.Data, result, input.Batch, path);
        TimeSpan took = Stopwatch.GetElapsedTime(t0);
        long peakAfter = ProcessMemory.PeakResidentBytes();
        string how = streamed.Resident
            ? $"the budget holds every layer: read once, {Describe(StreamingSession<TNetwork>.PackedBytes)}"
            : $"{streamed.Buffers} buffer(s) of {Describe(StreamingSession<TNetwork>.SlotBytes)}, {Describe(streamed.BytesRead)} read so far (the reader keeps the ring full, so it has begun the next call's layers)";
        string weightsText = $"{packed} (packed, streamed within {Describe(budget)}: {how}; {Describe(StreamingSession<TNetwork>.PackedBytes)} of weights, checksums verified at open)";
        string memory = string.Create(
            CultureInfo.InvariantCulture,
            $"resident before the session {residentBefore} bytes (peak so far {peakBefore}); peak after the call {peakAfter} bytes; growth {peakAfter - residentBefore} bytes against a weight budget of {budget} ({ProcessMemory.Source})");
        return new Result(result, ran, took, weightsText, memory);
    }

    /// <summary>"64.0 MiB", for summaries.</summary>
    private static string Describe(long bytes) =>
        bytes >= 1L << 30
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):F2} GiB")
            : string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):F1} MiB");

    private sealed record Result(float[] Output, KernelPath Path, TimeSpan Elapsed, string Weights, string? Memory);
#endif
}
