using System;

namespace SimdCheckpoint;

// Weights from a packed weights file (.sckw): the blocks are already in the kernels' layout, so loading is reading.
public sealed partial class NetworkWeights<TNetwork>
{
    /// <summary>
    /// Loads a whole packed weights file (<see cref="PackedWeightsFile"/>, written by <see cref="PackedWeightsFile.Write{TNetwork}"/>
    /// or <c>simdcheckpoint pack</c>): the header is validated, the file checked to be packed for this network, and each
    /// layer's block read into place and compared with its SHA-256 before the weights are returned. No repacking: the
    /// bits are those that were written.
    /// </summary>
    /// <exception cref="WeightsFormatException">The file is malformed, truncated, or a block does not match its checksum.</exception>
    /// <exception cref="WeightsMismatchException">The file was packed for another network or panel width.</exception>
    public static NetworkWeights<TNetwork> FromPacked(string path)
    {
        using PackedWeightsFile file = PackedWeightsFile.Open(path);
        file.RequireNetwork<TNetwork>();
        PackedNetworkLayout layout = NetworkLayout<TNetwork>.Packed;
        AlignedBuffer buffer = AlignedBuffer.Allocate(layout.Length);
        for (int i = 0; i < layout.Layers.Count; i++)
        {
            PackedLayer block = layout.Layers[i];
            file.ReadVerified(i, buffer.Span.Slice(block.WeightOffset, block.Length));
        }

        return new NetworkWeights<TNetwork>(buffer);
    }
}
