using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using SimdCheckpoint.Checkpointing;
using SimdCheckpoint.Cli.Models;
#if !NATIVE_AOT
using SimdCheckpoint.Cli.Compilation;
#endif

namespace SimdCheckpoint.Cli.Commands;

/// <summary>The arguments of <c>simdcheckpoint inspect</c>; <see cref="CacheDirectory"/> (null: the environment's) is for tests.</summary>
internal sealed record InspectArguments(string? Model, bool Verbose = false, string? CacheDirectory = null)
{
    /// <summary>A packed weights file (.sckw) whose header to print and whose checksums to verify; null: none.</summary>
    public string? Packed { get; init; }
}

/// <summary>
/// <c>simdcheckpoint inspect</c>: a model's layers, sizes and work, and the activation memory of each checkpoint
/// schedule at batch 1 and 64 as the planner predicts it. The prediction is <see cref="CheckpointSession{TNetwork}.Predict"/>,
/// which needs the network's type, so the JIT build compiles the model (or takes it from the cache) for that part;
/// the NativeAOT build prints the layers and says where to get the rest.
/// </summary>
internal static class InspectCommand
{
    /// <summary>The batch sizes of the memory table.</summary>
    public static readonly int[] Batches = [1, 64];

    /// <param name="cacheDirectory">The compiled-model cache; null for the environment's (tests pass their own).</param>
    public static Command Create(string? cacheDirectory = null)
    {
        Option<string> model = ModelOptions.Model();
        model.Required = false;
        Option<bool> verbose = ModelOptions.Verbose();
        Option<string?> packed = PackedInspect.Option();
        var command = new Command("inspect", "Print a model's layers (K -> N, activation, parameters, FLOPs per sample), its totals, and the activation memory and forward evaluations of each checkpoint schedule at batch 1 and 64, as the planner predicts them; or, with --packed, a packed weights file's header, with its checksums verified.")
        {
            model, verbose, packed,
        };
        command.SetAction(result => Run(
            new InspectArguments(result.GetValue(model), result.GetValue(verbose), cacheDirectory) { Packed = result.GetValue(packed) },
            result.InvocationConfiguration.Output,
            result.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>The command's in-process entry point: its exit code, with errors reported on <paramref name="error"/>.</summary>
    public static int Run(InspectArguments arguments, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return CommandLineInvocation.Guard("inspect", arguments.Verbose, output, error, (o, e) => RunCore(arguments, o, e));
    }

    /// <summary>
    /// The schedules of the table for an L-layer network: store-all, √L segments, uniform segments of 2 and 4 layers, and
    /// revolve with 2, 3, 4 and 8 slots, leaving out those that are no different for so few layers.
    /// </summary>
    public static List<CheckpointSchedule> Schedules(int layers)
    {
        var schedules = new List<CheckpointSchedule> { CheckpointSchedule.StoreAll(layers), CheckpointSchedule.Sqrt(layers) };
        foreach (int k in new[] { 2, 4 })
        {
            if (k < layers)
            {
                schedules.Add(CheckpointSchedule.Uniform(layers, k));
            }
        }

        foreach (int slots in new[] { 2, 3, 4, 8 })
        {
            if (slots <= layers)
            {
                schedules.Add(CheckpointSchedule.Revolve(layers, slots));
            }
        }

        return schedules;
    }

    private static int RunCore(InspectArguments a, TextWriter output, TextWriter error)
    {
        if (a.Packed is not null)
        {
            return PackedInspect.Run(a.Packed, a.Model, output);
        }

        if (a.Model is null)
        {
            throw new UserInputException("--model", "is required: give the model file to inspect (or --packed FILE.sckw for a packed weights file).");
        }

        LoadedModel model = ModelFile.Load(a.Model, weightsPath: null, WeightLayout.OutputsByInputs);
        NetworkSpec spec = model.Spec;
        if (spec.Encoder is not null)
        {
            InspectEncoder(model, output);
            return CommandLineInvocation.Success;
        }

        output.WriteLine($"inspect: {model.Path}: network '{spec.Name}', {spec.Shape}, {spec.Layers.Count} dense layer(s)");
        output.WriteLine();
        output.WriteLine($"  {"#",3}  {"layer",-16} {"K -> N",-15} {"activation",-24} {"parameters",14} {"FLOPs/sample",14}");
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            DenseLayerSpec l = spec.Layers[i];
            string shape = $"{l.Inputs} -> {l.Outputs}";
            output.WriteLine($"  {i,3}  {l.Name,-16} {shape,-15} {ActivationText(l),-24} {l.ParameterCount,14:N0} {2L * l.Inputs * l.Outputs,14:N0}");
        }

        output.WriteLine($"  {"",3}  {"total",-16} {"",-15} {"",-24} {spec.ParameterCount,14:N0} {spec.FlopsPerSample,14:N0}");
        output.WriteLine();
        output.WriteLine($"  weights: {spec.ParameterCount * sizeof(float):N0} bytes as F32; widest hidden layer: {spec.MaxHiddenSize:N0}; FLOPs count a fused multiply-add as 2.");
        output.WriteLine();
#if NATIVE_AOT
        _ = error;
        output.WriteLine("  Activation memory per checkpoint schedule: the planner predicts it for a compiled network type, which this NativeAOT");
        output.WriteLine("  build cannot make. Run the JIT build for it: dotnet run -c Release --project src/SimdCheckpoint.Cli -- inspect --model " + a.Model);
        return CommandLineInvocation.Success;
#else
        CompiledModel compiled = ModelCompiler.CompileAndReport(model, gradients: true, a.CacheDirectory, a.Verbose, error, "inspect");
        MemoryTable table = NetworkTypeCall.Invoke<MemoryTable>(typeof(InspectCommand), nameof(Predict), compiled.NetworkType);
        output.WriteLine($"  packed for the kernels (16-column panels, 64-byte aligned): {table.PackedBytes:N0} bytes; a CheckpointSession adds a transposed copy for dX.");
        output.WriteLine();
        output.WriteLine("  Activation memory by schedule, as the planner predicts it (CheckpointSession.Predict; what a call measures):");
        output.WriteLine("  peak activation bytes = two working buffers + the checkpoint stack's high-water mark; forward evaluations =");
        output.WriteLine("  advances + reverse-step forwards (a GELU, SiLU or LeakyReLU(alpha <= 0) layer recomputes its pre-activation");
        output.WriteLine("  in its reverse step). The forward-only row is an InferenceSession's activation buffers. Every schedule gives the same bits.");
        output.WriteLine();
        output.WriteLine($"  {"schedule",-14} {"checkpoints",11} {"forward evals",13} {"bytes, batch " + Batches[0],18} {"bytes, batch " + Batches[1],18}");
        foreach (MemoryRow row in table.Rows)
        {
            output.WriteLine($"  {row.Schedule,-14} {row.Checkpoints,11} {row.ForwardEvaluations,13:N0} {row.Bytes[0],18:N0} {row.Bytes[1],18:N0}");
        }

        return CommandLineInvocation.Success;
#endif
    }

    /// <summary>The sequence lengths and batches the encoder table gives activation memory and FLOPs for.</summary>
    public static readonly (int Batch, int Sequence)[] EncoderCalls = [(1, 16), (1, 128), (8, 128)];

    /// <summary>An encoder: its configuration, its graph node by node, its totals, FLOPs per token and activation memory.</summary>
    private static void InspectEncoder(LoadedModel model, TextWriter output)
    {
        NetworkSpec spec = model.Spec;
        EncoderConfig config = spec.Encoder!;
        output.WriteLine($"inspect: {model.Path}: encoder '{spec.Name}': {config}");
        output.WriteLine($"  inputs  {string.Join(", ", spec.Inputs.Select(i => i.Name + " (integer per token)"))}; outputs {string.Join(", ", spec.Outputs.Select(o => o.Name))}");
        output.WriteLine();
        output.WriteLine($"  {"#",3}  {"node",-42} {"op",-18} {"parameters",12}  reads -> writes");
        for (int i = 0; i < spec.Nodes.Count; i++)
        {
            NodeSpec n = spec.Nodes[i];
            string op = n switch
            {
                DenseLayerSpec d => $"dense {d.Inputs}->{d.Outputs}" + (d.Activation == Activation.Identity ? string.Empty : " " + ActivationText(d)),
                AttentionSpec at => $"attention {at.Heads}x{at.HeadSize}",
                LayerNormSpec l => l.AddsResidual ? "add+layer_norm" : "layer_norm",
                EmbeddingSpec => "embedding",
                FirstTokenSpec => "first_token",
                _ => n.Kind.ToString(),
            };
            string wiring = string.Join(", ", n.InputTensors) + " -> " + n.OutputTensor;
            output.WriteLine($"  {i,3}  {n.Name,-42} {op,-18} {n.ParameterCount,12:N0}  {wiring}");
        }

        output.WriteLine();
        long denseFlops = spec.Layers.Where(l => l.Name != "pooler.dense").Sum(l => l.FlopsPerRow);
        long otherFlops = spec.Nodes.Where(n => n is not DenseLayerSpec and not FirstTokenSpec).Sum(n => n.FlopsPerRow);
        output.WriteLine($"  parameters: {spec.ParameterCount:N0} ({spec.ParameterCount * sizeof(float):N0} bytes as F32; the dense layers' {spec.Layers.Sum(l => l.ParameterCount):N0} are packed for the kernels)");
        output.WriteLine($"  FLOPs per token (a fused multiply-add counts 2): dense {denseFlops:N0}, embedding and layer norms {otherFlops:N0}, attention 4·hidden·S per layer");
        output.WriteLine();
        output.WriteLine("  Per call (EncoderSession, one thread): FLOPs (the pooler once per sequence) and activation bytes, the buffer plan's");
        output.WriteLine("  buffers of batch·sequence rows + the real tokens' positions + one head's attention scratch per thread ((head size + 8)·S' floats, S' = S rounded up to 16).");
        output.WriteLine($"  {"batch x sequence",17} {"FLOPs",18} {"FLOPs/token",14} {"activation bytes",18}");
        foreach ((int batch, int longest) in EncoderCalls)
        {
            int sequence = Math.Min(longest, config.Positions);

            long tokens = (long)batch * sequence;
            long attention = config.Layers * 4L * config.Hidden * sequence * tokens;
            long pooler = config.Pooler ? 2L * config.Hidden * config.Hidden * batch : 0;
            double flops = ((denseFlops + otherFlops) * (double)tokens) + attention + pooler;
            output.WriteLine($"  {batch + " x " + sequence,17} {flops,18:N0} {flops / tokens,14:N0} {EncoderMemory.ActivationBytes(spec, batch, sequence),18:N0}");
        }
    }

    private static string ActivationText(DenseLayerSpec layer) => layer.Activation switch
    {
        Activation.Identity => "identity",
        Activation.Relu => "relu",
        Activation.LeakyRelu => "leaky_relu(" + layer.Alpha.ToString("R", CultureInfo.InvariantCulture) + ")",
        Activation.Sigmoid => "sigmoid",
        Activation.Tanh => "tanh",
        Activation.Gelu => "gelu",
        Activation.GeluTanh => "gelu_tanh",
        Activation.Silu => "silu",
        Activation.Softmax => "softmax",
        _ => layer.Activation.ToString(),
    };

#if !NATIVE_AOT
    /// <summary>
    /// The planner's predictions on the compiled network: an inference session's activation buffers for the forward-only row,
    /// and <see cref="CheckpointSession{TNetwork}.Predict"/> for each schedule. Weights are zeros: the figures do not
    /// depend on them.
    /// </summary>
    private static MemoryTable Predict<TNetwork>()
        where TNetwork : IDifferentiableNetwork<TNetwork>
    {
        NetworkSpec spec = TNetwork.Spec;
        var zeros = new List<DenseLayerWeights>();
        foreach (DenseLayerSpec layer in spec.Layers)
        {
            zeros.Add(new DenseLayerWeights(new float[(long)layer.Inputs * layer.Outputs], new float[layer.Outputs], WeightLayout.InputsByOutputs));
        }

        NetworkWeights<TNetwork> weights = NetworkWeights<TNetwork>.FromLayers(zeros);
        var rows = new List<MemoryRow>();
        long[] forwardBytes = new long[Batches.Length];
        for (int b = 0; b < Batches.Length; b++)
        {
            using var session = new InferenceSession<TNetwork>(weights, Batches[b]);
            forwardBytes[b] = session.ActivationBytes;
        }

        rows.Add(new MemoryRow("forward only", "-", spec.Layers.Count, forwardBytes));
        foreach (CheckpointSchedule schedule in Schedules(spec.Layers.Count))
        {
            var session = new CheckpointSession<TNetwork>(weights, Batches[^1], schedule);
            long[] bytes = new long[Batches.Length];
            int evaluations = 0;
            for (int b = 0; b < Batches.Length; b++)
            {
                BackwardStatistics predicted = session.Predict(Batches[b]);
                bytes[b] = predicted.PeakActivationBytes;
                evaluations = predicted.ForwardEvaluations;
            }

            rows.Add(new MemoryRow(schedule.Name, schedule.MaxCheckpoints.ToString(CultureInfo.InvariantCulture), evaluations, bytes));
        }

        return new MemoryTable(weights.PackedBytes, rows);
    }

    private sealed record MemoryRow(string Schedule, string Checkpoints, int ForwardEvaluations, long[] Bytes);

    private sealed record MemoryTable(long PackedBytes, List<MemoryRow> Rows);
#endif
}
