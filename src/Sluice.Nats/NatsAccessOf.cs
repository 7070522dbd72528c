using Sluice.Extensibility;

namespace Sluice.Nats;

/// <summary>Resolves the connection options of a source or sink when it is built.</summary>
internal static class NatsAccessOf
{
    /// <summary>The server access; null when a secret's environment variable is unset while the pipeline is only
    /// checked (then the server is not checked); a <see cref="PipelineException"/> when the options cannot work.</summary>
    public static NatsAccess? Resolve(string url, string? user, string? password, string? token, SourceLocation? location, BuildContext context)
    {
        string? Expand(string? text, string option)
        {
            if (text is null)
            {
                return null;
            }
            if (EnvironmentReferences.Expand(text, out string? missing) is { } resolved)
            {
                return resolved;
            }
            if (!context.ResolveSecrets)
            {
                throw new MissingSecret();
            }
            throw new PipelineException(location, Located(context, $"{option} needs the environment variable {missing}, which is not set"));
        }
        try
        {
            string resolvedUrl = Expand(url, "url")!;
            var access = NatsAccess.TryCreate(resolvedUrl, Expand(user, "user"), Expand(password, "password"), Expand(token, "token"), out string? problem);
            return access ?? throw new PipelineException(location, Located(context, problem!));
        }
        catch (MissingSecret)
        {
            return null;
        }
    }

    public static string Located(BuildContext context, string message) =>
        context.StageName.Length == 0 ? message : $"stage '{context.StageName}': {message}";

    private sealed class MissingSecret : Exception;
}
