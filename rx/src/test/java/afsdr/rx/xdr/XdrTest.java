package afsdr.rx.xdr;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class XdrTest {
    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /** Hands out at most one byte per read, like a stream fed by tiny packets. */
    private static final class Trickle extends InputStream {
        private final byte[] data;
        int pos;

        Trickle(byte[] data) {
            this.data = data;
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= data.length) {
                return -1;
            }
            b[off] = data[pos++];
            return 1;
        }
    }

    @Test
    void primitivesHaveTheRxgenEncoding() throws IOException {
        XdrWriter w = new XdrWriter();
        w.writeInt(-2).writeLong(0x0000000100000002L).writeBool(true).writeString("ab", 65)
                .writeOpaque(new byte[] {1, 2, 3, 4, 5}, 10).writeFixedOpaque(new byte[] {9}, 1)
                .writeFixedChars("hi", 3).writeIntArray(new int[] {7}, 500);
        assertEquals("fffffffe" + "0000000100000002" + "00000001" + "00000002" + "61620000"
                + "00000005" + "0102030405000000" + "09000000" + "00000068" + "00000069" + "00000000"
                + "00000001" + "00000007", hex(w.toByteArray()));

        XdrReader r = XdrReader.of(w.toByteArray());
        assertEquals(-2, r.readInt());
        assertEquals(0x0000000100000002L, r.readLong());
        assertTrue(r.readBool());
        assertEquals("ab", r.readString(65));
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, r.readOpaque(10));
        assertArrayEquals(new byte[] {9}, r.readFixedOpaque(1));
        assertEquals("hi", r.readFixedChars(3));
        assertArrayEquals(new int[] {7}, r.readIntArray(500));
        assertTrue(r.atEnd());
    }

    @Test
    void fixedCharsKeepOnlyTheLowByteOfSignExtendedChars() throws IOException {
        // A 1.8 server on x86 widens char 0xE9 to the int 0xFFFFFFE9 (rx.md §17).
        XdrReader r = XdrReader.of(hex("ffffffe9 00000041 00000000 00000042"));
        assertEquals("\u00e9A", r.readFixedChars(4));
    }

    @Test
    void fixedCharsWithoutNulTakeAllCharacters() throws IOException {
        assertEquals("ab", XdrReader.of(hex("00000061 00000062")).readFixedChars(2));
    }

    @Test
    void encodingRejectsWhatDoesNotFit() {
        XdrException e = assertThrows(XdrException.class, () -> new XdrWriter().writeString("abc", 2));
        assertFalse(e.isDecode());
        assertThrows(XdrException.class, () -> new XdrWriter().writeFixedChars("abc", 3));
        assertThrows(XdrException.class, () -> new XdrWriter().writeIntArray(new int[3], 2));
        assertThrows(XdrException.class, () -> new XdrWriter().writeFixedInts(new int[3], 4));
    }

    @Test
    void lengthAboveDeclaredMaxIsRejectedBeforeReadingTheBytes() {
        XdrException e = assertThrows(XdrException.class,
                () -> XdrReader.of(hex("00000042 61616161")).readString(65));
        assertTrue(e.isDecode());
        assertTrue(e.getMessage().contains("exceeds <65>"), e.getMessage());
    }

    @Test
    void negativeCountIsRejected() {
        assertThrows(XdrException.class, () -> XdrReader.of(hex("80000000")).readIntArray(Xdr.UNBOUNDED));
    }

    @Test
    void countLargerThanTheRemainingBytesIsRejectedBeforeAllocation() {
        // 100 million elements claimed, 8 bytes present: must fail on the byte check, not by OOM.
        XdrException e = assertThrows(XdrException.class,
                () -> XdrReader.of(hex("05f5e100 00000001 00000002")).readArray(Xdr.INT64, Xdr.UNBOUNDED));
        assertTrue(e.getMessage().contains("needs 800000000 bytes, only 8 available"), e.getMessage());
    }

    @Test
    void streamThatEndsEarlyFailsWithTheOffset() {
        InputStream in = new ByteArrayInputStream(hex("7fffffff 0102"));
        XdrException e = assertThrows(XdrException.class, () -> XdrReader.of(in).readOpaque(Integer.MAX_VALUE));
        assertTrue(e.getMessage().contains("offset 4"), e.getMessage());
    }

    @Test
    void hugeClaimedLengthOnAStreamOnlyConsumesWhatArrives() {
        // The reader must not allocate 2 GB for a claim; it reads what comes and fails at EOF.
        Trickle in = new Trickle(hex("10000000 01020304 05060708"));
        assertThrows(XdrException.class, () -> XdrReader.of(in).readOpaque(Integer.MAX_VALUE));
        assertEquals(12, in.pos);
    }

    @Test
    void greedyStreamReaderDecodesAcrossOneByteReads() throws IOException {
        XdrWriter w = new XdrWriter();
        w.writeArray(List.of("volume.one", "v2", ""), Xdr.string(65), 10).writeLong(-1L);
        XdrReader r = XdrReader.of(new Trickle(w.toByteArray()));
        assertEquals(List.of("volume.one", "v2", ""), r.readArray(Xdr.string(65), 10));
        assertEquals(-1L, r.readLong());
        assertTrue(r.atEnd());
    }

    @Test
    void exactStreamReaderLeavesTheFollowingRawBytesUnread() throws IOException {
        ByteArrayInputStream in = new ByteArrayInputStream(hex("00000001 00000003 616263 00 ffeeddcc"));
        XdrReader r = XdrReader.exact(in);
        assertEquals(1, r.readInt());
        assertEquals("abc", r.readString(10));
        assertEquals(0, r.buffered());
        assertEquals("ffeeddcc", hex(in.readAllBytes()));
    }

    @Test
    void exactStreamReaderGrowsForLargeValuesAndStillStopsAtTheirEnd() throws IOException {
        XdrWriter w = new XdrWriter();
        w.writeInt(7).writeFixedChars("restore.cookie.name", 32).writeOpaque(new byte[5000], 5000).writeInt(9);
        byte[] xdr = w.toByteArray();
        byte[] all = java.util.Arrays.copyOf(xdr, xdr.length + 3);
        all[all.length - 1] = 42;
        for (InputStream in : List.of(new ByteArrayInputStream(all), new Trickle(all))) {
            XdrReader r = XdrReader.exact(in);
            assertEquals(7, r.readInt());
            assertEquals("restore.cookie.name", r.readFixedChars(32));
            assertEquals(5000, r.readOpaque(5000).length);
            assertEquals(9, r.readInt());
            assertEquals(xdr.length, r.position());
            assertEquals(0, in.read());
            assertEquals(0, in.read());
            assertEquals(42, in.read());
        }
    }

    @Test
    void streamWriterPassesLargeDataThroughInChunks() throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        XdrWriter w = new XdrWriter(out);
        byte[] big = new byte[3 * XdrWriter.STREAM_CHUNK + 1];
        big[big.length - 1] = 7;
        w.writeInt(5).writeOpaque(big, big.length).writeInt(6);
        w.flush();
        assertEquals(4 + 4 + big.length + 3 + 4, out.size());
        assertEquals(w.size(), out.size());
        XdrReader r = XdrReader.of(out.toByteArray());
        assertEquals(5, r.readInt());
        assertArrayEquals(big, r.readOpaque(big.length));
        assertEquals(6, r.readInt());
    }

    @Test
    void fixedIntsAndTruncatedFixedChars() throws IOException {
        assertArrayEquals(new int[] {1, 2}, XdrReader.of(hex("00000001 00000002")).readFixedInts(2));
        assertThrows(XdrException.class, () -> XdrReader.of(hex("00000061")).readFixedChars(2));
    }
}
