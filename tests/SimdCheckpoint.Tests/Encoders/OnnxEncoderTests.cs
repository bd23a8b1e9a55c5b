using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using SimdCheckpoint.Tests.Networks;
using Xunit;

namespace SimdCheckpoint.Tests.Encoders;

/// <summary>
/// The committed encoders as PyTorch's ONNX export wrote them (opsets 11, 13, 17), compiled at build time from the
/// .onnx file with weights from its initializers: the same network as the JSON spec, the same bits as the type compiled
/// from it with the safetensors weights, and PyTorch's outputs within 2e-5.
/// </summary>
public sealed class OnnxEncoderTests
{
    [Fact]
    public void Bert_gelu_opset11() => Check<BertGeluOp11, BertGelu>("bert_gelu", "op11");

    [Fact]
    public void Bert_gelu_opset13() => Check<BertGeluOp13, BertGelu>("bert_gelu", "op13");

    [Fact]
    public void Bert_gelu_opset17() => Check<BertGeluOp17, BertGelu>("bert_gelu", "op17");

    [Fact]
    public void Bert_tanh_opset11() => Check<BertTanhOp11, BertTanh>("bert_tanh", "op11");

    [Fact]
    public void Bert_tanh_opset13() => Check<BertTanhOp13, BertTanh>("bert_tanh", "op13");

    [Fact]
    public void Bert_tanh_opset17() => Check<BertTanhOp17, BertTanh>("bert_tanh", "op17");

    [Fact]
    public void Weights_from_another_encoder_are_refused_by_name()
    {
        WeightsMismatchException e = Assert.Throws<WeightsMismatchException>(() => EncoderWeights<BertGeluOp13>.FromOnnx(EncoderModel.FilePath("bert_tanh.op13.onnx")));
        Assert.Contains("bert_tanh.op13.onnx", e.Message, StringComparison.Ordinal);
        Assert.Contains("compiled as", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Runs <paramref name="name"/>'s exported model in ONNX Runtime, with its inputs as int64 tensors; returns each output.</summary>
    internal static Dictionary<string, float[]> RunOnnxRuntime(string file, EncoderModel model)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(file, options);
        long[] shape = [model.Batch, model.Sequence];
        var names = new List<string> { "input_ids", "attention_mask" };
        var values = new List<OrtValue>
        {
            OrtValue.CreateTensorValueFromMemory(model.Ids.Select(i => (long)i).ToArray(), shape),
            OrtValue.CreateTensorValueFromMemory(model.Mask.Select(i => (long)i).ToArray(), shape),
        };
        if (model.Types is not null)
        {
            names.Add("token_type_ids");
            values.Add(OrtValue.CreateTensorValueFromMemory(model.Types.Select(i => (long)i).ToArray(), shape));
        }

        string[] outputs = session.OutputNames.ToArray();
        try
        {
            using var run = new RunOptions();
            using IDisposableReadOnlyCollection<OrtValue> results = session.Run(run, names, values, outputs);
            var byName = new Dictionary<string, float[]>(StringComparer.Ordinal);
            for (int i = 0; i < outputs.Length; i++)
            {
                byName[outputs[i]] = results[i].GetTensorDataAsSpan<float>().ToArray();
            }

            return byName;
        }
        finally
        {
            foreach (OrtValue v in values)
            {
                v.Dispose();
            }
        }
    }

    private static void Check<TOnnx, TJson>(string name, string opset)
        where TOnnx : IGeneratedNetwork<TOnnx>
        where TJson : IGeneratedNetwork<TJson>
    {
        // The generator read the same encoder out of the graph as out of the JSON spec.
        Assert.Equal(TJson.Spec.Encoder, TOnnx.Spec.Encoder);
        Assert.Equal(TJson.Spec.Fingerprint, TOnnx.Spec.Fingerprint);

        EncoderModel model = EncoderModel.Load(name);
        string file = EncoderModel.FilePath($"{name}.{opset}.onnx");
        var last = new float[model.LastHiddenState.Length];
        float[] pooled = model.PoolerOutput is null ? [] : new float[model.PoolerOutput.Length];
        using (var session = new EncoderSession<TOnnx>(EncoderWeights<TOnnx>.FromOnnx(file), model.Batch, model.Sequence))
        {
            session.Run(model.Ids, model.Mask, model.Types, model.Batch, model.Sequence, last, pooled);
        }

        // The initializers are the safetensors tensors (MatMul's transposed back): the same bits as the JSON-compiled type.
        var lastJson = new float[last.Length];
        float[] pooledJson = new float[pooled.Length];
        using (var session = new EncoderSession<TJson>(EncoderWeights<TJson>.FromSafetensors(EncoderModel.FilePath(name + ".safetensors")), model.Batch, model.Sequence))
        {
            session.Run(model.Ids, model.Mask, model.Types, model.Batch, model.Sequence, lastJson, pooledJson);
        }

        EncoderSessionTests.AssertBits(lastJson, last, $"{name} {opset} against the JSON-compiled type");
        EncoderSessionTests.AssertBits(pooledJson, pooled, $"{name} {opset} pooler against the JSON-compiled type");
        EncoderSessionTests.AssertClose(model.LastHiddenState, last, EncoderSessionTests.PyTorchTolerance, $"{name} {opset} last_hidden_state against PyTorch");
        if (model.PoolerOutput is not null)
        {
            EncoderSessionTests.AssertClose(model.PoolerOutput, pooled, EncoderSessionTests.PyTorchTolerance, $"{name} {opset} pooler_output against PyTorch");
        }
    }
}

/// <summary>The exported encoders in ONNX Runtime 1.31: our outputs within 2e-5 of its (x64 only: its native library does not run under qemu).</summary>
[Trait("Native", "OnnxRuntime")]
public sealed class OnnxRuntimeEncoderAgreementTests
{
    [Theory]
    [InlineData("bert_gelu", "op11")]
    [InlineData("bert_gelu", "op13")]
    [InlineData("bert_gelu", "op17")]
    [InlineData("bert_tanh", "op11")]
    [InlineData("bert_tanh", "op13")]
    [InlineData("bert_tanh", "op17")]
    public void Agrees_with_ONNX_Runtime(string name, string opset)
    {
        EncoderModel model = EncoderModel.Load(name);
        Dictionary<string, float[]> theirs = OnnxEncoderTests.RunOnnxRuntime(EncoderModel.FilePath($"{name}.{opset}.onnx"), model);
        var last = new float[model.LastHiddenState.Length];
        float[] pooled = model.PoolerOutput is null ? [] : new float[model.PoolerOutput.Length];
        if (name == "bert_gelu")
        {
            using var session = new EncoderSession<BertGelu>(EncoderWeights<BertGelu>.FromSafetensors(EncoderModel.FilePath(name + ".safetensors")), model.Batch, model.Sequence);
            session.Run(model.Ids, model.Mask, model.Types, model.Batch, model.Sequence, last, pooled);
        }
        else
        {
            using var session = new EncoderSession<BertTanh>(EncoderWeights<BertTanh>.FromSafetensors(EncoderModel.FilePath(name + ".safetensors")), model.Batch, model.Sequence);
            session.Run(model.Ids, model.Mask, model.Types, model.Batch, model.Sequence, last, pooled);
        }

        EncoderSessionTests.AssertClose(theirs["last_hidden_state"], last, EncoderSessionTests.PyTorchTolerance, $"{name} {opset} last_hidden_state against ONNX Runtime");
        if (model.PoolerOutput is not null)
        {
            EncoderSessionTests.AssertClose(theirs["pooler_output"], pooled, EncoderSessionTests.PyTorchTolerance, $"{name} {opset} pooler_output against ONNX Runtime");
        }
    }
}
