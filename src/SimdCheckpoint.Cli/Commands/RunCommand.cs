using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.IO;
using SimdCheckpoint.Cli.Models;
#if !NATIVE_AOT
using SimdCheckpoint.Cli.Compilation;
#endif

namespace SimdCheckpoint.Cli.Commands;

/// <summary>The arguments of <c>simdcheckpoint run</c>; <see cref="CacheDirectory"/> (null: the environment's) is for tests.</summary>
internal sealed record RunArguments(
    string Model,
    string Input,
    string Output,
    string? Weights = null,
    string Layout = "outputs-by-inputs",
    string Path = "auto",
    bool Verbose = false,
    string? CacheDirectory = null)
{
    /// <summary>Every --input value when there are several (an encoder's named inputs); null: just <see cref="Input"/>.</summary>
    public IReadOnlyList<string>? AllInputs { get; init; }

    /// <summary>Every --output value when there are several; null: just <see cref="Output"/>.</summary>
    public IReadOnlyList<string>? AllOutputs { get; init; }

    /// <summary>A packed weights file (.sckw) to run instead of --weights; null: none.</summary>
    public string? Packed { get; init; }

    /// <summary>With <see cref="Packed"/>: stream the weights within this budget ("256MiB"); null: load the file whole.</summary>
    public string? WeightBudget { get; init; }
}

/// <summary>
/// <c>simdcheckpoint run</c>: a forward pass of any model file through exactly the kernels the generator would emit
/// for it at build time, compiled in memory (and cached) because the network is not known when the CLI is built.
/// </summary>
internal static class RunCommand
{
    /// <param name="cacheDirectory">The compiled-model cache; null for the environment's (tests pass their own).</param>
    public static Command Create(string? cacheDirectory = null)
    {
        Option<string> model = ModelOptions.Model();
        var input = new Option<string[]>("--input", "-i")
        {
            Description = "The inputs: a float32 .npy of shape (batch, inputs), or (batch, ...) with the dimensions after the first multiplying to the network's inputs. "
                + "An encoder takes named int64 or int32 .npy arrays of shape (batch, sequence): --input input_ids=ids.npy --input attention_mask=mask.npy [--input token_type_ids=types.npy].",
            Required = true,
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string[]>("--output", "-o")
        {
            Description = "Where the outputs go: a float32 .npy of shape (batch, outputs). An encoder's are named: --output last_hidden_state=h.npy [--output pooler_output=p.npy] (one unnamed output is the last hidden state).",
            Required = true,
            Arity = ArgumentArity.OneOrMore,
        };
        Option<string?> weights = ModelOptions.Weights();
        Option<string> layout = ModelOptions.Layout();
        Option<string> path = ModelOptions.Path();
        Option<bool> verbose = ModelOptions.Verbose();
        (Option<string?> packed, Option<string?> weightBudget) = PackedRun.Options();
        var command = new Command("run", "Run a model's forward pass on the rows of a .npy file, through the kernels the source generator emits for it (compiled on first use and cached; bit-identical to a build-time [NetworkFile] type).")
        {
            model, input, output, weights, layout, path, verbose, packed, weightBudget,
        };
        command.SetAction(result => Run(
            new RunArguments(
                result.GetValue(model)!,
                result.GetValue(input)![0],
                result.GetValue(output)![0],
                result.GetValue(weights),
                result.GetValue(layout)!,
                result.GetValue(path)!,
                result.GetValue(verbose),
                CacheDirectory: cacheDirectory)
            {
                AllInputs = result.GetValue(input),
                AllOutputs = result.GetValue(output),
                Packed = result.GetValue(packed),
                WeightBudget = result.GetValue(weightBudget),
            },
            result.InvocationConfiguration.Output,
            result.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>The command's in-process entry point: its exit code, with errors reported on <paramref name="error"/>.</summary>
    public static int Run(RunArguments arguments, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(arguments);
#if NATIVE_AOT
        _ = output;
        error.WriteLine(ModelOptions.NeedsJit("run"));
        return CommandLineInvocation.BadInput;
#else
        return CommandLineInvocation.Guard("run", arguments.Verbose, output, error, (o, e) => RunCore(arguments, o, e));
#endif
    }

#if !NATIVE_AOT
    private static int RunCore(RunArguments a, TextWriter output, TextWriter error)
    {
        KernelPath path = ModelOptions.ParsePath(a.Path);
        if (a.Packed is not null || a.WeightBudget is not null)
        {
            return PackedRun.Run(a, path, output, error);
        }

        LoadedModel model = ModelFile.Load(a.Model, a.Weights, ModelOptions.ParseLayout(a.Layout));
        if (model.Spec.Encoder is not null)
        {
            return EncoderRun.Run(a, model, path, output, error);
        }

        WeightsSource weights = model.RequireWeights();
        string inputPath = Single(a.AllInputs ?? [a.Input], "--input", model.Spec.Inputs[0].Name, model.Path);
        string outputPath = Single(a.AllOutputs ?? [a.Output], "--output", model.Spec.Outputs[0].Name, model.Path);
        NpyBatch input = ArrayFiles.ReadBatch(inputPath, model.Spec.InputSize, "inputs", model.Path);
        ArrayFiles.RequireOutputPath(outputPath);
        CompiledModel compiled = ModelCompiler.CompileAndReport(model, gradients: false, a.CacheDirectory, a.Verbose, error, "run");
        ForwardResult result = NetworkTypeCall.Invoke<ForwardResult>(typeof(RunCommand), nameof(Forward), compiled.NetworkType, model, weights, input, path);
        ArrayFiles.Write(outputPath, result.Output, [input.Batch, model.Spec.OutputSize]);
        output.WriteLine($"run: {model.Path} ({ShapeText.Abbreviate(model.Spec)}), {input.Batch} sample(s) of ({input.ShapeText}), path {result.Path}{(path == KernelPath.Auto ? " (auto)" : string.Empty)}");
        output.WriteLine($"  weights  {weights.Description}");
        output.WriteLine($"  forward  {result.Elapsed.TotalMilliseconds:F3} ms (one call, the first: it includes compiling the kernels' machine code)");
        output.WriteLine($"  wrote    {outputPath} ({input.Batch}, {model.Spec.OutputSize})");
        return CommandLineInvocation.Success;
    }

    /// <summary>The one file of a one-input (or one-output) network: a path, or NAME=PATH with the tensor's own name.</summary>
    private static string Single(IReadOnlyList<string> values, string option, string name, string model)
    {
        if (values.Count != 1)
        {
            throw new UserInputException(model, $"has one {(option == "--input" ? "input" : "output")} ('{name}'); give {option} once, not {values.Count} times.");
        }

        return EncoderRun.Named(values, option, [name], name, model)[name];
    }

    /// <summary>The forward pass on the compiled network type.</summary>
    private static ForwardResult Forward<TNetwork>(LoadedModel model, WeightsSource weights, NpyBatch input, KernelPath path)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        if (!TNetwork.Spec.Equals(model.Spec))
        {
            throw new InternalErrorException($"the compiled network ({TNetwork.Spec}) is not the one {model.Path} describes ({model.Spec}).");
        }

        NetworkWeights<TNetwork> packed = weights.Load<TNetwork>();
        float[] result = new float[input.Batch * TNetwork.Spec.OutputSize];
        using var session = new InferenceSession<TNetwork>(packed, input.Batch);
        long start = Stopwatch.GetTimestamp();
        session.Forward(input.Data, result, input.Batch, path);
        TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
        return new ForwardResult(result, path == KernelPath.Auto ? TNetwork.AutoPath : path, elapsed);
    }

    private sealed record ForwardResult(float[] Output, KernelPath Path, TimeSpan Elapsed);
#endif
}
