package afsdr.volser.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.zip.CRC32;

import org.junit.jupiter.api.Test;

import afsdr.partition.VolumeDiskData;

/**
 * Files far larger than any buffer go through the reader and the writer with a memory use that
 * does not depend on their size: measured as the bytes the test thread allocates
 * (ThreadMXBean), independent of -Xmx.
 */
class LargeStreamTest {
    static final long ONE_GIB = 1L << 30;

    /** Deterministic pseudo-random bytes (xorshift), CRC'd as they are produced. */
    static final class Synthetic extends InputStream {
        final CRC32 crc = new CRC32();
        long left;
        long x = 0x9E3779B97F4A7C15L;
        final boolean fill;

        Synthetic(long length, boolean fill) {
            this.left = length;
            this.fill = fill;
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException("bulk reads only");
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            if (fill) {
                for (int i = 0; i < n; i++) {
                    if ((i & 7) == 0) {
                        x ^= x << 13;
                        x ^= x >>> 7;
                        x ^= x << 17;
                    }
                    b[off + i] = (byte) (x >>> ((i & 7) << 3));
                }
                crc.update(b, off, n);
            }
            left -= n;
            return n;
        }
    }

    static byte[] head(long length) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        DumpWriter w = new DumpWriter(bo);
        w.writeDumpHeader(DumpHeader.of(536870912, "t.large", 0, 1));
        w.writeVolumeHeader(VolumeDiskData.blank().id(536870912).name("t.large"));
        w.writeVnode(new DumpVnode(2, 1, true, 1, 1, 1, 0, 0, 0, 0, 0644, 1, 0, null, length));
        w.flush();
        return bo.toByteArray();
    }

    static final byte[] END = new DumpCodecTest.B().u8(4).i32(DumpTags.DUMPENDMAGIC).bytes();

    static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void oneGibFileIsParsedWithBoundedMemory() throws IOException {
        Synthetic src = new Synthetic(ONE_GIB, true);
        InputStream in = new SequenceInputStream(java.util.Collections.enumeration(List.of(
            new ByteArrayInputStream(head(ONE_GIB)), src, new ByteArrayInputStream(END))));
        CRC32 got = new CRC32();
        long[] count = {0};
        long before = allocated();
        DumpReader r = new DumpReader(in);
        r.readDumpHeader();
        r.readVolumeHeader();
        assertEquals(DumpReader.Section.VNODE, r.next((v, len, data) -> {
            byte[] b = new byte[1 << 20];
            for (int n; (n = data.read(b)) > 0; ) {
                got.update(b, 0, n);
                count[0] += n;
            }
        }));
        assertEquals(DumpReader.Section.END, r.next());
        long alloc = allocated() - before;
        assertEquals(ONE_GIB, count[0]);
        assertEquals(src.crc.getValue(), got.getValue());
        assertTrue(alloc < 16 << 20, "parsing a 1 GiB file allocated " + alloc + " bytes");
        System.out.println("1 GiB parse allocated " + alloc + " bytes");
    }

    @Test
    void fileOf4GibAndMoreUsesTheHItemBothWays() throws IOException {
        long len = (4L << 30) + 3;
        byte[] head = head(len);
        // 'h', high word 1, low word 3
        byte[] tail = java.util.Arrays.copyOfRange(head, head.length - 9, head.length);
        assertEquals(List.of((byte) 'h', (byte) 0, (byte) 0, (byte) 0, (byte) 1, (byte) 0, (byte) 0, (byte) 0,
            (byte) 3), java.util.stream.IntStream.range(0, 9).mapToObj(i -> tail[i]).toList());
        long[] count = {0};
        long[] announced = {0};
        long before = allocated();
        // the writer copies the data through its buffer into a counting sink
        long[] written = {0};
        DumpWriter w = new DumpWriter(new OutputStream() {
            @Override
            public void write(int b) {
                written[0]++;
            }

            @Override
            public void write(byte[] b, int off, int n) {
                written[0] += n;
            }
        });
        w.writeData(new Synthetic(len, false), len);
        w.flush();
        assertEquals(len, written[0]);
        DumpReader r = new DumpReader(new SequenceInputStream(java.util.Collections.enumeration(List.of(
            new ByteArrayInputStream(head), new Synthetic(len, false), new ByteArrayInputStream(END)))));
        r.readDumpHeader();
        r.readVolumeHeader();
        r.next((v, l, data) -> {
            announced[0] = l;
            byte[] b = new byte[1 << 20];
            for (int n; (n = data.read(b)) > 0; ) {
                count[0] += n;
            }
        });
        assertEquals(DumpReader.Section.END, r.next());
        long alloc = allocated() - before;
        assertEquals(len, announced[0]);
        assertEquals(len, count[0]);
        assertTrue(alloc < 16 << 20, "4 GiB through writer and reader allocated " + alloc + " bytes");
    }
}
