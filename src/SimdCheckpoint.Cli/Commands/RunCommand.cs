using System;
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
    string? CacheDirectory = null);

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
        var input = new Option<string>("--input", "-i") { Description = "The inputs: a float32 .npy of shape (batch, inputs), or (batch, ...) with the dimensions after the first multiplying to the network's inputs.", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "Where the outputs go: a float32 .npy of shape (batch, outputs).", Required = true };
        Option<string?> weights = ModelOptions.Weights();
        Option<string> layout = ModelOptions.Layout();
        Option<string> path = ModelOptions.Path();
        Option<bool> verbose = ModelOptions.Verbose();
        var command = new Command("run", "Run a model's forward pass on the rows of a .npy file, through the kernels the source generator emits for it (compiled on first use and cached; bit-identical to a build-time [NetworkFile] type).")
        {
            model, input, output, weights, layout, path, verbose,
        };
        command.SetAction(result => Run(
            new RunArguments(
                result.GetValue(model)!,
                result.GetValue(input)!,
                result.GetValue(output)!,
                result.GetValue(weights),
                result.GetValue(layout)!,
                result.GetValue(path)!,
                result.GetValue(verbose),
                CacheDirectory: cacheDirectory),
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
        LoadedModel model = ModelFile.Load(a.Model, a.Weights, ModelOptions.ParseLayout(a.Layout));
        WeightsSource weights = model.RequireWeights();
        NpyBatch input = ArrayFiles.ReadBatch(a.Input, model.Spec.InputSize, "inputs", model.Path);
        ArrayFiles.RequireOutputPath(a.Output);
        CompiledModel compiled = ModelCompiler.CompileAndReport(model, gradients: false, a.CacheDirectory, a.Verbose, error, "run");
        ForwardResult result = NetworkTypeCall.Invoke<ForwardResult>(typeof(RunCommand), nameof(Forward), compiled.NetworkType, model, weights, input, path);
        ArrayFiles.Write(a.Output, result.Output, [input.Batch, model.Spec.OutputSize]);
        output.WriteLine($"run: {model.Path} ({ShapeText.Abbreviate(model.Spec)}), {input.Batch} sample(s) of ({input.ShapeText}), path {result.Path}{(path == KernelPath.Auto ? " (auto)" : string.Empty)}");
        output.WriteLine($"  weights  {weights.Description}");
        output.WriteLine($"  forward  {result.Elapsed.TotalMilliseconds:F3} ms (one call, the first: it includes compiling the kernels' machine code)");
        output.WriteLine($"  wrote    {a.Output} ({input.Batch}, {model.Spec.OutputSize})");
        return CommandLineInvocation.Success;
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
