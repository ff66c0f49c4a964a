package afsdr.rx.rxkad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import afsdr.rx.security.RxSecurityException;
import java.util.List;
import java.util.SplittableRandom;
import javax.crypto.spec.DESKeySpec;
import org.junit.jupiter.api.Test;

class Krb5TicketTest {
    static final long NOW = 1_795_593_000L;
    static final byte[] AES256 = new byte[32];
    static final byte[] AES128 = new byte[16];

    static {
        new SplittableRandom(9).nextBytes(AES256);
        new SplittableRandom(10).nextBytes(AES128);
    }

    static final KeyFileExt EXT = new KeyFileExt(List.of(new KeyFileExt.Key(KeyFileExt.AFSCONF_RXKAD_KRB5, 4, 17, AES128),
            new KeyFileExt.Key(KeyFileExt.AFSCONF_RXKAD_KRB5, 5, 18, AES256)));
    static final RxkadTicketDecoder DECODER = RxkadTicketDecoder.keyFiles(new KeyFile(List.of()), EXT);

    private static int code(org.junit.jupiter.api.function.Executable e) {
        return assertThrows(RxSecurityException.class, e).code();
    }

    @Test
    void localAuthTicketRoundTrip() throws Exception {
        byte[] session = RxkadClientSecurity.randomDesKey(new SplittableRandom(1));
        for (int[] k : new int[][] {{18, 5}, {17, 4}}) {
            byte[] key = k[0] == 18 ? AES256 : AES128;
            byte[] t = Krb5Ticket.mintLocalAuth(k[0], k[1], key, session, new SplittableRandom(2));
            RxkadTicketDecoder.Decoded d = DECODER.decode(213, t, NOW);
            assertTrue(d.identity().isLocalAuthSuperUser(), d.identity().toString());
            assertArrayEquals(session, d.sessionKey());
            assertEquals(0, d.start());
            assertEquals(0x7fffffffL, d.end());
            assertEquals(TicketTimes.Validity.VALID, TicketTimes.check(d.start(), d.end(), NOW));
        }
    }

    @Test
    void refusals() {
        byte[] session = RxkadClientSecurity.randomDesKey(new SplittableRandom(1));
        byte[] other = AES256.clone();
        other[0] ^= 1;
        byte[] forged = Krb5Ticket.mintLocalAuth(18, 5, other, session, new SplittableRandom(2));
        assertEquals(RxkadErrors.RXKADBADTICKET, code(() -> DECODER.decode(213, forged, NOW)));
        byte[] unknown = Krb5Ticket.mintLocalAuth(18, 6, AES256, session, new SplittableRandom(2));
        assertEquals(RxkadErrors.RXKADUNKNOWNKEY, code(() -> DECODER.decode(213, unknown, NOW)));
        byte[] good = Krb5Ticket.mintLocalAuth(18, 5, AES256, session, new SplittableRandom(2));
        // a truncated or mangled DER structure is a bad ticket, never an exception of another kind
        for (int cut = 0; cut < good.length; cut += 3) {
            byte[] t = java.util.Arrays.copyOf(good, cut);
            assertEquals(RxkadErrors.RXKADBADTICKET, code(() -> DECODER.decode(213, t, NOW)), "cut " + cut);
        }
        // a whole-Ticket type given only the EncryptedData
        assertEquals(RxkadErrors.RXKADBADTICKET, code(() -> DECODER.decode(256, good, NOW)));
    }

    @Test
    void wholeTicketForm() throws Exception {
        byte[] session = RxkadClientSecurity.randomDesKey(new SplittableRandom(1));
        byte[] encPart = Krb5Ticket.mintLocalAuth(17, 4, AES128, session, new SplittableRandom(2));
        byte[] ticket = Der.tlv(Der.app(1), Der.tlv(Der.SEQUENCE,
                Der.tlv(Der.ctx(0), Der.integer(5)),
                Der.tlv(Der.ctx(1), Der.tlv(Der.GENERAL_STRING, "TEST.AFSDR".getBytes())),
                Der.tlv(Der.ctx(2), Der.tlv(Der.SEQUENCE, Der.tlv(Der.ctx(0), Der.integer(2)),
                        Der.tlv(Der.ctx(1), Der.tlv(Der.SEQUENCE, Der.tlv(Der.GENERAL_STRING, "afs".getBytes()))))),
                Der.tlv(Der.ctx(3), encPart)));
        assertArrayEquals(session, DECODER.decode(256, ticket, NOW).sessionKey());
    }

    @Test
    void rxkadKdfGivesOddParityNonWeakKeys() throws Exception {
        byte[] a = Krb5Ticket.deriveDesKey(AES256);
        byte[] b = Krb5Ticket.deriveDesKey(AES128);
        assertTrue(DESKeySpec.isParityAdjusted(a, 0));
        assertTrue(DESKeySpec.isParityAdjusted(b, 0));
        assertNotEquals(java.util.HexFormat.of().formatHex(a), java.util.HexFormat.of().formatHex(b));
    }

    @Test
    void handshakeWithAesKeys() throws Exception {
        RxkadServerSecurity server = new RxkadServerSecurity(2, RxkadLevel.CLEAR, DECODER,
                new SplittableRandom(4));
        RxkadClientSecurity client = RxkadClientSecurity.localAuth(new KeyFile(List.of()), EXT, RxkadLevel.CRYPT,
                new SplittableRandom(5));
        RxkadSecurityTest.Conn sc = new RxkadSecurityTest.Conn(1, 8, 2, 4, true);
        RxkadSecurityTest.Conn cc = new RxkadSecurityTest.Conn(1, 8, 2, 4, false);
        var s = server.newServerContext(sc);
        byte[] r = client.newClientContext(cc).respond(io.netty.buffer.Unpooled.wrappedBuffer(s.challenge()), new int[4]);
        s.checkResponse(io.netty.buffer.Unpooled.wrappedBuffer(r), NOW);
        RxkadIdentity id = (RxkadIdentity) s.identity();
        assertEquals(213, id.kvno());
        assertTrue(id.isLocalAuthSuperUser());
        assertEquals(8, s.headerSize());
    }
}
