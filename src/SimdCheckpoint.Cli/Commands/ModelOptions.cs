using System;
using System.CommandLine;

namespace SimdCheckpoint.Cli.Commands;

/// <summary>The options that run, grad, inspect and generate share, and how their values are read.</summary>
internal static class ModelOptions
{
    public static readonly string[] LayoutNames = ["outputs-by-inputs", "inputs-by-outputs"];

    public static readonly string[] PathNames = ["auto", "vector512", "vector256", "vector128", "scalar"];

    public static Option<string> Model() => new("--model", "-m")
    {
        Description = "The network: an .onnx model (graph and weights; docs/onnx.md says what it may contain) or a .json spec (the format in README.md) with --weights; the same readers as [NetworkFile].",
        Required = true,
    };

    public static Option<string?> Weights() => new("--weights", "-w")
    {
        Description = "The weights: a .safetensors file with {layer}.weight and {layer}.bias (F32) for every layer. Required with a .json spec; an .onnx model carries its own (this replaces them).",
    };

    public static Option<string> Layout()
    {
        var option = new Option<string>("--layout")
        {
            Description = "How --weights lays out each weight matrix: outputs-by-inputs = [N, K], PyTorch's nn.Linear.weight (the default); inputs-by-outputs = [K, N], Keras and ONNX MatMul.",
            DefaultValueFactory = _ => LayoutNames[0],
        };
        option.AcceptOnlyFromAmong(LayoutNames);
        return option;
    }

    public static Option<string> Path()
    {
        var option = new Option<string>("--path")
        {
            Description = "The kernel path: auto (the widest this machine accelerates) or one forced, for verification; every path gives the same bits, a path the machine does not accelerate runs in software emulation (slow).",
            DefaultValueFactory = _ => PathNames[0],
        };
        option.AcceptOnlyFromAmong(PathNames);
        return option;
    }

    public static Option<bool> Verbose() => new("--verbose", "-v")
    {
        Description = "Also print where the compiled kernels are cached, and a stack trace on an internal error.",
    };

    public static WeightLayout ParseLayout(string? name) => name?.ToLowerInvariant() switch
    {
        null or "outputs-by-inputs" => WeightLayout.OutputsByInputs,
        "inputs-by-outputs" => WeightLayout.InputsByOutputs,
        _ => throw new UserInputException("--layout", $"'{name}' is not a layout; use {string.Join(" or ", LayoutNames)}."),
    };

    public static KernelPath ParsePath(string? name) => name?.ToLowerInvariant() switch
    {
        null or "auto" => KernelPath.Auto,
        "vector512" => KernelPath.Vector512,
        "vector256" => KernelPath.Vector256,
        "vector128" => KernelPath.Vector128,
        "scalar" => KernelPath.Scalar,
        _ => throw new UserInputException("--path", $"'{name}' is not a kernel path; use one of {string.Join(", ", PathNames)}."),
    };

    /// <summary>The message the JIT-only commands print in a NativeAOT build, where Roslyn and assembly loading cannot run.</summary>
    public static string NeedsJit(string command) =>
        $"simdcheckpoint {command}: this is a NativeAOT build, which cannot compile and load a network's kernels at run time. " +
        $"Use the JIT build: dotnet run -c Release --project src/SimdCheckpoint.Cli -- {command} ... (or the simdcheckpoint dotnet tool).";

    public static void RequireFile(string path, string what)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (System.IO.Directory.Exists(path))
        {
            throw new UserInputException(path, $"is a directory, not {what}.");
        }

        if (!System.IO.File.Exists(path))
        {
            throw new UserInputException(path, $"no such file ({what}).");
        }
    }
}
