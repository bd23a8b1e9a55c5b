#if !NATIVE_AOT
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using SimdCheckpoint.Cli.Compilation;
using SimdCheckpoint.Cli.Models;
using SimdCheckpoint.Npy;

namespace SimdCheckpoint.Cli.Commands;

/// <summary>
/// <c>simdcheckpoint run</c> on an encoder: named integer inputs (<c>--input input_ids=ids.npy --input
/// attention_mask=mask.npy [--input token_type_ids=types.npy]</c>, int64 or int32 .npy of shape (batch, sequence)) and
/// named outputs (<c>--output last_hidden_state=h.npy [--output pooler_output=p.npy]</c>; one unnamed output is the last
/// hidden state). A missing attention mask is all ones and missing token types all zeros, as Hugging Face defaults them.
/// </summary>
internal static class EncoderRun
{
    public static int Run(RunArguments a, LoadedModel model, KernelPath path, TextWriter output, TextWriter error)
    {
        NetworkSpec spec = model.Spec;
        EncoderConfig config = spec.Encoder!;
        WeightsSource weights = model.RequireWeights();
        Dictionary<string, string> inputs = Named(a.AllInputs ?? [a.Input], "--input", spec.Inputs.Select(i => i.Name).ToArray(), unnamed: null, model.Path);
        Dictionary<string, string> outputs = Named(a.AllOutputs ?? [a.Output], "--output", spec.Outputs.Select(o => o.Name).ToArray(), unnamed: EncoderConfig.DefaultLastHiddenState, model.Path);
        if (!inputs.TryGetValue(EncoderConfig.DefaultInputIds, out string? idsPath))
        {
            throw new UserInputException(model.Path, $"is an encoder: give its token ids as --input {EncoderConfig.DefaultInputIds}=FILE.npy (int64 or int32, shape (batch, sequence)); it takes {string.Join(", ", spec.Inputs.Select(i => i.Name))}.");
        }

        NpyIntArray ids = ReadIds(idsPath);
        if (ids.Shape.Count != 2 || ids.Shape[0] < 1 || ids.Shape[1] < 1)
        {
            throw new UserInputException(idsPath, $"has shape ({ArrayFiles.FormatShape([.. ids.Shape])}); token ids are (batch, sequence).");
        }

        int batch = ids.Shape[0], sequence = ids.Shape[1];
        if (sequence > config.Positions)
        {
            throw new UserInputException(idsPath, $"holds sequences of {sequence} tokens; {spec.Name} has {config.Positions} positions.");
        }

        int[] mask = inputs.TryGetValue(EncoderConfig.DefaultAttentionMask, out string? maskPath) ? Same(ReadIds(maskPath), maskPath, batch, sequence) : Enumerable.Repeat(1, batch * sequence).ToArray();
        int[]? types = null;
        if (config.TokenTypeInput)
        {
            types = inputs.TryGetValue(EncoderConfig.DefaultTokenTypeIds, out string? typesPath) ? Same(ReadIds(typesPath), typesPath, batch, sequence) : new int[batch * sequence];
        }

        foreach (string o in outputs.Values)
        {
            ArrayFiles.RequireOutputPath(o);
        }

        CompiledModel compiled = ModelCompiler.CompileAndReport(model, gradients: false, a.CacheDirectory, a.Verbose, error, "run");
        EncoderResult result;
        try
        {
            result = NetworkTypeCall.Invoke<EncoderResult>(typeof(EncoderRun), nameof(Forward), compiled.NetworkType, model, weights, ids.Data, mask, types, batch, sequence, path);
        }
        catch (ArgumentException e)
        {
            // Ids outside the vocabulary, a mask of other values than 0 and 1, a sequence without a real token.
            string message = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", string.Empty, StringComparison.Ordinal);
            throw new UserInputException(idsPath, message, e);
        }

        output.WriteLine($"run: {model.Path} (encoder: {config}), {batch} sequence(s) of {sequence} tokens, path {result.Path}{(path == KernelPath.Auto ? " (auto)" : string.Empty)}");
        output.WriteLine($"  weights  {weights.Description}");
        output.WriteLine($"  inputs   {string.Join(", ", inputs.Select(p => p.Key + "=" + p.Value))}{(maskPath is null ? "; attention_mask all ones" : string.Empty)}{(config.TokenTypeInput && !inputs.ContainsKey(EncoderConfig.DefaultTokenTypeIds) ? "; token_type_ids all zeros" : string.Empty)}");
        output.WriteLine($"  forward  {result.Elapsed.TotalMilliseconds:F3} ms (one call, the first: it includes compiling the kernels' machine code); activations {result.ActivationBytes:N0} bytes");
        foreach ((string name, string file) in outputs)
        {
            if (name == EncoderConfig.DefaultLastHiddenState)
            {
                ArrayFiles.Write(file, result.LastHiddenState, [batch, sequence, config.Hidden]);
                output.WriteLine($"  wrote    {name}={file} ({batch}, {sequence}, {config.Hidden})");
            }
            else
            {
                ArrayFiles.Write(file, result.PoolerOutput, [batch, config.Hidden]);
                output.WriteLine($"  wrote    {name}={file} ({batch}, {config.Hidden})");
            }
        }

        return CommandLineInvocation.Success;
    }

    /// <summary>"NAME=PATH" (or a bare PATH, which is <paramref name="unnamed"/>) per value, each name one of <paramref name="names"/>.</summary>
    internal static Dictionary<string, string> Named(IReadOnlyList<string> values, string option, string[] names, string? unnamed, string model)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string value in values)
        {
            int eq = value.IndexOf('=', StringComparison.Ordinal);
            string? name = eq > 0 && !File.Exists(value) ? value[..eq] : unnamed;
            string file = eq > 0 && !File.Exists(value) ? value[(eq + 1)..] : value;
            if (name is null)
            {
                throw new UserInputException(model, $"takes several inputs: name each, as {option} NAME=FILE.npy with NAME one of {string.Join(", ", names)} ('{value}' has no name).");
            }

            if (Array.IndexOf(names, name) < 0)
            {
                throw new UserInputException(model, $"has no {(option == "--input" ? "input" : "output")} named '{name}'; it has {string.Join(", ", names)}.");
            }

            if (!result.TryAdd(name, file))
            {
                throw new UserInputException(model, $"{option} {name} is given twice.");
            }
        }

        return result;
    }

    private static NpyIntArray ReadIds(string path)
    {
        ModelOptions.RequireFile(path, "a .npy array");
        try
        {
            return NpyFile.ReadIntegers(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException(path, "cannot be read: " + e.Message, e);
        }
    }

    private static int[] Same(NpyIntArray array, string path, int batch, int sequence)
    {
        if (array.Shape.Count != 2 || array.Shape[0] != batch || array.Shape[1] != sequence)
        {
            throw new UserInputException(path, $"has shape ({ArrayFiles.FormatShape([.. array.Shape])}); the token ids are ({batch}, {sequence}), and every input must be too.");
        }

        return array.Data;
    }

    private static EncoderResult Forward<TNetwork>(LoadedModel model, WeightsSource weights, int[] ids, int[] mask, int[]? types, int batch, int sequence, KernelPath path)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        if (!TNetwork.Spec.Equals(model.Spec))
        {
            throw new InternalErrorException($"the compiled network ({TNetwork.Spec}) is not the one {model.Path} describes ({model.Spec}).");
        }

        EncoderConfig config = TNetwork.Spec.Encoder!;
        EncoderWeights<TNetwork> loaded = weights.LoadEncoder<TNetwork>();
        var last = new float[(long)batch * sequence * config.Hidden];
        float[] pooled = config.Pooler ? new float[batch * config.Hidden] : [];
        using var session = new EncoderSession<TNetwork>(loaded, batch, sequence, path);
        long start = Stopwatch.GetTimestamp();
        session.Run(ids, mask, types, batch, sequence, last, pooled);
        TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
        return new EncoderResult(last, pooled, path == KernelPath.Auto ? TNetwork.AutoPath : path, elapsed, session.LastCallActivationBytes);
    }

    private sealed record EncoderResult(float[] LastHiddenState, float[] PoolerOutput, KernelPath Path, TimeSpan Elapsed, long ActivationBytes);
}
#endif
