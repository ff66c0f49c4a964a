package afsdr.rx.proto;

import static afsdr.rx.packet.RxConstants.*;
import static org.junit.jupiter.api.Assertions.*;

import afsdr.rx.security.RxNullSecurity;
import afsdr.rx.security.ServerSecurity;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The protocol state machine driven through an in-memory wire with a fake clock. */
class RxStateMachineTest {
    static final int SVC = 4;

    static Wire wire() {
        Wire w = new Wire(RxConfig.defaults());
        w.server.addService(SVC, Map.<Integer, ServerSecurity>of(0, RxNullSecurity.INSTANCE));
        return w;
    }

    static RxConnection connect(Wire w) {
        return w.client.newClientConnection(Wire.SERVER_ADDR, SVC, RxNullSecurity.INSTANCE, w.now);
    }

    /**
     * A call with a 10-byte request, delivered, on a new connection with dead time {@code deadTimeSeconds};
     * the server's handler is taken to be busy (no reply comes unless the test sends one).
     */
    static RxCallState busyCall(Wire w, int deadTimeSeconds) {
        RxConnection conn = connect(w);
        conn.setDeadTimeSeconds(deadTimeSeconds);
        return startCall(w, conn, bytes(10, 0));
    }

    /** A new call on {@code conn} whose whole request has reached the server. */
    static RxCallState startCall(Wire w, RxConnection conn, byte[] request) {
        RxCallState c = conn.newClientCall(w.now);
        w.send(c, request, true);
        w.deliver();
        return c;
    }

    /** What one complete call carried: the two ends, and the bytes each side read. */
    record Exchange(RxCallState client, RxCallState server, byte[] requestRead, byte[] replyRead) {
    }

    /**
     * One complete call on {@code conn}: the request read by the latest dispatched handler, its
     * reply read by the client, the client's acknowledgement delivered, the call ended.
     */
    static Exchange exchange(Wire w, RxConnection conn, byte[] request, byte[] reply) {
        RxCallState c = startCall(w, conn, request);
        RxCallState s = w.dispatched.get(w.dispatched.size() - 1);
        byte[] got = w.readAll(s);
        w.send(s, reply, true);
        w.deliver();
        byte[] back = w.readAll(c);
        w.deliver();
        c.clientEnded();
        return new Exchange(c, s, got, back);
    }

    /** A packet the client sent earlier, received by the server again as is. */
    static void replayToServer(Wire w, Wire.Sent old) {
        io.netty.buffer.ByteBuf d = io.netty.buffer.Unpooled.buffer();
        old.header().writeTo(d);
        d.writeBytes(old.body());
        w.server.receive(d, Wire.CLIENT_ADDR, w.now, w.serverOut);
        d.release();
    }

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 13 + seed);
        }
        return b;
    }

    @Test
    void callRoundTripWithEmptyReply() {
        Wire w = wire();
        RxConnection conn = connect(w);
        RxCallState c = conn.newClientCall(w.now);
        assertEquals(1, c.callNumber());
        w.send(c, bytes(100, 1), true);
        w.deliver();
        assertEquals(1, w.dispatched.size());
        RxCallState s = w.dispatched.get(0);
        assertArrayEquals(bytes(100, 1), w.readAll(s));
        assertTrue(s.inputEnded());
        // a handler that writes nothing still ends the reply with an empty LAST_PACKET packet
        w.send(s, new byte[0], true);
        w.deliver();
        assertEquals(0, w.readAll(c).length);
        assertTrue(c.inputEnded());
        List<Wire.Sent> reply = w.sent(false, Wire.DATA);
        assertEquals(1, reply.size());
        assertEquals(0, reply.get(0).body().length);
        assertTrue(Wire.has(reply.get(0), RX_LAST_PACKET));
        assertFalse(Wire.has(reply.get(0), RX_CLIENT_INITIATED));
        assertTrue(Wire.has(w.sent(true, Wire.DATA).get(0), RX_CLIENT_INITIATED));
        // the client's consumption ack lets the server leave HOLD
        assertEquals(RX_STATE_DALLY, s.state());
        c.clientEnded();
        w.assertNoLeaks();
        // epoch: bit 31 set, bit 30 clear; serials start at 1 and grow per transmission
        Wire.Sent first = w.log.get(0);
        assertEquals(0x80000000, first.header().epoch & 0xC0000000);
        assertEquals(1, first.header().serial);
    }

    @Test
    void multiPacketTransferRespectsPeerWindow() {
        Wire w = wire();
        RxConnection conn = connect(w);
        RxCallState c = conn.newClientCall(w.now);
        int cap = c.userCapacity();
        assertEquals(RX_REMOTE_PACKET_SIZE - RX_HEADER_SIZE, cap);
        for (int i = 0; i < 40; i++) {
            c.queueSend(w.packet(c, bytes(cap, i)), cap, i == 39);
        }
        c.clientRequestDone();
        c.pump(w.now, w.clientOut);
        // nothing known about the peer yet: congestion window starts at 1 packet
        assertEquals(1, w.sent(true, Wire.DATA).size());
        w.deliver();
        RxCallState s = w.dispatched.get(0);
        // server does not read: the window fills up to the advertised receive window
        for (int i = 0; i < 20; i++) {
            w.advance(50, 10);
        }
        int received = w.sent(true, Wire.DATA).size();
        assertTrue(received <= 40, "sent " + received);
        byte[] all = w.readAll(s);
        for (int i = 0; i < 100 && !s.inputEnded(); i++) {
            w.advance(10, 10);
            byte[] more = w.readAll(s);
            byte[] joined = Arrays.copyOf(all, all.length + more.length);
            System.arraycopy(more, 0, joined, all.length, more.length);
            all = joined;
        }
        assertTrue(s.inputEnded());
        assertEquals(40 * cap, all.length);
        for (int i = 0; i < 40; i++) {
            assertArrayEquals(bytes(cap, i), Arrays.copyOfRange(all, i * cap, (i + 1) * cap), "packet " + i);
        }
        // the acks the server sent advertise our window and MTU in a full trailer
        Wire.Sent ack = w.sent(false, Wire.ACK).get(0);
        assertEquals(1, (ack.header().flags & RX_SLOW_START_OK) >> 5);
        assertDoesNotThrow(() -> {
            assertEquals(4, ack.ack().trailerWords());
            assertEquals(255, ack.ack().rwind());
            assertEquals(1444, ack.ack().maxMTU());
            assertEquals(1, ack.ack().maxDgramPackets());
        });
    }

    @Test
    void packetSizeIsTheSmallerOfOurPathLimitAndThePeersAdvertisedMtu() {
        Wire w = new Wire(RxConfig.defaults().withMtu(RX_MAX_PACKET_SIZE));
        w.server.addService(SVC, Map.<Integer, ServerSecurity>of(0, RxNullSecurity.INSTANCE));
        // the client's path rule: the server is on this host; the server's: the client is routed
        w.client.pathMtu(peer -> 16384);
        w.server.pathMtu(peer -> RX_REMOTE_PACKET_SIZE);
        RxConnection conn = connect(w);
        RxCallState c = conn.newClientCall(w.now);
        // before the server's first ack the client assumes RX_REMOTE_PACKET_SIZE for it
        assertEquals(RX_REMOTE_PACKET_SIZE - RX_HEADER_SIZE, c.userCapacity());
        w.send(c, bytes(100, 0), true);
        w.deliver();
        RxCallState s = w.dispatched.get(0);
        assertArrayEquals(bytes(100, 0), w.readAll(s));
        // the server's acks advertise what its path rule allows, not the configured 16384
        Wire.Sent ack = w.sent(false, Wire.ACK).get(0);
        assertDoesNotThrow(() -> {
            assertEquals(RX_REMOTE_PACKET_SIZE, ack.ack().maxMTU());
            assertEquals(RX_REMOTE_PACKET_SIZE, ack.ack().ifMTU());
        });
        assertEquals(RX_REMOTE_PACKET_SIZE - RX_HEADER_SIZE, s.userCapacity(), "server to a routed client");
        // a client whose server advertises 16384 sends packets that large, and says so itself
        Wire w2 = new Wire(RxConfig.defaults().withMtu(RX_MAX_PACKET_SIZE));
        w2.server.addService(SVC, Map.<Integer, ServerSecurity>of(0, RxNullSecurity.INSTANCE));
        w2.client.pathMtu(peer -> 16384);
        w2.server.pathMtu(peer -> 16384);
        RxCallState c2 = connect(w2).newClientCall(w2.now);
        w2.send(c2, bytes(100, 0), false);
        w2.deliver();
        w2.advance(200, 5);
        assertEquals(16384 - RX_HEADER_SIZE, c2.userCapacity());
        byte[] big = bytes(16384 - RX_HEADER_SIZE, 7);
        w2.send(c2, big, true);
        w2.deliver();
        RxCallState s2 = w2.dispatched.get(0);
        byte[] got = w2.readAll(s2);
        assertEquals(100 + big.length, got.length);
        assertArrayEquals(big, Arrays.copyOfRange(got, 100, got.length));
        List<Wire.Sent> data = w2.sent(true, Wire.DATA);
        assertEquals(16384 - RX_HEADER_SIZE, data.get(data.size() - 1).body().length);
        Wire.Sent serverAck = w2.sent(false, Wire.ACK).get(0);
        assertDoesNotThrow(() -> assertEquals(16384, serverAck.ack().maxMTU()));
        for (Object[] end : new Object[][] {{w, c, s}, {w2, c2, s2}}) {
            Wire x = (Wire) end[0];
            x.send((RxCallState) end[2], bytes(4, 1), true);
            x.deliver();
            assertArrayEquals(bytes(4, 1), x.readAll((RxCallState) end[1]));
            x.deliver();
            ((RxCallState) end[1]).clientEnded();
            x.advance(1_000, 5);
            x.assertNoLeaks();
        }
    }

    @Test
    void aPeerThatReadsLargePacketsButSendsSmallOnesGetsSmallOnes() {
        // what a stock vos on this host says: maxMTU 5692 (it reassembles that much), ifMTU 1444
        // (its own packet size to us, since OpenAFS leaves loopback out of its interface table)
        RxPeer p = new RxPeer(RxConfig.defaults().withMtu(RX_MAX_PACKET_SIZE));
        p.localMtu = 16384;
        assertEquals(RX_REMOTE_PACKET_SIZE, p.sendMtu(), "before any ack");
        p.applyAckTrailer(new afsdr.rx.packet.RxAck(0, 0, 1, 1, 0, 1, new byte[0], 5692, 1444, 32, 1, 4));
        assertEquals(1444, p.sendMtu());
        // one of ours on this host says 16384 for both
        p.applyAckTrailer(new afsdr.rx.packet.RxAck(0, 0, 1, 1, 0, 1, new byte[0], 16384, 16384, 255, 1, 4));
        assertEquals(16384, p.sendMtu());
        // and a stock volserver (rx_SetNoJumbo) 1444 for both
        p.applyAckTrailer(new afsdr.rx.packet.RxAck(0, 0, 1, 1, 0, 1, new byte[0], 1444, 1444, 32, 1, 4));
        assertEquals(1444, p.sendMtu());
    }

    @Test
    void retransmissionTimeoutBacksOffExponentially() {
        Wire w = wire();
        RxConnection conn = connect(w);
        RxCallState c = conn.newClientCall(w.now);
        w.drop = s -> true; // the server is unreachable
        w.send(c, bytes(10, 0), true);
        w.advance(20_000, 5);
        List<Wire.Sent> data = w.sent(true, Wire.DATA);
        assertTrue(data.size() >= 5, "transmissions " + data.size());
        long t0 = data.get(0).at();
        // without RTT samples: a tail-loss probe at half the initial RTO, then the RTO (1 s)
        assertEquals(500, (data.get(1).at() - t0) / 1_000_000, 10, "probe");
        assertEquals(1_000, (data.get(2).at() - t0) / 1_000_000, 10, "first timeout");
        long prev = data.get(2).at() - t0;
        for (int i = 3; i < data.size(); i++) {
            long gap = data.get(i).at() - data.get(i - 1).at();
            assertEquals(2 * prev / 1_000_000, gap / 1_000_000, 10, "timeouts double: gap " + i);
            prev = gap;
        }
        for (int i = 1; i < data.size(); i++) {
            assertTrue(Wire.has(data.get(i), RX_REQUEST_ACK), "retransmissions ask for an ack");
        }
        // every retransmission carries a new serial
        assertEquals(data.size(), data.stream().mapToInt(s -> s.header().serial).distinct().count());
    }

    @Test
    void nackedPacketIsRetransmittedBeforeTheTimeout() {
        Wire w = wire();
        RxConnection conn = connect(w);
        // learn an RTT and open the window first
        exchange(w, conn, bytes(10, 0), new byte[0]);
        w.advance(5, 5);

        RxCallState c = conn.newClientCall(w.now);
        c.cwind = 20; // as after slow start
        int cap = c.userCapacity();
        final boolean[] dropped = {false};
        w.drop = s -> {
            if (s.toServer() && s.header().type == Wire.DATA && s.header().seq == 2 && !dropped[0]) {
                dropped[0] = true;
                return true;
            }
            return false;
        };
        for (int i = 0; i < 12; i++) {
            c.queueSend(w.packet(c, bytes(cap, i)), cap, i == 11);
        }
        c.clientRequestDone();
        long start = w.now;
        c.pump(w.now, w.clientOut);
        w.deliver();
        List<Wire.Sent> seq2 = w.sent(true, Wire.DATA).stream().filter(s -> s.header().seq == 2).toList();
        assertEquals(2, seq2.size(), "seq 2 resent on the NACK, without waiting");
        assertEquals(start, seq2.get(1).at());
        assertTrue(w.client.stats().dataPacketsPushed > 0);
        RxCallState s = w.dispatched.get(1);
        assertEquals(12 * cap, w.readAll(s).length);
        assertTrue(s.inputEnded());
        // one loss event reduced the congestion window, no timeout was needed
        assertEquals(1, w.client.stats().lossEvents);
        assertEquals(0, w.client.stats().rtoEvents);
    }

    @Test
    void pingIsAnsweredWithItsSerial() {
        Wire w = wire();
        RxCallState c = busyCall(w, 60);
        // the handler is busy: nothing flows, and after deadTime/6 the client pings
        w.advance(11_000, 100);
        List<Wire.Sent> pings = w.sent(true, Wire.ACK).stream().filter(s -> Wire.has(s, RX_REQUEST_ACK)).toList();
        assertFalse(pings.isEmpty(), "client pinged");
        assertDoesNotThrow(() -> assertEquals(RX_ACK_PING, pings.get(0).ack().reason()));
        List<Wire.Sent> responses = w.sent(false, Wire.ACK).stream().filter(s -> {
            try {
                return s.ack().reason() == RX_ACK_PING_RESPONSE;
            } catch (Exception e) {
                return false;
            }
        }).toList();
        assertFalse(responses.isEmpty());
        assertDoesNotThrow(() -> assertEquals(pings.get(0).header().serial, responses.get(0).ack().serial()));
        assertEquals(0, c.error());
    }

    @Test
    void silentPeerKillsTheCallWithCallDead() {
        Wire w = wire();
        RxCallState c = busyCall(w, 12);
        w.drop = s -> true; // the server vanishes
        w.advance(11_000, 100);
        assertEquals(0, c.error());
        w.advance(3_000, 100);
        assertEquals(RX_CALL_DEAD, c.error());
        assertTrue(c.finished());
    }

    @Test
    void newCallOnBusyChannelGetsBusyAndKillsTheOldCall() {
        Wire w = wire();
        RxConnection conn = connect(w);
        RxCallState c1 = startCall(w, conn, bytes(10, 0));
        RxCallState s1 = w.dispatched.get(0);
        // the client gives up on call 1 and starts call 2 on the same channel
        c1.failLocally(RX_CALL_DEAD);
        RxCallState c2 = conn.newClientCall(w.now);
        assertEquals(0, c2.channel());
        assertEquals(2, c2.callNumber());
        w.send(c2, bytes(10, 1), true);
        w.deliver();
        List<Wire.Sent> busy = w.sent(false, RX_PACKET_TYPE_BUSY);
        assertEquals(1, busy.size());
        assertEquals(2, busy.get(0).header().callNumber);
        assertEquals(RX_CALL_DEAD, s1.error());
        // the retransmission of call 2 then finds the channel free
        w.advance(2_000, 50);
        assertEquals(2, w.dispatched.size());
        assertEquals(2, w.dispatched.get(1).callNumber());
    }

    @Test
    void staleCallNumbersAreDropped() {
        Wire w = wire();
        RxConnection conn = connect(w);
        for (int i = 0; i < 2; i++) {
            exchange(w, conn, bytes(5, i), bytes(3, i));
        }
        int before = w.dispatched.size();
        // replay call 1's request: the server has moved on to call 2 on channel 0
        replayToServer(w, w.sent(true, Wire.DATA).get(0));
        w.deliver();
        assertEquals(before, w.dispatched.size());
        assertTrue(w.sent(false, RX_PACKET_TYPE_ABORT).isEmpty());
    }

    @Test
    void abortTravelsAndIsNeverAnsweredWithAnAbort() throws Exception {
        Wire w = wire();
        RxConnection conn = connect(w);
        RxCallState c = startCall(w, conn, bytes(10, 0));
        RxCallState s = w.dispatched.get(0);
        s.failLocally(103); // VNOVOL
        s.sendAbortPacket(w.now, w.serverOut);
        w.deliver();
        assertEquals(103, c.error());
        assertEquals(1, w.sent(false, RX_PACKET_TYPE_ABORT).size());
        assertTrue(w.sent(true, RX_PACKET_TYPE_ABORT).isEmpty(), "an abort is not answered");
        // further DATA for the failed call gets the abort again
        replayToServer(w, w.sent(true, Wire.DATA).get(0));
        assertEquals(2, w.sent(false, RX_PACKET_TYPE_ABORT).size());
        assertEquals(103, w.sent(false, RX_PACKET_TYPE_ABORT).get(1).abortCode());
        w.assertNoLeaks();
    }

    @Test
    void connectionAbortFailsEveryCall() {
        Wire w = wire();
        RxConnection conn = connect(w);
        RxCallState a = conn.newClientCall(w.now);
        RxCallState b = conn.newClientCall(w.now);
        assertNotEquals(a.channel(), b.channel());
        w.send(a, bytes(10, 0), true);
        w.send(b, bytes(10, 1), true);
        w.deliver();
        RxConnection sconn = w.dispatched.get(0).connection();
        sconn.failConnection(RX_RESTARTING, w.now, w.serverOut, true);
        w.deliver();
        assertEquals(RX_RESTARTING, a.error());
        assertEquals(RX_RESTARTING, b.error());
        assertEquals(RX_RESTARTING, conn.error());
        assertNull(conn.newClientCall(w.now));
        assertEquals(0, w.sent(false, RX_PACKET_TYPE_ABORT).get(0).header().callNumber);
    }

    @Test
    void unknownServiceOrSecurityIndexGetsRawAbortMinus2() {
        Wire w = wire();
        RxConnection bad = w.client.newClientConnection(Wire.SERVER_ADDR, 999, RxNullSecurity.INSTANCE, w.now);
        RxCallState c = bad.newClientCall(w.now);
        w.send(c, bytes(4, 0), true);
        w.deliver();
        List<Wire.Sent> aborts = w.sent(false, RX_PACKET_TYPE_ABORT);
        assertEquals(1, aborts.size());
        assertEquals(RX_INVALID_OPERATION, aborts.get(0).abortCode());
        assertEquals(999, aborts.get(0).header().serviceId);
        assertEquals(c.callNumber(), aborts.get(0).header().callNumber);
        assertEquals(RX_INVALID_OPERATION, c.error());
        assertEquals(0, w.server.serverConnectionCount());
    }

    @Test
    void mtuAndWindowLearnedFromTrailerAndValidated() throws Exception {
        RxPeer p = new RxPeer(RxConfig.defaults());
        p.applyAckTrailer(new afsdr.rx.packet.RxAck(0, 0, 1, 1, 0, 1, new byte[0], 5692, 1444, 32, 4, 4));
        assertEquals(5692, p.maxMtu());
        assertEquals(32, p.rwind());
        assertEquals(4, p.maxDgramPackets());
        // below the MTU floor, window 0, datagram count 0: ignored, not trusted
        p.applyAckTrailer(new afsdr.rx.packet.RxAck(0, 0, 1, 1, 0, 1, new byte[0], 100, 100, 0, 0, 4));
        assertEquals(5692, p.maxMtu());
        assertEquals(32, p.rwind());
        assertEquals(4, p.maxDgramPackets());
        // an AFS 3.4 peer (three words) cannot take jumbograms
        p.applyAckTrailer(new afsdr.rx.packet.RxAck(0, 0, 1, 1, 0, 1, new byte[0], 1444, 1444, 16, 0, 3));
        assertEquals(1, p.maxDgramPackets());
        assertEquals(16, p.rwind());
    }
}
