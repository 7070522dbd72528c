using System.Reflection;
using Sluice.Configuration;
using Sluice.Pipelines;
using Sluice.Postgres;
using Sluice.Nats;
using Sluice.Redis;

namespace Sluice.Cli.Plugins;

/// <summary>
/// Loads the assemblies of users' own components into a <see cref="ComponentCatalog"/>: each in its own
/// <see cref="PluginLoadContext"/>, then every public <see cref="ISluicePlugin"/> class in it is created and asked to
/// register its components. Whatever goes wrong — a missing file, an assembly that cannot be loaded, a plugin that
/// throws — is one <see cref="PipelineException"/> naming the plugin (exit code 2), never a stack trace.
/// A plugin is code the command runs with the user's rights: it is trusted like the command itself.
/// </summary>
internal static class PluginLoader
{
    /// <summary>The built-in components and those of the plugins the pipeline file lists under <c>plugins:</c>.</summary>
    public static ComponentCatalog ForPipeline(string pipelineFile) => Load(PipelineFile.Plugins(pipelineFile));

    /// <summary>The built-in components and those of <paramref name="paths"/> (<c>--plugin</c>, relative to the
    /// current folder).</summary>
    public static ComponentCatalog ForPaths(IEnumerable<string> paths) =>
        Load(paths.Select(p => new PluginReference(Path.GetFullPath(p), null)));

    private static ComponentCatalog Load(IEnumerable<PluginReference> plugins)
    {
        // The connector packages the command ships with register as any plugin does, before the plugins: a plugin
        // cannot take their names.
        var catalog = new ComponentCatalog().AddPostgres().AddRedis().AddNats();
        // The same assembly named twice (by two spellings of its path) would register its components twice.
        foreach (var plugin in plugins.DistinctBy(p => p.Path))
            Register(plugin, catalog);
        return catalog;
    }

    private static void Register(PluginReference plugin, ComponentCatalog catalog)
    {
        string name = Path.GetFileName(plugin.Path);
        if (Directory.Exists(plugin.Path))
            throw Problem(plugin, $"plugin '{name}' is a folder ({plugin.Path}), not an assembly: name the .dll in it");
        if (!File.Exists(plugin.Path))
            throw Problem(plugin, $"plugin '{name}' does not exist (looked for {plugin.Path}); build it, or correct the path");
        Type[] entries;
        try
        {
            Assembly assembly = new PluginLoadContext(plugin.Path).LoadFromAssemblyPath(plugin.Path);
            entries = assembly.GetExportedTypes()
                .Where(t => typeof(ISluicePlugin).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
                .ToArray();
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or FileNotFoundException or TypeLoadException)
        {
            throw Problem(plugin, $"plugin '{name}' cannot be loaded: {CliContext.OneLine(e.Message)}");
        }
        if (entries.Length == 0)
            throw Problem(plugin, $"plugin '{name}' has no public class implementing {typeof(ISluicePlugin).FullName}: add one whose Register adds your components");
        foreach (Type entry in entries)
        {
            try
            {
                ((ISluicePlugin)Activator.CreateInstance(entry)!).Register(catalog);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Exception cause = e is TargetInvocationException { InnerException: { } inner } ? inner : e;
                throw Problem(plugin, $"plugin '{name}' failed while registering its components ({entry.Name}): {CliContext.OneLine(cause.Message)}");
            }
        }
    }

    private static PipelineException Problem(PluginReference plugin, string message) => new(plugin.Location, message);
}
