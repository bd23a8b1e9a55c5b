using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using SimdCheckpoint.Npy;
using SimdCheckpoint.Safetensors;
using Xunit;

namespace SimdCheckpoint.Cli.Tests.Support;

/// <summary>
/// A temporary directory with a model's files as a user would have them: the JSON spec the build-time type was
/// generated from, seeded weights written by the repository's SafetensorsWriter, and a seeded input .npy.
/// </summary>
public sealed class CliModelFiles : IDisposable
{
    public const ulong WeightSeed = 1234;

    public const int Batch = 5;

    /// <summary>(5, 1, 4, 5): the 20 inputs of cli-tiny.json per sample, in a shape that is not (batch, 20).</summary>
    public static readonly int[] InputShape = [Batch, 1, 4, 5];

    public CliModelFiles()
    {
        System.IO.Directory.CreateDirectory(Directory);
        File.Copy(SpecPath("cli-tiny.json"), Model);
        WriteWeights(Weights, Models.CliTiny.Spec, WeightLayout.OutputsByInputs);
        WriteWeights(WeightsInputsByOutputs, Models.CliTiny.Spec, WeightLayout.InputsByOutputs);
        Input = SeededArray(InputShape, 99);
        NpyFile.Write(InputPath, Input, InputShape);
        OutputGradient = SeededArray([Batch, 5], 7);
        NpyFile.Write(OutputGradientPath, OutputGradient, [Batch, 5]);
    }

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "simdcheckpoint-cli-" + Guid.NewGuid().ToString("N"));

    public string Model => PathOf("cli-tiny.json");

    /// <summary>PyTorch's layout, the CLI's default.</summary>
    public string Weights => PathOf("cli-tiny.safetensors");

    public string WeightsInputsByOutputs => PathOf("cli-tiny-kn.safetensors");

    public string InputPath => PathOf("x.npy");

    public float[] Input { get; }

    public string OutputGradientPath => PathOf("dy.npy");

    public float[] OutputGradient { get; }

    /// <summary>Weights of cli-tiny.json the build-time type loads from arrays, equal to the files' contents.</summary>
    public static NetworkWeights<Models.CliTiny> ReferenceWeights() =>
        NetworkWeights<Models.CliTiny>.FromLayers(RandomWeights.Create(Models.CliTiny.Spec, WeightSeed));

    /// <summary>A spec copied next to the test assembly from Specs/.</summary>
    public static string SpecPath(string name) => Path.Combine(AppContext.BaseDirectory, "Specs", name);

    /// <summary>Where this build wrote the source the generator emitted (EmitCompilerGeneratedFiles).</summary>
    public static string GeneratedFilesDirectory() =>
        typeof(CliModelFiles).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "GeneratedFilesDirectory").Value!;

    public string PathOf(string name) => Path.Combine(Directory, name);

    public static float[] SeededArray(int[] shape, ulong seed)
    {
        float[] data = new float[shape.Aggregate(1, (a, d) => a * d)];
        new DeterministicRandom(seed).Fill(data, 2f);
        return data;
    }

    /// <summary>The seeded weights of <paramref name="spec"/>, written in <paramref name="layout"/>.</summary>
    public static void WriteWeights(string path, NetworkSpec spec, WeightLayout layout, ulong seed = WeightSeed)
    {
        IReadOnlyList<DenseLayerWeights> layers = RandomWeights.Create(spec, seed);
        var written = new List<DenseLayerWeights>();
        for (int i = 0; i < layers.Count; i++)
        {
            written.Add(layout == WeightLayout.InputsByOutputs ? layers[i] : Transpose(layers[i], spec.Layers[i]));
        }

        using FileStream stream = File.Create(path);
        SafetensorsWriter.WriteNetwork(stream, spec, written);
    }

    public void Dispose()
    {
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    /// <summary>[K, N] to [N, K], PyTorch's nn.Linear.weight.</summary>
    private static DenseLayerWeights Transpose(DenseLayerWeights kn, DenseLayerSpec layer)
    {
        Assert.Equal(WeightLayout.InputsByOutputs, kn.Layout);
        float[] nk = new float[kn.Weight.Length];
        for (int k = 0; k < layer.Inputs; k++)
        {
            for (int n = 0; n < layer.Outputs; n++)
            {
                nk[(n * layer.Inputs) + k] = kn.Weight[(k * layer.Outputs) + n];
            }
        }

        return new DenseLayerWeights(nk, kn.Bias, WeightLayout.OutputsByInputs);
    }
}
