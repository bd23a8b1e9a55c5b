// Shared with the source generator (see Activation.cs).
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace SimdCheckpoint;

/// <summary>
/// A feed-forward network of dense layers, as declared: the single description that the source generator compiles
/// into kernels and that the runtime uses to validate weights and buffers. Immutable and compared by value.
/// </summary>
#if SIMDCHECKPOINT_GENERATOR
internal
#else
public
#endif
sealed partial class NetworkSpec : IEquatable<NetworkSpec>
{
    private readonly DenseLayerSpec[] _layers;
    private string? _fingerprint;

    /// <summary>Creates a network from its layers, in order.</summary>
    /// <exception cref="NetworkSpecException">The layers do not form a valid network; every problem is listed.</exception>
    public NetworkSpec(string name, IEnumerable<DenseLayerSpec> layers)
    {
        if (name is null)
        {
            throw new ArgumentNullException(nameof(name));
        }

        if (layers is null)
        {
            throw new ArgumentNullException(nameof(layers));
        }

        _layers = new List<DenseLayerSpec>(layers).ToArray();
        for (int i = 0; i < _layers.Length; i++)
        {
            if (_layers[i] is null)
            {
                throw new ArgumentException("Layer " + i.ToString(CultureInfo.InvariantCulture) + " is null.", nameof(layers));
            }
        }

        List<SpecProblem> problems = SpecRules.Validate(_layers);
        if (problems.Count > 0)
        {
            throw new NetworkSpecException(name, problems);
        }

        Name = name;
        int widest = 0;
        long flops = 0;
        long parameters = 0;
        for (int i = 0; i < _layers.Length; i++)
        {
            if (i < _layers.Length - 1)
            {
                widest = Math.Max(widest, _layers[i].Outputs);
            }

            flops += 2L * _layers[i].Inputs * _layers[i].Outputs;
            parameters += _layers[i].ParameterCount;
        }

        MaxHiddenSize = widest;
        FlopsPerSample = flops;
        ParameterCount = parameters;
    }

    /// <summary>The network's name (the generated type's name, or the JSON spec's <c>name</c>).</summary>
    public string Name { get; }

    /// <summary>The layers, in order.</summary>
    public IReadOnlyList<DenseLayerSpec> Layers => _layers;

    /// <summary>The number of inputs per sample (the first layer's K).</summary>
    public int InputSize => _layers[0].Inputs;

    /// <summary>The number of outputs per sample (the last layer's N).</summary>
    public int OutputSize => _layers[_layers.Length - 1].Outputs;

    /// <summary>The widest activation between two layers (0 for a single layer): the size of each ping-pong buffer per sample.</summary>
    public int MaxHiddenSize { get; }

    /// <summary>Floating-point operations per sample of a forward pass, counting each fused multiply-add as two.</summary>
    public long FlopsPerSample { get; }

    /// <summary>The number of weights and biases.</summary>
    public long ParameterCount { get; }

    /// <summary>
    /// Sixteen hexadecimal digits of SHA-256 over what the kernels compile: each layer's K, N, activation and its
    /// parameter, in order (not the names). Weights saved for one spec carry it, so a file made for a network that has
    /// since changed is rejected by name rather than run.
    /// </summary>
    public string Fingerprint
    {
        get
        {
            if (_fingerprint is null)
            {
                var text = new StringBuilder("simdcheckpoint-spec-1\n");
                foreach (DenseLayerSpec l in _layers)
                {
                    text.Append(l.Inputs.ToString(CultureInfo.InvariantCulture)).Append(' ')
                        .Append(l.Outputs.ToString(CultureInfo.InvariantCulture)).Append(' ')
                        .Append(ActivationNames.ToJsonName(l.Activation)).Append(' ')
                        .Append(SingleBits(l.Alpha).ToString("x8", CultureInfo.InvariantCulture)).Append('\n');
                }

#if SIMDCHECKPOINT_GENERATOR
                using var sha = System.Security.Cryptography.SHA256.Create();
                byte[] hash = sha.ComputeHash(Encoding.UTF8.GetBytes(text.ToString()));
#else
                byte[] hash = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
#endif
                var hex = new StringBuilder(16);
                for (int i = 0; i < 8; i++)
                {
                    hex.Append(hash[i].ToString("x2", CultureInfo.InvariantCulture));
                }

                _fingerprint = hex.ToString();
            }

            return _fingerprint;
        }
    }

    /// <summary>How <paramref name="other"/> differs from this network in what the kernels compile, or null when it does not.</summary>
    internal string? DescribeDifference(NetworkSpec other)
    {
        if (other._layers.Length != _layers.Length)
        {
            return "it has " + other._layers.Length.ToString(CultureInfo.InvariantCulture) + " layers (" + other.Shape + "), not "
                + _layers.Length.ToString(CultureInfo.InvariantCulture) + " (" + Shape + ")";
        }

        for (int i = 0; i < _layers.Length; i++)
        {
            DenseLayerSpec a = _layers[i], b = other._layers[i];
            if (a.Inputs != b.Inputs || a.Outputs != b.Outputs || a.Activation != b.Activation || SingleBits(a.Alpha) != SingleBits(b.Alpha))
            {
                return "its layer " + i.ToString(CultureInfo.InvariantCulture) + " is " + Describe(b) + ", not " + Describe(a);
            }
        }

        return null;
    }

    private static string Describe(DenseLayerSpec l) =>
        l.Inputs.ToString(CultureInfo.InvariantCulture) + " -> " + l.Outputs.ToString(CultureInfo.InvariantCulture) + " "
        + ActivationNames.ToJsonName(l.Activation)
        + (ActivationNames.TakesAlpha(l.Activation) ? "(" + l.Alpha.ToString("R", CultureInfo.InvariantCulture) + ")" : string.Empty);

    private static uint SingleBits(float f)
    {
        // BitConverter.SingleToUInt32Bits is newer than netstandard2.0.
        byte[] b = BitConverter.GetBytes(f);
        return BitConverter.IsLittleEndian ? BitConverter.ToUInt32(b, 0) : (uint)(b[3] | (b[2] << 8) | (b[1] << 16) | (b[0] << 24));
    }

    /// <summary>"784 → 256 → 128 → 10".</summary>
    public string Shape
    {
        get
        {
            var sb = new StringBuilder();
            sb.Append(InputSize.ToString(CultureInfo.InvariantCulture));
            foreach (DenseLayerSpec layer in _layers)
            {
                sb.Append(" -> ").Append(layer.Outputs.ToString(CultureInfo.InvariantCulture));
            }

            return sb.ToString();
        }
    }

    /// <inheritdoc/>
    public bool Equals(NetworkSpec? other)
    {
        if (other is null || !string.Equals(Name, other.Name, StringComparison.Ordinal) || _layers.Length != other._layers.Length)
        {
            return false;
        }

        for (int i = 0; i < _layers.Length; i++)
        {
            if (!_layers[i].Equals(other._layers[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as NetworkSpec);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        int h = SpecHash.Of(Name);
        foreach (DenseLayerSpec layer in _layers)
        {
            h = SpecHash.Combine(h, layer.GetHashCode());
        }

        return h;
    }

    /// <inheritdoc/>
    public override string ToString() => Name + " (" + Shape + ")";
}

/// <summary>A network declaration that breaks one or more rules; <see cref="Problems"/> lists each.</summary>
#if SIMDCHECKPOINT_GENERATOR
internal
#else
public
#endif
sealed class NetworkSpecException : ArgumentException
{
    /// <summary>Creates the exception for the problems found in the declaration named <paramref name="source"/>.</summary>
    public NetworkSpecException(string source, IReadOnlyList<SpecProblem> problems)
        : base(Format(source, problems))
    {
        NetworkName = source;
        Problems = problems;
    }

    /// <summary>The network or file the problems were found in.</summary>
    public string NetworkName { get; }

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<SpecProblem> Problems { get; }

    private static string Format(string source, IReadOnlyList<SpecProblem> problems)
    {
        var sb = new StringBuilder();
        sb.Append("Invalid network '").Append(source).Append("':");
        foreach (SpecProblem p in problems)
        {
            sb.Append(' ').Append(p.Id).Append(": ").Append(p.Message);
        }

        return sb.ToString();
    }
}
