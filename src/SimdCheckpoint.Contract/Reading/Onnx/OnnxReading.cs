using System;
using System.Collections.Generic;

namespace SimdCheckpoint.Onnx;

/// <summary>
/// The one entry point for an ONNX file's network, shared by the generator, <see cref="NetworkSpec.FromOnnx"/> and the
/// CLI: a graph with an integer input (token ids) is read as an encoder (<see cref="OnnxEncoderReader"/>), any other as
/// a chain of dense layers (<see cref="OnnxNetworkReader"/>).
/// </summary>
internal static class OnnxReading
{
    /// <summary>The network, or the problems (never both null); never throws.</summary>
    public static (NetworkSpec? Spec, List<SpecProblem> Problems) Read(byte[] data, string networkName, string fileName)
    {
        if (IsEncoder(data))
        {
            OnnxEncoderReadResult encoder = OnnxEncoderReader.Read(data, networkName, fileName);
            return (encoder.Spec, new List<SpecProblem>(encoder.Problems));
        }

        OnnxNetworkReadResult chain = OnnxNetworkReader.Read(data, networkName, fileName);
        return (chain.Spec, new List<SpecProblem>(chain.Problems));
    }

    /// <summary>Whether a graph input is int64 or int32 (token ids): false for bytes that do not parse (the chain reader reports them).</summary>
    public static bool IsEncoder(byte[] data)
    {
        OnnxModel model;
        try
        {
            model = OnnxModel.Parse(data);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }

        foreach (OnnxValueInfo input in model.Graph.Inputs)
        {
            if (input.ElementType is OnnxModel.Int64Type or OnnxModel.Int32Type)
            {
                return true;
            }
        }

        return false;
    }
}
