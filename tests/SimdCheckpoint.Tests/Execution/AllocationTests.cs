using System;
using SimdCheckpoint.Tests.Networks;
using SimdCheckpoint.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Tests.Execution;

/// <summary>The hot path allocates nothing, whether its buffers are on the stack or held by the session.</summary>
public sealed class AllocationTests
{
    [Fact]
    public void Forward_allocates_nothing_with_stack_buffers() => AssertNoAllocations<MnistMlp>(batch: 4, expectStack: true);

    [Fact]
    public void Forward_allocates_nothing_with_session_buffers() => AssertNoAllocations<Deep32>(batch: 64, expectStack: false);

    [Fact]
    public void Forward_allocates_nothing_on_the_scalar_path() => AssertNoAllocations<Uneven>(batch: 7, expectStack: true, KernelPath.Scalar);

    [Theory]
    [InlineData(KernelPath.Auto)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector128)]
    [InlineData(KernelPath.Scalar)]
    public void Forward_with_transcendental_activations_and_softmax_allocates_nothing(KernelPath path) =>
        AssertNoAllocations<Transcendental>(batch: 9, expectStack: true, path);

    private static void AssertNoAllocations<TNetwork>(int batch, bool expectStack, KernelPath path = KernelPath.Auto)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        var harness = new NetworkHarness<TNetwork>(seed: 1);
        var session = new InferenceSession<TNetwork>(harness.Weights, batch);
        Assert.Equal(expectStack, session.UsesStack);
        float[] input = TestData.Random(batch * TNetwork.Spec.InputSize, seed: 2);
        float[] output = new float[batch * TNetwork.Spec.OutputSize];
        SteadyState.AssertAllocatesNothing(() => session.Forward(input, output, batch, path));
    }
}
