using Sluice.Configuration;
namespace Sluice.Extensibility;

/// <summary>
/// What an assembly of your own components exposes so that the <c>sluice</c> command can use them: a public class
/// with a public parameterless constructor implementing this interface. When a pipeline file lists the assembly under
/// <c>plugins:</c> (or <c>sluice schema --plugin</c> names it), the command creates the class once and calls
/// <see cref="Register"/> before it reads the file. See docs/extending.md.
/// </summary>
public interface ISluicePlugin
{
    /// <summary>Adds the assembly's components (<see cref="ComponentCatalog.Register"/>, <c>AddTransform</c> …). An
    /// exception thrown here stops the command with its message (exit code 2).</summary>
    void Register(ComponentCatalog catalog);
}
