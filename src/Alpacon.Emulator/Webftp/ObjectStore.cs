using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Alpacon.Emulator.Core;

namespace Alpacon.Emulator.Webftp;

/// <summary>
/// The emulator's S3: objects in memory, reached through presigned URLs on the emulator itself
/// (<c>/s3/{object_id}?X-Amz-Date=…&amp;X-Amz-Expires=…&amp;X-Amz-Signature=…</c>). A signature covers the method,
/// the object and the validity window, so an upload link cannot be used to read and a download link cannot write.
/// Objects are bounded one by one and in total; the oldest are dropped to make room, as a lifecycle rule would.
/// </summary>
public sealed class ObjectStore(World world)
{
    /// <summary>Largest object (S3 allows 5 GB in one PUT; the emulator keeps objects in memory).</summary>
    public const long MaxObjectBytes = 512L << 20;

    public const long Capacity = 1L << 30;

    public static readonly TimeSpan LinkLifetime = TimeSpan.FromHours(24);

    private const string DateFormat = "yyyyMMdd'T'HHmmss'Z'";

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (byte[] Bytes, DateTimeOffset At)> _objects = new(StringComparer.Ordinal);
    private long _used;

    /// <summary>A presigned URL for <paramref name="method"/> on one object, valid from <paramref name="at"/> (default now) for <paramref name="lifetime"/>.</summary>
    public string Presign(string baseUrl, string method, string objectId, TimeSpan? lifetime = null, DateTimeOffset? at = null)
    {
        var date = (at ?? world.Now).UtcDateTime.ToString(DateFormat, CultureInfo.InvariantCulture);
        var expires = ((long)(lifetime ?? LinkLifetime).TotalSeconds).ToString(CultureInfo.InvariantCulture);
        return $"{baseUrl}/s3/{objectId}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date={date}&X-Amz-Expires={expires}&X-Amz-SignedHeaders=host&X-Amz-Signature={Sign(method, objectId, date, expires)}";
    }

    /// <summary>Null when the query authorises <paramref name="method"/> on the object now; else the S3 error (status, code, message).</summary>
    public (int Status, string Code, string Message)? Verify(string method, string objectId, IQueryCollection query)
    {
        var date = query["X-Amz-Date"].ToString();
        var expires = query["X-Amz-Expires"].ToString();
        var signature = query["X-Amz-Signature"].ToString();
        if (date.Length == 0 || expires.Length == 0 || signature.Length == 0)
            return (403, "AccessDenied", "Query-string authentication requires the X-Amz-Date, X-Amz-Expires and X-Amz-Signature parameters.");
        var expected = Sign(method, objectId, date, expires);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)))
            return (403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.");
        if (!DateTimeOffset.TryParseExact(date, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt)
            || !long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            return (400, "AuthorizationQueryParametersError", "X-Amz-Date or X-Amz-Expires is malformed.");
        if (world.Now > signedAt.AddSeconds(seconds))
            return (403, "AccessDenied", "Request has expired");
        return null;
    }

    public void Put(string objectId, byte[] bytes)
    {
        lock (_gate)
        {
            if (_objects.Remove(objectId, out var old))
                _used -= old.Bytes.Length;
            var now = world.Now;
            foreach (var stale in _objects.Where(o => o.Value.At + LinkLifetime < now).Select(o => o.Key).ToList())
                Remove(stale);
            while (_used + bytes.Length > Capacity && _objects.Count > 0)
                Remove(_objects.MinBy(o => o.Value.At).Key);
            _objects[objectId] = (bytes, now);
            _used += bytes.Length;
        }
    }

    public byte[]? Get(string objectId)
    {
        lock (_gate)
            return _objects.TryGetValue(objectId, out var o) ? o.Bytes : null;
    }

    public void Delete(string objectId)
    {
        lock (_gate)
            Remove(objectId);
    }

    private void Remove(string objectId)
    {
        if (_objects.Remove(objectId, out var o))
            _used -= o.Bytes.Length;
    }

    private string Sign(string method, string objectId, string date, string expires) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{method}\n/s3/{objectId}\n{date}\n{expires}")));
}
