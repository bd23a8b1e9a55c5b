using System.Runtime.Intrinsics.X86;
using SimdCheckpoint.Kernels;
using Xunit;

namespace SimdCheckpoint.Tests.Kernels;

/// <summary>
/// The prefetch share a sweep hands its tiles: the parts of a panel group cover its lines once each, in order, never
/// past its end; a share is taken once; and only x86 issues any.
/// </summary>
public sealed class WeightPrefetchTests
{
    [Theory]
    [InlineData(2 * 256 * 16, 5)] // deep's pair at 64 rows: 512 lines in 5 row blocks (103 each, the last 100)
    [InlineData(2 * 384 * 16, 10)] // the encoder's 384-input pair at 128 rows
    [InlineData(16, 3)] // one line, three parts: the first takes it, the others none
    [InlineData(8 * 1031 * 16, 1)] // one row block: the whole group
    [InlineData(48, 7)] // fewer lines than parts
    public void The_parts_cover_every_line_once_in_order(int floats, int parts)
    {
        nint next = 0;
        for (int part = 0; part < parts; part++)
        {
            (nint from, nint count) = WeightPrefetch.Range(floats, part, parts);
            Assert.True(count >= 0);
            if (count > 0)
            {
                Assert.Equal(next, from);
                next = from + count;
            }
        }

        Assert.Equal(floats / 16, next);
    }

    [Fact]
    public void No_parts_share_nothing()
    {
        Assert.Equal(0, WeightPrefetch.Range(4096, 0, 0).Count);
    }

    [Fact]
    public unsafe void A_share_is_taken_once_and_only_on_x86()
    {
        var weights = new float[4 * 256 * 16];
        fixed (float* p = weights)
        {
            // The second of four parts of 1,024 lines; pinned, so the address shared is the one the test knows.
            WeightPrefetch.Share(ref weights[0], weights.Length, 1, 4);
            nint first = WeightPrefetch.Take(out nint lines);
            WeightPrefetch.Take(out nint linesAgain);

            Assert.Equal(0, linesAgain);
            if (Sse.IsSupported)
            {
                Assert.Equal(256, lines);
                Assert.Equal((nint)p + (256 * 64), first);
            }
            else
            {
                Assert.Equal(0, lines);
                Assert.Equal(0, first);
            }
        }
    }
}
