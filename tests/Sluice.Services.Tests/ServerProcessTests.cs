using Sluice.ServiceFixtures;

namespace Sluice.Services.Tests;

/// <summary>A server binary that is not installed fails the test that needs it, saying which package to install.</summary>
public sealed class ServerProcessTests
{
    [Fact]
    public void A_missing_binary_is_named_with_the_Debian_package_and_how_to_install_it()
    {
        var missing = Assert.Throws<FileNotFoundException>(() => ServerProcess.Locate("sluice-no-such-server", "sluice-no-such-package"));

        Assert.Equal(
            "sluice-no-such-server is not installed: apt-get install sluice-no-such-package (./test.sh installs it when run as root)",
            missing.Message);
    }
}
