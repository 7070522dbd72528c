namespace Sluice.Dashboard;

/// <summary>What <see cref="Microsoft.AspNetCore.Builder.SluiceDashboardEndpointRouteBuilderExtensions.MapSluiceDashboard"/>
/// serves and who may see it.</summary>
public sealed class SluiceDashboardOptions
{
    /// <summary>The state file (SQLite) whose runs and dead letters are shown. Required. It need not exist yet: the
    /// pages say so until a pipeline has run with it.</summary>
    public string StatePath { get; set; } = "";

    /// <summary>Where the dashboard is mounted: its pages under this path, its API under this path + <c>/api</c>.
    /// The default value is <c>/sluice</c>; <c>""</c> mounts it at the root.</summary>
    public string PathPrefix { get; set; } = "/sluice";

    /// <summary>A bearer token that grants both roles (read and write): sent as <c>Authorization: Bearer …</c> or
    /// typed into the login form. Null for none.</summary>
    public string? Token { get; set; }

    /// <summary>Users who log in with a password (see <see cref="DashboardUser"/>). With neither a token nor users,
    /// the dashboard answers only requests from the local machine (loopback), and the local user has both roles.</summary>
    public IList<DashboardUser> Users { get; } = [];

    /// <summary>The pipeline files (YAML) replay may use: a letter of pipeline P is replayed through the file whose
    /// <c>name:</c> is P, read again at each replay (as it is after the fix). Without one, the dashboard says so
    /// instead of replaying.</summary>
    public IList<string> PipelineFiles { get; } = [];

    /// <summary>How a pipeline file is read for a replay (to give it plugins or parameters); the default value
    /// reads it with the built-in components (<see cref="PipelineFile.Parse"/>).</summary>
    public Func<string, PipelineDefinition>? LoadPipeline { get; set; }

    /// <summary>Whether authentication is configured (a token or at least one user).</summary>
    public bool RequiresLogin => Token is not null || Users.Count > 0;
}
