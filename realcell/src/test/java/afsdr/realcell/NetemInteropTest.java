package afsdr.realcell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Netem against plain UDP sockets on 127.1.0.x (no cell needed). */
@Interop
class NetemInteropTest {

    private static final InetSocketAddress TARGET = new InetSocketAddress("127.1.0.4", 17005);
    private static final InetSocketAddress OTHER = new InetSocketAddress("127.1.0.4", 17006);
    private static final int COUNT = 400;

    /** One datagram received: its number and the time from its send to its receipt. */
    private record Arrival(int n, long delayNanos) {
    }

    /** Sends COUNT numbered 24-byte datagrams from 127.1.0.9 to {@code to}; returns the numbers received, in order. */
    private static List<Integer> sendAndReceive(InetSocketAddress to) throws Exception {
        return sendAndReceive(to, COUNT, 24, 0).stream().map(Arrival::n).toList();
    }

    /**
     * Sends {@code count} numbered datagrams of {@code size} (>= 24) bytes from 127.1.0.9 to {@code to}; returns
     * what was received, in order of arrival. The send time is in bytes 0-7, the number in bytes 12-15 (where an
     * Rx header has seq), the rest is zero: what a seeded Netem hashes (bytes 8-21) depends on the number only.
     * With {@code paceNanos} > 0, one datagram is sent every paceNanos (as far as the scheduler allows).
     */
    private static List<Arrival> sendAndReceive(InetSocketAddress to, int count, int size, long paceNanos)
            throws Exception {
        try (DatagramSocket receiver = new DatagramSocket(to);
             DatagramSocket sender = new DatagramSocket(new InetSocketAddress("127.1.0.9", 0))) {
            List<Arrival> got = new ArrayList<>();
            AtomicBoolean sent = new AtomicBoolean();
            AtomicInteger highest = new AtomicInteger(-1);
            Thread drain = new Thread(() -> {
                byte[] buf = new byte[size];
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
                        long now = System.nanoTime();
                        ByteBuffer b = ByteBuffer.wrap(p.getData(), 0, 16);
                        int n = b.getInt(12);
                        synchronized (got) {
                            got.add(new Arrival(n, now - b.getLong(0)));
                        }
                        highest.accumulateAndGet(n, Math::max);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            drain.start();
            byte[] out = new byte[size];
            long next = System.nanoTime();
            for (int i = 0; i < count; i++) {
                while (paceNanos > 0 && System.nanoTime() < next) {
                    Thread.onSpinWait();
                }
                next += paceNanos;
                ByteBuffer.wrap(out).putLong(0, System.nanoTime()).putInt(12, i);
                sender.send(new DatagramPacket(out, size, to));
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

    /** For each arrival: how many higher-numbered datagrams arrived before it (0 = in order). */
    private static int[] overtakenBy(List<Arrival> arrivals) {
        int[] result = new int[arrivals.size()];
        for (int i = 0; i < arrivals.size(); i++) {
            int n = arrivals.get(i).n();
            for (int j = 0; j < i; j++) {
                if (arrivals.get(j).n() > n) {
                    result[i]++;
                }
            }
        }
        return result;
    }

    private static String micros(List<Long> nanos) {
        if (nanos.isEmpty()) {
            return "none";
        }
        List<Long> sorted = nanos.stream().sorted().toList();
        return String.format("min %d p10 %d p50 %d p90 %d max %d us", sorted.get(0) / 1000,
                sorted.get(sorted.size() / 10) / 1000, sorted.get(sorted.size() / 2) / 1000,
                sorted.get(sorted.size() * 9 / 10) / 1000, sorted.get(sorted.size() - 1) / 1000);
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

    /**
     * Every 10th datagram of 1400 bytes waits in the slow lane (behind its ballast: at least 1428 bytes of
     * UDP at the lane's rate, 0.57 ms at 20 Mbit/s, 0.29 ms at 40 Mbit/s) while the others pass: none is lost,
     * and datagrams sent after a held-back one arrive before it. Sent as fast as possible, the held-back ones
     * queue up in the lane; paced at one per 100 us, each waits about its minimum. How many overtake it
     * depends on the scheduler, so only "some" is asserted; the figures are printed.
     */
    @ParameterizedTest(name = "pace {0} ns, lane {1} bit/s")
    @CsvSource({"0, 20000000", "100000, 40000000"})
    void reorderEveryNthHoldsPacketsBackWithoutLosingAny(long paceNanos, long laneRate) throws Exception {
        int count = 1000;
        List<Arrival> before = sendAndReceive(TARGET, count, 1400, paceNanos);
        try (Netem netem = Netem.builder().reorderEvery(10).slowLaneRate(laneRate).onlyUdpPorts(17005).apply()) {
            List<Arrival> got = sendAndReceive(TARGET, count, 1400, paceNanos);
            assertEquals(IntStream.range(0, count).boxed().toList(), got.stream().map(Arrival::n).sorted().toList(),
                    "every datagram arrives exactly once\n" + netem.ruleset());
            assertEquals(count / 10, netem.reordered());
            assertEquals(0, netem.slowLaneDrops());
            int[] overtaken = overtakenBy(got);
            List<Integer> heldOvertaken = new ArrayList<>();
            List<Long> heldDelay = new ArrayList<>();
            List<Long> otherDelay = new ArrayList<>();
            int othersOutOfOrder = 0;
            for (int i = 0; i < got.size(); i++) {
                if (got.get(i).n() % 10 == 9) {
                    heldOvertaken.add(overtaken[i]);
                    heldDelay.add(got.get(i).delayNanos());
                } else {
                    otherDelay.add(got.get(i).delayNanos());
                    othersOutOfOrder += overtaken[i] > 0 ? 1 : 0;
                }
            }
            long heldOutOfOrder = heldOvertaken.stream().filter(k -> k > 0).count();
            assertTrue(heldOutOfOrder > 0, "no held-back datagram was overtaken: " + heldOvertaken);
            List<Integer> sorted = heldOvertaken.stream().sorted().toList();
            System.out.printf("reorderEvery(10), lane %d bit/s, pace %d ns, %d datagrams of 1400 bytes: %d of %d"
                            + " held back arrived out of order, overtaken by p10/p50/p90/max %d/%d/%d/%d datagrams;"
                            + " others out of order: %d; delay held back %s, others %s, all without Netem %s%n",
                    laneRate, paceNanos, count, heldOutOfOrder, heldOvertaken.size(), sorted.get(sorted.size() / 10),
                    sorted.get(sorted.size() / 2), sorted.get(sorted.size() * 9 / 10), sorted.get(sorted.size() - 1),
                    othersOutOfOrder, micros(heldDelay), micros(otherDelay),
                    micros(before.stream().map(Arrival::delayNanos).toList()));
        }
        assertEquals("qdisc noqueue", tcRootQdisc(), "lo's root qdisc was not removed");
        assertEquals(IntStream.range(0, count).boxed().toList(),
                sendAndReceive(TARGET, count, 1400, 0).stream().map(Arrival::n).toList(), "in order after close");
    }

    /**
     * Random loss, duplication and reordering at once: every datagram that entered the input hook (the sent
     * ones and the duplicates) was either dropped or received, and the slow lane lost none.
     */
    @Test
    void randomLossDuplicationAndReorderingAddUp() throws Exception {
        int count = 1000;
        try (Netem netem = Netem.builder().lossPercent(5).duplicatePercent(5).reorderPercent(10)
                .onlyUdpPorts(17005).apply()) {
            List<Arrival> got = sendAndReceive(TARGET, count, 1400, 0);
            assertEquals(0, netem.slowLaneDrops());
            assertEquals(count + netem.duplicated() - netem.dropped(), got.size(), netem.ruleset());
            assertTrue(netem.dropped() > 0 && netem.duplicated() > 0 && netem.reordered() > 0,
                    "dropped " + netem.dropped() + " duplicated " + netem.duplicated() + " reordered "
                            + netem.reordered());
            long outOfOrder = Arrays.stream(overtakenBy(got)).filter(k -> k > 0).count();
            System.out.printf("loss 5%% dup 5%% reorder 10%%, %d datagrams: received %d, dropped %d, duplicated %d,"
                            + " held back %d, arrived out of order %d%n", count, got.size(), netem.dropped(),
                    netem.duplicated(), netem.reordered(), outOfOrder);
        }
    }

    /** The first two words of lo's root qdisc, e.g. "qdisc noqueue" (what the namespace starts with). */
    /**
     * Seeded: each datagram's fate is a hash of its bytes 8-21 (here: its number) and the seed, so two runs with
     * one seed lose, duplicate and hold back the same datagrams, and another seed picks others.
     */
    @Test
    void seededDecisionsRepeatForTheSameSeed() throws Exception {
        int count = 1000;
        String first = seededRun(7, count);
        assertEquals(first, seededRun(7, count), "same seed, same fate for every datagram");
        assertNotEquals(first, seededRun(8, count), "another seed, other datagrams");
        System.out.println("seeded (7) loss 20% dup 10% reorder 10%, " + count + " datagrams: "
                + first.substring(0, first.indexOf('\n')));
    }

    /** The counters and which datagrams arrived how often (not the order: that depends on timing). */
    private static String seededRun(long seed, int count) throws Exception {
        try (Netem netem = Netem.builder().lossPercent(20).duplicatePercent(10).reorderPercent(10).seed(seed)
                .onlyUdpPorts(17005).apply()) {
            List<Integer> got = sendAndReceive(TARGET, count, 1400, 0).stream().map(Arrival::n).sorted().toList();
            assertEquals(count + netem.duplicated() - netem.dropped(), got.size(), netem.ruleset());
            assertTrue(netem.dropped() > count / 10 && netem.dropped() < count * 3 / 10, "dropped " + netem.dropped());
            assertTrue(netem.duplicated() > count / 20 && netem.duplicated() < count * 3 / 20,
                    "duplicated " + netem.duplicated());
            return "dropped " + netem.dropped() + " duplicated " + netem.duplicated() + " held back "
                    + netem.reordered() + "\n" + got;
        }
    }

    private static String tcRootQdisc() throws Exception {
        String[] words = tc("qdisc", "show", "dev", "lo", "root").strip().split("\\s+");
        return words.length >= 2 ? words[0] + " " + words[1] : String.join(" ", words);
    }

    private static String tc(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Netem.TC));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), cmd + ": " + out);
        return out;
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

    @Test
    void reorderingRefusesSomeoneElsesRootQdiscAndLeavesItAlone() throws Exception {
        tc("qdisc", "add", "dev", "lo", "root", "tbf", "rate", "1gbit", "burst", "64k", "latency", "10ms");
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Netem.builder().reorderEvery(2).onlyUdpPorts(17007).apply());
            assertTrue(e.getMessage().contains("already has a root qdisc"), e.getMessage());
            assertEquals("qdisc tbf", tcRootQdisc());
            // nothing of the refused one is left: a new Netem can start
            try (Netem loss = Netem.builder().lossEvery(2).onlyUdpPorts(17007).apply()) {
                assertEquals(0, loss.dropped());
            }
        } finally {
            tc("qdisc", "del", "dev", "lo", "root");
        }
    }
}
