package afsdr.rx.rxkad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import afsdr.rx.security.RxSecurityException;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RxkadResponseTest {
    static final HexFormat HEX = HexFormat.of();
    static final byte[] K1 = FcryptTest.K1;
    static final int EPOCH = 0x8a1b2c3d;
    static final int CID = 0x12345678;
    static final int CHALLENGE = 0x11223344;

    static byte[] ticket(int n) {
        byte[] t = new byte[n];
        for (int i = 0; i < n; i++) {
            t[i] = (byte) (0xa0 + i);
        }
        return t;
    }

    static byte[] specResponse() {
        return RxkadResponse.encodeV2(K1, EPOCH, CID, 2, new int[] {1, 0, 0, 0}, CHALLENGE + 1, 0, 213, ticket(100));
    }

    private static int code(org.junit.jupiter.api.function.Executable e) {
        return assertThrows(RxSecurityException.class, e).code();
    }

    @Test
    void challengeForms() throws Exception {
        RxkadChallenge v2 = new RxkadChallenge(true, CHALLENGE, 1);
        assertEquals("00000002112233440000000100000000", HEX.formatHex(v2.encode()));
        assertEquals(v2, RxkadChallenge.decode(Unpooled.wrappedBuffer(v2.encode())));
        RxkadChallenge old = new RxkadChallenge(false, CHALLENGE, 2);
        assertEquals("1122334400000002", HEX.formatHex(old.encode()));
        assertEquals(old, RxkadChallenge.decode(Unpooled.wrappedBuffer(old.encode())));
        assertEquals(RxkadErrors.RXKADPACKETSHORT, code(() -> RxkadChallenge.decode(Unpooled.wrappedBuffer(new byte[7]))));
        assertEquals(RxkadErrors.RXKADPACKETSHORT, code(() -> RxkadChallenge.decode(Unpooled.wrappedBuffer(new byte[12]))));
    }

    @Test
    void specVectorV2Response() {
        byte[] wire = specResponse();
        assertEquals("000000020000000003a31c429db06827db028f244baf9c0fc7489db7f0adf639cf9a57f6b82c088145d6524081f77de4000000d500000064",
                HEX.formatHex(wire, 0, 56));
        assertArrayEquals(ticket(100), Arrays.copyOfRange(wire, 56, 156));

        byte[] plain = ByteBuffer.allocate(56).putInt(2).putInt(0).putInt(EPOCH).putInt(CID).putInt(0).putInt(2)
                .putInt(1).putInt(0).putInt(0).putInt(0).putInt(CHALLENGE + 1).putInt(0).putInt(213).putInt(100).array();
        assertEquals(0x64a23b4e, RxkadResponse.responseChecksum(plain));
    }

    @Test
    void v2RoundTripAndVerify() throws Exception {
        byte[] wire = RxkadResponse.encodeV2(K1, EPOCH, CID | 3, 2, new int[] {5, 6, 7, 8}, CHALLENGE + 1, 2, 7, ticket(40));
        RxkadResponse r = RxkadResponse.decode(Unpooled.wrappedBuffer(wire), true);
        assertEquals(7, r.kvno());
        assertArrayEquals(ticket(40), r.ticket());
        RxkadResponse.Opened o = r.open(K1);
        assertEquals(CID, o.cid());
        assertArrayEquals(new int[] {5, 6, 7, 8}, o.callNumbers());
        assertEquals(RxkadLevel.CRYPT, o.verify(true, EPOCH, CID | 1, 2, CHALLENGE, RxkadLevel.CLEAR));

        assertEquals(RxkadErrors.RXKADOUTOFSEQUENCE, code(() -> o.verify(true, EPOCH, CID, 2, CHALLENGE + 1, RxkadLevel.CLEAR)));
        assertEquals(RxkadErrors.RXKADSEALEDINCON, code(() -> o.verify(true, EPOCH + 1, CID, 2, CHALLENGE, RxkadLevel.CLEAR)));
        assertEquals(RxkadErrors.RXKADSEALEDINCON, code(() -> o.verify(true, EPOCH, CID + 4, 2, CHALLENGE, RxkadLevel.CLEAR)));
        assertEquals(RxkadErrors.RXKADSEALEDINCON, code(() -> o.verify(true, EPOCH, CID, 3, CHALLENGE, RxkadLevel.CLEAR)));

        byte[] low = RxkadResponse.encodeV2(K1, EPOCH, CID, 2, new int[4], CHALLENGE + 1, 0, 7, ticket(40));
        RxkadResponse.Opened lo = RxkadResponse.decode(Unpooled.wrappedBuffer(low), true).open(K1);
        assertEquals(RxkadErrors.RXKADLEVELFAIL, code(() -> lo.verify(true, EPOCH, CID, 2, CHALLENGE, RxkadLevel.AUTH)));
        byte[] high = RxkadResponse.encodeV2(K1, EPOCH, CID, 2, new int[4], CHALLENGE + 1, 3, 7, ticket(40));
        RxkadResponse.Opened hi = RxkadResponse.decode(Unpooled.wrappedBuffer(high), true).open(K1);
        assertEquals(RxkadErrors.RXKADLEVELFAIL, code(() -> hi.verify(true, EPOCH, CID, 2, CHALLENGE, RxkadLevel.CLEAR)));
        byte[] negative = RxkadResponse.encodeV2(K1, EPOCH, CID, 2, new int[] {0, -1, 0, 0}, CHALLENGE + 1, 0, 7, ticket(40));
        RxkadResponse.Opened ng = RxkadResponse.decode(Unpooled.wrappedBuffer(negative), true).open(K1);
        assertEquals(RxkadErrors.RXKADSEALEDINCON, code(() -> ng.verify(true, EPOCH, CID, 2, CHALLENGE, RxkadLevel.CLEAR)));
    }

    @Test
    void everySealedBitAndTheClearFieldsAreCovered() throws Exception {
        byte[] wire = specResponse();
        // any bit of bytes 4..55 (spare, sealed part, kvno, ticketLen) breaks the checksum
        for (int bit = 32; bit < 56 * 8; bit += 7) {
            byte[] t = wire.clone();
            t[bit / 8] ^= (byte) (1 << (bit % 8));
            if (bit / 8 >= 52) {
                continue; // ticketLen: length checks answer first (below)
            }
            RxkadResponse r = RxkadResponse.decode(Unpooled.wrappedBuffer(t), true);
            assertEquals(RxkadErrors.RXKADSEALEDINCON, code(() -> r.open(K1)), "bit " + bit);
        }
        RxkadResponse r = RxkadResponse.decode(Unpooled.wrappedBuffer(wire), true);
        assertEquals(RxkadErrors.RXKADSEALEDINCON, code(() -> r.open(FcryptTest.K2)));
    }

    @Test
    void responseLengthChecks() {
        byte[] wire = specResponse();
        assertEquals(RxkadErrors.RXKADPACKETSHORT,
                code(() -> RxkadResponse.decode(Unpooled.wrappedBuffer(wire, 0, 55), true)));
        assertEquals(RxkadErrors.RXKADPACKETSHORT,
                code(() -> RxkadResponse.decode(Unpooled.wrappedBuffer(wire, 0, 155), true)));
        // a v2 body may carry trailing bytes (OpenAFS checks only "at least")
        byte[] longer = Arrays.copyOf(wire, wire.length + 3);
        assertTrue(Arrays.equals(ticket(100), assertDoesNotThrowDecode(longer).ticket()));
        // the claim is compared with the packet first (as OpenAFS, in size_t arithmetic), then
        // with MINKTCTICKETLEN..MAXKTCTICKETLEN
        for (int len : new int[] {31, -1, -56}) {
            byte[] t = wire.clone();
            ByteBuffer.wrap(t).putInt(52, len);
            assertEquals(RxkadErrors.RXKADTICKETLEN, code(() -> RxkadResponse.decode(Unpooled.wrappedBuffer(t), true)));
        }
        for (int len : new int[] {12001, -57, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            byte[] t = wire.clone();
            ByteBuffer.wrap(t).putInt(52, len);
            assertEquals(RxkadErrors.RXKADPACKETSHORT, code(() -> RxkadResponse.decode(Unpooled.wrappedBuffer(t), true)));
        }
        byte[] big = Arrays.copyOf(wire, 56 + 12008);
        ByteBuffer.wrap(big).putInt(52, 12008);
        assertEquals(RxkadErrors.RXKADTICKETLEN, code(() -> RxkadResponse.decode(Unpooled.wrappedBuffer(big), true)));
        byte[] v3 = wire.clone();
        v3[3] = 3;
        assertEquals(RxkadErrors.RXKADINCONSISTENCY, code(() -> RxkadResponse.decode(Unpooled.wrappedBuffer(v3), true)));
        assertThrows(IllegalArgumentException.class,
                () -> RxkadResponse.encodeV2(K1, 0, 0, 2, new int[4], 0, 0, 0, new byte[12001]));
    }

    private static RxkadResponse assertDoesNotThrowDecode(byte[] b) {
        try {
            return RxkadResponse.decode(Unpooled.wrappedBuffer(b), true);
        } catch (RxSecurityException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void oldResponse() throws Exception {
        byte[] wire = RxkadResponse.encodeOld(K1, CHALLENGE + 1, 1, 3, ticket(32));
        assertEquals(48, wire.length);
        byte[] first = new byte[8];
        Fcrypt.keySchedule(K1).ecb(wire, 0, first, 0, Fcrypt.DECRYPT);
        assertEquals("1122334500000001", HEX.formatHex(first));
        RxkadResponse r = RxkadResponse.decode(Unpooled.wrappedBuffer(wire), false);
        assertFalse(r.v2());
        RxkadResponse.Opened o = r.open(K1);
        assertNull(o.callNumbers());
        assertEquals(RxkadLevel.AUTH, o.verify(false, EPOCH, CID, 2, CHALLENGE, RxkadLevel.CLEAR));
        // the old form must be exactly header + ticket
        assertEquals(RxkadErrors.RXKADPACKETSHORT,
                code(() -> RxkadResponse.decode(Unpooled.wrappedBuffer(Arrays.copyOf(wire, 49)), false)));
    }
}
