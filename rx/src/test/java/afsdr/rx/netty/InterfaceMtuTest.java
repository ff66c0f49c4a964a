package afsdr.rx.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class InterfaceMtuTest {
    private static int a(String dotted) throws Exception {
        return InterfaceMtu.toInt(InetAddress.getByName(dotted).getAddress());
    }

    private static InterfaceMtu host(AtomicLong clock, AtomicInteger reads) throws Exception {
        List<InterfaceMtu.Entry> t = List.of(
            new InterfaceMtu.Entry(a("127.0.0.1"), 8, 65536, true),
            new InterfaceMtu.Entry(a("10.1.2.3"), 24, 9000, false),
            new InterfaceMtu.Entry(a("192.168.1.5"), 24, 1500, false),
            new InterfaceMtu.Entry(a("172.16.0.9"), 30, 1400, false));
        return new InterfaceMtu(() -> {
            reads.incrementAndGet();
            return t;
        }, clock::get);
    }

    @Test
    void packetSizeFollowsTheInterfaceThePeerIsOn() throws Exception {
        InterfaceMtu m = host(new AtomicLong(), new AtomicInteger());
        // this host: loopback MTU, capped at RX_MAX_PACKET_SIZE
        assertEquals(16384, m.packetSizeFor(InetAddress.getByName("127.1.0.5")));
        assertEquals(16384, m.packetSizeFor(InetAddress.getByName("127.0.0.1")));
        // an attached subnet: its MTU less RX_IPUDP_SIZE, as OpenAFS computes peer->ifMTU
        assertEquals(8944, m.packetSizeFor(InetAddress.getByName("10.1.2.77")));
        assertEquals(1444, m.packetSizeFor(InetAddress.getByName("192.168.1.200")));
        assertEquals(1344, m.packetSizeFor(InetAddress.getByName("172.16.0.10")), "a smaller MTU lowers it");
        // our own address on that interface
        assertEquals(8944, m.packetSizeFor(InetAddress.getByName("10.1.2.3")));
        // routed, or IPv6: RX_REMOTE_PACKET_SIZE, whatever the local interfaces carry
        assertEquals(1444, m.packetSizeFor(InetAddress.getByName("10.1.3.1")));
        assertEquals(1444, m.packetSizeFor(InetAddress.getByName("8.8.8.8")));
        assertEquals(1444, m.packetSizeFor(InetAddress.getByName("::1")));
    }

    @Test
    void anUnreadableTableMeansTheConservativeSizeEvenForThisHost() {
        InterfaceMtu m = new InterfaceMtu(() -> {
            throw new SocketException("no interfaces");
        }, () -> 0L);
        assertEquals(1444, m.packetSizeFor(InetAddress.getLoopbackAddress()));
    }

    @Test
    void theTableIsReadAgainOnlyAfterTheRefreshInterval() throws Exception {
        AtomicLong clock = new AtomicLong(5);
        AtomicInteger reads = new AtomicInteger();
        InterfaceMtu m = host(clock, reads);
        for (int i = 0; i < 100; i++) {
            m.packetSizeFor(InetAddress.getByName("10.1.2.77"));
        }
        assertEquals(1, reads.get());
        clock.addAndGet(InterfaceMtu.REFRESH_NANOS);
        m.packetSizeFor(InetAddress.getByName("10.1.2.77"));
        assertEquals(2, reads.get());
    }

    @Test
    void theHostsOwnTableGivesLoopbackItsMtu() {
        // the test namespaces have lo up with its usual 65536-byte MTU
        assertEquals(16384, InterfaceMtu.system().packetSizeFor(InetAddress.getLoopbackAddress()));
    }
}
