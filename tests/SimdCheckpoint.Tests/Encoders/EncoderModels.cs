using System;
using System.Collections.Generic;
using System.IO;
using SimdCheckpoint.Npy;
using SimdCheckpoint.Safetensors;

namespace SimdCheckpoint.Tests.Encoders;

/// <summary>One committed encoder (tests/models/bert): its batch, PyTorch's outputs and its weights by name.</summary>
internal sealed class EncoderModel
{
    private EncoderModel(string name)
    {
        Name = name;
        NpyIntArray ids = NpyFile.ReadIntegers(FilePath(name + ".input_ids.npy"));
        Batch = ids.Shape[0];
        Sequence = ids.Shape[1];
        Ids = ids.Data;
        Mask = NpyFile.ReadIntegers(FilePath(name + ".attention_mask.npy")).Data;
        string types = FilePath(name + ".token_type_ids.npy");
        Types = File.Exists(types) ? NpyFile.ReadIntegers(types).Data : null;
        LastHiddenState = NpyFile.Read(FilePath(name + ".last_hidden_state.npy")).Data;
        string pooled = FilePath(name + ".pooler_output.npy");
        PoolerOutput = File.Exists(pooled) ? NpyFile.Read(pooled).Data : null;
        using SafetensorsReader reader = SafetensorsReader.Open(FilePath(name + ".safetensors"));
        foreach ((string tensor, SafetensorsTensorInfo info) in reader.Tensors)
        {
            var data = new float[info.ElementCount];
            reader.ReadFloat32(info, data);
            Tensors[tensor] = data;
        }
    }

    public string Name { get; }

    public int Batch { get; }

    public int Sequence { get; }

    public int[] Ids { get; }

    public int[] Mask { get; }

    public int[]? Types { get; }

    public float[] LastHiddenState { get; }

    public float[]? PoolerOutput { get; }

    public Dictionary<string, float[]> Tensors { get; } = new(StringComparer.Ordinal);

    public static string FilePath(string file) => Path.Combine(AppContext.BaseDirectory, "Models", "bert", file);

    public static EncoderModel Load(string name) => new(name);

    /// <summary>The number of real tokens of sequence <paramref name="b"/> (the mask is 1 then 0: right padding).</summary>
    public int Length(int b)
    {
        int n = 0;
        while (n < Sequence && Mask[(b * Sequence) + n] == 1)
        {
            n++;
        }

        return n;
    }
}
