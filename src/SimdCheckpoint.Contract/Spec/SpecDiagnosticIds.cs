namespace SimdCheckpoint;

/// <summary>
/// The stable identifiers of everything that can be wrong with a network declaration. The source generator reports
/// them as compiler diagnostics; the runtime puts them in exception messages. Each has a page in docs/diagnostics.md.
/// </summary>
internal static class SpecDiagnosticIds
{
    public const string TypeNotPartial = "SCK0001";
    public const string EmptyNetwork = "SCK0002";
    public const string NonPositiveSize = "SCK0003";
    public const string UnknownActivation = "SCK0004";
    public const string SizeMismatch = "SCK0005";
    public const string NetworkFileNotFound = "SCK0006";
    public const string MalformedJson = "SCK0007";
    public const string InvalidJsonSpec = "SCK0008";
    public const string InvalidAlpha = "SCK0009";
    public const string InvalidLayerName = "SCK0010";
    public const string ConflictingDeclarations = "SCK0011";
    public const string NetworkTooLarge = "SCK0012";
    public const string InvalidTile = "SCK0013";
    public const string UnsupportedNetworkFile = "SCK0014";
    public const string ReservedMemberName = "SCK0015";
    public const string UnsupportedOnnxModel = "SCK0016";
    public const string MalformedOnnx = "SCK0017";
    public const string InvalidGraph = "SCK0018";
    public const string GradientsNotDeclared = "SCK0019";
    public const string InternalError = "SCK9999";
}
