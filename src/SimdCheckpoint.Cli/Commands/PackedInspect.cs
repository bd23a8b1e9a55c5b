using System;
using System.CommandLine;
using System.Diagnostics;
using System.IO;
using SimdCheckpoint.Cli.Models;

namespace SimdCheckpoint.Cli.Commands;

/// <summary>
/// <c>simdcheckpoint inspect --packed W.sckw [--model M]</c>: a packed weights file's header (format, spec fingerprint,
/// panel width, each layer's block, offset and SHA-256), every block's checksum verified, and, with a model, whether
/// the file was packed for it. Needs no compiler, so it runs in the NativeAOT build too.
/// </summary>
internal static class PackedInspect
{
    public static Option<string?> Option() => new("--packed")
    {
        Description = "Instead of (or beside) --model: print a packed weights file's header (.sckw: spec fingerprint, panel width, each layer's offset, length and SHA-256) and verify every layer's checksum; with --model, also check that the file belongs to it.",
    };

    public static int Run(string path, string? modelPath, TextWriter output)
    {
        ModelOptions.RequireFile(path, "a packed weights file (.sckw)");
        LoadedModel? model = modelPath is null ? null : ModelFile.Load(modelPath, weightsPath: null, WeightLayout.OutputsByInputs);
        try
        {
            using PackedWeightsFile file = PackedWeightsFile.Open(path);
            output.WriteLine($"inspect: {path}: packed weights, format version {file.Version}, {file.FileLength:N0} bytes");
            output.WriteLine($"  spec fingerprint {file.SpecFingerprint}, panels of {file.PanelWidth} columns, {file.Layers.Count} layer(s), header {file.HeaderBytes:N0} bytes, blocks aligned to {PackedWeightsFile.BlockAlignment} bytes");
            output.WriteLine();
            output.WriteLine($"  {"#",3}  {"K -> N",-15} {"offset",16} {"bytes",16}  sha-256");
            foreach (PackedWeightsEntry e in file.Layers)
            {
                string shape = $"{e.Inputs} -> {e.Outputs}";
                output.WriteLine($"  {e.Index,3}  {shape,-15} {e.Offset,16:N0} {e.Length,16:N0}  {e.Sha256}");
            }

            output.WriteLine($"  {"",3}  {"total",-15} {"",16} {file.WeightBytes,16:N0}");
            output.WriteLine();
            long start = Stopwatch.GetTimestamp();
            file.VerifyChecksums();
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            output.WriteLine($"  checksums: all {file.Layers.Count} layer(s) match their SHA-256 ({file.WeightBytes / Math.Max(seconds, 1e-9) / 1e6:F0} MB/s read and hashed)");
            if (model is not null)
            {
                bool same = model.Spec.Fingerprint == file.SpecFingerprint;
                output.WriteLine(same
                    ? model.Spec.Encoder is null
                        ? $"  model: {model.Path} has the same spec fingerprint; run it with: simdcheckpoint run --model {model.Path} --packed {path} [--weight-budget 256MiB] ..."
                        : $"  model: {model.Path} has the same spec fingerprint (the file holds its dense layers); embed with it: simdcheckpoint embed --model {model.Path} --vocab vocab.txt --packed {path} [--weight-budget 64MiB] ..."
                    : $"  model: {model.Path} has spec fingerprint {model.Spec.Fingerprint} ({model.Spec.Shape}): this file was packed for another network.");
                return same ? CommandLineInvocation.Success : CommandLineInvocation.BadInput;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException(path, "cannot be read: " + e.Message, e);
        }

        return CommandLineInvocation.Success;
    }
}
