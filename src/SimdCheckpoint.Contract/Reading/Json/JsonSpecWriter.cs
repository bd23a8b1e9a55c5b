using System.Globalization;
using System.Text;

namespace SimdCheckpoint.Json;

/// <summary>Writes a spec in the form <see cref="JsonSpecReader"/> reads back equal.</summary>
internal static class JsonSpecWriter
{
    public static string Write(NetworkSpec spec)
    {
        var sb = new StringBuilder();
        sb.Append("{\n  \"name\": ").Append(Quote(spec.Name)).Append(",\n");
        if (spec.Encoder is { } e)
        {
            sb.Append("  \"encoder\": { \"layers\": ").Append(Int(e.Layers))
              .Append(", \"hidden\": ").Append(Int(e.Hidden))
              .Append(", \"heads\": ").Append(Int(e.Heads))
              .Append(", \"intermediate\": ").Append(Int(e.Intermediate))
              .Append(", \"vocabulary\": ").Append(Int(e.Vocabulary))
              .Append(", \"positions\": ").Append(Int(e.Positions))
              .Append(", \"typeVocabulary\": ").Append(Int(e.TypeVocabulary))
              .Append(", \"epsilon\": ").Append(e.Epsilon.ToString("R", CultureInfo.InvariantCulture))
              .Append(", \"activation\": \"").Append(ActivationInfo.NameOf(e.Activation)).Append('"')
              .Append(", \"pooler\": ").Append(e.Pooler ? "true" : "false")
              .Append(", \"tokenTypes\": ").Append(e.TokenTypeInput ? "true" : "false")
              .Append(" }\n}\n");
            return sb.ToString();
        }

        bool chain = spec.IsChain && spec.Inputs[0].Name == NetworkSpec.ChainInput && spec.Outputs[0].Name == NetworkSpec.ChainOutput && ChainNamed(spec);
        if (chain)
        {
            sb.Append("  \"layers\": [\n");
            for (int i = 0; i < spec.Layers.Count; i++)
            {
                DenseLayerSpec l = spec.Layers[i];
                sb.Append("    { \"name\": ").Append(Quote(l.Name))
                  .Append(", \"inputs\": ").Append(Int(l.Inputs));
                Dense(sb, l);
                sb.Append(i + 1 < spec.Layers.Count ? " },\n" : " }\n");
            }

            sb.Append("  ]\n}\n");
            return sb.ToString();
        }

        sb.Append("  \"inputs\": [");
        for (int i = 0; i < spec.Inputs.Count; i++)
        {
            sb.Append(i == 0 ? " " : ", ").Append("{ \"name\": ").Append(Quote(spec.Inputs[i].Name)).Append(", \"width\": ").Append(Int(spec.Inputs[i].Width)).Append(" }");
        }

        sb.Append(" ],\n  \"nodes\": [\n");
        for (int i = 0; i < spec.Nodes.Count; i++)
        {
            var l = (DenseLayerSpec)spec.Nodes[i];
            sb.Append("    { \"op\": \"dense\", \"name\": ").Append(Quote(l.Name))
              .Append(", \"from\": ").Append(Quote(l.InputTensors[0]))
              .Append(", \"to\": ").Append(Quote(l.OutputTensor!))
              .Append(", \"inputs\": ").Append(Int(l.Inputs));
            Dense(sb, l);
            sb.Append(i + 1 < spec.Nodes.Count ? " },\n" : " }\n");
        }

        sb.Append("  ],\n  \"outputs\": [");
        for (int i = 0; i < spec.Outputs.Count; i++)
        {
            sb.Append(i == 0 ? " " : ", ").Append(Quote(spec.Outputs[i].Name));
        }

        sb.Append(" ]\n}\n");
        return sb.ToString();
    }

    /// <summary>Whether the intermediate tensors have the chain's names, so the chain form reads back equal.</summary>
    private static bool ChainNamed(NetworkSpec spec)
    {
        for (int i = 0; i + 1 < spec.Layers.Count; i++)
        {
            if (spec.Layers[i].OutputTensor != spec.Layers[i].Name + ".output")
            {
                return false;
            }
        }

        return true;
    }

    private static void Dense(StringBuilder sb, DenseLayerSpec l)
    {
        sb.Append(", \"outputs\": ").Append(Int(l.Outputs))
          .Append(", \"activation\": \"").Append(ActivationInfo.NameOf(l.Activation)).Append('"');
        if (l.AlphaGiven)
        {
            sb.Append(", \"alpha\": ").Append(l.Alpha.ToString("R", CultureInfo.InvariantCulture));
        }
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A JSON string literal (RFC 8259): quotes, backslashes and control characters escaped.</summary>
    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < ' ' || c == '\u2028' || c == '\u2029')
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }
}
