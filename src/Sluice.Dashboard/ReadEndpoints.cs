using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Sluice.Dashboard;

/// <summary>Maps a page or API read for GET and HEAD: uptime monitors and link checkers ask with HEAD, and MapGet
/// alone sent them the not-found page. Kestrel sends a HEAD answer's headers without its body.</summary>
internal static class ReadEndpoints
{
    private static readonly string[] GetAndHead = [HttpMethods.Get, HttpMethods.Head];

    public static RouteHandlerBuilder MapRead(this IEndpointRouteBuilder endpoints, string pattern, Delegate handler) =>
        endpoints.MapMethods(pattern, GetAndHead, handler);
}
