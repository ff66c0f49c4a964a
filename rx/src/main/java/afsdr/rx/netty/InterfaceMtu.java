package afsdr.rx.netty;

import afsdr.rx.packet.RxConstants;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The largest Rx packet (header + data) to send to a peer without IP fragmentation, from the
 * host's interfaces, as OpenAFS's rxi_InitPeerParams does with rx_GetIFInfo's table: a peer on
 * a directly attached IPv4 subnet gets that interface's MTU less RX_IPUDP_SIZE (56: the IPv6,
 * fragment and UDP headers OpenAFS subtracts even for IPv4), any other peer RX_REMOTE_PACKET_SIZE
 * (1444, what a 1500-byte path allows). One difference: OpenAFS leaves loopback out of its table,
 * so a peer on the same host gets 1444 there; here it gets the loopback MTU (64 KiB, capped at
 * RX_MAX_PACKET_SIZE), since a datagram to this host is never fragmented.
 *
 * <p>On a 1500-byte Ethernet this is 1444 either way, the size every Rx peer used before; it is
 * larger only to this host and on links with a larger MTU (9000-byte "jumbo frames": 8944). The
 * peer still caps it with the maxMTU of its ack trailers (a stock volserver says 1444).
 *
 * <p>The interface table is read at most every {@link #REFRESH_NANOS} (an interface may come up
 * or change its MTU); the lookup itself only walks that table.
 */
public final class InterfaceMtu {
    /** RX_IPUDP_SIZE, rx_globals.h: IPv6 40 + fragment 8 + UDP 8, subtracted from an interface MTU. */
    static final int RX_IPUDP_SIZE = 56;
    /** How long a read interface table is used. */
    static final long REFRESH_NANOS = 60_000_000_000L;

    /** One IPv4 address of an up interface: address, prefix length, interface MTU, loopback. */
    record Entry(int address, int prefixLength, int mtu, boolean loopback) {
    }

    /** Reads the table (tests supply their own). */
    interface Source {
        List<Entry> read() throws SocketException;
    }

    private final Source source;
    private final LongSupplier clock;
    private volatile List<Entry> table;
    private volatile long readAt;

    InterfaceMtu(Source source, LongSupplier clock) {
        this.source = source;
        this.clock = clock;
    }

    /** The host's interfaces, through {@link NetworkInterface}. */
    public static InterfaceMtu system() {
        return new InterfaceMtu(InterfaceMtu::readSystem, System::nanoTime);
    }

    /** Largest Rx packet for {@code peer}; RX_REMOTE_PACKET_SIZE when nothing better is known. */
    public int packetSizeFor(InetAddress peer) {
        if (!(peer instanceof Inet4Address)) {
            return RxConstants.RX_REMOTE_PACKET_SIZE;
        }
        int a = toInt(peer.getAddress());
        List<Entry> t = table();
        int best = -1;
        for (Entry e : t) {
            boolean here = a == e.address || (e.loopback && peer.isLoopbackAddress());
            if (here) {
                return fit(e.mtu);
            }
            int mask = e.prefixLength == 0 ? 0 : -1 << (32 - e.prefixLength);
            if (e.prefixLength > 0 && (a & mask) == (e.address & mask)) {
                // on several attached subnets at once (unusual): the smallest MTU is safe on all
                best = best < 0 ? e.mtu : Math.min(best, e.mtu);
            }
        }
        if (best < 0 && peer.isLoopbackAddress()) {
            // 127/8 goes to the loopback interface even when it has no address of that subnet
            for (Entry e : t) {
                if (e.loopback) {
                    return fit(e.mtu);
                }
            }
        }
        return best < 0 ? RxConstants.RX_REMOTE_PACKET_SIZE : fit(best);
    }

    private static int fit(int interfaceMtu) {
        int p = interfaceMtu - RX_IPUDP_SIZE;
        return Math.max(RxConstants.RX_MIN_PACKET_SIZE, Math.min(p, RxConstants.RX_MAX_PACKET_SIZE));
    }

    private List<Entry> table() {
        List<Entry> t = table;
        long now = clock.getAsLong();
        if (t == null || now - readAt >= REFRESH_NANOS) {
            try {
                t = List.copyOf(source.read());
            } catch (SocketException | RuntimeException e) {
                // unreadable: no interface is known, every peer gets the conservative size
                t = List.of();
            }
            table = t;
            readAt = now;
        }
        return t;
    }

    private static List<Entry> readSystem() throws SocketException {
        List<Entry> out = new ArrayList<>();
        Enumeration<NetworkInterface> ifs = NetworkInterface.getNetworkInterfaces();
        while (ifs != null && ifs.hasMoreElements()) {
            NetworkInterface ni = ifs.nextElement();
            if (!ni.isUp()) {
                continue;
            }
            int mtu = ni.getMTU();
            if (mtu <= 0) {
                continue;
            }
            for (InterfaceAddress ia : ni.getInterfaceAddresses()) {
                if (ia.getAddress() instanceof Inet4Address v4) {
                    out.add(new Entry(toInt(v4.getAddress()), ia.getNetworkPrefixLength(), mtu, ni.isLoopback()));
                }
            }
        }
        return out;
    }

    static int toInt(byte[] b) {
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | b[3] & 0xff;
    }
}
