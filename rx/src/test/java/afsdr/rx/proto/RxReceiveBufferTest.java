package afsdr.rx.proto;

import static afsdr.rx.packet.RxConstants.*;
import static afsdr.rx.proto.RxStateMachineTest.bytes;
import static afsdr.rx.proto.RxStateMachineTest.connect;
import static afsdr.rx.proto.RxStateMachineTest.wire;
import static org.junit.jupiter.api.Assertions.*;

import afsdr.rx.packet.RxAck;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The receive side's buffer ({@link RxCallState#RECEIVE_BUFFER}): in-sequence packets are
 * hard-acked on arrival while at most that many wait for the reader; the reader is woken for
 * batches; a server's request is acknowledged by its reply, not by an ACK of its own.
 */
class RxReceiveBufferTest {
    private static RxAck lastAckTo(Wire w, boolean toServer) throws Exception {
        List<Wire.Sent> acks = w.sent(toServer, RX_PACKET_TYPE_ACK);
        assertFalse(acks.isEmpty(), "no ACK sent");
        return acks.get(acks.size() - 1).ack();
    }

    @Test
    void inSequencePacketsAreHardAckedBeforeTheReaderReadsThem() throws Exception {
        Wire w = wire();
        RxCallState c = connect(w).newClientCall(w.now);
        int early = RxCallState.EARLY_ACK_AFTER;
        int n = early + RxCallState.RECEIVE_BUFFER + 40;
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            byte[] d = bytes(1000, i);
            sent.write(d);
            w.send(c, d, i == n - 1);
            w.deliver();
        }
        w.advance(200, 1);
        RxCallState s = w.dispatched.get(0);
        // the first packets are hard-acked only as they are read, as OpenAFS does
        assertEquals(1, lastAckTo(w, false).firstPacket(), "hard-acked before the reader read anything");
        byte[] head = new byte[early * 1000];
        assertEquals(head.length, s.readAvailable(head, 0, head.length, w.now));
        if (s.takeAckDue()) {
            s.sendConsumptionAck(w.now, w.serverOut);
        }
        w.advance(200, 1);
        // then RECEIVE_BUFFER packets more than the reader has read: OpenAFS would have reported
        // firstPacket early + 1 until the reader consumed more
        RxAck a = lastAckTo(w, false);
        assertEquals(early + 1 + RxCallState.RECEIVE_BUFFER, a.firstPacket(), "firstPacket of the server's last ack");
        assertEquals(early + 1 + RxCallState.RECEIVE_BUFFER, c.tfirst, "client's send window start");
        assertEquals(n - early - RxCallState.RECEIVE_BUFFER, a.nAcks(), "the rest is soft-acked");
        assertEquals(early + 1, s.rnext);
        // reading frees the buffer: the rest is hard-acked as it is read, and the bytes are intact
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        got.write(head);
        got.write(w.readAll(s));
        w.advance(200, 1);
        assertArrayEquals(sent.toByteArray(), got.toByteArray());
        assertEquals(n + 1, c.tfirst, "everything acknowledged once read");
        assertTrue(s.inputEnded());
        replyAndEnd(w, c, s, new byte[0]);
    }

    /** The server replies, the client reads the reply and ends the call; nothing may leak. */
    private static void replyAndEnd(Wire w, RxCallState c, RxCallState s, byte[] reply) {
        w.send(s, reply, true);
        w.deliver();
        assertArrayEquals(reply, w.readAll(c));
        w.advance(100, 5);
        c.clientEnded();
        w.assertNoLeaks();
    }

    /**
     * A client like stock vos: OpenAFS requests no ack on the last packet of a request (only on
     * retransmissions and while its congestion window is tiny), where ours does.
     */
    private static Wire stockLikeClient() {
        Wire w = wire();
        w.rewriteToServer = d -> {
            int at = d.readerIndex() + afsdr.rx.packet.RxHeader.FLAGS_OFFSET;
            if (d.getByte(d.readerIndex() + afsdr.rx.packet.RxHeader.TYPE_OFFSET) == RX_PACKET_TYPE_DATA) {
                d.setByte(at, d.getByte(at) & ~RX_REQUEST_ACK);
            }
        };
        return w;
    }

    /** A one-packet request of a stock-like client, delivered and read by the server. */
    private record Request(Wire w, RxCallState client, RxCallState server) {
        static Request sent() {
            Wire w = stockLikeClient();
            RxCallState c = connect(w).newClientCall(w.now);
            w.send(c, bytes(100, 1), true);
            w.deliver();
            RxCallState s = w.dispatched.get(0);
            assertArrayEquals(bytes(100, 1), w.readAll(s));
            return new Request(w, c, s);
        }
    }

    @Test
    void theReplyAcknowledgesTheRequestWithoutAnAckBeforeIt() throws Exception {
        Request r = Request.sent();
        Wire w = r.w();
        w.send(r.server(), bytes(50, 2), true);
        w.deliver();
        assertEquals(List.of(), w.sent(false, RX_PACKET_TYPE_ACK), "the server sent an ACK before its reply");
        assertArrayEquals(bytes(50, 2), w.readAll(r.client()));
        w.advance(1000, 5);
        // no ACK came late either: the reply cancelled the delayed one
        assertEquals(List.of(), w.sent(false, RX_PACKET_TYPE_ACK));
        assertEquals(RX_STATE_DALLY, r.server().state());
        r.client().clientEnded();
        w.assertNoLeaks();
    }

    @Test
    void aRequestWhoseReplyIsSlowIsAckedAfterTheSoftAckDelay() throws Exception {
        Request r = Request.sent();
        Wire w = r.w();
        w.advance(90, 5);
        assertEquals(List.of(), w.sent(false, RX_PACKET_TYPE_ACK), "acked before rx_softAckDelay");
        w.advance(30, 5);
        assertEquals(1, w.sent(false, RX_PACKET_TYPE_ACK).size(), "a handler busy for 100 ms gets its request acked");
        assertEquals(2, r.client().tfirst, "the client may forget its request");
        assertEquals(0, r.client().connection().stats.dataPacketsReSent, "the client resent its request");
        replyAndEnd(w, r.client(), r.server(), bytes(50, 2));
    }

    @Test
    void aSleepingReaderIsWokenForABatchOrTheLastPacket() throws Exception {
        Wire w = wire();
        RxCallState c = connect(w).newClientCall(w.now);
        // past the first packets, which wake the reader one by one as they come
        int early = RxCallState.EARLY_ACK_AFTER;
        for (int i = 0; i <= early; i++) {
            w.send(c, bytes(1000, 0), false);
            w.deliver();
        }
        RxCallState s = w.dispatched.get(0);
        byte[] b = new byte[1 << 20];
        assertEquals((early + 1) * 1000, s.readAvailable(b, 0, b.length, w.now));
        if (s.takeAckDue()) {
            s.sendConsumptionAck(w.now, w.serverOut);
        }
        // the reader goes to sleep asking for 8 packets
        s.readerWantPackets = 8;
        int before = w.wakes.getOrDefault(s, 0);
        for (int i = 1; i <= 7; i++) {
            w.send(c, bytes(1000, i), false);
            w.deliver();
        }
        assertEquals(before, w.wakes.getOrDefault(s, 0), "woken before 8 packets were there");
        w.send(c, bytes(1000, 8), false);
        w.deliver();
        assertEquals(before + 1, w.wakes.getOrDefault(s, 0), "not woken for 8 packets");
        assertEquals(8 * 1000, s.readAvailable(b, 0, b.length, w.now));
        // fewer than asked for, but the direction's end: woken at once
        s.readerWantPackets = 8;
        w.send(c, bytes(1000, 9), false);
        w.send(c, bytes(10, 10), true);
        w.deliver();
        assertEquals(before + 2, w.wakes.getOrDefault(s, 0), "not woken for the last packet");
        assertEquals(1010, s.readAvailable(b, 0, b.length, w.now));
        assertTrue(s.inputEnded());
        replyAndEnd(w, c, s, new byte[0]);
    }
}
