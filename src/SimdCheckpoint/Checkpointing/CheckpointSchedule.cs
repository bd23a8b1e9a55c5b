using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace SimdCheckpoint.Checkpointing;

/// <summary>
/// A plan for the backward pass of an L-layer network: the sequence of forward advances, checkpoint stores, restores,
/// frees and reverse steps, computed before anything runs and checked here for consistency. States are numbered 0..L
/// (state i is layer i's input); state 0 is the caller's input, a checkpoint that costs the arena nothing.
/// </summary>
/// <remarks>
/// Counting convention (Griewank and Walther's; docs/checkpointing.md): <see cref="Advances"/> counts the layer
/// evaluations of <see cref="CheckpointActionKind.Advance"/> steps only; a reverse step that needs state i + 1 and does
/// not find it on the checkpoint stack performs one more layer evaluation of its own, counted apart in
/// <see cref="ReverseForwards"/>. With s slots (the input's included) the fewest advances that reverse l steps is
/// r·l − β(s+1, r−1), β(s, t) = C(s + t, s), r the smallest integer with β(s, r) ≥ l (<see cref="RevolveMinimumAdvances"/>).
/// Checkpoints are freed in last-in first-out order, so an arena with one stack pointer holds them without gaps.
/// </remarks>
public sealed partial class CheckpointSchedule
{
    private CheckpointSchedule(string name, int layers, ImmutableArray<CheckpointAction> actions)
    {
        Name = name;
        Layers = layers;
        Actions = actions;
        (Advances, ReverseForwards, MaxCheckpoints) = Simulate(layers, actions, stateBytes: default, alwaysRecomputes: null, out _);
    }

    /// <summary>The schedule's name as the CLI and reports print it, for example <c>revolve(4)</c>.</summary>
    public string Name { get; }

    /// <summary>Layers in the network (L).</summary>
    public int Layers { get; }

    /// <summary>The steps, in order.</summary>
    public ImmutableArray<CheckpointAction> Actions { get; }

    /// <summary>Layer evaluations by advance steps.</summary>
    public int Advances { get; }

    /// <summary>Layer evaluations inside reverse steps (state i + 1 recomputed because it was not checkpointed).</summary>
    public int ReverseForwards { get; }

    /// <summary>All forward layer evaluations: <see cref="Advances"/> + <see cref="ReverseForwards"/> (store-all: L).</summary>
    public int ForwardEvaluations => Advances + ReverseForwards;

    /// <summary>The most checkpoints held at once, the caller's input not included.</summary>
    public int MaxCheckpoints { get; }

    /// <summary>
    /// The standard network: every state 1..L−1 checkpointed in one forward sweep; each reverse step reads state i + 1
    /// from the stack, so the only recomputation is the last layer's (its output is never stored): L evaluations.
    /// </summary>
    public static CheckpointSchedule StoreAll(int layers)
    {
        CheckLayers(layers);
        var a = new Builder();
        for (int i = 0; i < layers - 1; i++)
        {
            a.Advance(i);
            a.Store(i + 1);
        }

        for (int i = layers - 1; i >= 0; i--)
        {
            a.Restore(i);
            a.Reverse(i);
            if (i + 1 < layers)
            {
                a.Free(i + 1);
            }
        }

        return new CheckpointSchedule("store-all", layers, a.Build());
    }

    /// <summary>
    /// Checkpoints every k-th state in a first sweep; then, segment by segment from the last, restores the segment's
    /// start, checkpoints every state inside it, and reverses it reading each state i + 1 from the stack (the next
    /// segment's start is kept until the segment's last reverse step needs it). About L/k + k checkpoints, and at
    /// most one extra forward sweep over <see cref="StoreAll"/>.
    /// </summary>
    public static CheckpointSchedule Uniform(int layers, int k)
    {
        CheckLayers(layers);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        return new CheckpointSchedule(string.Create(CultureInfo.InvariantCulture, $"uniform({k})"), layers, UniformActions(layers, k));
    }

    /// <summary><see cref="Uniform"/> with k = round(√L): about 2√L checkpoints.</summary>
    public static CheckpointSchedule Sqrt(int layers)
    {
        CheckLayers(layers);
        int k = Math.Max(1, (int)Math.Round(Math.Sqrt(layers)));
        return new CheckpointSchedule(string.Create(CultureInfo.InvariantCulture, $"sqrt(k={k})"), layers, UniformActions(layers, k));
    }

    /// <summary>
    /// Binomial checkpointing (Griewank and Walther, ACM TOMS Algorithm 799): with <paramref name="slots"/> slots, the
    /// input's included, the fewest advances that reverse L layers, r·L − β(s+1, r−1). Built from the dynamic program
    /// F(l, f) = min over 1 ≤ j &lt; l of [j + F(l − j, f − 1) + F(j, f)], F(1, f) = 0, F(l, 0) = l(l − 1)/2.
    /// </summary>
    public static CheckpointSchedule Revolve(int layers, int slots)
    {
        CheckLayers(layers);
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        int free = Math.Min(slots - 1, layers);
        int[,] cost = RevolveTable(layers, free, out int[,] split);
        var a = new Builder();
        EmitRevolve(a, 0, layers, free, split);
        var schedule = new CheckpointSchedule(string.Create(CultureInfo.InvariantCulture, $"revolve({slots})"), layers, a.Build());
        if (schedule.Advances != cost[layers, free])
        {
            throw new InvalidOperationException($"Internal error: revolve({slots}) over {layers} layers emitted {schedule.Advances} advances; the dynamic program says {cost[layers, free]}.");
        }

        return schedule;
    }

    /// <summary>
    /// Builds a schedule from explicit steps, checking that it is consistent: every advance starts from the current
    /// state, stores and frees nest (last in, first out), every layer is reversed once, from the last to the first.
    /// </summary>
    /// <exception cref="ArgumentException">A step is inconsistent; the message names it.</exception>
    public static CheckpointSchedule FromActions(string name, int layers, IEnumerable<CheckpointAction> actions)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(actions);
        CheckLayers(layers);
        return new CheckpointSchedule(name, layers, [.. actions]);
    }

    /// <summary>β(s, t) = C(s + t, s): the most steps s slots reverse with t sweeps (saturates at <see cref="long.MaxValue"/>).</summary>
    public static long Beta(int s, int t)
    {
        if (t < 0 || s < 0)
        {
            return t < 0 ? 0 : 1;
        }

        // C(s + t, min(s, t)) by the exact product formula; each partial product is itself a binomial coefficient.
        int k = Math.Min(s, t);
        long result = 1;
        for (int i = 1; i <= k; i++)
        {
            long next;
            try
            {
                next = checked(result * (s + t - k + i)) / i;
            }
            catch (OverflowException)
            {
                return long.MaxValue;
            }

            result = next;
        }

        return result;
    }

    /// <summary>The closed form: the fewest advances that reverse <paramref name="steps"/> steps with <paramref name="slots"/> slots, the input's included.</summary>
    public static long RevolveMinimumAdvances(int steps, int slots)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        int r = 0;
        while (Beta(slots, r) < steps)
        {
            r++;
        }

        return ((long)r * steps) - Beta(slots + 1, r - 1);
    }

    /// <summary>
    /// The peak bytes of checkpoints this schedule holds, for per-state sizes (index 0..L; state 0 is the caller's and
    /// costs nothing): the high-water mark of the checkpoint stack.
    /// </summary>
    public long PeakCheckpointBytes(ReadOnlySpan<long> stateBytes)
    {
        if (stateBytes.Length != Layers + 1)
        {
            throw new ArgumentException($"Give the size of each of the {Layers + 1} states 0..{Layers}; got {stateBytes.Length}.", nameof(stateBytes));
        }

        Simulate(Layers, Actions, stateBytes, alwaysRecomputes: null, out long peak);
        return peak;
    }

    /// <summary>
    /// <see cref="ReverseForwards"/> for a network where the reverse step of some layers recomputes whatever is on the
    /// stack (their derivative needs the pre-activation, which is never checkpointed).
    /// </summary>
    public int CountReverseForwards(Func<int, bool> alwaysRecomputes)
    {
        ArgumentNullException.ThrowIfNull(alwaysRecomputes);
        return Simulate(Layers, Actions, stateBytes: default, alwaysRecomputes, out _).ReverseForwards;
    }

    /// <summary>The plan, one line per run of steps (consecutive advances merged), for printing.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Name}: {Layers} layers, {Advances} advances + {ReverseForwards} reverse-step forwards, at most {MaxCheckpoints} checkpoints").AppendLine();
        int i = 0;
        while (i < Actions.Length)
        {
            CheckpointAction action = Actions[i];
            int j = i;
            while (action.Kind == CheckpointActionKind.Advance && j + 1 < Actions.Length && Actions[j + 1].Kind == CheckpointActionKind.Advance && Actions[j + 1].State == Actions[j].State + 1)
            {
                j++;
            }

            text.Append("  ").AppendLine(j > i ? string.Create(CultureInfo.InvariantCulture, $"advance {action.State}->{Actions[j].State + 1}") : action.ToString());
            i = j + 1;
        }

        return text.ToString();
    }

    /// <inheritdoc/>
    public override string ToString() => Name;

    internal static int[,] RevolveTable(int layers, int free, out int[,] split)
    {
        var cost = new int[layers + 1, free + 1];
        split = new int[layers + 1, free + 1];
        for (int l = 2; l <= layers; l++)
        {
            cost[l, 0] = l * (l - 1) / 2;
            for (int f = 1; f <= free; f++)
            {
                int best = int.MaxValue;
                int bestJ = 0;
                for (int j = 1; j < l; j++)
                {
                    int c = j + cost[l - j, f - 1] + cost[j, f];
                    if (c < best)
                    {
                        best = c;
                        bestJ = j;
                    }
                }

                cost[l, f] = best;
                split[l, f] = bestJ;
            }
        }

        return cost;
    }

    internal static void CheckLayers(int layers) => ArgumentOutOfRangeException.ThrowIfLessThan(layers, 1);

    private static void EmitRevolve(Builder a, int start, int length, int free, int[,] split)
    {
        if (length == 1)
        {
            a.Restore(start);
            a.Reverse(start);
            return;
        }

        if (free == 0)
        {
            for (int k = length - 1; k >= 0; k--)
            {
                a.Restore(start);
                for (int i = start; i < start + k; i++)
                {
                    a.Advance(i);
                }

                a.Reverse(start + k);
            }

            return;
        }

        int j = split[length, free];
        a.Restore(start);
        for (int i = start; i < start + j; i++)
        {
            a.Advance(i);
        }

        a.Store(start + j);
        EmitRevolve(a, start + j, length - j, free - 1, split);
        a.Free(start + j);
        EmitRevolve(a, start, j, free, split);
    }

    private static ImmutableArray<CheckpointAction> UniformActions(int layers, int k)
    {
        var a = new Builder();
        int segments = (layers + k - 1) / k;
        for (int s = 1; s < segments; s++)
        {
            for (int i = (s - 1) * k; i < s * k; i++)
            {
                a.Advance(i);
            }

            a.Store(s * k);
        }

        for (int s = segments - 1; s >= 0; s--)
        {
            int start = s * k;
            int end = Math.Min(start + k, layers);
            a.Restore(start);
            for (int i = start; i < end - 1; i++)
            {
                a.Advance(i);
                a.Store(i + 1);
            }

            for (int i = end - 1; i >= start; i--)
            {
                a.Restore(i);
                a.Reverse(i);
                if (i < end - 1)
                {
                    a.Free(i + 1);
                }
            }

            // The segment's end (the next segment's start) was kept below this segment's checkpoints for its last reverse step.
            if (end < layers)
            {
                a.Free(end);
            }
        }

        return a.Build();
    }

    /// <summary>Replays the steps, checking each, and counts what they cost.</summary>
    private static (int Advances, int ReverseForwards, int MaxCheckpoints) Simulate(
        int layers, ImmutableArray<CheckpointAction> actions, ReadOnlySpan<long> stateBytes, Func<int, bool>? alwaysRecomputes, out long peakBytes)
    {
        var stack = new List<int> { 0 };
        var onStack = new bool[layers + 1];
        onStack[0] = true;
        int current = 0;
        int nextReverse = layers - 1;
        int advances = 0, reverseForwards = 0, maxCheckpoints = 0;
        long bytes = 0;
        peakBytes = 0;
        for (int n = 0; n < actions.Length; n++)
        {
            CheckpointAction action = actions[n];
            int i = action.State;
            if (i < 0 || i > layers)
            {
                throw Inconsistent(n, action, $"there is no state {i} in a {layers}-layer network");
            }

            switch (action.Kind)
            {
                case CheckpointActionKind.Advance:
                    Require(current == i && i < layers, n, action, $"the current state is {Describe(current)}");
                    current = i + 1;
                    advances++;
                    break;
                case CheckpointActionKind.Store:
                    Require(current == i && !onStack[i], n, action, onStack[i] ? "that state is already checkpointed" : $"the current state is {Describe(current)}");
                    stack.Add(i);
                    onStack[i] = true;
                    bytes += stateBytes.IsEmpty ? 0 : stateBytes[i];
                    peakBytes = Math.Max(peakBytes, bytes);
                    maxCheckpoints = Math.Max(maxCheckpoints, stack.Count - 1);
                    break;
                case CheckpointActionKind.Restore:
                    Require(onStack[i], n, action, "that state is not checkpointed");
                    current = i;
                    break;
                case CheckpointActionKind.Free:
                    Require(i != 0 && stack[^1] == i, n, action, $"the top of the checkpoint stack holds state {stack[^1]}");
                    stack.RemoveAt(stack.Count - 1);
                    onStack[i] = false;
                    bytes -= stateBytes.IsEmpty ? 0 : stateBytes[i];
                    break;
                default:
                    Require(action.Kind == CheckpointActionKind.Reverse, n, action, "unknown step");
                    Require(i == nextReverse, n, action, nextReverse < 0 ? "every layer is already reversed" : $"layer {nextReverse} is the next to reverse");
                    Require(current == i, n, action, $"the current state is {Describe(current)}");
                    if (!onStack[i + 1] || (alwaysRecomputes?.Invoke(i) ?? false))
                    {
                        reverseForwards++;
                    }

                    nextReverse--;
                    break;
            }
        }

        if (nextReverse >= 0 || stack.Count != 1)
        {
            throw new ArgumentException(nextReverse >= 0
                ? $"The schedule ends before layer {nextReverse} is reversed."
                : $"The schedule ends with {stack.Count - 1} checkpoint(s) not freed (top: state {stack[^1]}).");
        }

        return (advances, reverseForwards, maxCheckpoints);
    }

    private static string Describe(int current) => current < 0 ? "none" : current.ToString(CultureInfo.InvariantCulture);

    private static void Require(bool condition, int index, CheckpointAction action, string why)
    {
        if (!condition)
        {
            throw Inconsistent(index, action, why);
        }
    }

    private static ArgumentException Inconsistent(int index, CheckpointAction action, string why) =>
        new($"Step {index} ({action}) is inconsistent: {why}.");

    /// <summary>Collects steps.</summary>
    internal sealed class Builder
    {
        private readonly ImmutableArray<CheckpointAction>.Builder actions = ImmutableArray.CreateBuilder<CheckpointAction>();
        private int current;

        public void Advance(int state)
        {
            actions.Add(new CheckpointAction(CheckpointActionKind.Advance, state));
            current = state + 1;
        }

        public void Store(int state) => actions.Add(new CheckpointAction(CheckpointActionKind.Store, state));

        /// <summary>Restores <paramref name="state"/> unless it is already the current one.</summary>
        public void Restore(int state)
        {
            if (current != state)
            {
                actions.Add(new CheckpointAction(CheckpointActionKind.Restore, state));
                current = state;
            }
        }

        public void Free(int state) => actions.Add(new CheckpointAction(CheckpointActionKind.Free, state));

        public void Reverse(int state) => actions.Add(new CheckpointAction(CheckpointActionKind.Reverse, state));

        public ImmutableArray<CheckpointAction> Build() => actions.ToImmutable();
    }
}
