using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace EventCore.Sites.Serving;

/// <summary>
/// Last-Modified and ETag of a file as ASP.NET Core's static files compute them (the modification time truncated to
/// the second; the ETag the hex of its FILETIME xor the length), kept in a small shared table so a file served again
/// costs no formatting and no allocation. The table holds only values derived from (time, length): nothing in it can
/// go stale. Entries are immutable and replaced whole; any thread.
/// </summary>
internal sealed class FileValidators
{
    private const int Slots = 64;
    private const long UnixEpochFileTime = 116_444_736_000_000_000; // 1970-01-01 in 100 ns ticks since 1601
    private static readonly FileValidators?[] s_table = new FileValidators?[Slots];

    private FileValidators(long modifiedSeconds, long length)
    {
        ModifiedSeconds = modifiedSeconds;
        Length = length;
        LastModified = DateTimeOffset.FromUnixTimeSeconds(modifiedSeconds).ToString("r", CultureInfo.InvariantCulture);
        var hash = (modifiedSeconds * TimeSpan.TicksPerSecond + UnixEpochFileTime) ^ length;
        ETag = "\"" + hash.ToString("x", CultureInfo.InvariantCulture) + "\"";
    }

    public long ModifiedSeconds { get; }

    public long Length { get; }

    public StringValues LastModified { get; }

    public StringValues ETag { get; }

    public static FileValidators For(long modifiedSeconds, long length)
    {
        var slot = (int)((ulong)HashCode.Combine(modifiedSeconds, length) % Slots);
        if (s_table[slot] is { } entry && entry.ModifiedSeconds == modifiedSeconds && entry.Length == length)
        {
            return entry;
        }

        return s_table[slot] = new FileValidators(modifiedSeconds, length);
    }
}
