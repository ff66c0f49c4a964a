package afsdr.rx.proto;

import static afsdr.rx.packet.RxConstants.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * Loss recovery of the send side, without sockets: on the in-memory {@link Wire} for the single
 * rules, and over the simulated {@link LossyLink} (virtual time, seeded loss) for the figures.
 */
class RxLossRecoveryTest {
    static RxConfig javaPeer() {
        return RxConfig.defaults().withRto(TimeUnit.MILLISECONDS.toNanos(5), TimeUnit.MILLISECONDS.toNanos(5),
                TimeUnit.MILLISECONDS.toNanos(200));
    }

    static Wire javaWire() {
        Wire w = new Wire(javaPeer());
        w.server.addService(RxStateMachineTest.SVC,
                java.util.Map.<Integer, afsdr.rx.security.ServerSecurity>of(0, afsdr.rx.security.RxNullSecurity.INSTANCE));
        return w;
    }

    /** A wire whose client connection has an RTT sample and a call with {@code packets} queued. */
    private static RxCallState warmCall(Wire w, int cwind, int packets) {
        RxConnection conn = RxStateMachineTest.connect(w);
        RxCallState warm = conn.newClientCall(w.now);
        w.send(warm, RxStateMachineTest.bytes(10, 0), true);
        w.now += 300_000; // the RTT sample: 0.3 ms
        w.deliver();
        RxCallState sw = w.dispatched.get(0);
        w.readAll(sw);
        w.send(sw, new byte[0], true);
        w.deliver();
        w.readAll(warm);
        warm.clientEnded();
        w.advance(5, 5);
        RxCallState c = conn.newClientCall(w.now);
        c.cwind = cwind;
        int cap = c.userCapacity();
        for (int i = 0; i < packets; i++) {
            c.queueSend(w.packet(c, RxStateMachineTest.bytes(cap, i)), cap, i == packets - 1);
        }
        c.clientRequestDone();
        return c;
    }

    private static Set<Integer> resentSeqs(Wire w, RxCallState c) {
        Set<Integer> seen = new HashSet<>();
        Set<Integer> resent = new HashSet<>();
        for (Wire.Sent s : w.sent(true, Wire.DATA)) {
            if (s.header().callNumber != c.callNumber()) {
                continue;
            }
            if (!seen.add(s.header().seq)) {
                resent.add(s.header().seq);
            }
        }
        return resent;
    }

    @Test
    void onlyTheNackedPacketsAreSentAgain() {
        Wire w = javaWire();
        Set<Integer> lose = Set.of(3, 7, 12);
        RxCallState c = warmCall(w, 30, 30);
        Set<Integer> dropped = new HashSet<>();
        w.drop = s -> s.toServer() && s.header().type == Wire.DATA && lose.contains(s.header().seq)
                && dropped.add(s.header().seq);
        c.pump(w.now, w.clientOut);
        w.deliver();
        assertEquals(lose, resentSeqs(w, c), "retransmitted exactly the lost packets, on the NACKs");
        assertEquals(0, w.client.stats().rtoEvents);
        RxCallState s = w.dispatched.get(1);
        assertEquals(30 * c.userCapacity(), w.readAll(s).length);
        assertTrue(s.inputEnded());
    }

    @Test
    void lossesOfOneWindowReduceItOnceAndNotBelowTheFloor() {
        Wire w = javaWire();
        RxCallState c = warmCall(w, 100, 100);
        Set<Integer> dropped = new HashSet<>();
        w.drop = s -> s.toServer() && s.header().type == Wire.DATA && (s.header().seq == 5 || s.header().seq == 50)
                && dropped.add(s.header().seq);
        c.pump(w.now, w.clientOut);
        w.deliver();
        // two losses in one flight: one multiplicative decrease (to 70 %), then growth again
        assertEquals(1, w.client.stats().lossEvents);
        // (the window grew while the flight was acked, before the first NACK: 70 % of that)
        assertTrue(c.ssthresh >= 70 && c.ssthresh < 80, "ssthresh " + c.ssthresh);

        Wire w2 = javaWire();
        RxCallState c2 = warmCall(w2, 36, 36);
        Set<Integer> dropped2 = new HashSet<>();
        w2.drop = s -> s.toServer() && s.header().type == Wire.DATA && s.header().seq == 2
                && dropped2.add(s.header().seq);
        c2.pump(w2.now, w2.clientOut);
        w2.deliver();
        assertEquals(1, w2.client.stats().lossEvents);
        assertEquals(RxCallState.LOSS_FLOOR, c2.ssthresh, "36 * 0.7 is below the floor");
        assertTrue(c2.cwind >= RxCallState.LOSS_FLOOR, "window " + c2.cwind + " never collapses to 1 on a NACK");
    }

    @Test
    void aLongReadBatchIsAckedEveryFewPackets() {
        Wire w = javaWire();
        RxCallState c = warmCall(w, 64, 64);
        int acksBefore = w.sent(false, Wire.ACK).size();
        // the whole flight reaches the server as one read batch (Wire flushes acks when quiet)
        c.pump(w.now, w.clientOut);
        w.deliver();
        int acks = w.sent(false, Wire.ACK).size() - acksBefore;
        assertTrue(acks >= 64 / RxCallState.ACK_BATCH_SPLIT,
                "acks for a 64-packet batch: " + acks + " (one lost ack must not silence the flight)");
        assertTrue(acks <= 64 / 2, "but not one per packet: " + acks);
    }

    @Test
    void aTimeoutThatWasOnlyLateIsUndone() {
        Wire w = javaWire();
        RxCallState c = warmCall(w, 20, 20);
        // the server gets the flight, but its acks are late (a stalled event loop), not lost
        w.hold = s -> !s.toServer() && s.header().type == Wire.ACK;
        c.pump(w.now, w.clientOut);
        w.deliver();
        int cwindBefore = c.cwind;
        w.advance(12, 5);
        assertEquals(1, w.client.stats().rtoEvents, "the silence ran into a timeout");
        assertTrue(c.cwind < cwindBefore);
        w.hold = s -> false;
        w.releaseHeld();
        w.deliver();
        assertEquals(1, w.client.stats().spuriousRtos, "the first late ack echoes a serial sent before the RTO");
        assertTrue(c.cwind >= cwindBefore, "window restored: " + c.cwind + " < " + cwindBefore);
        assertEquals(20 * c.userCapacity(), w.readAll(w.dispatched.get(1)).length);
    }

    @Test
    void aTimeoutAfterRealLossIsKept() {
        Wire w = javaWire();
        RxCallState c = warmCall(w, 20, 20);
        long sentAt = w.now;
        // the flight and the tail-loss probe 5 ms later are lost
        w.drop = s -> s.toServer() && s.header().type == Wire.DATA && s.at() < sentAt + 6_000_000;
        c.pump(w.now, w.clientOut);
        w.deliver();
        w.advance(60, 5);
        assertTrue(w.client.stats().rtoEvents >= 1);
        assertEquals(0, w.client.stats().spuriousRtos, "acks answer the retransmissions: a genuine timeout");
        assertEquals(20 * c.userCapacity(), w.readAll(w.dispatched.get(1)).length);
    }

    @Test
    void timeoutBackoffEndsWithTheFirstProgress() {
        Wire w = javaWire();
        RxCallState c = warmCall(w, 4, 40);
        long base = c.rto();
        w.drop = s -> true; // peer unreachable for a while: timeouts back off
        c.pump(w.now, w.clientOut);
        w.advance(200, 5);
        assertTrue(c.rto() >= 4 * base, "backed off: " + c.rto() + " vs " + base);
        w.drop = s -> false;
        w.advance(2_000, 5);
        assertEquals(40 * c.userCapacity(), w.readAll(w.dispatched.get(1)).length, "the peer came back");
        assertEquals(base, c.rto(), "an ack that acknowledges something resets the backoff");
    }

    /**
     * Figures: a 28 MB upload over a simulated 0.1 ms, 400 MB/s path with 1 % duplication and
     * 2 % reordering, at 0, 5 and 20 % loss either way. Virtual time makes them deterministic,
     * so the lower bound below tests the algorithm, not the machine.
     */
    @Test
    void bulkUploadUnderRandomLossKeepsMostOfItsRate() {
        keepsRateUnderLoss("simulated upload", (loss, seed) -> new LossyLink(javaPeer(), 50, 400, loss, seed));
    }

    /**
     * Uploads 20 000 packets at 0, 5 and 20 % loss, two seeds each, with 1 % duplication and 2 %
     * reordering, over the links {@code link} makes; under loss the rate must keep a quarter of
     * the clean rate, with at most 5 retransmission timeouts.
     */
    private static void keepsRateUnderLoss(String what, BiFunction<Double, Long, LossyLink> link) {
        double clean = 0;
        for (double loss : new double[] {0, 0.05, 0.2}) {
            for (long seed = 1; seed <= 2; seed++) {
                LossyLink l = link.apply(loss, seed);
                l.duplicate = 0.01;
                l.reorder = 0.02;
                LossyLink.Result r = l.upload(20_000, 60);
                System.out.println(what + ", loss " + loss + ", seed " + seed + ": " + r);
                if (loss == 0) {
                    clean = Math.max(clean, r.megabytesPerSecond());
                } else {
                    assertKeptRate(r, loss, clean);
                }
            }
        }
    }

    private static void assertKeptRate(LossyLink.Result r, double loss, double clean) {
        assertTrue(r.megabytesPerSecond() >= clean / 4,
                "at loss " + loss + " the rate fell to " + r + " (clean " + clean + ")");
        assertTrue(r.clientStats().rtoEvents <= 5, "timeouts: " + r);
    }

    /**
     * Between two peers like us on one host (jumbograms on), datagrams carry up to 11 packets,
     * which tells the receiver that the sender is one of us: it acks every
     * {@link RxCallState#JUMBO_ACK_EVERY} packets instead of every few, and loss recovery keeps
     * working with those sparser acks. To another host jumbograms stay at the stock 6 packets and
     * are acked at the stock rates, as are plain datagrams.
     */
    @Test
    void jumbogramsOnThisHostAreLargeAndAckedSparsely() {
        LossyLink plain = new LossyLink(javaPeer(), 50, 400, 0, 1);
        plain.upload(20_000, 60);
        long plainAcks = plain.server.stats().ackPacketsSent;
        assertTrue(plainAcks >= 20_000 / RxCallState.ACK_BATCH_SPLIT, "plain sender acked as before: " + plainAcks);
        double clean = 0;
        for (double loss : new double[] {0, 0.05}) {
            for (long seed = 1; seed <= 2; seed++) {
                LossyLink l = new LossyLink(javaPeer().withJumbo(true), 50, 400, loss, seed);
                l.duplicate = 0.01;
                l.reorder = 0.02;
                LossyLink.Result r = l.upload(20_000, 60);
                long acks = l.server.stats().ackPacketsSent;
                System.out.println("simulated jumbogram upload on this host, loss " + loss + ", seed " + seed + ": " + r
                        + ", ACKs " + acks);
                if (loss == 0) {
                    clean = Math.max(clean, r.megabytesPerSecond());
                    assertTrue(r.datagrams() < 20_000 / RX_MAX_DGRAM_PACKETS,
                            "more than " + RX_MAX_DGRAM_PACKETS + " packets per jumbogram on this host: " + r);
                    assertTrue(acks <= 20_000 / (RxCallState.JUMBO_ACK_EVERY / 2),
                            "acked every " + 20_000 / acks + " packets");
                    assertTrue(acks < plainAcks / 2, acks + " ACKs vs " + plainAcks + " for plain datagrams");
                } else {
                    assertKeptRate(r, loss, clean);
                }
            }
        }
        LossyLink between = new LossyLink(javaPeer().withJumbo(true), 50, 400, 0, 1).offHost();
        LossyLink.Result r = between.upload(20_000, 60);
        System.out.println("simulated jumbogram upload between hosts: " + r + ", ACKs " + between.server.stats().ackPacketsSent);
        assertTrue(r.datagrams() >= 20_000 / RX_MAX_DGRAM_PACKETS,
                "at most " + RX_MAX_DGRAM_PACKETS + " packets per jumbogram to another host: " + r);
        assertTrue(r.datagrams() < 20_000 / 2, "jumbograms carried the data: " + r);
        assertTrue(between.server.stats().ackPacketsSent >= 20_000 / RxCallState.ACK_BATCH_SPLIT / 2,
                "a 6-packet jumbogram sender may be stock OpenAFS: acked at the stock rates");
    }

    /** Jumbograms between hosts (6 packets each) with loss: recovery as for plain datagrams. */
    @Test
    void jumbogramsBetweenHostsRecoverFromLoss() {
        keepsRateUnderLoss("simulated jumbogram upload between hosts",
                (loss, seed) -> new LossyLink(javaPeer().withJumbo(true), 50, 400, loss, seed).offHost());
    }

    static int countType(List<Wire.Sent> l, int type) {
        return (int) l.stream().filter(s -> s.header().type == type).count();
    }
}
