using System;
using System.Globalization;

namespace SimdCheckpoint.Checkpointing;

/// <summary>The memory-budget schedule: the fewest forward evaluations whose checkpoints fit a number of bytes.</summary>
public sealed partial class CheckpointSchedule
{
    private const int MaxBudgetUnits = 1024;
    private const double DynamicProgramWork = 2e8;

    /// <summary>
    /// The schedule with the fewest forward evaluations (advances plus reverse-step forwards) whose checkpoints never
    /// hold more than <paramref name="budgetBytes"/> − <paramref name="fixedBytes"/> bytes, for states of the given
    /// sizes (index 0..L; state 0 is the caller's). A dynamic program over the chain in the manner of Beaumont et al.
    /// (2019), "Optimal checkpointing for heterogeneous chains": for a segment [a, b) whose start is checkpointed, with
    /// m bytes free and a flag saying whether state b is checkpointed, either reverse it from its start alone, or
    /// advance to some c, checkpoint state c, reverse [c, b), and reverse [a, c) with state c freed first or kept for
    /// the step c − 1 that reads it. Memory is counted in units of the sizes' greatest common divisor, or, where that
    /// would make the table too large, in coarser units with every size rounded up, so the schedule never exceeds the
    /// budget (it is then optimal for the rounded sizes).
    /// </summary>
    /// <param name="stateBytes">The bytes of each state 0..L at the batch size that will run.</param>
    /// <param name="budgetBytes">The whole budget.</param>
    /// <param name="fixedBytes">What the executor needs whatever the schedule (its working buffers), taken off the budget first.</param>
    /// <exception cref="ArgumentException">The budget does not cover <paramref name="fixedBytes"/>, or a size is negative.</exception>
    public static CheckpointSchedule ForMemoryBudget(ReadOnlySpan<long> stateBytes, long budgetBytes, long fixedBytes = 0)
    {
        int layers = stateBytes.Length - 1;
        CheckLayers(layers);
        ArgumentOutOfRangeException.ThrowIfNegative(fixedBytes);
        if (budgetBytes < fixedBytes)
        {
            throw new ArgumentException(
                $"A memory budget of {budgetBytes:N0} bytes cannot hold the {fixedBytes:N0} bytes every schedule needs for its working buffers; no schedule fits.",
                nameof(budgetBytes));
        }

        long free = budgetBytes - fixedBytes;
        long unit = 0;
        for (int i = 1; i < layers; i++)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(stateBytes[i]);
            unit = Gcd(unit, stateBytes[i]);
        }

        int maxUnits = (int)Math.Clamp(DynamicProgramWork / ((double)layers * layers * layers), 16, MaxBudgetUnits);
        if (unit == 0 || free / unit > maxUnits)
        {
            unit = Math.Max(1, (free + maxUnits - 1) / maxUnits);
        }

        int units = (int)Math.Min(free / unit, maxUnits);
        int[] size = new int[layers + 1];
        for (int i = 1; i < layers; i++)
        {
            size[i] = (int)Math.Min((stateBytes[i] + unit - 1) / unit, int.MaxValue);
        }

        var table = new BudgetTable(layers, units, size);
        var builder = new Builder();
        table.Emit(builder, 0, layers, units, right: false);
        string name = string.Create(CultureInfo.InvariantCulture, $"budget({budgetBytes} B)");
        var schedule = new CheckpointSchedule(name, layers, builder.Build());
        long peak = schedule.PeakCheckpointBytes(stateBytes);
        if (schedule.ForwardEvaluations != table.Cost(0, layers, units, right: false) || peak > free)
        {
            throw new InvalidOperationException(
                $"Internal error: the budget schedule over {layers} layers costs {schedule.ForwardEvaluations} evaluations and {peak} bytes; the program predicted {table.Cost(0, layers, units, false)} and at most {free}.");
        }

        return schedule;
    }

    private static long Gcd(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }

    /// <summary>G(a, b, m, right): the fewest forward evaluations to reverse [a, b), and the choice that gives it.</summary>
    private sealed class BudgetTable
    {
        private readonly int layers;
        private readonly int units;
        private readonly int[] size;
        private readonly int[] cost;
        private readonly int[] choice;

        public BudgetTable(int layers, int units, int[] size)
        {
            this.layers = layers;
            this.units = units;
            this.size = size;
            long cells = (long)(layers + 1) * (layers + 1) * (units + 1) * 2;
            cost = new int[cells];
            choice = new int[cells];
            for (int d = 1; d <= layers; d++)
            {
                for (int a = 0; a + d <= layers; a++)
                {
                    Fill(a, a + d);
                }
            }
        }

        public int Cost(int a, int b, int m, bool right) => cost[Index(a, b, m, right)];

        /// <summary>Emits the steps for [a, b) with m units free; state a is checkpointed (or the caller's input).</summary>
        public void Emit(Builder builder, int a, int b, int m, bool right)
        {
            int c = choice[Index(a, b, m, right)];
            if (b - a == 1 || c == 0)
            {
                for (int i = b - 1; i >= a; i--)
                {
                    builder.Restore(a);
                    for (int k = a; k < i; k++)
                    {
                        builder.Advance(k);
                    }

                    builder.Reverse(i);
                }

                return;
            }

            bool keep = c < 0;
            c = Math.Abs(c);
            builder.Restore(a);
            for (int k = a; k < c; k++)
            {
                builder.Advance(k);
            }

            builder.Store(c);
            Emit(builder, c, b, m - size[c], right);
            if (keep)
            {
                Emit(builder, a, c, m - size[c], right: true);
                builder.Free(c);
            }
            else
            {
                builder.Free(c);
                Emit(builder, a, c, m, right: false);
            }
        }

        private int Index(int a, int b, int m, bool right) => ((((a * (layers + 1)) + b) * (units + 1)) + m) * 2 + (right ? 1 : 0);

        private void Fill(int a, int b)
        {
            int d = b - a;
            for (int m = 0; m <= units; m++)
            {
                for (int r = 0; r < 2; r++)
                {
                    bool right = r == 1;

                    // Alone: each layer i from b − 1 down to a restored from a, advanced i − a times, then reversed;
                    // each reverse step recomputes state i + 1 except the first when state b is checkpointed.
                    int best = (d * (d - 1) / 2) + (d - 1) + (right ? 0 : 1);
                    int bestChoice = 0;
                    for (int c = a + 1; c < b; c++)
                    {
                        if (size[c] > m)
                        {
                            continue;
                        }

                        int rightPart = (c - a) + cost[Index(c, b, m - size[c], right)];
                        int freed = rightPart + cost[Index(a, c, m, false)];
                        if (freed < best)
                        {
                            best = freed;
                            bestChoice = c;
                        }

                        int kept = rightPart + cost[Index(a, c, m - size[c], true)];
                        if (kept < best)
                        {
                            best = kept;
                            bestChoice = -c;
                        }
                    }

                    cost[Index(a, b, m, right)] = best;
                    choice[Index(a, b, m, right)] = bestChoice;
                }
            }
        }
    }
}
