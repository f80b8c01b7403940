using System.Security;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.Features;

namespace Alpacon.Emulator.Webftp;

/// <summary>
/// The presigned object store's HTTP face, outside <c>/api</c> (no token: the URL is the credential). It is strict
/// where S3 is: an <c>Authorization</c> header next to a presigned query is 400 InvalidArgument, a PUT needs
/// <c>Content-Length</c> (411), and a <c>Content-Type</c> on the PUT is 403 SignatureDoesNotMatch, because real
/// presigned URLs sign only <c>host</c> and a client that adds the header breaks the signature.
/// </summary>
public static class ObjectStoreEndpoints
{
    public static IEndpointRouteBuilder MapObjectStore(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/s3/{object_id}", ["PUT"], PutObject);
        app.MapMethods("/s3/{object_id}", ["GET", "HEAD"], GetObject);
        return app;
    }

    private static async Task PutObject(HttpContext ctx)
    {
        var store = ctx.RequestServices.GetRequiredService<ObjectStore>();
        var id = ctx.Request.RouteValues["object_id"]?.ToString() ?? "";
        if (await Refused(ctx, store, "PUT", id))
            return;
        if (ctx.Request.ContentType is not null)
        {
            await Error(ctx, 403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Content-Type is not a signed header of this URL; send the request without it.");
            return;
        }
        if (ctx.Request.ContentLength is not { } length)
        {
            await Error(ctx, 411, "MissingContentLength", "You must provide the Content-Length HTTP header.");
            return;
        }
        if (length > ObjectStore.MaxObjectBytes)
        {
            await Error(ctx, 400, "EntityTooLarge", $"Your proposed upload exceeds the maximum allowed size of {ObjectStore.MaxObjectBytes} bytes.");
            return;
        }
        if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = ObjectStore.MaxObjectBytes;
        var bytes = new byte[length];
        try
        {
            await ctx.Request.Body.ReadExactlyAsync(bytes, ctx.RequestAborted);
        }
        catch (EndOfStreamException)
        {
            await Error(ctx, 400, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.");
            return;
        }
        store.Put(id, bytes);
        ctx.Response.Headers.ETag = ETag(bytes);
        ctx.Response.StatusCode = StatusCodes.Status200OK;
    }

    private static async Task GetObject(HttpContext ctx)
    {
        var store = ctx.RequestServices.GetRequiredService<ObjectStore>();
        var id = ctx.Request.RouteValues["object_id"]?.ToString() ?? "";
        // HEAD shares GET's signature, as on S3.
        if (await Refused(ctx, store, "GET", id))
            return;
        if (store.Get(id) is not { } bytes)
        {
            await Error(ctx, 404, "NoSuchKey", "The specified key does not exist.");
            return;
        }
        ctx.Response.StatusCode = StatusCodes.Status200OK;
        ctx.Response.ContentType = "binary/octet-stream";
        ctx.Response.ContentLength = bytes.Length;
        ctx.Response.Headers.ETag = ETag(bytes);
        if (!HttpMethods.IsHead(ctx.Request.Method))
            await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted);
    }

    private static async Task<bool> Refused(HttpContext ctx, ObjectStore store, string method, string id)
    {
        if (ctx.Request.Headers.Authorization.Count > 0)
        {
            await Error(ctx, 400, "InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified");
            return true;
        }
        if (store.Verify(method, id, ctx.Request.Query) is { } error)
        {
            await Error(ctx, error.Status, error.Code, error.Message);
            return true;
        }
        return false;
    }

    private static string ETag(byte[] bytes) => $"\"{Convert.ToHexStringLower(MD5.HashData(bytes))}\"";

    private static async Task Error(HttpContext ctx, int status, string code, string message)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/xml";
        var requestId = Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
        await ctx.Response.WriteAsync($"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{SecurityElement.Escape(message)}</Message><RequestId>{requestId}</RequestId></Error>", ctx.RequestAborted);
    }
}
