using Sluice.Pipelines;
namespace Sluice;

public enum StageKind
{
    Source,
    Contract,
    Transform,
    Sink,
}
