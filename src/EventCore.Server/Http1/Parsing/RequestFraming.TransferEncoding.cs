using System.Text;

namespace EventCore.Server.Http1;

/// <summary>The Transfer-Encoding list (RFC 9112 §6.1), accumulated over every Transfer-Encoding field of a request.</summary>
internal partial struct RequestFraming
{
    [Flags]
    private enum TransferCodings : byte
    {
        None = 0,
        Present = 1,
        ChunkedIsLast = 2,
        ChunkedSeen = 4,
        ChunkedTwice = 8,
        Other = 16,
    }

    /// <summary>
    /// Folds one field's codings into the list. Empty list elements are ignored (RFC 9110 §5.6.1); a coding name that is
    /// not a token, or <c>chunked</c> with parameters, is refused at once; what the list means is decided in Complete.
    /// </summary>
    private RequestRejection OnTransferEncoding(ReadOnlySpan<byte> value)
    {
        _codings |= TransferCodings.Present;
        foreach (Range range in value.Split((byte)','))
        {
            ReadOnlySpan<byte> coding = HttpCharacters.TrimWhitespace(value[range]);
            if (coding.IsEmpty)
            {
                continue;
            }

            if (Ascii.EqualsIgnoreCase(coding, "chunked"u8))
            {
                _codings |= (_codings & TransferCodings.ChunkedSeen) != 0 ? TransferCodings.ChunkedTwice : TransferCodings.ChunkedSeen;
                _codings |= TransferCodings.ChunkedIsLast;
                continue;
            }

            int semicolon = coding.IndexOf((byte)';');
            ReadOnlySpan<byte> name = semicolon < 0 ? coding : HttpCharacters.TrimWhitespace(coding[..semicolon]);
            if (!HttpCharacters.IsToken(name) || Ascii.EqualsIgnoreCase(name, "chunked"u8))
            {
                return RequestRejection.InvalidTransferEncoding;
            }

            _codings = (_codings & ~TransferCodings.ChunkedIsLast) | TransferCodings.Other;
        }

        return RequestRejection.None;
    }
}
