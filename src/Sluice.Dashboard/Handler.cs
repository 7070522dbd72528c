using Microsoft.AspNetCore.Http;

namespace Sluice.Dashboard;

/// <summary>A handler taken as a <see cref="Delegate"/>, so ASP.NET Core writes the <see cref="IResult"/> it returns
/// (a lambda of HttpContext alone would bind as a RequestDelegate, whose result is dropped).</summary>
internal static class Handler
{
    public static Delegate Of(Func<HttpContext, Task<IResult>> handler) => handler;

    public static Delegate Of(Func<HttpContext, IResult> handler) => handler;
}
