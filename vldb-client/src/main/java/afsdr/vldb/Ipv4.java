package afsdr.vldb;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The VLDB's server numbers: an IPv4 address as a host-order integer, a.b.c.d =
 * a&lt;&lt;24|b&lt;&lt;16|c&lt;&lt;8|d (vldb.md §3.1).
 */
public final class Ipv4 {
    private Ipv4() {
    }

    public static Inet4Address toAddress(int server) {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[] {
                (byte) (server >>> 24), (byte) (server >>> 16), (byte) (server >>> 8), (byte) server});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    public static int toInt(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length != 4) {
            throw new IllegalArgumentException("not IPv4: " + a);
        }
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    /** Dotted quad. */
    public static String format(int server) {
        return (server >>> 24) + "." + ((server >>> 16) & 0xff) + "." + ((server >>> 8) & 0xff) + "." + (server & 0xff);
    }
}
