using System;
using System.Globalization;
using System.IO;
using System.Linq;
using SimdCheckpoint.Npy;

namespace SimdCheckpoint.Cli.Commands;

/// <summary>A batch read from a .npy file: its rows, flattened, and the file's own shape (for writing results back in it).</summary>
internal sealed record NpyBatch(string Path, float[] Data, int Batch, int[] Shape)
{
    public string ShapeText => ArrayFiles.FormatShape(Shape);
}

/// <summary>The commands' .npy inputs and outputs, with the checks that turn a wrong file into a one-line error.</summary>
internal static class ArrayFiles
{
    /// <summary>
    /// Reads <paramref name="path"/> as [batch, ...] whose dimensions after the first multiply to <paramref name="width"/>:
    /// [5, 1, 4, 5] is 5 rows of a 20-input network.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="width">Values per row the network needs.</param>
    /// <param name="what">"inputs" or "outputs", for the message.</param>
    /// <param name="model">The model's file, for the message.</param>
    public static NpyBatch ReadBatch(string path, int width, string what, string model)
    {
        ModelOptions.RequireFile(path, "a .npy array");
        NpyArray array;
        try
        {
            array = NpyFile.Read(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException(path, "cannot be read: " + e.Message, e);
        }

        int[] shape = [.. array.Shape];
        string needs = $"{model} has {width} {what} per sample, so the array must be (batch, {width}) or (batch, ...) with the dimensions after the first multiplying to {width}";
        if (shape.Length < 2)
        {
            throw new UserInputException(path, $"has shape ({FormatShape(shape)}); {needs}{(shape.Length == 1 && shape[0] == width ? $" (one sample is ({FormatShape([1, width])}))" : string.Empty)}.");
        }

        long perRow = shape.Skip(1).Aggregate(1L, (a, d) => a * d);
        if (perRow != width)
        {
            throw new UserInputException(path, $"has shape ({FormatShape(shape)}), {perRow} values per sample; {needs}.");
        }

        if (shape[0] == 0)
        {
            throw new UserInputException(path, $"has shape ({FormatShape(shape)}): no samples.");
        }

        return new NpyBatch(path, array.Data, shape[0], shape);
    }

    /// <summary>
    /// Checks, before any work, that <paramref name="path"/> can be created: its directory exists and it is not a
    /// directory itself. (Whether it is writable shows when it is written.)
    /// </summary>
    public static void RequireOutputPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
        {
            throw new UserInputException(path, "is a directory; give the path of the .npy file to write.");
        }

        string? directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (directory is not null && !Directory.Exists(directory))
        {
            throw new UserInputException(path, $"cannot be written: the directory '{directory}' does not exist.");
        }
    }

    /// <summary>Writes a result, turning an unwritable path into a user error that names it.</summary>
    public static void Write(string path, ReadOnlySpan<float> data, ReadOnlySpan<int> shape)
    {
        try
        {
            NpyFile.Write(path, data, shape);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException(path, "cannot be written: " + e.Message, e);
        }
    }

    /// <summary>"5, 1, 4, 5"; "20," for one dimension, as numpy prints a tuple.</summary>
    public static string FormatShape(ReadOnlySpan<int> shape)
    {
        if (shape.Length == 1)
        {
            return shape[0].ToString(CultureInfo.InvariantCulture) + ",";
        }

        var parts = new string[shape.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            parts[i] = shape[i].ToString(CultureInfo.InvariantCulture);
        }

        return string.Join(", ", parts);
    }
}
