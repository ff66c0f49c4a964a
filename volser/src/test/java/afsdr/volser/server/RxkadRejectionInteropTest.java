package afsdr.volser.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import afsdr.realcell.Interop;
import afsdr.realcell.RealCell;
import afsdr.rx.netty.RxEndpoint;
import afsdr.rx.packet.RxHeader;
import afsdr.rx.rpc.RpcException;
import afsdr.rx.rxkad.KeyFile;
import afsdr.rx.rxkad.Krb4Ticket;
import afsdr.rx.rxkad.RxkadClientSecurity;
import afsdr.rx.rxkad.RxkadErrors;
import afsdr.rx.rxkad.RxkadLevel;
import afsdr.rx.security.ClientSecurity;
import afsdr.rx.security.ClientSecurityContext;
import afsdr.rx.security.RxSecurityConnection;
import afsdr.rx.security.RxSecurityException;
import afsdr.volser.client.VolserClient;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Forged and altered rxkad, sent by our own client to the stock volserver of fs1 and to ours (j1)
 * in the auth cell: each attempt must end with the same rxkad code from both, and both must go on
 * serving (a well-formed call right after it succeeds). The codes are what the 1.8 rxkad server
 * returns (rxkad.md §4.3, §6.4, §7): a ticket sealed with another key cannot be opened
 * (RXKADBADTICKET), an expired one RXKADEXPIRED, a response that answers another challenge
 * RXKADOUTOFSEQUENCE, a DATA packet whose header checksum or first ciphertext block was altered
 * RXKADSEALEDINCON (the whole connection is aborted), a ticket length outside the limits
 * RXKADPACKETSHORT or RXKADTICKETLEN ({@link #oversizeTicket}).
 */
@Interop
class RxkadRejectionInteropTest {
    static RealCell cell;
    static Volserver ours;
    static RxEndpoint client;
    static KeyFile.Key cellKey;
    static final SplittableRandom RANDOM = new SplittableRandom(5);

    @BeforeAll
    static void up() throws Exception {
        cell = RealCell.sharedAuth();
        ours = OursOnJ1.start(cell, "VolserLog.reject");
        client = RxEndpoint.builder().bind(cell.address(RealCell.CLIENT), 0).build();
        cellKey = AuthMode.keyFile(cell).latest().orElseThrow();
    }

    @AfterAll
    static void down() {
        if (client != null) {
            client.close();
        }
        if (ours != null) {
            ours.close();
        }
    }

    /** The code a ListPartitions call with {@code security} ends with (0: it worked). */
    static int listPartitions(String node, ClientSecurity security) throws Exception {
        try (VolserClient c = new VolserClient(client.connect(
                new InetSocketAddress(cell.address(node), 7005), 4, security))) {
            c.listPartitions();
            return 0;
        } catch (RpcException e) {
            return e.code();
        }
    }

    /** Both servers refuse with {@code expected}, then serve a good caller. */
    static void refusedByBoth(ClientSecurity bad, int expected) throws Exception {
        for (String node : List.of(RealCell.FS1, RealCell.J1)) {
            int code = listPartitions(node, bad);
            assertEquals(RxkadErrors.name(expected) + " " + expected, RxkadErrors.name(code) + " " + code, "code from " + node);
            ClientSecurity good = RxkadClientSecurity.localAuth(AuthMode.keyFile(cell), AuthMode.keyFileExt(cell),
                RxkadLevel.CRYPT, new SecureRandom());
            assertEquals(0, listPartitions(node, good), node + " serves a good caller afterwards");
        }
    }

    static byte[] sessionKey() {
        return RxkadClientSecurity.randomDesKey(RANDOM);
    }

    /** A Kerberos 4 style ticket for {@code name} from {@code start} for {@code life} (a life byte). */
    static ClientSecurity ticket(RxkadLevel level, String name, long start, int life, byte[] sealingKey) {
        byte[] session = sessionKey();
        byte[] t = new Krb4Ticket(name, "", "", 0, session, life, start, "afs", "").seal(sealingKey);
        return new RxkadClientSecurity(level, session, cellKey.kvno(), t);
    }

    @Test
    void ticketSealedWithAnotherKey() throws Exception {
        byte[] wrong = RxkadClientSecurity.randomDesKey(RANDOM);
        refusedByBoth(ticket(RxkadLevel.CLEAR, "afs", 0, 0xff, wrong), RxkadErrors.RXKADBADTICKET);
    }

    @Test
    void expiredTicket() throws Exception {
        long now = System.currentTimeMillis() / 1000;
        // started two hours ago for 5 minutes: past its end plus the 15 minutes of clock skew allowed
        refusedByBoth(ticket(RxkadLevel.CLEAR, RealCell.ADMIN_USER, now - 7200, 1, cellKey.key()),
            RxkadErrors.RXKADEXPIRED);
    }

    @Test
    void responseToAnotherChallenge() throws Exception {
        ClientSecurity good = ticket(RxkadLevel.CLEAR, "afs", 0, 0xff, cellKey.key());
        refusedByBoth(new Altered(good) {
            @Override
            byte[] respond(ClientSecurityContext real, ByteBuf challenge, int[] callNumbers)
                    throws RxSecurityException {
                // answer challenge id + 1 instead of the one the server sent (v2: id at offset 4)
                ByteBuf other = challenge.copy();
                other.setInt(other.readerIndex() + 4, other.getInt(other.readerIndex() + 4) + 1);
                try {
                    return real.respond(other, callNumbers);
                } finally {
                    other.release();
                }
            }
        }, RxkadErrors.RXKADOUTOFSEQUENCE);
    }

    @Test
    void alteredHeaderChecksum() throws Exception {
        refusedWithPacketsAltered(RxkadLevel.AUTH, (h, buf, bodyOffset, length) -> h.spare = h.spare ^ 0x0101,
            RxkadErrors.RXKADSEALEDINCON);
    }

    @Test
    void alteredCiphertext() throws Exception {
        // the first block carries the sealed (seq ^ call, length) word
        refusedWithPacketsAltered(RxkadLevel.CRYPT,
            (h, buf, bodyOffset, length) -> buf.setByte(bodyOffset + 1, buf.getByte(bodyOffset + 1) ^ 0x40),
            RxkadErrors.RXKADSEALEDINCON);
    }

    /** A change made to every packet after the security layer prepared it. */
    interface PacketChange {
        void apply(RxHeader h, ByteBuf buf, int bodyOffset, int length);
    }

    /** A good ticket at {@code level} whose prepared packets {@code change} spoils: both servers refuse it. */
    static void refusedWithPacketsAltered(RxkadLevel level, PacketChange change, int expected) throws Exception {
        refusedByBoth(new Altered(ticket(level, "afs", 0, 0xff, cellKey.key())) {
            @Override
            void prepared(RxHeader h, ByteBuf buf, int bodyOffset, int length) {
                change.apply(h, buf, bodyOffset, length);
            }
        }, expected);
    }

    /**
     * A length word beyond MAXKTCTICKETLEN (12000). Both servers compare the claim with the packet
     * before the limit, so a claim the datagram does not carry is RXKADPACKETSHORT; a datagram that
     * really carries 12 KB of ticket never reaches the stock server's rxkad (its Rx drops a
     * datagram that large), so the limit itself is shown with a ticket below MINKTCTICKETLEN.
     */
    @Test
    void oversizeTicket() throws Exception {
        refusedByBoth(withTicketLength(12_008, 0), RxkadErrors.RXKADPACKETSHORT);
        refusedByBoth(withTicketLength(16, 16), RxkadErrors.RXKADTICKETLEN);
    }

    /** Responses whose length word says {@code claimed} and which carry {@code carried} ticket bytes. */
    static ClientSecurity withTicketLength(int claimed, int carried) {
        ClientSecurity good = ticket(RxkadLevel.CLEAR, "afs", 0, 0xff, cellKey.key());
        return new Altered(good) {
            @Override
            byte[] respond(ClientSecurityContext real, ByteBuf challenge, int[] callNumbers)
                    throws RxSecurityException {
                byte[] r = real.respond(challenge, callNumbers);
                ByteBuffer b = ByteBuffer.allocate(56 + carried).put(r, 0, 56);
                b.putInt(52, claimed);
                return b.array();
            }
        };
    }

    /** A working client security whose responses or prepared DATA packets a test alters. */
    abstract static class Altered implements ClientSecurity {
        private final ClientSecurity real;

        Altered(ClientSecurity real) {
            this.real = real;
        }

        byte[] respond(ClientSecurityContext real, ByteBuf challenge, int[] callNumbers) throws RxSecurityException {
            return real.respond(challenge, callNumbers);
        }

        void prepared(RxHeader h, ByteBuf buf, int bodyOffset, int length) {
        }

        @Override
        public int securityIndex() {
            return real.securityIndex();
        }

        @Override
        public ClientSecurityContext newClientContext(RxSecurityConnection connection) {
            ClientSecurityContext c = real.newClientContext(connection);
            return new ClientSecurityContext() {
                @Override
                public byte[] respond(ByteBuf challenge, int[] callNumbers) throws RxSecurityException {
                    return Altered.this.respond(c, challenge, callNumbers);
                }

                @Override
                public int headerSize() {
                    return c.headerSize();
                }

                @Override
                public int maxTrailerSize() {
                    return c.maxTrailerSize();
                }

                @Override
                public int preparePacket(RxHeader h, ByteBuf buf, int bodyOffset, int userLength)
                        throws RxSecurityException {
                    int n = c.preparePacket(h, buf, bodyOffset, userLength);
                    prepared(h, buf, bodyOffset, n);
                    return n;
                }

                @Override
                public int checkPacket(RxHeader h, ByteBuf buf, int bodyOffset, int bodyLength, long nowSeconds)
                        throws RxSecurityException {
                    return c.checkPacket(h, buf, bodyOffset, bodyLength, nowSeconds);
                }
            };
        }
    }
}
