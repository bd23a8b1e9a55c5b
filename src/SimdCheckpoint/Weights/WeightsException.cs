using System;

namespace SimdCheckpoint;

/// <summary>Weights that cannot be loaded: the base of <see cref="WeightsFormatException"/> and <see cref="WeightsMismatchException"/>.</summary>
public class WeightsException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WeightsException(string message, string sourceName, string? tensorName)
        : base(message)
    {
        SourceName = sourceName;
        TensorName = tensorName;
    }

    /// <summary>The file (or the name given for a stream) the weights came from.</summary>
    public string SourceName { get; }

    /// <summary>The tensor concerned, when the problem is about one.</summary>
    public string? TensorName { get; }
}

/// <summary>
/// The weights source is not a well-formed file: truncated, a header length that overflows or lies, a header that
/// is not valid JSON, offsets outside the data.
/// </summary>
public sealed class WeightsFormatException : WeightsException
{
    /// <summary>Creates the exception.</summary>
    public WeightsFormatException(string message, string sourceName, string? tensorName = null)
        : base(message, sourceName, tensorName)
    {
    }
}

/// <summary>
/// The weights are well formed but do not fit the network: a missing tensor, a wrong shape or an unsupported dtype.
/// </summary>
public sealed class WeightsMismatchException : WeightsException
{
    /// <summary>Creates the exception.</summary>
    public WeightsMismatchException(string message, string sourceName, string? tensorName, string? layerName)
        : base(message, sourceName, tensorName)
    {
        LayerName = layerName;
    }

    /// <summary>The layer whose weights do not fit.</summary>
    public string? LayerName { get; }
}
