using System;
using System.IO;
using System.Linq;
using System.Text;
using SimdCheckpoint.Cli.Commands;

namespace SimdCheckpoint.Cli.Models;

/// <summary>
/// A model file read for the commands: its spec (read by the contract's readers, the ones the generator uses, so the
/// kernels emitted from it are a build's), and where the weights come from. The one place that knows model formats:
/// another format is one more branch in <see cref="Load"/> that fills the same fields.
/// </summary>
internal sealed class LoadedModel
{
    public LoadedModel(string path, NetworkSpec spec, WeightsSource? weights)
    {
        Path = path;
        Spec = spec;
        Weights = weights;
    }

    /// <summary>The file as the user gave it.</summary>
    public string Path { get; }

    /// <summary>The file's name: what the generated code's header says it came from, as [NetworkFile("name")] would.</summary>
    public string SourceDescription => System.IO.Path.GetFileName(Path);

    /// <summary>The network.</summary>
    public NetworkSpec Spec { get; }

    /// <summary>Where the weights come from, or null when the file holds none and none were given.</summary>
    public WeightsSource? Weights { get; }

    /// <summary>The weights, or a user error saying how to give them.</summary>
    public WeightsSource RequireWeights() =>
        Weights ?? throw new UserInputException(Path, "a .json spec holds no weights; give them with --weights FILE.safetensors.");
}

/// <summary>Reads a model file by its extension.</summary>
internal static class ModelFile
{
    /// <summary>
    /// Reads <paramref name="path"/> and, when given, checks that <paramref name="weightsPath"/> exists.
    /// </summary>
    /// <param name="path">The model file.</param>
    /// <param name="weightsPath">A safetensors file, or null.</param>
    /// <param name="layout">How <paramref name="weightsPath"/> lays out each weight.</param>
    /// <param name="typeName">
    /// The C# type the kernels will be declared on, when the user chose one: a spec without a name takes it, as the
    /// generator names it after the [NetworkFile] type. Otherwise the name is the file's (NetworkSpec.FromJson's rule).
    /// </param>
    /// <exception cref="UserInputException">The file is missing, its format is unknown, or it is not a valid network.</exception>
    public static LoadedModel Load(string path, string? weightsPath, WeightLayout layout, string? typeName = null)
    {
        ModelOptions.RequireFile(path, "a model file");
        string extension = System.IO.Path.GetExtension(path).ToLowerInvariant();
        WeightsSource? weights = null;
        if (weightsPath is not null)
        {
            ModelOptions.RequireFile(weightsPath, "a weights file");
            RequireSafetensors(weightsPath, onnxModel: extension == ".onnx");
            weights = WeightsSource.Safetensors(weightsPath, layout);
        }

        return extension switch
        {
            ".json" => LoadJson(path, weights, typeName),
            ".onnx" => LoadOnnx(path, weights, typeName),
            _ => throw new UserInputException(path, $"unknown model format '{extension}'; give an .onnx model or a .json network spec (README.md describes the format)."),
        };
    }

    /// <summary>
    /// Checks that <paramref name="path"/> starts as a safetensors file does (an 8-byte header length that fits the file,
    /// then the JSON header's '{'), so that a .npy array or an .onnx model given as --weights is named as what it is
    /// rather than read as a header of billions of bytes.
    /// </summary>
    private static void RequireSafetensors(string path, bool onnxModel)
    {
        byte[] start = new byte[9];
        long length;
        int read;
        try
        {
            using FileStream stream = File.OpenRead(path);
            length = stream.Length;
            read = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException(path, "cannot be read: " + e.Message, e);
        }

        string hint = onnxModel
            ? " An ONNX model carries its weights in its initializers: leave out --weights (it is only for a .safetensors file that replaces them)."
            : " --weights takes a .safetensors file with {layer}.weight and {layer}.bias (PyTorch: safetensors.torch.save_file(model.state_dict(), path)).";
        if (read >= 6 && start[0] == 0x93 && start.AsSpan(1, 5).SequenceEqual("NUMPY"u8))
        {
            throw new UserInputException(path, "is a NumPy .npy array, not a safetensors file." + hint);
        }

        ulong header = read >= 8 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(start) : 0;
        if (read < 9 || header < 2 || header > (ulong)(length - 8) || start[8] != (byte)'{')
        {
            string what = System.IO.Path.GetExtension(path).Equals(".onnx", StringComparison.OrdinalIgnoreCase) ? "an ONNX model" : "something else";
            throw new UserInputException(path, $"is not a safetensors file (which starts with the length of a JSON header, then the header); it looks like {what}." + hint);
        }
    }

    /// <summary>
    /// An ONNX model: the network from its graph, read by the contract's reader (the one [NetworkFile("x.onnx")] uses at
    /// build time), and the weights from its initializers unless --weights names a safetensors file instead.
    /// </summary>
    private static LoadedModel LoadOnnx(string path, WeightsSource? weights, string? typeName)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException(path, "cannot be read: " + e.Message, e);
        }

        string name = typeName ?? System.IO.Path.GetFileNameWithoutExtension(path);
        NetworkSpec spec;
        try
        {
            spec = NetworkSpec.FromOnnx(bytes, path);
        }
        catch (NetworkSpecException e)
        {
            // Each problem starts with the file name and the node, as the generator's diagnostic would.
            throw new UserInputException(path, string.Join("; ", e.Problems.Select(p => $"{p.Message} [{p.Id}]")), messageNamesSubject: true, e);
        }

        if (spec.Name != name)
        {
            spec = spec.WithName(name);
        }

        weights ??= WeightsSource.Onnx(path);
        return new LoadedModel(path, spec, weights);
    }

    private static LoadedModel LoadJson(string path, WeightsSource? weights, string? typeName)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException(path, "cannot be read: " + e.Message, e);
        }

        NetworkSpec spec;
        try
        {
            spec = NetworkSpec.FromJson(text, path, typeName);
        }
        catch (NetworkSpecException e)
        {
            // Each problem starts with "path(line,column):", as a compiler's would.
            throw new UserInputException(path, string.Join("; ", e.Problems.Select(p => $"{p.Message} [{p.Id}]")), messageNamesSubject: true, e);
        }

        return new LoadedModel(path, spec, weights);
    }
}
