package afsdr.realcell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Netem against plain UDP sockets on 127.1.0.x (no cell needed). */
@Interop
class NetemInteropTest {

    private static final InetSocketAddress TARGET = new InetSocketAddress("127.1.0.4", 17005);
    private static final InetSocketAddress OTHER = new InetSocketAddress("127.1.0.4", 17006);
    private static final int COUNT = 400;

    /** Sends COUNT numbered datagrams from 127.1.0.9 to {@code to}; returns the numbers received, in order. */
    private static List<Integer> sendAndReceive(InetSocketAddress to) throws Exception {
        try (DatagramSocket receiver = new DatagramSocket(to);
             DatagramSocket sender = new DatagramSocket(new InetSocketAddress("127.1.0.9", 0))) {
            List<Integer> got = new ArrayList<>();
            AtomicBoolean sent = new AtomicBoolean();
            AtomicInteger highest = new AtomicInteger(-1);
            Thread drain = new Thread(() -> {
                byte[] buf = new byte[16];
                try {
                    receiver.setSoTimeout(300);
                    while (true) {
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        try {
                            receiver.receive(p);
                        } catch (SocketTimeoutException e) {
                            if (sent.get()) {
                                return;
                            }
                            continue;
                        }
                        int n = ByteBuffer.wrap(p.getData(), 0, 4).getInt();
                        synchronized (got) {
                            got.add(n);
                        }
                        highest.accumulateAndGet(n, Math::max);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            drain.start();
            for (int i = 0; i < COUNT; i++) {
                sender.send(new DatagramPacket(ByteBuffer.allocate(4).putInt(i).array(), 4, to));
                if (i % 50 == 49) {
                    // Small batches, each drained before the next is sent: an overflowing receive
                    // buffer (a starved drain thread on a loaded machine) would look like loss. The
                    // wait ends when one of the batch's last ten packets arrived (all ten lost even
                    // at 30 % random loss: p < 1e-5) or after two seconds.
                    long until = System.nanoTime() + 2_000_000_000L;
                    while (highest.get() < i - 10 && System.nanoTime() < until) {
                        Thread.sleep(1);
                    }
                }
            }
            sent.set(true);
            drain.join();
            synchronized (got) {
                return new ArrayList<>(got);
            }
        }
    }

    @Test
    void lossEveryNthIsExactAndOnlyOnTheSelectedEndpoint() throws Exception {
        assertEquals(COUNT, sendAndReceive(TARGET).size(), "loss before Netem was applied");
        try (Netem netem = Netem.builder().lossEvery(4).onlyHosts("127.1.0.4").onlyUdpPorts(17005).apply()) {
            List<Integer> got = sendAndReceive(TARGET);
            assertEquals(COUNT - COUNT / 4, got.size(), netem.ruleset());
            assertTrue(got.stream().noneMatch(i -> i % 4 == 3), "the every-4th packets were not the ones lost");
            assertEquals(COUNT / 4, netem.dropped());
            assertEquals(COUNT, sendAndReceive(OTHER).size(), "another port was impaired");
        }
        assertEquals(COUNT, sendAndReceive(TARGET).size(), "loss after Netem was closed");
    }

    @Test
    void duplicateEveryNth() throws Exception {
        try (Netem netem = Netem.builder().duplicateEvery(5).onlyUdpPorts(17005).apply()) {
            List<Integer> got = sendAndReceive(TARGET);
            assertEquals(COUNT + COUNT / 5, got.size(), netem.ruleset());
            assertEquals(COUNT, got.stream().distinct().count());
            assertEquals(COUNT / 5, netem.duplicated());
        }
    }

    @Test
    void randomLossLosesSomeButNotAll() throws Exception {
        try (Netem netem = Netem.builder().lossPercent(30).onlyUdpPorts(17005).apply()) {
            int got = sendAndReceive(TARGET).size();
            // 400 draws at p=0.3: mean 120 lost, sd ~9; the bounds are > 6 sd away
            assertTrue(got > COUNT - 180 && got < COUNT - 60, "received " + got + " of " + COUNT);
            assertEquals(COUNT - got, netem.dropped());
        }
    }

    @Test
    void secondNetemInTheSameNamespaceIsRefused() {
        try (Netem first = Netem.builder().lossEvery(2).onlyUdpPorts(17007).apply()) {
            assertEquals(0, first.dropped());
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Netem.builder().lossEvery(3).apply());
            assertTrue(e.getMessage().contains("another Netem"), e.getMessage());
        }
    }
}
