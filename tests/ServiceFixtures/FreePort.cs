using System.Net;
using System.Net.Sockets;

namespace Sluice.ServiceFixtures;

/// <summary>A loopback TCP port nothing listens on right now, for a private server to take.</summary>
public static class FreePort
{
    public static int Next()
    {
        // Port 0 makes the kernel pick a free one; the listener is closed at once so the server can bind it.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
