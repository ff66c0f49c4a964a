package afsdr.rx.rxkad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import afsdr.rx.packet.RxConstants;
import afsdr.rx.packet.RxHeader;
import afsdr.rx.security.ClientSecurityContext;
import afsdr.rx.security.RxSecurityConnection;
import afsdr.rx.security.RxSecurityException;
import afsdr.rx.security.ServerSecurityContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.spec.DESKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Client and server contexts against each other, in memory. */
class RxkadSecurityTest {
    static final byte[] SERVER_KEY = HexFormat.of().parseHex("0123456789abcdef");
    static final KeyFile KEYS = new KeyFile(List.of(new KeyFile.Key(3, SERVER_KEY)));
    static final int EPOCH = 0x6a000001;
    static final int CID = 0x40001234 & ~3;
    static final long NOW = 1_795_593_000L;

    final AtomicLong clock = new AtomicLong(NOW);

    record Conn(int epoch, int cid, int securityIndex, int serviceId, boolean isServer) implements RxSecurityConnection {}

    RxkadServerSecurity server(RxkadLevel min) {
        return new RxkadServerSecurity(2, min, RxkadTicketDecoder.keyFile(KEYS), new SplittableRandom(7));
    }

    ServerSecurityContext handshake(RxkadServerSecurity server, ClientSecurityContext client) throws RxSecurityException {
        ServerSecurityContext s = server.newServerContext(new Conn(EPOCH, CID, 2, 4, true));
        assertFalse(s.isAuthenticated());
        byte[] challenge = s.challenge();
        assertArrayEquals(challenge, s.challenge(), "retransmitted challenge must not change");
        byte[] response = client.respond(Unpooled.wrappedBuffer(challenge), new int[] {3, 0, 1, 0});
        ServerSecurityContext.Accepted ok = s.checkResponse(Unpooled.wrappedBuffer(response), clock.get());
        assertArrayEquals(new int[] {3, 0, 1, 0}, ok.callNumbers());
        assertTrue(s.isAuthenticated());
        return s;
    }

    ClientSecurityContext client(RxkadLevel level) {
        return RxkadClientSecurity.localAuth(KEYS, level, new SplittableRandom(11))
                .newClientContext(new Conn(EPOCH, CID, 2, 4, false));
    }

    @Test
    void localAuthHandshake() throws Exception {
        ServerSecurityContext s = handshake(server(RxkadLevel.CLEAR), client(RxkadLevel.CLEAR));
        RxkadIdentity id = (RxkadIdentity) s.identity();
        assertTrue(id.isLocalAuthSuperUser());
        assertEquals(3, id.kvno());
        assertEquals(TicketTimes.NEVERDATE, id.expiration());
        assertEquals(0, s.headerSize());
    }

    @ParameterizedTest
    @EnumSource(RxkadLevel.class)
    void packetsBothWays(RxkadLevel level) throws Exception {
        ClientSecurityContext c = client(level);
        ServerSecurityContext s = handshake(server(RxkadLevel.CLEAR), c);
        assertEquals(level.headerSize(), s.headerSize());
        for (int n : new int[] {0, 1, 9, 1000}) {
            roundTrip(c, s, n, 1);
            roundTrip(s, c, n, 2);
        }
    }

    private static void roundTrip(afsdr.rx.security.PacketSecurity from, afsdr.rx.security.PacketSecurity to, int n,
            int seq) throws RxSecurityException {
        RxHeader h = new RxHeader().set(EPOCH, CID | 2, 17, seq, 99, RxConstants.RX_PACKET_TYPE_DATA, 0, 2, 4);
        ByteBuf buf = Unpooled.buffer(28 + from.headerSize() + n + from.maxTrailerSize());
        byte[] data = new byte[n];
        new SplittableRandom(n).nextBytes(data);
        buf.setBytes(28 + from.headerSize(), data);
        int len = from.preparePacket(h, buf, 28, n);
        assertNotEquals(0, h.spare);
        assertEquals(n, to.checkPacket(h, buf, 28, len, NOW));
        byte[] got = new byte[n];
        buf.getBytes(28 + to.headerSize(), got);
        assertArrayEquals(data, got);

        // the same packet with a forged checksum is refused
        buf.clear();
        buf.setBytes(28 + from.headerSize(), data);
        RxHeader h2 = new RxHeader().set(EPOCH, CID | 2, 17, seq + 1, 99, RxConstants.RX_PACKET_TYPE_DATA, 0, 2, 4);
        int len2 = from.preparePacket(h2, buf, 28, n);
        h2.spare ^= 0x8000;
        assertEquals(RxkadErrors.RXKADSEALEDINCON,
                assertThrows(RxSecurityException.class, () -> to.checkPacket(h2, buf, 28, len2, NOW)).code());
    }

    @Test
    void serverMinimumLevelIsEnforcedOnBothSides() throws Exception {
        // the client refuses a challenge above its level
        ServerSecurityContext s = server(RxkadLevel.CRYPT).newServerContext(new Conn(EPOCH, CID, 2, 4, true));
        assertEquals(RxkadErrors.RXKADLEVELFAIL, assertThrows(RxSecurityException.class,
                () -> client(RxkadLevel.AUTH).respond(Unpooled.wrappedBuffer(s.challenge()), new int[4])).code());
        // a higher client level wins
        ServerSecurityContext s2 = handshake(server(RxkadLevel.AUTH), client(RxkadLevel.CRYPT));
        assertEquals(8, s2.headerSize());
    }

    @Test
    void responseForAnotherConnectionOrChallengeIsRefused() throws Exception {
        ClientSecurityContext c = client(RxkadLevel.CLEAR);
        ServerSecurityContext s = server(RxkadLevel.CLEAR).newServerContext(new Conn(EPOCH, CID + 4, 2, 4, true));
        byte[] r = c.respond(Unpooled.wrappedBuffer(s.challenge()), new int[4]);
        assertEquals(RxkadErrors.RXKADSEALEDINCON,
                assertThrows(RxSecurityException.class, () -> s.checkResponse(Unpooled.wrappedBuffer(r), clock.get())).code());
        assertFalse(s.isAuthenticated());

        ServerSecurityContext s2 = server(RxkadLevel.CLEAR).newServerContext(new Conn(EPOCH, CID, 2, 4, true));
        byte[] stale = c.respond(Unpooled.wrappedBuffer(new RxkadChallenge(true, 12345, 0).encode()), new int[4]);
        s2.challenge();
        assertEquals(RxkadErrors.RXKADOUTOFSEQUENCE,
                assertThrows(RxSecurityException.class, () -> s2.checkResponse(Unpooled.wrappedBuffer(stale), clock.get())).code());
    }

    @Test
    void ticketProblemsSurfaceWithTheirCodes() throws Exception {
        byte[] session = RxkadClientSecurity.randomDesKey(new SplittableRandom(3));
        RxkadServerSecurity server = server(RxkadLevel.CLEAR);
        // unknown kvno
        ClientSecurityContext unknown = new RxkadClientSecurity(RxkadLevel.CLEAR, session, 4,
                Krb4Ticket.localAuth(session).seal(SERVER_KEY)).newClientContext(new Conn(EPOCH, CID, 2, 4, false));
        assertEquals(RxkadErrors.RXKADUNKNOWNKEY, failedHandshake(server, unknown));
        // sealed with another key
        ClientSecurityContext forged = new RxkadClientSecurity(RxkadLevel.CLEAR, session, 3,
                Krb4Ticket.localAuth(session).seal(HexFormat.of().parseHex("fedcba9876543210")))
                .newClientContext(new Conn(EPOCH, CID, 2, 4, false));
        assertEquals(RxkadErrors.RXKADBADTICKET, failedHandshake(server, forged));
        // Kerberos 5 ticket types are not decoded yet
        ClientSecurityContext krb5 = new RxkadClientSecurity(RxkadLevel.CLEAR, session, 213, new byte[64])
                .newClientContext(new Conn(EPOCH, CID, 2, 4, false));
        assertEquals(RxkadErrors.RXKADBADTICKET, failedHandshake(server, krb5));
        // expired user ticket
        Krb4Ticket old = new Krb4Ticket("u", "", "C", 0, session, 12, NOW - 7200, "afs", "");
        ClientSecurityContext expired = new RxkadClientSecurity(RxkadLevel.CLEAR, session, 3, old.seal(SERVER_KEY))
                .newClientContext(new Conn(EPOCH, CID, 2, 4, false));
        assertEquals(RxkadErrors.RXKADEXPIRED, failedHandshake(server, expired));
    }

    private int failedHandshake(RxkadServerSecurity server, ClientSecurityContext c) throws RxSecurityException {
        ServerSecurityContext s = server.newServerContext(new Conn(EPOCH, CID, 2, 4, true));
        byte[] r = c.respond(Unpooled.wrappedBuffer(s.challenge()), new int[4]);
        return assertThrows(RxSecurityException.class, () -> s.checkResponse(Unpooled.wrappedBuffer(r), clock.get())).code();
    }

    @Test
    void packetsStopWhenTheTicketEnds() throws Exception {
        byte[] session = RxkadClientSecurity.randomDesKey(new SplittableRandom(5));
        Krb4Ticket t = new Krb4Ticket("u", "", "C", 0, session, 12, NOW - 60, "afs", "");
        ClientSecurityContext c = new RxkadClientSecurity(RxkadLevel.AUTH, session, 3, t.seal(SERVER_KEY))
                .newClientContext(new Conn(EPOCH, CID, 2, 4, false));
        ServerSecurityContext s = handshake(server(RxkadLevel.CLEAR), c);
        roundTrip(c, s, 10, 1);
        clock.set(t.end());
        RxHeader h = new RxHeader().set(EPOCH, CID, 1, 5, 1, RxConstants.RX_PACKET_TYPE_DATA, 0, 2, 4);
        ByteBuf buf = Unpooled.buffer(64);
        int len = c.preparePacket(h, buf, 0, 4);
        assertEquals(RxkadErrors.RXKADEXPIRED,
                assertThrows(RxSecurityException.class, () -> s.checkPacket(h, buf, 0, len, clock.get())).code());
    }

    @Test
    void unauthenticatedServerContextRefusesPackets() {
        ServerSecurityContext s = server(RxkadLevel.CLEAR).newServerContext(new Conn(EPOCH, CID, 2, 4, true));
        RxHeader h = new RxHeader().set(EPOCH, CID, 1, 1, 1, RxConstants.RX_PACKET_TYPE_DATA, 0, 2, 4);
        assertEquals(RxkadErrors.RXKADUNKNOWNKEY,
                assertThrows(RxSecurityException.class, () -> s.checkPacket(h, Unpooled.buffer(8), 0, 8, clock.get())).code());
        assertEquals(RxkadErrors.RXKADINCONSISTENCY,
                assertThrows(RxSecurityException.class, () -> s.checkResponse(Unpooled.buffer(0), clock.get())).code());
    }

    @Test
    void randomSessionKeysHaveOddParityAndAreNotWeak() throws Exception {
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 500; i++) {
            byte[] k = RxkadClientSecurity.randomDesKey(r);
            assertTrue(DESKeySpec.isParityAdjusted(k, 0));
            assertFalse(DESKeySpec.isWeak(k, 0));
        }
    }
}
