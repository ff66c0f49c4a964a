package afsdr.rx.proto;

import static afsdr.rx.packet.RxConstants.*;
import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/**
 * Connection-level behaviour over time and under contention, with the fake clock of {@link Wire}:
 * collection of idle server connections (rx_idleConnectionTime) and the client's handling of
 * channels the server called busy (rx_NewCall's lastBusy).
 */
class RxConnectionLifecycleTest {
    private static byte[] bytes(int n, int seed) {
        return RxStateMachineTest.bytes(n, seed);
    }

    /** One complete call on {@code conn}: request, handler reply, client end. Returns the server call. */
    private static RxCallState completeCall(Wire w, RxConnection conn) {
        RxStateMachineTest.Exchange x = RxStateMachineTest.exchange(w, conn, bytes(20, 1), bytes(8, 2));
        assertArrayEquals(bytes(20, 1), x.requestRead());
        assertArrayEquals(bytes(8, 2), x.replyRead());
        return x.server();
    }

    @Test
    void idleServerConnectionIsForgottenAfterRxIdleConnectionTime() {
        Wire w = RxStateMachineTest.wire();
        RxConnection conn = RxStateMachineTest.connect(w);
        completeCall(w, conn);
        assertEquals(1, w.server.serverConnectionCount());
        assertEquals(700, RxConfig.defaults().idleConnectionSeconds(), "stock rx_idleConnectionTime");
        w.advance(699_000, 1_000);
        assertEquals(1, w.server.serverConnectionCount(), "kept while idle for less than 700 s");
        w.advance(2_000, 1_000);
        assertEquals(0, w.server.serverConnectionCount(), "collected after 700 s without a packet");
        // the client does not notice: its next call makes a new server connection
        RxCallState s = completeCall(w, conn);
        assertEquals(2, s.callNumber());
        assertEquals(1, w.server.serverConnectionCount());
        w.assertNoLeaks();
    }

    @Test
    void timersSkipConnectionsWithNothingPendingUntilTheirNextCallOrPacket() {
        Wire w = RxStateMachineTest.wire();
        java.util.List<RxConnection> conns = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            RxConnection conn = RxStateMachineTest.connect(w);
            completeCall(w, conn);
            conns.add(conn);
        }
        w.advance(5_000, 5);
        // what a volserver holds after a night of vos commands: connections kept for 700 s, no call
        // in progress; the 5 ms tick no longer walks them
        assertEquals(50, w.server.serverConnectionCount());
        assertEquals(0, w.server.timedConnectionCount(), "server connections with nothing pending");
        assertEquals(0, w.client.timedConnectionCount(), "client connections with nothing pending");

        // a new call on one of them: its timers run again on both sides. The request's only packet
        // is lost, so it gets through only if the client's retransmission timer fires; the reply's
        // is lost too, which only the server's timer repairs
        RxConnection conn = conns.get(17);
        boolean[] lostRequest = {false};
        boolean[] lostReply = {false};
        w.drop = s -> {
            if (s.header().type != Wire.DATA) {
                return false;
            }
            boolean[] flag = s.toServer() ? lostRequest : lostReply;
            if (flag[0]) {
                return false;
            }
            flag[0] = true;
            return true;
        };
        RxCallState c = conn.newClientCall(w.now);
        w.send(c, bytes(20, 3), true);
        w.deliver();
        assertTrue(lostRequest[0]);
        int dispatched = w.dispatched.size();
        w.advance(3_000, 5);
        assertEquals(dispatched + 1, w.dispatched.size(), "request retransmitted after the loss");
        RxCallState s = w.dispatched.get(dispatched);
        assertArrayEquals(bytes(20, 3), w.readAll(s));
        w.send(s, bytes(8, 4), true);
        w.deliver();
        assertTrue(lostReply[0]);
        w.advance(3_000, 5);
        assertArrayEquals(bytes(8, 4), w.readAll(c), "reply retransmitted after the loss");
        w.deliver();
        c.clientEnded();
        assertEquals(0, c.error(), c::toString);
        w.advance(5_000, 5);
        assertEquals(0, w.server.timedConnectionCount());
        assertEquals(0, w.client.timedConnectionCount());
        w.assertNoLeaks();
    }

    @Test
    void connectionWithACallInProgressIsKeptWhileThePeerPings() {
        Wire w = RxStateMachineTest.wire();
        RxConnection conn = RxStateMachineTest.connect(w);
        RxCallState c = RxStateMachineTest.startCall(w, conn, bytes(20, 1));
        RxCallState s = w.dispatched.get(0);
        w.readAll(s);
        // the handler works for 15 minutes; the client's keepalive pings hold both ends
        w.advance(900_000, 1_000);
        assertEquals(1, w.server.serverConnectionCount());
        assertEquals(0, s.error(), s::toString);
        assertEquals(0, c.error(), c::toString);
        assertTrue(w.sent(true, Wire.ACK).stream().anyMatch(p -> Wire.has(p, RX_REQUEST_ACK)), "client pinged");
        w.send(s, bytes(8, 2), true);
        w.deliver();
        assertArrayEquals(bytes(8, 2), w.readAll(c));
        w.deliver();
        c.clientEnded();
        // idle from now on: collected 700 s later
        w.advance(701_000, 1_000);
        assertEquals(0, w.server.serverConnectionCount());
    }

    @Test
    void clientAvoidsAChannelTheServerCalledBusy() {
        Wire w = RxStateMachineTest.wire();
        RxConnection conn = RxStateMachineTest.connect(w);
        RxCallState c1 = RxStateMachineTest.startCall(w, conn, bytes(10, 0));
        assertEquals(1, w.dispatched.size(), "call 1's handler runs (and keeps running)");
        // the client gives up on call 1 without the server learning it (its ABORT is lost)
        c1.failLocally(RX_CALL_DEAD);
        RxCallState c2 = conn.newClientCall(w.now);
        assertEquals(0, c2.channel(), "nothing said channel 0 is busy yet");
        w.send(c2, bytes(10, 1), true);
        w.deliver();
        assertEquals(1, w.sent(false, RX_PACKET_TYPE_BUSY).size());
        assertTrue(conn.channelBusy(0), "the BUSY marks the channel");
        // the application gives up on call 2 too; the next call goes to another channel
        c2.failLocally(RX_CALL_DEAD);
        RxCallState c3 = conn.newClientCall(w.now);
        assertEquals(1, c3.channel(), "busy channel 0 avoided");
        RxCallState c4 = conn.newClientCall(w.now);
        RxCallState c5 = conn.newClientCall(w.now);
        assertEquals(2, c4.channel());
        assertEquals(3, c5.channel());
        // with every other channel in use, the busy one is still used rather than waiting
        w.now += 1_000_000;
        RxCallState c6 = conn.newClientCall(w.now);
        assertNotNull(c6);
        assertEquals(0, c6.channel());
        assertEquals(3, c6.callNumber());
        assertFalse(conn.channelBusy(0));
        // and the call goes through: the server killed call 1 when it answered BUSY
        w.send(c6, bytes(10, 6), true);
        w.deliver();
        RxCallState s6 = w.dispatched.get(w.dispatched.size() - 1);
        assertEquals(3, s6.callNumber());
        assertArrayEquals(bytes(10, 6), w.readAll(s6));
    }

    @Test
    void aTimedOutCallMarksItsChannelBusyAndACompletedCallClearsIt() {
        Wire w = RxStateMachineTest.wire();
        RxConnection conn = RxStateMachineTest.connect(w);
        RxCallState c1 = RxStateMachineTest.startCall(w, conn, bytes(10, 0));
        // no reply in time: the server may still be working on call 1
        c1.failLocally(RX_CALL_TIMEOUT);
        RxCallState c2 = conn.newClientCall(w.now);
        assertEquals(1, c2.channel(), "the timed-out channel is avoided without waiting for a BUSY");
        assertTrue(conn.channelBusy(0));
        w.send(c2, bytes(10, 1), true);
        w.deliver();
        RxCallState s2 = w.dispatched.get(1);
        w.readAll(s2);
        w.send(s2, bytes(4, 2), true);
        w.deliver();
        w.readAll(c2);
        c2.clientEnded();
        RxCallState c3 = conn.newClientCall(w.now);
        assertEquals(1, c3.channel(), "a channel whose call completed is preferred");
        assertTrue(conn.channelBusy(0));
        assertEquals(0, w.sent(false, RX_PACKET_TYPE_BUSY).size());
    }
}
