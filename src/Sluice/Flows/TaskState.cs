namespace Sluice.Flows;

/// <summary>Where a task (or one mapped instance) stands; every change is recorded in the state store.</summary>
public enum TaskState
{
    /// <summary>Waiting for the tasks it depends on, a slot or a tag.</summary>
    Pending,
    Running,
    Completed,
    /// <summary>Its last attempt failed (or timed out) and no retry is left.</summary>
    Failed,
    /// <summary>Not run: a result with the same cache key was there.</summary>
    Cached,
    /// <summary>Not run: a task it depends on failed, was skipped or was cancelled.</summary>
    Skipped,
    Cancelled,
    /// <summary>The process running it died; a resumed flow run runs it again.</summary>
    Crashed,
}
