using System;
using System.Collections.Generic;
using System.Text;

namespace SimdCheckpoint;

/// <summary>A network declaration that breaks one or more rules; <see cref="Problems"/> lists each.</summary>
public sealed class NetworkSpecException : ArgumentException
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
