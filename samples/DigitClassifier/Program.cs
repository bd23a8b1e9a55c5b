// A handwritten-digit classifier: a PyTorch MLP exported to ONNX (model/digits.onnx), compiled into SIMD kernels at
// build time by the SimdCheckpoint generator, classifying the 360 test images of scikit-learn's 8x8 digits. Then, for
// one image, which pixels raise its score most: the input gradient, under a checkpoint schedule that keeps one
// activation instead of all of them, with the same bits.
using System.Security.Cryptography;
using System.Runtime.InteropServices;
using SimdCheckpoint;
using SimdCheckpoint.Checkpointing;
using SimdCheckpoint.Npy;

string model = Path.Combine(AppContext.BaseDirectory, "model");
NetworkWeights<Digits> weights = NetworkWeights<Digits>.FromOnnx(Path.Combine(model, "digits.onnx"));
NpyArray images = NpyFile.Read(Path.Combine(model, "digits-test.npy"));
float[] labels = NpyFile.Read(Path.Combine(model, "digits-test-labels.npy")).Data;
float[] torch = NpyFile.Read(Path.Combine(model, "digits-test.torch.npy")).Data;

NetworkSpec spec = Digits.Spec;
int count = images.Shape[0];
Console.WriteLine($"network  {spec.Shape} ({string.Join(", ", spec.Layers.Select(l => $"{l.Name} {l.Activation}"))}), {spec.ParameterCount:N0} parameters, fingerprint {spec.Fingerprint}");

// Classify every test image in one call; the session allocates nothing per call.
float[] logits = new float[count * spec.OutputSize];
using (var session = new InferenceSession<Digits>(weights, maxBatch: count))
{
    session.Forward(images.Data, logits, count);
}

int correct = 0, agreeing = 0;
double maxDifference = 0;
for (int i = 0; i < count; i++)
{
    ReadOnlySpan<float> row = logits.AsSpan(i * 10, 10);
    correct += ArgMax(row) == (int)labels[i] ? 1 : 0;
    agreeing += ArgMax(row) == ArgMax(torch.AsSpan(i * 10, 10)) ? 1 : 0;
    for (int j = 0; j < 10; j++)
    {
        float theirs = torch[(i * 10) + j];
        maxDifference = Math.Max(maxDifference, Math.Abs(row[j] - theirs) / Math.Max(Math.Abs(theirs), 1f));
    }
}

Console.WriteLine($"accuracy {correct}/{count} = {100.0 * correct / count:F1} %");
Console.WriteLine($"PyTorch  same class for {agreeing}/{count} images; largest relative difference in a logit {maxDifference:E1}");
Console.WriteLine($"first 8  predicted {string.Join(' ', Enumerable.Range(0, 8).Select(i => ArgMax(logits.AsSpan(i * 10, 10))))}, labels {string.Join(' ', labels.Take(8).Select(l => (int)l))}");

// The same bits on every machine and instruction set (AVX-512, AVX2, NEON, scalar): a digest of the logits.
Console.WriteLine($"logits SHA-256 {Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(logits.AsSpan())))[..16]}");

// Saliency of the first image: d(score of its class)/d(pixels), keeping at most one checkpoint (revolve with one slot).
const int image = 0;
int predicted = ArgMax(logits.AsSpan(image * 10, 10));
float[] outputGradient = new float[10];
outputGradient[predicted] = 1;
float[] pixelGradient = new float[64];
var backward = new CheckpointSession<Digits>(weights, maxBatch: 1, CheckpointSchedule.Revolve(spec.Layers.Count, slots: 1));
BackwardStatistics figures = backward.Backward(images.Data.AsSpan(image * 64, 64), pixelGradient, batch: 1, outputGradient);
Console.WriteLine($"image {image}: label {(int)labels[image]}, predicted {predicted}; pixels by gradient of that score ({figures.PeakActivationBytes} activation bytes, {figures.ForwardEvaluations} layer evaluations):");
float scale = pixelGradient.Max(Math.Abs);
for (int y = 0; y < 8; y++)
{
    var line = new System.Text.StringBuilder("  ");
    for (int x = 0; x < 8; x++)
    {
        line.Append(Shade(images.Data[(image * 64) + (y * 8) + x], " .:-=+*#%@"));
    }

    line.Append("    ");
    for (int x = 0; x < 8; x++)
    {
        float g = pixelGradient[(y * 8) + x] / scale;
        line.Append(g > 0.25f ? '+' : g < -0.25f ? '-' : '.');
    }

    Console.WriteLine(line);
}

// Success: PyTorch's class for every image, and its logits within 1e-5 relative (the canonical arithmetic rounds
// differently from PyTorch's kernels, never by more).
return agreeing == count && maxDifference < 1e-5 ? 0 : 1;

static int ArgMax(ReadOnlySpan<float> row)
{
    int best = 0;
    for (int j = 1; j < row.Length; j++)
    {
        best = row[j] > row[best] ? j : best;
    }

    return best;
}

static char Shade(float value, string ramp) => ramp[Math.Clamp((int)(value * (ramp.Length - 1)), 0, ramp.Length - 1)];

// Gradients = true: the saliency above runs the backward pass, whose kernels a forward-only type does not carry.
[NetworkFile("model/digits.onnx", Gradients = true)]
internal partial class Digits;
