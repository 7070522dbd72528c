using System.Reflection;
using System.Runtime.Loader;

namespace Sluice.Cli.Plugins;

/// <summary>
/// The load context of one plugin assembly. Its own dependencies are found through its <c>.deps.json</c> (or its
/// folder) by an <see cref="AssemblyDependencyResolver"/>, so two plugins may use different versions of a library.
/// Every assembly the host has — Sluice, Apache.Arrow, the framework — comes from the host instead, whatever the
/// plugin's folder holds: a plugin's stages must implement the host's <c>ITransform</c> and pass the host's Arrow
/// batches, and a second copy of either would be other types with the same names.
/// </summary>
internal sealed class PluginLoadContext(string assemblyPath) : AssemblyLoadContext(Path.GetFileName(assemblyPath))
{
    private readonly AssemblyDependencyResolver _resolver = new(assemblyPath);

    protected override Assembly? Load(AssemblyName name)
    {
        if (HostAssemblies.Value.Contains(name.Name ?? ""))
            return null; // null defers to the default context: the host's copy
        return _resolver.ResolveAssemblyToPath(name) is { } path ? LoadFromAssemblyPath(path) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
        _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;

    /// <summary>The simple names of the assemblies the host's default context loads: the trusted platform assemblies
    /// (the framework and everything in the host's .deps.json) and any already loaded there.</summary>
    private static readonly Lazy<HashSet<string>> HostAssemblies = new(() =>
    {
        var names = ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        names.UnionWith(Default.Assemblies.Select(a => a.GetName().Name).OfType<string>());
        return names;
    });
}
