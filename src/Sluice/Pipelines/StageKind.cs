namespace Sluice.Pipelines;

public enum StageKind
{
    Source,
    Contract,
    Transform,
    Sink,
}
