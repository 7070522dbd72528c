namespace Sluice.Extensibility;

/// <summary>
/// A dataset as OpenLineage names it (https://openlineage.io/docs/spec/naming): the namespace is the data source
/// (<c>scheme://host:port</c>, or <c>file</c> for the local file system) and the name is the dataset within it (an
/// absolute path or glob, <c>database.schema.table</c>, a stream's key). Together they read as a URI. Neither ever
/// holds user info or a password.
/// </summary>
public sealed record LineageDataset(string Namespace, string Name)
{
    /// <summary>A local file, folder or glob: namespace <c>file</c>, name the absolute path with <c>/</c> separators.</summary>
    public static LineageDataset ForFile(string absolutePath) => new("file", absolutePath.Replace('\\', '/'));

    /// <summary>A dataset of a network service: namespace <c>scheme://host:port</c>, name as given.</summary>
    public static LineageDataset ForService(string scheme, string host, int port, string name) =>
        new($"{scheme}://{HostText(host)}:{port}", name);

    /// <summary>An HTTP resource: namespace <c>scheme://host[:port]</c>, name its path. User info is dropped, and so
    /// is the query, where API keys travel.</summary>
    public static LineageDataset ForUrl(Uri url)
    {
        string port = url.IsDefaultPort ? "" : $":{url.Port}";
        return new($"{url.Scheme}://{HostText(url.Host)}{port}", url.AbsolutePath);
    }

    // An IPv6 address needs its brackets inside a URI.
    private static string HostText(string host) => host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;

    public override string ToString() => $"{Namespace}/{Name.TrimStart('/')}";
}
