using System;
using System.CommandLine;
using System.Diagnostics;
using System.IO;
using SimdCheckpoint.Cli.Models;
#if !NATIVE_AOT
using SimdCheckpoint.Cli.Compilation;
#endif

namespace SimdCheckpoint.Cli.Commands;

/// <summary>The arguments of <c>simdcheckpoint pack</c>; <see cref="CacheDirectory"/> (null: the environment's) is for tests.</summary>
internal sealed record PackArguments(
    string Model,
    string Out,
    string? Weights = null,
    string Layout = "outputs-by-inputs",
    ulong? Seed = null,
    bool Verbose = false,
    string? CacheDirectory = null);

/// <summary>
/// <c>simdcheckpoint pack</c>: writes a model's weights as a packed weights file (.sckw), in the panel layout of the
/// kernels the generator emits for it, for <c>run --packed</c> (whole or streamed within <c>--weight-budget</c>) and
/// <see cref="NetworkWeights{TNetwork}.FromPacked(string)"/>. The panel width is the compiled network's, so the model is
/// compiled (or taken from the cache) first.
/// </summary>
internal static class PackCommand
{
    /// <param name="cacheDirectory">The compiled-model cache; null for the environment's (tests pass their own).</param>
    public static Command Create(string? cacheDirectory = null)
    {
        Option<string> model = ModelOptions.Model();
        Option<string?> weights = ModelOptions.Weights();
        Option<string> layout = ModelOptions.Layout();
        var output = new Option<string>("--out", "-o") { Description = "The packed weights file to write (.sckw); an existing file is replaced.", Required = true };
        var seed = new Option<ulong?>("--seed")
        {
            Description = "Instead of weights from a file: seeded random weights (PyTorch's nn.Linear initialisation, the library's RandomWeights), generated and written one layer at a time, so a network larger than memory can be made.",
        };
        Option<bool> verbose = ModelOptions.Verbose();
        var command = new Command("pack", "Write a model's weights as a packed weights file (.sckw): the kernels' aligned panel layout, with the spec's fingerprint and a SHA-256 per layer, for run --packed (whole, or streamed within --weight-budget).")
        {
            model, weights, layout, output, seed, verbose,
        };
        command.SetAction(result => Run(
            new PackArguments(result.GetValue(model)!, result.GetValue(output)!, result.GetValue(weights), result.GetValue(layout)!, result.GetValue(seed), result.GetValue(verbose), cacheDirectory),
            result.InvocationConfiguration.Output,
            result.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>The command's in-process entry point: its exit code, with errors reported on <paramref name="error"/>.</summary>
    public static int Run(PackArguments arguments, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(arguments);
#if NATIVE_AOT
        _ = output;
        error.WriteLine(ModelOptions.NeedsJit("pack"));
        return CommandLineInvocation.BadInput;
#else
        return CommandLineInvocation.Guard("pack", arguments.Verbose, output, error, (o, e) => RunCore(arguments, o, e));
#endif
    }

#if !NATIVE_AOT
    private static int RunCore(PackArguments a, TextWriter output, TextWriter error)
    {
        if (a.Seed is not null && a.Weights is not null)
        {
            throw new UserInputException("--seed", "makes random weights; leave out --weights (or --seed).");
        }

        LoadedModel model = ModelFile.Load(a.Model, a.Weights, ModelOptions.ParseLayout(a.Layout));
        if (model.Spec.Encoder is not null && a.Seed is not null)
        {
            throw new UserInputException("--seed", "makes only dense layers; an encoder's packed file is its dense layers, and its embeddings and layer norms come from its weights file: pack it from that file (leave out --seed).");
        }

        WeightsSource? weights = a.Seed is null ? model.RequireWeights() : null;
        string? folder = Path.GetDirectoryName(Path.GetFullPath(a.Out));
        if (folder is not null && !Directory.Exists(folder))
        {
            throw new UserInputException("--out", $"the folder of '{a.Out}' does not exist.");
        }

        CompiledModel compiled = ModelCompiler.CompileAndReport(model, gradients: false, a.CacheDirectory, a.Verbose, error, "pack");
        long start = Stopwatch.GetTimestamp();
        NetworkTypeCall.Invoke<bool>(typeof(PackCommand), nameof(Write), compiled.NetworkType, weights, a.Seed ?? 0UL, a.Out);
        TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
        using PackedWeightsFile file = PackedWeightsFile.Open(a.Out);
        output.WriteLine($"pack: {model.Path} ({(model.Spec.Encoder is { } encoder ? $"encoder: {encoder}" : ShapeText.Abbreviate(model.Spec))}) -> {a.Out}");
        output.WriteLine($"  weights  {(weights is null ? $"random, seed {a.Seed}" : weights.Description)}");
        output.WriteLine($"  file     {file.FileLength:N0} bytes: {file.Layers.Count} layer block(s), {file.WeightBytes:N0} bytes of packed weights in panels of {file.PanelWidth}, spec fingerprint {file.SpecFingerprint}");
        if (model.Spec.Encoder is not null)
        {
            output.WriteLine($"  encoder  the dense layers only; the embedding tables and layer norms stay in {weights!.Description}: embed --model {model.Path} --packed {a.Out} [--weight-budget 64MiB] streams them");
        }

        output.WriteLine($"  took     {elapsed.TotalSeconds:F2} s");
        return CommandLineInvocation.Success;
    }

    private static bool Write<TNetwork>(WeightsSource? weights, ulong seed, string path)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        if (weights is null)
        {
            PackedWeightsFile.WriteRandom<TNetwork>(seed, path);
        }
        else if (TNetwork.Spec.Encoder is not null)
        {
            // An encoder's dense layers; its embedding tables and layer norms stay in its weights file (embed --packed reads them from there).
            PackedWeightsFile.Write(weights.LoadEncoder<TNetwork>().Dense, path);
        }
        else
        {
            PackedWeightsFile.Write(weights.Load<TNetwork>(), path);
        }

        return true;
    }
#endif
}
