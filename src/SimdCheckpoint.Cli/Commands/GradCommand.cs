using System;
using System.CommandLine;
using System.Diagnostics;
using System.IO;
using SimdCheckpoint.Cli.Models;
#if !NATIVE_AOT
using SimdCheckpoint.Checkpointing;
using SimdCheckpoint.Cli.Compilation;
#endif

namespace SimdCheckpoint.Cli.Commands;

/// <summary>The arguments of <c>simdcheckpoint grad</c>; <see cref="CacheDirectory"/> (null: the environment's) is for tests.</summary>
internal sealed record GradArguments(
    string Model,
    string Input,
    string Output,
    string? OutputGradient = null,
    string? Weights = null,
    string Layout = "outputs-by-inputs",
    string Schedule = "store-all",
    string Path = "auto",
    bool Verbose = false,
    string? CacheDirectory = null,
    string? WeightGradients = null);

/// <summary>
/// <c>simdcheckpoint grad</c>: the input gradient dX of a model by <see cref="CheckpointSession{TNetwork}"/> under a
/// checkpoint schedule, and on request every layer's dW and db, with the schedule's measured figures next to the
/// planner's prediction.
/// </summary>
internal static class GradCommand
{
    /// <param name="cacheDirectory">The compiled-model cache; null for the environment's (tests pass their own).</param>
    public static Command Create(string? cacheDirectory = null)
    {
        Option<string> model = ModelOptions.Model();
        var input = new Option<string>("--input", "-i") { Description = "The inputs X: a float32 .npy of shape (batch, inputs), or (batch, ...) with the dimensions after the first multiplying to the network's inputs.", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "Where dX goes: a float32 .npy of the input's shape.", Required = true };
        var outputGradient = new Option<string?>("--output-grad")
        {
            Description = "dY, the gradient of the loss with respect to the outputs: a float32 .npy of shape (batch, outputs). dX is then the gradient of Σ outputs·dY. " +
                "Without it dY is all ones, so dX is the gradient of the sum of all outputs (for a softmax output layer that sum is always 1, and dX is about 0).",
        };
        var weightGradients = new Option<string?>("--weight-grads")
        {
            Description = "Also write every layer's dW and db to this .safetensors file, as {layer}.weight and {layer}.bias (F32), each weight gradient in the --layout of the weights: " +
                "[N, K] by default, the shape of PyTorch's nn.Linear.weight.grad.",
        };
        Option<string?> weights = ModelOptions.Weights();
        Option<string> layout = ModelOptions.Layout();
        var schedule = new Option<string>("--schedule", "-s") { Description = "The checkpoint schedule: " + ScheduleChoice.Help + " Every schedule gives the same bits.", DefaultValueFactory = _ => "store-all" };
        Option<string> path = ModelOptions.Path();
        Option<bool> verbose = ModelOptions.Verbose();
        var command = new Command("grad", "Compute the gradient of a model's outputs with respect to its inputs (dX), and with --weight-grads to every layer's weights and biases (dW, db), under a checkpoint schedule, and print the schedule's peak activation bytes and forward evaluations next to the planner's prediction.")
        {
            model, input, output, outputGradient, weightGradients, weights, layout, schedule, path, verbose,
        };
        command.SetAction(result => Run(
            new GradArguments(
                result.GetValue(model)!,
                result.GetValue(input)!,
                result.GetValue(output)!,
                result.GetValue(outputGradient),
                result.GetValue(weights),
                result.GetValue(layout)!,
                result.GetValue(schedule)!,
                result.GetValue(path)!,
                result.GetValue(verbose),
                CacheDirectory: cacheDirectory,
                WeightGradients: result.GetValue(weightGradients)),
            result.InvocationConfiguration.Output,
            result.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>The command's in-process entry point: its exit code, with errors reported on <paramref name="error"/>.</summary>
    public static int Run(GradArguments arguments, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(arguments);
#if NATIVE_AOT
        _ = output;
        error.WriteLine(ModelOptions.NeedsJit("grad"));
        return CommandLineInvocation.BadInput;
#else
        return CommandLineInvocation.Guard("grad", arguments.Verbose, output, error, (o, e) => RunCore(arguments, o, e));
#endif
    }

#if !NATIVE_AOT
    private static int RunCore(GradArguments a, TextWriter output, TextWriter error)
    {
        KernelPath path = ModelOptions.ParsePath(a.Path);
        ScheduleChoice choice = ScheduleChoice.Parse(a.Schedule);
        WeightLayout layout = ModelOptions.ParseLayout(a.Layout);
        LoadedModel model = ModelFile.Load(a.Model, a.Weights, layout);
        WeightsSource weights = model.RequireWeights();
        NpyBatch input = ArrayFiles.ReadBatch(a.Input, model.Spec.InputSize, "inputs", model.Path);
        ArrayFiles.RequireOutputPath(a.Output);
        if (a.WeightGradients is not null)
        {
            ArrayFiles.RequireOutputPath(a.WeightGradients);
        }

        NpyBatch? dy = null;
        if (a.OutputGradient is not null)
        {
            dy = ArrayFiles.ReadBatch(a.OutputGradient, model.Spec.OutputSize, "outputs", model.Path);
            if (dy.Batch != input.Batch)
            {
                throw new UserInputException(a.OutputGradient, $"has {dy.Batch} row(s) (shape ({dy.ShapeText})); the input {a.Input} has {input.Batch}.");
            }
        }

        // The schedule is made before compiling, so a budget no schedule fits is reported without waiting for Roslyn.
        Checkpointing.CheckpointSchedule schedule = choice.Create(model.Spec, input.Batch);
        CompiledModel compiled = ModelCompiler.CompileAndReport(model, gradients: true, a.CacheDirectory, a.Verbose, error, "grad");
        GradResult r = NetworkTypeCall.Invoke<GradResult>(typeof(GradCommand), nameof(Backward), compiled.NetworkType, model, weights, input, dy?.Data, a.WeightGradients is not null, schedule, path);
        LayerGradients? layerGradients = r.LayerGradients;
        ArrayFiles.Write(a.Output, r.InputGradient, input.Shape);
        if (layerGradients is not null)
        {
            WriteWeightGradients(a.WeightGradients!, layerGradients, layout);
        }

        BackwardStatistics m = r.Measured, p = r.Predicted;
        bool agree = m == p;
        output.WriteLine($"grad: {model.Path} ({ShapeText.Abbreviate(model.Spec)}), {input.Batch} sample(s) of ({input.ShapeText}), path {r.Path}{(path == KernelPath.Auto ? " (auto)" : string.Empty)}");
        output.WriteLine($"  dY         {(dy is null ? "all ones: dX is the gradient of the sum of the outputs" : $"{dy.Path} ({dy.ShapeText})")}");
        output.WriteLine($"  schedule   {schedule.Name}{(choice.Kind == "budget" ? $" for a budget of {choice.Parameter:N0} bytes" : string.Empty)}: at most {schedule.MaxCheckpoints} checkpoint(s) besides the input");
        output.WriteLine($"  {"",-26} {"measured",12} {"predicted",12}");
        output.WriteLine($"  {"peak activation bytes",-26} {m.PeakActivationBytes,12:N0} {p.PeakActivationBytes,12:N0}");
        output.WriteLine($"  {"forward evaluations",-26} {m.ForwardEvaluations,12:N0} {p.ForwardEvaluations,12:N0}");
        output.WriteLine($"  {"  advances",-26} {m.Advances,12:N0} {p.Advances,12:N0}");
        output.WriteLine($"  {"  reverse-step forwards",-26} {m.ReverseForwards,12:N0} {p.ReverseForwards,12:N0}");
        output.WriteLine($"  {"layers reversed",-26} {m.LayersReversed,12:N0} {p.LayersReversed,12:N0}");
        output.WriteLine(agree
            ? "  every measured figure equals the planner's prediction (CheckpointSession.Predict)"
            : "  MISMATCH: a measured figure differs from the planner's prediction (CheckpointSession.Predict); please report this");
        output.WriteLine($"  backward   {r.Elapsed.TotalMilliseconds:F3} ms (one call, the first: it includes compiling the kernels' machine code)");
        output.WriteLine($"  wrote      {a.Output} ({input.ShapeText})");
        if (layerGradients is not null)
        {
            output.WriteLine($"  wrote      {a.WeightGradients} (dW and db of {model.Spec.Layers.Count} layer(s): {{layer}}.weight {(layout == WeightLayout.OutputsByInputs ? "[N, K]" : "[K, N]")}, {{layer}}.bias [N])");
        }
        if (choice.Kind == "budget" && p.PeakActivationBytes > choice.Parameter)
        {
            error.WriteLine($"simdcheckpoint grad: internal error: the budget schedule's predicted peak, {p.PeakActivationBytes:N0} bytes, exceeds the budget of {choice.Parameter:N0}.");
            return CommandLineInvocation.InternalError;
        }

        return agree ? CommandLineInvocation.Success : CommandLineInvocation.InternalError;
    }

    /// <summary>The backward pass on the compiled network type.</summary>
    private static GradResult Backward<TNetwork>(LoadedModel model, WeightsSource weights, NpyBatch input, float[]? outputGradient, bool weightGradients, Checkpointing.CheckpointSchedule schedule, KernelPath path)
        where TNetwork : IDifferentiableNetwork<TNetwork>
    {
        if (!TNetwork.Spec.Equals(model.Spec))
        {
            throw new InternalErrorException($"the compiled network ({TNetwork.Spec}) is not the one {model.Path} describes ({model.Spec}).");
        }

        NetworkWeights<TNetwork> packed = weights.Load<TNetwork>();
        var session = new CheckpointSession<TNetwork>(packed, input.Batch, schedule);
        BackwardStatistics predicted = session.Predict(input.Batch);
        float[] dx = new float[input.Data.Length];
        LayerGradients? layerGradients = weightGradients ? new LayerGradients(TNetwork.Spec) : null;
        long start = Stopwatch.GetTimestamp();
        BackwardStatistics measured = session.Backward(input.Data, dx, input.Batch, outputGradient, layerGradients, path);
        TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
        return new GradResult(dx, layerGradients, measured, predicted, path == KernelPath.Auto ? TNetwork.AutoPath : path, elapsed);
    }

    /// <summary>
    /// dW and db as a safetensors file under the layers' names, so that it reads like the weights it differentiates:
    /// LayerGradients holds dW as [K, N], transposed here for the default outputs-by-inputs layout.
    /// </summary>
    private static void WriteWeightGradients(string path, LayerGradients gradients, WeightLayout layout)
    {
        NetworkSpec spec = gradients.Spec;
        var tensors = new System.Collections.Generic.List<Safetensors.SafetensorsTensor>(2 * spec.Layers.Count);
        for (int l = 0; l < spec.Layers.Count; l++)
        {
            DenseLayerSpec layer = spec.Layers[l];
            int k = layer.Inputs, n = layer.Outputs;
            float[] dw = gradients.Weight(l).ToArray();
            long[] shape = [k, n];
            if (layout == WeightLayout.OutputsByInputs)
            {
                float[] transposed = new float[dw.Length];
                for (int i = 0; i < k; i++)
                {
                    for (int j = 0; j < n; j++)
                    {
                        transposed[(j * k) + i] = dw[(i * n) + j];
                    }
                }

                dw = transposed;
                shape = [n, k];
            }

            tensors.Add(new Safetensors.SafetensorsTensor(layer.Name + ".weight", shape, dw));
            tensors.Add(new Safetensors.SafetensorsTensor(layer.Name + ".bias", [n], gradients.Bias(l).ToArray()));
        }

        try
        {
            using FileStream stream = File.Create(path);
            Safetensors.SafetensorsWriter.Write(stream, tensors);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException(path, "cannot be written: " + e.Message, e);
        }
    }

    private sealed record GradResult(float[] InputGradient, LayerGradients? LayerGradients, BackwardStatistics Measured, BackwardStatistics Predicted, KernelPath Path, TimeSpan Elapsed);
#endif
}
