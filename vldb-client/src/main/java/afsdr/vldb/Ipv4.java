package afsdr.vldb;

import java.io.IOException;
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

    /**
     * A dotted quad as the OpenAFS configuration files write it (CellServDB, NetInfo, NetRestrict):
     * four decimal parts of at most three digits, each 0..255, nothing else.
     *
     * @param where names the text's origin (file, file:line) in the error message
     */
    public static Inet4Address parse(String s, String where) throws IOException {
        String[] p = s.split("\\.", -1);
        if (p.length != 4) {
            throw new IOException(where + ": not an IPv4 address: " + s);
        }
        int v = 0;
        for (String part : p) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
                throw new IOException(where + ": not an IPv4 address: " + s);
            }
            int b = Integer.parseInt(part);
            if (b > 255) {
                throw new IOException(where + ": not an IPv4 address: " + s);
            }
            v = (v << 8) | b;
        }
        return toAddress(v);
    }

    /** Dotted quad. */
    public static String format(int server) {
        return (server >>> 24) + "." + ((server >>> 16) & 0xff) + "." + ((server >>> 8) & 0xff) + "." + (server & 0xff);
    }
}
