using System;
using System.Globalization;
using SimdCheckpoint.Checkpointing;
using SimdCheckpoint.Cli.Experiment;

namespace SimdCheckpoint.Cli.Commands;

/// <summary>
/// A checkpoint schedule as the command line names it: store-all, sqrt, uniform:K, revolve:S or budget:BYTES. The
/// schedule itself needs the network (and, for a budget, the batch), so it is made later by <see cref="Create"/>.
/// </summary>
internal sealed record ScheduleChoice(string Kind, long Parameter)
{
    public const string Help =
        "store-all (every layer's output kept), sqrt (segments of round(√L) layers), uniform:K (segments of K layers), " +
        "revolve:S (binomial checkpointing with S slots, the input's included: the fewest recomputations for S slots), " +
        "budget:BYTES (the fewest forward evaluations whose peak activation bytes at this batch, working buffers included, fit BYTES; " +
        "plain bytes or with a suffix: 64KiB, 1MiB, 1GiB, 500KB, 2MB).";

    /// <exception cref="UserInputException">The text names no schedule, or its number is out of range.</exception>
    public static ScheduleChoice Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        // The kind is matched in any case; the argument keeps the user's spelling, so an error quotes what they wrote.
        string t = text.Trim();
        int colon = t.IndexOf(':', StringComparison.Ordinal);
        string kind = (colon < 0 ? t : t[..colon]).ToLowerInvariant();
        string? argument = colon < 0 ? null : t[(colon + 1)..];
        switch (kind)
        {
            case "store-all" or "sqrt" when argument is null:
                return new ScheduleChoice(kind, 0);
            case "uniform" or "revolve" when argument is not null:
                if (!int.TryParse(argument, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1)
                {
                    throw new UserInputException("--schedule", $"'{text}': {kind} needs a whole number of at least 1 after the colon ({(kind == "uniform" ? "layers per segment" : "slots")}).");
                }

                return new ScheduleChoice(kind, n);
            case "budget" when argument is not null:
                return new ScheduleChoice(kind, ByteSize.Parse(argument, "--schedule"));
            default:
                throw new UserInputException("--schedule", $"'{text}' is not a schedule; use {Help}");
        }
    }

    /// <summary>The schedule for <paramref name="spec"/> at <paramref name="batch"/> rows.</summary>
    /// <exception cref="UserInputException">A budget too small for any schedule.</exception>
    public CheckpointSchedule Create(NetworkSpec spec, int batch)
    {
        int layers = spec.Layers.Count;
        switch (Kind)
        {
            case "store-all":
                return CheckpointSchedule.StoreAll(layers);
            case "sqrt":
                return CheckpointSchedule.Sqrt(layers);
            // Past the depth, both would quietly be another schedule: one segment of every layer, or store-all.
            case "uniform":
                return Parameter <= layers
                    ? CheckpointSchedule.Uniform(layers, (int)Parameter)
                    : throw new UserInputException("--schedule", $"uniform:{Parameter}: the model has {layers} layer(s), so a segment holds 1 to {layers} of them (uniform:{layers} is one segment: no checkpoint besides the input).");
            case "revolve":
                return Parameter <= layers
                    ? CheckpointSchedule.Revolve(layers, (int)Parameter)
                    : throw new UserInputException("--schedule", $"revolve:{Parameter}: the model has {layers} layer(s), so 1 to {layers} slots (revolve:{layers} already keeps every state, as store-all does).");
            default:
                try
                {
                    return CheckpointSchedule.ForMemoryBudget(ExperimentRunner.StateBytes(spec, batch), Parameter, WorkingBytes(spec, batch));
                }
                catch (ArgumentException e)
                {
                    string message = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", string.Empty, StringComparison.Ordinal);
                    throw new UserInputException("--schedule", $"budget:{Parameter.ToString("N0", CultureInfo.InvariantCulture)} bytes at batch {batch}: {message}", e);
                }
        }
    }

    /// <summary>
    /// The two working buffers every schedule needs whatever it checkpoints: batch × the widest layer output, rounded up
    /// to 16 floats, as CheckpointSession sizes them. grad checks the session's own prediction against the budget.
    /// </summary>
    public static long WorkingBytes(NetworkSpec spec, int batch)
    {
        int widest = 1;
        foreach (DenseLayerSpec layer in spec.Layers)
        {
            widest = Math.Max(widest, layer.Outputs);
        }

        return 2L * ((((long)batch * widest) + 15) / 16 * 16) * sizeof(float);
    }
}

/// <summary>Byte counts as people write them: 65536, 64KiB, 1.5MiB, 2GB.</summary>
internal static class ByteSize
{
    /// <exception cref="UserInputException">Not a size, or more than <see cref="long.MaxValue"/> bytes.</exception>
    public static long Parse(string text, string option)
    {
        string t = text.Trim();
        int end = 0;
        while (end < t.Length && (char.IsAsciiDigit(t[end]) || t[end] == '.'))
        {
            end++;
        }

        string unit = t[end..].Trim().ToLowerInvariant();
        long multiplier = unit switch
        {
            "" or "b" => 1,
            "kib" or "k" => 1L << 10,
            "mib" or "m" => 1L << 20,
            "gib" or "g" => 1L << 30,
            "kb" => 1000,
            "mb" => 1000_000,
            "gb" => 1000_000_000,
            _ => 0,
        };
        if (multiplier == 0 || end == 0 || !decimal.TryParse(t[..end], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal number))
        {
            throw new UserInputException(option, $"'{text}' is not a byte count; write 65536, 64KiB, 1MiB, 1GiB, 500KB or 2MB.");
        }

        decimal bytes;
        try
        {
            bytes = decimal.Floor(number * multiplier);
        }
        catch (OverflowException)
        {
            bytes = decimal.MaxValue;
        }

        if (bytes > long.MaxValue)
        {
            throw new UserInputException(option, $"'{text}' is more bytes than anyone has.");
        }

        return (long)bytes;
    }
}
