package afsdr.rx.rxkad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import afsdr.rx.security.RxSecurityException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RxkadPacketCryptoTest {
    static final HexFormat HEX = HexFormat.of();
    static final byte[] K1 = FcryptTest.K1;
    static final int EPOCH = 0x8a1b2c3d;
    static final int CID = 0x1234567a; // channel 2
    static final int OFF = 28; // body after an Rx header, as in a real packet buffer

    final RxkadPacketCrypto crypto = new RxkadPacketCrypto(K1, EPOCH, CID, 2);

    @Test
    void errorTableMatchesComErrNumbering() {
        // "RXK": R=18, X=24, K=11 in com_err's 6-bit alphabet, shifted left 8 (rxkad.md §2)
        assertEquals(((18 << 12) | (24 << 6) | 11) << 8, RxkadErrors.ERROR_TABLE_BASE_RXK);
        assertEquals(RxkadErrors.ERROR_TABLE_BASE_RXK + 12, RxkadErrors.RXKADILLEGALLEVEL);
        assertEquals("RXKADSEALEDINCON", RxkadErrors.name(19270410));
        assertNull(RxkadErrors.name(19270413));
    }

    @Test
    void levels() throws Exception {
        assertEquals(RxkadLevel.CRYPT, RxkadLevel.fromWire(2));
        assertEquals(8, RxkadLevel.CRYPT.headerSize());
        assertEquals(4, RxkadLevel.AUTH.maxTrailerSize());
        assertEquals(RxkadErrors.RXKADLEVELFAIL,
                assertThrows(RxSecurityException.class, () -> RxkadLevel.fromWire(3)).code());
    }

    @Test
    void specVectorPreSeqAndChecksum() {
        assertEquals("827957ffe62c13fe", String.format("%016x", crypto.preSeq()));
        assertEquals(0x221a, crypto.headerChecksum(1, CID, 1));
    }

    @Test
    void checksumFromDefinition() {
        // rxkad.md §7.2 by hand: ECB of (call, chan<<30|seq) xor preSeq, bytes 4..5
        Fcrypt ks = Fcrypt.keySchedule(K1);
        byte[] pre = new byte[8];
        Fcrypt.longToBytes(crypto.preSeq(), pre, 0);
        for (int seq : new int[] {1, 2, 77, 0x3fffffff}) {
            byte[] w = ByteBuffer.allocate(8).putInt(9).putInt((2 << 30) | seq).array();
            for (int i = 0; i < 8; i++) {
                w[i] ^= pre[i];
            }
            byte[] out = new byte[8];
            ks.ecb(w, 0, out, 0, Fcrypt.ENCRYPT);
            int sum = ((out[4] & 0xff) << 8) | (out[5] & 0xff);
            assertEquals(sum == 0 ? 1 : sum, crypto.headerChecksum(9, CID, seq));
        }
        // the channel is covered, the high bits of seq are not
        assertEquals(crypto.headerChecksum(9, CID, 5), crypto.headerChecksum(9, CID, 5 | 0x40000000));
        int other = crypto.headerChecksum(9, CID ^ 1, 5);
        assertThrows(RxSecurityException.class, () -> crypto.checkHeaderChecksum(other, 9, CID, 5));
    }

    @Test
    void checksumMismatchIsSealedIncon() throws Exception {
        int sum = crypto.headerChecksum(3, CID, 4);
        crypto.checkHeaderChecksum(sum, 3, CID, 4);
        RxSecurityException e = assertThrows(RxSecurityException.class,
                () -> crypto.checkHeaderChecksum(sum ^ 0x0100, 3, CID, 4));
        assertEquals(RxkadErrors.RXKADSEALEDINCON, e.code());
    }

    private static ByteBuf packet(RxkadLevel level, byte[] user) {
        ByteBuf buf = Unpooled.buffer(OFF + level.headerSize() + user.length + level.maxTrailerSize());
        buf.setBytes(OFF + level.headerSize(), user);
        return buf;
    }

    private static byte[] user(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 7 + 1);
        }
        return b;
    }

    @Test
    void authLevelFromDefinition() throws Exception {
        for (int n : new int[] {0, 1, 3, 4, 5, 100}) {
            byte[] data = user(n);
            ByteBuf buf = packet(RxkadLevel.AUTH, data);
            int len = crypto.prepare(RxkadLevel.AUTH, 5, 3, buf, OFF, n);
            assertEquals(Math.max(8, 4 + n), len);
            // expected: ECB(first 8 bytes of word0 ‖ data ‖ zeros), rest of data in the clear
            byte[] plain = ByteBuffer.allocate(len).putInt(((5 ^ 3) << 16) | n).put(data).array();
            byte[] expected = plain.clone();
            Fcrypt.keySchedule(K1).ecb(plain, 0, expected, 0, Fcrypt.ENCRYPT);
            assertOnWireAndChecked(RxkadLevel.AUTH, 5, 3, buf, expected, data, 4);
        }
    }

    @Test
    void cryptLevelFromDefinition() throws Exception {
        for (int n : new int[] {0, 1, 8, 13, 1400}) {
            byte[] data = user(n);
            ByteBuf buf = packet(RxkadLevel.CRYPT, data);
            int len = crypto.prepare(RxkadLevel.CRYPT, 0x12345, 0x10001, buf, OFF, n);
            assertEquals((8 + n + 7) / 8 * 8, len);
            byte[] expected = ByteBuffer.allocate(len).putInt((((0x12345 ^ 0x10001) & 0xffff) << 16) | n).putInt(0)
                    .put(data).array();
            Pcbc.crypt(Fcrypt.keySchedule(K1), Fcrypt.bytesToLong(K1, 0), expected, 0, len, Fcrypt.ENCRYPT);
            assertOnWireAndChecked(RxkadLevel.CRYPT, 0x12345, 0x10001, buf, expected, data, 8);
        }
    }

    /**
     * The prepared packet in {@code buf} is {@code expected} on the wire, and check() accepts it and
     * gives back {@code data} after the level's {@code headerLength} bytes.
     */
    private void assertOnWireAndChecked(RxkadLevel level, int callNumber, int seq, ByteBuf buf, byte[] expected,
                                        byte[] data, int headerLength) throws Exception {
        byte[] wire = new byte[expected.length];
        buf.getBytes(OFF, wire);
        assertArrayEquals(expected, wire, "n=" + data.length);
        assertEquals(data.length, crypto.check(level, callNumber, seq, buf, OFF, expected.length));
        byte[] got = new byte[data.length];
        buf.getBytes(OFF + headerLength, got);
        assertArrayEquals(data, got);
    }

    @Test
    void clearLevelLeavesPayload() throws Exception {
        ByteBuf buf = packet(RxkadLevel.CLEAR, user(10));
        assertEquals(10, crypto.prepare(RxkadLevel.CLEAR, 1, 1, buf, OFF, 10));
        assertEquals(10, crypto.check(RxkadLevel.CLEAR, 1, 1, buf, OFF, 10));
        byte[] got = new byte[10];
        buf.getBytes(OFF, got);
        assertArrayEquals(user(10), got);
    }

    private int tamper(RxkadLevel level, int n, int flipByte, int checkCall, int checkSeq, RxkadPacketCrypto receiver) {
        ByteBuf buf = packet(level, user(n));
        try {
            int len = crypto.prepare(level, 7, 9, buf, OFF, n);
            if (flipByte >= 0) {
                buf.setByte(OFF + flipByte, buf.getByte(OFF + flipByte) ^ 0x10);
            }
            return assertThrows(RxSecurityException.class,
                    () -> receiver.check(level, checkCall, checkSeq, buf, OFF, len)).code();
        } catch (RxSecurityException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void tamperingIsDetected() {
        int sealed = RxkadErrors.RXKADSEALEDINCON;
        // flipped bit in the sealed block
        assertEquals(sealed, tamper(RxkadLevel.AUTH, 20, 1, 7, 9, crypto));
        // PCBC carries a flip in the first block into the header check even for long bodies
        assertEquals(sealed, tamper(RxkadLevel.CRYPT, 64, 2, 7, 9, crypto));
        // replay at another sequence number or call
        assertEquals(sealed, tamper(RxkadLevel.AUTH, 20, -1, 7, 10, crypto));
        assertEquals(sealed, tamper(RxkadLevel.CRYPT, 20, -1, 8, 9, crypto));
        // another session key
        RxkadPacketCrypto stranger = new RxkadPacketCrypto(FcryptTest.K2, EPOCH, CID, 2);
        assertEquals(sealed, tamper(RxkadLevel.CRYPT, 20, -1, 7, 9, stranger));
        assertEquals(sealed, tamper(RxkadLevel.AUTH, 20, -1, 7, 9, stranger));
    }

    @Test
    void shortAndOverlongBodies() throws Exception {
        ByteBuf buf = Unpooled.buffer(64);
        assertEquals(RxkadErrors.RXKADPACKETSHORT, assertThrows(RxSecurityException.class,
                () -> crypto.check(RxkadLevel.AUTH, 1, 1, buf, 0, 7)).code());
        assertEquals(RxkadErrors.RXKADPACKETSHORT, assertThrows(RxSecurityException.class,
                () -> crypto.check(RxkadLevel.CRYPT, 1, 1, buf, 0, 0)).code());
        assertEquals(RxkadErrors.RXKADDATALEN, assertThrows(RxSecurityException.class,
                () -> crypto.check(RxkadLevel.CRYPT, 1, 1, buf, 0, 12)).code());

        // a correctly sealed word that claims more data than the body holds
        ByteBuf lying = Unpooled.buffer(64);
        lying.setLong(0, Fcrypt.keySchedule(K1).encryptBlock(((long) (((1 ^ 1) << 16) | 5)) << 32));
        assertEquals(RxkadErrors.RXKADDATALEN, assertThrows(RxSecurityException.class,
                () -> crypto.check(RxkadLevel.AUTH, 1, 1, lying, 0, 8)).code());

        assertEquals(RxkadErrors.RXKADDATALEN, assertThrows(RxSecurityException.class,
                () -> crypto.prepare(RxkadLevel.AUTH, 1, 1, Unpooled.buffer(70000), 0, 0x10000)).code());
    }
}
