package afsdr.rx.proto;

import static afsdr.rx.packet.RxConstants.*;
import static org.junit.jupiter.api.Assertions.*;

import afsdr.rx.packet.RxHeader;
import afsdr.rx.security.ClientSecurity;
import afsdr.rx.security.ClientSecurityContext;
import afsdr.rx.security.PacketSecurity;
import afsdr.rx.security.RxSecurityConnection;
import afsdr.rx.security.RxSecurityException;
import afsdr.rx.security.ServerSecurity;
import afsdr.rx.security.ServerSecurityContext;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The handshake of rx.md §12 with a fake security class (index 5): challenge n, response n+1. */
class RxChallengeResponseTest {
    static final int SVC = 4;
    static final int IDX = 5;
    static final int BAD_RESPONSE = 19270410; // RXKADSEALEDINCON

    /** The fakes' packets carry no security header or trailer: their "checksum" is the header's spare field. */
    interface NoOverhead extends PacketSecurity {
        @Override
        default int headerSize() {
            return 0;
        }

        @Override
        default int maxTrailerSize() {
            return 0;
        }
    }

    interface FakeServerContext extends ServerSecurityContext, NoOverhead {
    }

    interface FakeClientContext extends ClientSecurityContext, NoOverhead {
    }

    static final class FakeServer implements ServerSecurity {
        int challenges;
        int[] adoptedNumbers;
        final List<Long> times = new java.util.ArrayList<>();

        @Override
        public int securityIndex() {
            return IDX;
        }

        @Override
        public ServerSecurityContext newServerContext(RxSecurityConnection c) {
            return new FakeServerContext() {
                boolean ok;

                @Override
                public boolean isAuthenticated() {
                    return ok;
                }

                @Override
                public byte[] challenge() {
                    challenges++;
                    return new byte[] {0, 0, 0, 42};
                }

                @Override
                public Accepted checkResponse(ByteBuf body, long nowSeconds) throws RxSecurityException {
                    times.add(nowSeconds);
                    if (body.readableBytes() < 20 || body.getInt(0) != 43) {
                        throw new RxSecurityException(BAD_RESPONSE, "wrong answer");
                    }
                    int[] n = new int[4];
                    for (int i = 0; i < 4; i++) {
                        n[i] = body.getInt(4 + 4 * i);
                    }
                    adoptedNumbers = n;
                    ok = true;
                    return new Accepted("alice", n);
                }

                @Override
                public Object identity() {
                    return ok ? "alice" : null;
                }

                @Override
                public int preparePacket(RxHeader h, ByteBuf b, int off, int len) {
                    h.spare = 0x5a5a;
                    return len;
                }

                @Override
                public int checkPacket(RxHeader h, ByteBuf b, int off, int len, long nowSeconds) throws RxSecurityException {
                    times.add(nowSeconds);
                    if (h.spare != 0x5a5a) {
                        throw new RxSecurityException(BAD_RESPONSE, "bad checksum");
                    }
                    return len;
                }
            };
        }
    }

    static final class FakeClient implements ClientSecurity {
        final boolean lie;
        /** Channel whose DATA packets get a wrong checksum, -1 = none. */
        int tamperChannel = -1;

        FakeClient(boolean lie) {
            this.lie = lie;
        }

        @Override
        public int securityIndex() {
            return IDX;
        }

        @Override
        public ClientSecurityContext newClientContext(RxSecurityConnection c) {
            return new FakeClientContext() {
                @Override
                public byte[] respond(ByteBuf challenge, int[] callNumbers) {
                    ByteBuf b = io.netty.buffer.Unpooled.buffer();
                    b.writeInt(challenge.getInt(0) + (lie ? 7 : 1));
                    for (int n : callNumbers) {
                        b.writeInt(n);
                    }
                    byte[] out = new byte[b.readableBytes()];
                    b.readBytes(out);
                    return out;
                }

                @Override
                public int preparePacket(RxHeader h, ByteBuf b, int off, int len) {
                    h.spare = (h.cid & RX_CHANNELMASK) == tamperChannel ? 0x1111 : 0x5a5a;
                    return len;
                }

                @Override
                public int checkPacket(RxHeader h, ByteBuf b, int off, int len, long nowSeconds) {
                    return len;
                }
            };
        }
    }

    static Wire wire(FakeServer fs) {
        Wire w = new Wire(RxConfig.defaults());
        w.server.addService(SVC, Map.<Integer, ServerSecurity>of(IDX, fs));
        return w;
    }

    @Test
    void callWaitsInPrecallUntilTheResponseIsAccepted() {
        FakeServer fs = new FakeServer();
        Wire w = wire(fs);
        RxConnection conn = w.client.newClientConnection(Wire.SERVER_ADDR, SVC, new FakeClient(false), w.now);
        // the client loses the first challenge: the server repeats it after 2 s
        final int[] challengesSeen = {0};
        w.drop = s -> !s.toServer() && s.header().type == RX_PACKET_TYPE_CHALLENGE && challengesSeen[0]++ == 0;
        RxCallState c = conn.newClientCall(w.now);
        w.send(c, RxStateMachineTest.bytes(30, 3), true);
        w.deliver();
        assertTrue(w.dispatched.isEmpty(), "no thread before authentication");
        assertEquals(1, fs.challenges);
        w.advance(1_900, 100);
        assertEquals(1, fs.challenges);
        assertTrue(w.dispatched.isEmpty());
        w.advance(200, 100);
        assertEquals(2, fs.challenges);
        assertEquals(1, w.dispatched.size(), "response accepted: the call runs");
        RxCallState s = w.dispatched.get(0);
        assertEquals(RX_STATE_ACTIVE, s.state());
        assertEquals("alice", s.connection().identity());
        // data queued in PRECALL was checked after authentication and is intact
        assertArrayEquals(RxStateMachineTest.bytes(30, 3), w.readAll(s));
        List<Wire.Sent> ch = w.sent(false, RX_PACKET_TYPE_CHALLENGE);
        assertEquals(0, ch.get(0).header().callNumber);
        assertEquals(0, ch.get(0).header().cid & RX_CHANNELMASK);
        List<Wire.Sent> resp = w.sent(true, RX_PACKET_TYPE_RESPONSE);
        assertEquals(1, resp.size());
        assertEquals(0, resp.get(0).header().callNumber);
        // the client reported its call numbers; the server adopted them
        assertEquals(1, fs.adoptedNumbers[0]);
    }

    @Test
    void badResponseAbortsTheConnectionAfterOneSecond() {
        FakeServer fs = new FakeServer();
        Wire w = wire(fs);
        RxConnection conn = w.client.newClientConnection(Wire.SERVER_ADDR, SVC, new FakeClient(true), w.now);
        RxCallState c = conn.newClientCall(w.now);
        w.send(c, RxStateMachineTest.bytes(30, 3), true);
        w.deliver();
        assertTrue(w.sent(false, RX_PACKET_TYPE_ABORT).isEmpty());
        w.advance(1_100, 50);
        List<Wire.Sent> aborts = w.sent(false, RX_PACKET_TYPE_ABORT);
        assertFalse(aborts.isEmpty());
        assertEquals(0, aborts.get(0).header().callNumber, "connection abort");
        assertEquals(BAD_RESPONSE, aborts.get(0).abortCode());
        assertEquals(BAD_RESPONSE, c.error());
        assertTrue(w.dispatched.isEmpty());
    }

    @Test
    void pendingCallsDieAfterMaxChallenges() {
        FakeServer fs = new FakeServer();
        Wire w = wire(fs);
        RxConnection conn = w.client.newClientConnection(Wire.SERVER_ADDR, SVC, new FakeClient(false), w.now);
        conn.setDeadTimeSeconds(600);
        w.drop = s -> !s.toServer() && s.header().type == RX_PACKET_TYPE_CHALLENGE;
        RxCallState c = conn.newClientCall(w.now);
        w.send(c, RxStateMachineTest.bytes(30, 3), true);
        w.deliver();
        w.advance(2_000L * RX_CHALLENGE_MAXTRIES + 500, 500);
        assertEquals(RX_CHALLENGE_MAXTRIES, fs.challenges);
        assertTrue(w.dispatched.isEmpty());
        List<Wire.Sent> aborts = w.sent(false, RX_PACKET_TYPE_ABORT);
        assertFalse(aborts.isEmpty());
        assertEquals(RX_CALL_DEAD, aborts.get(0).abortCode());
        assertEquals(RX_CALL_DEAD, c.error());
    }

    @Test
    void clientIgnoresChallengeWithoutActiveCall() {
        FakeServer fs = new FakeServer();
        Wire w = wire(fs);
        RxConnection conn = w.client.newClientConnection(Wire.SERVER_ADDR, SVC, new FakeClient(false), w.now);
        RxCallState c = conn.newClientCall(w.now);
        c.failLocally(RX_CALL_DEAD);
        // a challenge arrives for a connection whose only call is over
        io.netty.buffer.ByteBuf d = io.netty.buffer.Unpooled.buffer();
        new RxHeader().set(conn.epoch(), conn.cid(), 0, 0, 1, RX_PACKET_TYPE_CHALLENGE, 0, IDX, SVC).writeTo(d);
        d.writeInt(42);
        w.client.receive(d, Wire.SERVER_ADDR, w.now, w.clientOut);
        d.release();
        assertTrue(w.sent(true, RX_PACKET_TYPE_RESPONSE).isEmpty());
    }

    /**
     * rxi_ReadProc: a DATA packet that fails its check on an authenticated connection aborts the
     * whole connection (ABORT with call number 0 and the class's code), not only its call; calls
     * that follow on the connection fail too. The class is given the caller's wall-clock time.
     */
    @Test
    void failedPacketCheckAbortsTheWholeConnection() {
        FakeServer fs = new FakeServer();
        Wire w = wire(fs);
        FakeClient client = new FakeClient(false);
        RxConnection conn = w.client.newClientConnection(Wire.SERVER_ADDR, SVC, client, w.now);
        RxCallState c1 = conn.newClientCall(w.now);
        w.send(c1, RxStateMachineTest.bytes(30, 3), true);
        w.deliver();
        assertEquals(1, w.dispatched.size());
        assertTrue(fs.times.stream().allMatch(t -> t == Wire.WALL_START), fs.times.toString());
        w.advance(5_000, 100);
        client.tamperChannel = 1; // the channel the next call takes, the first being busy
        RxCallState c2 = conn.newClientCall(w.now);
        w.send(c2, RxStateMachineTest.bytes(30, 4), true);
        w.deliver();
        assertEquals(Wire.WALL_START + 5, fs.times.get(fs.times.size() - 1));
        // as in OpenAFS, a thread may have been given the new call; it finds the call failed
        assertTrue(w.dispatched.stream().allMatch(sc -> sc.error() == BAD_RESPONSE), "every server call ends: " + w.dispatched.stream().map(sc -> sc.callNumber() + "/" + sc.error() + "/" + sc.state()).toList());
        List<Wire.Sent> aborts = w.sent(false, RX_PACKET_TYPE_ABORT);
        assertTrue(aborts.stream().anyMatch(a -> a.header().callNumber == 0 && a.abortCode() == BAD_RESPONSE),
                "connection abort with the check's code: " + aborts);
        assertEquals(BAD_RESPONSE, c2.error());
        assertEquals(BAD_RESPONSE, w.dispatched.get(0).error(), "the server's other call ends too");
    }
}
