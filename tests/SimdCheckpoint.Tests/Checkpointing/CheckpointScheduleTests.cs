using System;
using System.Linq;
using SimdCheckpoint.Checkpointing;
using Xunit;

namespace SimdCheckpoint.Tests.Checkpointing;

/// <summary>
/// The checkpoint planner: every schedule is consistent (the constructor replays it), revolve reaches the binomial
/// optimum, sqrt costs at most one extra forward sweep, and the memory-budget schedule fits its budget and never needs
/// more recomputation than revolve with the same memory.
/// </summary>
public sealed class CheckpointScheduleTests
{
    [Fact]
    public void The_closed_form_equals_the_dynamic_program()
    {
        for (int s = 1; s <= 8; s++)
        {
            int[,] table = CheckpointSchedule.RevolveTable(60, s - 1, out _);
            for (int l = 1; l <= 60; l++)
            {
                Assert.Equal(CheckpointSchedule.RevolveMinimumAdvances(l, s), table[l, s - 1]);
            }
        }
    }

    [Theory]
    [InlineData(1, 1, 0)]
    [InlineData(2, 1, 1)]
    [InlineData(3, 1, 3)]
    [InlineData(3, 2, 2)]
    [InlineData(6, 2, 8)]
    [InlineData(10, 3, 15)]
    [InlineData(32, 4, 75)]
    public void Closed_form_worked_examples(int steps, int slots, long advances)
    {
        // (6, 2): r = 2 since β(2, 2) = C(4, 2) = 6 ≥ 6, so 2·6 − β(3, 1) = 12 − 4 = 8.
        // (32, 4): β(4, 2) = 15 < 32 ≤ β(4, 3) = 35, so r = 3 and 3·32 − β(5, 2) = 96 − 21 = 75.
        Assert.Equal(advances, CheckpointSchedule.RevolveMinimumAdvances(steps, slots));
    }

    [Fact]
    public void Revolve_reaches_the_optimum_within_its_slots_at_every_depth()
    {
        for (int layers = 1; layers <= 40; layers++)
        {
            for (int slots = 1; slots <= 8; slots++)
            {
                CheckpointSchedule schedule = CheckpointSchedule.Revolve(layers, slots);
                Assert.Equal(CheckpointSchedule.RevolveMinimumAdvances(layers, slots), schedule.Advances);
                Assert.True(schedule.MaxCheckpoints <= slots - 1, $"revolve({slots}) over {layers} layers holds {schedule.MaxCheckpoints} checkpoints");
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(32)]
    public void Store_all_evaluates_each_layer_once(int layers)
    {
        CheckpointSchedule schedule = CheckpointSchedule.StoreAll(layers);
        Assert.Equal(layers - 1, schedule.Advances);
        Assert.Equal(1, schedule.ReverseForwards);
        Assert.Equal(layers, schedule.ForwardEvaluations);
        Assert.Equal(layers - 1, schedule.MaxCheckpoints);
    }

    [Fact]
    public void Sqrt_costs_at_most_one_extra_forward_sweep_with_about_two_root_n_checkpoints()
    {
        for (int layers = 1; layers <= 40; layers++)
        {
            CheckpointSchedule sqrt = CheckpointSchedule.Sqrt(layers);
            Assert.True(sqrt.ForwardEvaluations <= 2 * layers, $"sqrt over {layers}: {sqrt.ForwardEvaluations} evaluations");
            Assert.True(sqrt.MaxCheckpoints <= (2 * Math.Ceiling(Math.Sqrt(layers))) + 1, $"sqrt over {layers}: {sqrt.MaxCheckpoints} checkpoints");
            Assert.Equal(CheckpointSchedule.StoreAll(layers).ForwardEvaluations, CheckpointSchedule.Uniform(layers, 1).ForwardEvaluations);
            Assert.Equal(CheckpointSchedule.StoreAll(layers).ForwardEvaluations, CheckpointSchedule.Uniform(layers, layers).ForwardEvaluations);
        }
    }

    [Fact]
    public void The_budget_schedule_fits_its_budget_on_uneven_widths_and_improves_with_memory()
    {
        long[] sizes = [3136, 1024, 512, 2048, 256, 256, 4096, 1024, 640, 512, 2048, 40];
        int layers = sizes.Length - 1;
        int previous = int.MaxValue;
        for (long budget = 8192; budget <= 40_000; budget += 512)
        {
            CheckpointSchedule schedule = CheckpointSchedule.ForMemoryBudget(sizes, budget, fixedBytes: 8192);
            Assert.True(schedule.PeakCheckpointBytes(sizes) <= budget - 8192, $"budget {budget}: {schedule.PeakCheckpointBytes(sizes)} bytes of checkpoints");
            Assert.True(schedule.ForwardEvaluations <= previous, $"budget {budget}: {schedule.ForwardEvaluations} evaluations, {previous} with less memory");
            previous = schedule.ForwardEvaluations;
        }

        Assert.Equal(layers, previous);
    }

    [Fact]
    public void On_uniform_widths_the_budget_schedule_needs_no_more_recomputation_than_revolve()
    {
        for (int layers = 1; layers <= 40; layers += 3)
        {
            long[] sizes = Enumerable.Repeat(1024L, layers + 1).ToArray();
            for (int slots = 1; slots <= 6; slots++)
            {
                CheckpointSchedule revolve = CheckpointSchedule.Revolve(layers, slots);
                CheckpointSchedule budget = CheckpointSchedule.ForMemoryBudget(sizes, (slots - 1) * 1024L);
                Assert.True(budget.ForwardEvaluations <= revolve.ForwardEvaluations, $"{layers} layers, {slots} slots: budget {budget.ForwardEvaluations}, revolve {revolve.ForwardEvaluations}");
                Assert.True(budget.PeakCheckpointBytes(sizes) <= (slots - 1) * 1024L);
            }
        }
    }

    [Fact]
    public void A_budget_below_the_working_buffers_is_a_clear_error()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => CheckpointSchedule.ForMemoryBudget([64, 64, 64], 100, fixedBytes: 128));
        Assert.Contains("cannot hold the 128 bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("no schedule fits", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inconsistent_steps_are_rejected_with_the_step_named()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => CheckpointSchedule.FromActions("bad", 2, [new(CheckpointActionKind.Advance, 1)]));
        Assert.Contains("Step 0 (advance 1->2) is inconsistent: the current state is 0", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => CheckpointSchedule.FromActions("bad", 2, [new(CheckpointActionKind.Reverse, 0)]));
        Assert.Contains("layer 1 is the next to reverse", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => CheckpointSchedule.FromActions("bad", 3,
            [new(CheckpointActionKind.Advance, 0), new(CheckpointActionKind.Store, 1), new(CheckpointActionKind.Advance, 1), new(CheckpointActionKind.Store, 2), new(CheckpointActionKind.Free, 1)]));
        Assert.Contains("the top of the checkpoint stack holds state 2", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => CheckpointSchedule.FromActions("bad", 1, []));
        Assert.Contains("ends before layer 0 is reversed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_plan_prints_runs_of_advances_as_one_line()
    {
        string text = CheckpointSchedule.Revolve(6, 2).Describe();
        Assert.StartsWith("revolve(2): 6 layers, 8 advances + ", text, StringComparison.Ordinal);
        Assert.Contains("advance 0->", text, StringComparison.Ordinal);
        Assert.Contains("reverse 5", text, StringComparison.Ordinal);
    }
}
