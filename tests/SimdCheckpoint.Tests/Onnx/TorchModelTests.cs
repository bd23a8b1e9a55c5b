using System;
using System.Collections.Generic;
using System.IO;
using Microsoft.ML.OnnxRuntime;
using SimdCheckpoint.Npy;
using SimdCheckpoint.Onnx;
using SimdCheckpoint.Reference;
using SimdCheckpoint.Tests.Networks;
using SimdCheckpoint.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Tests.Onnx;

/// <summary>
/// The models PyTorch exported (tests/models/onnx): compiled at build time from the .onnx file, weights read from
/// the same file, run on every path. Every path gives the scalar reference's bits, and the outputs agree with
/// PyTorch's (saved with the model) within 1e-5 relative; <see cref="OnnxRuntimeAgreementTests"/> compares with ONNX
/// Runtime.
/// </summary>
public sealed class TorchModelTests
{
    /// <summary>|ours − theirs| ≤ RelativeTolerance · max(|theirs|, 1/64) for every output.</summary>
    /// <remarks>
    /// The floor keeps an output that is nearly zero (a logit's cancellation, a sigmoid's tail) from turning a few
    /// ulps of its inputs into a large ratio; below 1/64 the bound is 1.6e-7 absolute.
    /// </remarks>
    public const double RelativeTolerance = 1e-5;

    public static string ModelPath(string name) => Path.Combine(AppContext.BaseDirectory, "Models", "onnx", name);

    [Fact]
    public void Mlp_relu_opset9() => Check<TorchMlpRelu>("mlp_relu", "20 -> 32 -> 10", [Activation.Relu, Activation.Identity], ["fc1", "fc2"]);

    [Fact]
    public void Mlp_gelu_tanh_softmax_opset13() =>
        Check<TorchMlpGeluTanhSoftmax>("mlp_gelu_tanh_softmax", "16 -> 48 -> 24 -> 6", [Activation.Gelu, Activation.Tanh, Activation.Softmax], ["fc1", "fc2", "fc3"]);

    [Fact]
    public void Mlp_silu_leaky_sigmoid_opset17()
    {
        Check<TorchMlpSiluLeakySigmoid>("mlp_silu_leaky_sigmoid", "12 -> 40 -> 24 -> 8", [Activation.Silu, Activation.LeakyRelu, Activation.Sigmoid], ["fc1", "fc2", "fc3"]);
        Assert.Equal(0.2f, TorchMlpSiluLeakySigmoid.Spec.Layers[1].Alpha);
    }

    [Fact]
    public void Mlp_flatten_opset11() => Check<TorchMlpFlatten>("mlp_flatten_dropout", "20 -> 33 -> 7", [Activation.Relu, Activation.Identity], ["fc1", "fc2"]);

    [Fact]
    public void Matmul_add_opset14() => Check<TorchMatMulAdd>("matmul_add", "24 -> 16 -> 5", [Activation.Relu, Activation.Identity], ["dense0", "dense1"]);

    internal static void Check<TNetwork>(string model, string shape, Activation[] activations, string[] names)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        string file = ModelPath(model + ".onnx");
        NetworkSpec spec = TNetwork.Spec;
        Assert.Equal(shape, spec.Shape);
        Assert.Equal<Activation[]>(activations, [.. System.Linq.Enumerable.Select(spec.Layers, l => l.Activation)]);
        Assert.Equal<string[]>(names, [.. System.Linq.Enumerable.Select(spec.Layers, l => l.Name)]);

        // The runtime reads the same network from the file (the generator named it after the type).
        Assert.Equal(spec.Fingerprint, NetworkSpec.FromOnnxFile(file).Fingerprint);

        NpyArray input = NpyFile.Read(ModelPath(model + ".input.npy"));
        NpyArray torch = NpyFile.Read(ModelPath(model + ".torch.npy"));
        int batch = (int)input.Shape[0];
        Assert.Equal(spec.InputSize * batch, input.Data.Length);

        NetworkWeights<TNetwork> weights = NetworkWeights<TNetwork>.FromOnnx(file);
        float[] expected = new float[batch * spec.OutputSize];
        new ReferenceNetwork(spec, UnpackedLayers(file, spec)).Forward(input.Data, expected, batch);

        var session = new InferenceSession<TNetwork>(weights, batch);
        foreach (KernelPath path in Enum.GetValues<KernelPath>())
        {
            float[] output = new float[batch * spec.OutputSize];
            session.Forward(input.Data, output, batch, path);
            Bits.Equal(expected, output, $"{model} on {path}");
        }

        AssertClose(torch.Data, expected, $"{model} against PyTorch");
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{model}: max |diff| to PyTorch {MaxAbs(torch.Data, expected):E2} (relative {MaxRelative(torch.Data, expected):E2})");
    }

    /// <summary>The generated type's output for the model's saved input (every path gives these bits).</summary>
    internal static float[] Run<TNetwork>(string model, NpyArray input)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        int batch = input.Shape[0];
        var session = new InferenceSession<TNetwork>(NetworkWeights<TNetwork>.FromOnnx(ModelPath(model + ".onnx")), batch);
        float[] output = new float[batch * TNetwork.Spec.OutputSize];
        session.Forward(input.Data, output, batch);
        return output;
    }

    /// <summary>The weights as the reference reads them, straight from the file's tensors.</summary>
    internal static List<DenseLayerWeights> UnpackedLayers(string file, NetworkSpec spec)
    {
        OnnxNetworkReadResult read = OnnxNetworkReader.Read(File.ReadAllBytes(file), spec.Name, Path.GetFileName(file));
        Assert.NotNull(read.Spec);
        var layers = new List<DenseLayerWeights>();
        foreach (OnnxLayerSource s in read.Layers)
        {
            float[] w = s.Weight.ReadFloats();
            int n = (int)(s.WeightIsOutputsByInputs ? s.Weight.Dims[0] : s.Weight.Dims[1]);
            float[] b = s.Bias?.ReadFloats() ?? new float[n];
            for (int i = 0; i < w.Length; i++)
            {
                w[i] *= s.Alpha;
            }

            float[] bias = new float[n];
            for (int i = 0; i < n; i++)
            {
                bias[i] = (b.Length == 1 ? b[0] : b[i]) * s.Beta;
            }

            layers.Add(new DenseLayerWeights(w, bias, s.WeightIsOutputsByInputs ? WeightLayout.OutputsByInputs : WeightLayout.InputsByOutputs));
        }

        return layers;
    }

    internal static float[] RunOnnxRuntime(string file, NpyArray input)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(file, options);
        using OrtValue value = OrtValue.CreateTensorValueFromMemory(input.Data, System.Linq.Enumerable.ToArray(System.Linq.Enumerable.Select(input.Shape, d => (long)d)));
        using var run = new RunOptions();
        using IDisposableReadOnlyCollection<OrtValue> results = session.Run(run, ["input"], [value], ["output"]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }

    internal static void AssertClose(ReadOnlySpan<float> theirs, ReadOnlySpan<float> ours, string what)
    {
        Assert.Equal(theirs.Length, ours.Length);
        for (int i = 0; i < theirs.Length; i++)
        {
            double bound = RelativeTolerance * Math.Max(Math.Abs(theirs[i]), 1.0 / 64);
            Assert.True(
                Math.Abs((double)ours[i] - theirs[i]) <= bound,
                $"{what}: output {i} is {ours[i]:R}, theirs {theirs[i]:R} (|diff| {Math.Abs((double)ours[i] - theirs[i]):E2} > {bound:E2})");
        }
    }

    internal static double MaxAbs(ReadOnlySpan<float> theirs, ReadOnlySpan<float> ours)
    {
        double max = 0;
        for (int i = 0; i < theirs.Length; i++)
        {
            max = Math.Max(max, Math.Abs((double)ours[i] - theirs[i]));
        }

        return max;
    }

    internal static double MaxRelative(ReadOnlySpan<float> theirs, ReadOnlySpan<float> ours)
    {
        double max = 0;
        for (int i = 0; i < theirs.Length; i++)
        {
            max = Math.Max(max, Math.Abs((double)ours[i] - theirs[i]) / Math.Max(Math.Abs(theirs[i]), 1.0 / 64));
        }

        return max;
    }
}
