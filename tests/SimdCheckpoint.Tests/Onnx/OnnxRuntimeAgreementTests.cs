using SimdCheckpoint.Npy;
using SimdCheckpoint.Tests.Networks;
using Xunit;

namespace SimdCheckpoint.Tests.Onnx;

/// <summary>
/// ONNX Runtime runs each PyTorch-exported model file on its saved input; the generated type agrees within 1e-5
/// relative (<see cref="TorchModelTests.AssertClose"/>).
/// </summary>
/// <remarks>
/// Trait <c>Native=OnnxRuntime</c>: ONNX Runtime's native arm64 library crashes under qemu-user (SIGSEGV), so CI's
/// emulated arm64 run leaves these out; the x64 run has them, and so would real arm64 hardware.
/// </remarks>
[Trait("Native", "OnnxRuntime")]
public sealed class OnnxRuntimeAgreementTests
{
    [Fact]
    public void Mlp_relu() => Check<TorchMlpRelu>("mlp_relu");

    [Fact]
    public void Mlp_gelu_tanh_softmax() => Check<TorchMlpGeluTanhSoftmax>("mlp_gelu_tanh_softmax");

    [Fact]
    public void Mlp_silu_leaky_sigmoid() => Check<TorchMlpSiluLeakySigmoid>("mlp_silu_leaky_sigmoid");

    [Fact]
    public void Mlp_flatten() => Check<TorchMlpFlatten>("mlp_flatten_dropout");

    [Fact]
    public void Matmul_add() => Check<TorchMatMulAdd>("matmul_add");

    private static void Check<TNetwork>(string model)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        NpyArray input = NpyFile.Read(TorchModelTests.ModelPath(model + ".input.npy"));
        float[] ours = TorchModelTests.Run<TNetwork>(model, input);
        float[] ort = TorchModelTests.RunOnnxRuntime(TorchModelTests.ModelPath(model + ".onnx"), input);
        TorchModelTests.AssertClose(ort, ours, $"{model} against ONNX Runtime");
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{model}: max |diff| to ONNX Runtime {TorchModelTests.MaxAbs(ort, ours):E2} (relative {TorchModelTests.MaxRelative(ort, ours):E2})");
    }
}
