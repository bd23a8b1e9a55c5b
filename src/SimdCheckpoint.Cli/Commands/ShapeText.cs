using System.Globalization;

namespace SimdCheckpoint.Cli.Commands;

internal static class ShapeText
{
    /// <summary>"256 -> 256 x31 -> 10" reads better than 33 numbers.</summary>
    public static string Abbreviate(NetworkSpec spec)
    {
        var parts = new System.Collections.Generic.List<string> { spec.InputSize.ToString(CultureInfo.InvariantCulture) };
        int i = 0;
        while (i < spec.Layers.Count)
        {
            int j = i;
            while (j + 1 < spec.Layers.Count && spec.Layers[j + 1].Outputs == spec.Layers[i].Outputs)
            {
                j++;
            }

            int count = j - i + 1;
            parts.Add(spec.Layers[i].Outputs.ToString(CultureInfo.InvariantCulture) + (count > 1 ? " x" + count.ToString(CultureInfo.InvariantCulture) : string.Empty));
            i = j + 1;
        }

        return string.Join(" -> ", parts);
    }
}
