package afsdr.volser.dump;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import afsdr.partition.AccessList;
import afsdr.partition.VolumeDiskData;

/** The stream codec alone: exact bytes, round trips, extension tags, and a corpus of bad streams. */
class DumpCodecTest {
    static final byte[] ACL_DISK = new AccessList(List.of(new AccessList.Entry(-204, 0x7f),
        new AccessList.Entry(1001, 0x09)), List.of(new AccessList.Entry(1002, 0x02))).encode(ByteOrder.LITTLE_ENDIAN);

    static VolumeDiskData header() {
        return VolumeDiskData.blank().id(536870912).name("t.codec").inService(true).blessed(true).uniquifier(77)
            .type(VolumeDiskData.RW).parentId(536870912).cloneId(536870913).maxquota(5000).minquota(1).diskused(123)
            .filecount(5).accountNumber(2).owner(3).creationDate(1000).accessDate(1001).updateDate(1002)
            .expirationDate(1003).backupDate(1004).offlineMessage("off").weekUse(0, 1).weekUse(6, 7).dayUseDate(1005)
            .dayUse(9);
    }

    record Rec(DumpVnode v, byte[] data) {
    }

    static List<Rec> vnodes(int fileSize) {
        byte[] acl = AclCodec.diskToNetwork(ACL_DISK);
        Random r = new Random(5);
        byte[] dir = new byte[2048];
        r.nextBytes(dir);
        byte[] file = new byte[fileSize];
        r.nextBytes(file);
        List<Rec> l = new ArrayList<>();
        l.add(new Rec(new DumpVnode(1, 1, true, 2, 3, 4, 5, 6, 7, 0, 0777, 0, 8, acl, dir.length), dir));
        l.add(new Rec(DumpVnode.headerOnly(3, 9), null));
        l.add(new Rec(new DumpVnode(2, 2, true, 1, 1, 1, 2, 3, 4, 55, 0644, 1, 6, null, file.length), file));
        l.add(new Rec(new DumpVnode(4, 3, true, 1, 1, 1, 2, 3, 4, 0, 0600, 1, 6, null, 0), new byte[0]));
        l.add(new Rec(new DumpVnode(6, 4, true, 3, -2, 1, 2, 3, 4, 0, 0755, 1, 6, null, -1), null));
        return l;
    }

    static byte[] dump(List<Rec> recs) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        DumpWriter w = new DumpWriter(bo);
        w.writeDumpHeader(DumpHeader.of(536870912, "t.codec", 0, 1002));
        w.writeVolumeHeader(header());
        for (Rec r : recs) {
            w.writeVnode(r.v());
            if (r.v().hasData()) {
                w.writeData(new ByteArrayInputStream(r.data()), r.data().length);
            }
        }
        w.writeEnd();
        assertEquals(bo.size(), w.bytesWritten());
        return bo.toByteArray();
    }

    /** Parse a whole stream: vnode records with their data. */
    static List<Rec> parse(byte[] stream) throws IOException {
        DumpReader r = new DumpReader(new ByteArrayInputStream(stream));
        r.readDumpHeader();
        r.readVolumeHeader();
        List<Rec> out = new ArrayList<>();
        byte[][] data = {null};
        DumpReader.Section s;
        while ((s = r.next((v, len, in) -> data[0] = in.readAllBytes())) != DumpReader.Section.END) {
            if (s == DumpReader.Section.VNODE) {
                out.add(new Rec(r.vnode(), r.vnode().hasData() ? data[0] : null));
                data[0] = null;
            }
        }
        return out;
    }

    /** Spec-driven byte builder, independent of DumpWriter. */
    static final class B {
        final ByteArrayOutputStream o = new ByteArrayOutputStream();

        B u8(int... v) {
            for (int x : v) {
                o.write(x);
            }
            return this;
        }

        B u16(int v) {
            return u8(v >>> 8, v & 0xff);
        }

        B i32(int v) {
            return u8(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
        }

        B tagInt(char t, int v) {
            return u8(t).i32(v);
        }

        B str(char t, String s) {
            u8(t);
            o.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
            return u8(0);
        }

        B raw(byte[] b) {
            o.writeBytes(b);
            return this;
        }

        byte[] bytes() {
            return o.toByteArray();
        }
    }

    static B dumpHeaderBytes() {
        return new B().u8(1).i32(0xB3A11322).i32(1).tagInt('v', 536870912).str('n', "t.codec").u8('t').u16(2).i32(0)
            .i32(1002);
    }

    static B volumeHeaderBytes(B b) {
        b.u8(2).tagInt('i', 536870912).tagInt('v', 1).str('n', "t.codec").u8('s', 1).u8('b', 1).tagInt('u', 77)
            .u8('t', 0).tagInt('p', 536870912).tagInt('c', 536870913).tagInt('q', 5000).tagInt('m', 1)
            .tagInt('d', 123).tagInt('f', 5).tagInt('a', 2).tagInt('o', 3).tagInt('C', 1000).tagInt('A', 1001)
            .tagInt('U', 1002).tagInt('E', 1003).tagInt('B', 1004).str('O', "off").str('M', "").u8('W').u16(7)
            .i32(1).i32(0).i32(0).i32(0).i32(0).i32(0).i32(7).tagInt('D', 1005).tagInt('Z', 9);
        return b;
    }

    @Test
    void writerEmitsTheStockByteLayout() throws IOException {
        List<Rec> recs = vnodes(10);
        B b = volumeHeaderBytes(dumpHeaderBytes());
        byte[] netAcl = new B().i32(20 + 3 * 8).i32(1).i32(3).i32(2).i32(1).i32(-204).i32(0x7f).i32(1001).i32(9)
            .i32(1002).i32(2).bytes();
        b.u8(3).i32(1).i32(1).u8('t', 2).u8('l').u16(3).tagInt('v', 4).tagInt('m', 5).tagInt('a', 6).tagInt('o', 7)
            .u8('b').u16(0777).tagInt('p', 0).tagInt('s', 8).u8('A').raw(Arrays.copyOf(netAcl, 192))
            .tagInt('f', 2048).raw(recs.get(0).data());
        b.u8(3).i32(3).i32(9);
        b.u8(3).i32(2).i32(2).u8('t', 1).u8('l').u16(1).tagInt('v', 1).tagInt('m', 2).tagInt('a', 3).tagInt('o', 4)
            .tagInt('g', 55).u8('b').u16(0644).tagInt('p', 1).tagInt('s', 6).tagInt('f', 10).raw(recs.get(2).data());
        b.u8(3).i32(4).i32(3).u8('t', 1).u8('l').u16(1).tagInt('v', 1).tagInt('m', 2).tagInt('a', 3).tagInt('o', 4)
            .u8('b').u16(0600).tagInt('p', 1).tagInt('s', 6).tagInt('f', 0);
        b.u8(3).i32(6).i32(4).u8('t', 3).u8('l').u16(0xfffe).tagInt('v', 1).tagInt('m', 2).tagInt('a', 3)
            .tagInt('o', 4).u8('b').u16(0755).tagInt('p', 1).tagInt('s', 6);
        b.u8(4).i32(0x3A214B6E);
        DumpTestSupport.assertBytesEqual(b.bytes(), dump(recs), "dump stream");
    }

    @Test
    void roundTripKeepsEveryAttributeAndByte() throws IOException {
        List<Rec> recs = vnodes(100_000);
        byte[] s = dump(recs);
        DumpReader r = new DumpReader(new ByteArrayInputStream(s));
        assertEquals(DumpHeader.of(536870912, "t.codec", 0, 1002), r.readDumpHeader());
        assertArrayEquals(header().encode(), r.readVolumeHeader().encode());
        List<Rec> back = parse(s);
        assertEquals(recs.size(), back.size());
        for (int i = 0; i < recs.size(); i++) {
            assertEquals(recs.get(i).v(), back.get(i).v());
            assertArrayEquals(recs.get(i).data(), back.get(i).data());
        }
        // the ACL converts back to the disk bytes it came from
        assertArrayEquals(ACL_DISK, AclCodec.networkToDisk(back.get(0).v().acl()));
    }

    @Test
    void invalidDiskAclIsOmittedLikeAclHtonAcl() {
        byte[] bad = ACL_DISK.clone();
        bad[8] = 21; // total 21 > ACL_MAXENTRIES
        assertNull(AclCodec.diskToNetwork(bad));
        assertNull(AclCodec.diskToNetwork(new byte[192]), "all-zero ACL has size 0 < 20");
    }

    /** Insert bytes right after the dump header, volume header or a vnode's attributes. */
    static byte[] splice(byte[] s, int at, byte[] ins) {
        byte[] out = new byte[s.length + ins.length];
        System.arraycopy(s, 0, out, 0, at);
        System.arraycopy(ins, 0, out, at, ins.length);
        System.arraycopy(s, at, out, at + ins.length, s.length - at);
        return out;
    }

    @Test
    void unknownNonCriticalTagsAreSkippedInEverySection() throws IOException {
        List<Rec> recs = vnodes(50);
        byte[] s = dump(recs);
        int afterDumpHeader = dumpHeaderBytes().bytes().length;
        int afterVolHeader = volumeHeaderBytes(dumpHeaderBytes()).bytes().length;
        byte[] ext = new B().u8('X', 3, 1, 2, 3)          // TLV, short length
            .u8('Y', 0x82, 0x01, 0x00).raw(new byte[256])   // TLV, 2 length bytes = 256
            .u8('Y', 0x80)                                  // TLV, zero length bytes
            .u8('y').i32(0x12345678)                        // 4-byte value
            .u8(0x7b, 0x7d, 0x7f)                           // no value
            .u8(0x7e, 'Q', 0)                               // critical marker before a known-format... unknown TLV? no:
            .bytes();
        // 0x7e followed by an unknown tag aborts; keep the critical case out of this splice
        ext = Arrays.copyOf(ext, ext.length - 3);
        byte[] t = splice(s, afterVolHeader + 9 + 2, ext);  // inside vnode 1, after 't'
        t = splice(t, afterVolHeader, ext);                  // end of the volume header attributes
        t = splice(t, afterDumpHeader, ext);                 // end of the dump header attributes
        List<Rec> back = parse(t);
        assertEquals(recs.size(), back.size());
        for (int i = 0; i < recs.size(); i++) {
            assertEquals(recs.get(i).v(), back.get(i).v());
        }
        // critical marker before a known tag is fine
        byte[] crit = splice(s, afterDumpHeader, new B().u8(0x7e).tagInt('v', 536870912).bytes());
        assertEquals(recs.size(), parse(crit).size());
    }

    static DumpFormatException bad(byte[] stream) {
        return assertThrows(DumpFormatException.class, () -> parse(stream));
    }

    @Test
    void badStreamsAreRefusedWithOffsetTagAndExpectation() throws IOException {
        byte[] s = dump(vnodes(50));
        int afterDumpHeader = dumpHeaderBytes().bytes().length;
        int afterVolHeader = volumeHeaderBytes(dumpHeaderBytes()).bytes().length;

        DumpFormatException e = bad(new byte[0]);
        assertTrue(e.getMessage().contains("expected D_DUMPHEADER"), e.getMessage());
        byte[] m = s.clone();
        m[1] ^= 1;
        e = bad(m);
        assertEquals(1, e.offset());
        assertTrue(e.getMessage().contains("DUMPBEGINMAGIC"), e.getMessage());
        m = s.clone();
        m[m.length - 1] ^= 1;
        e = bad(m);
        assertEquals(s.length - 4, e.offset());
        assertTrue(e.getMessage().contains("DUMPENDMAGIC"), e.getMessage());
        assertEquals(DumpException.VOLSERREAD_DUMPERROR, e.volserCode());

        e = bad(Arrays.copyOf(s, s.length + 1));
        assertEquals(s.length, e.offset());
        assertTrue(e.getMessage().contains("expected end of stream after the end marker"), e.getMessage());

        // critical marker then unknown tag
        e = bad(splice(s, afterDumpHeader, new B().u8(0x7e, 'X', 0).bytes()));
        assertEquals(afterDumpHeader + 1, e.offset());
        assertEquals('X', e.tag());
        // tags >= 0x80 are never valid
        e = bad(splice(s, afterVolHeader, new B().u8(0x81).bytes()));
        assertEquals(0x81, e.tag());
        // a volume-header-only tag inside a vnode record is not a TLV extension
        e = bad(splice(s, afterVolHeader + 9, new B().tagInt('C', 5).bytes()));
        assertEquals('C', e.tag());
        assertTrue(e.section().startsWith("vnode 1"), e.section());
        // TLV length with 9 length bytes
        e = bad(splice(s, afterVolHeader, new B().u8('X', 0x89).raw(new byte[9]).bytes()));
        assertTrue(e.getMessage().contains("length field of 9 bytes"), e.getMessage());
        // huge TLV length: skipped without allocating, ends in truncation
        e = bad(splice(s, afterVolHeader, new B().u8('X', 0x88).raw(new byte[] {0x7f, -1, -1, -1, -1, -1, -1, -1})
            .bytes()));
        assertTrue(e.getMessage().contains("value of unknown tag"), e.getMessage());
        // dump times: odd or oversized counts
        e = bad(new B().u8(1).i32(0xB3A11322).i32(1).tagInt('v', 5).u8('t').u16(65535).bytes());
        assertTrue(e.getMessage().contains("dump time count 65535"), e.getMessage());
        e = bad(new B().u8(1).i32(0xB3A11322).i32(1).tagInt('v', 5).u8('t').u16(3).bytes());
        // no dump times / no volume id
        e = bad(new B().u8(1).i32(0xB3A11322).i32(1).tagInt('v', 5).u8(2).bytes());
        assertTrue(e.getMessage().contains("lacks dump times"), e.getMessage());
        e = bad(new B().u8(1).i32(0xB3A11322).i32(1).u8('t').u16(2).i32(0).i32(0).u8(2).bytes());
        assertTrue(e.getMessage().contains("lacks a volume id"), e.getMessage());
        // volume header missing
        e = bad(new B().u8(1).i32(0xB3A11322).i32(1).tagInt('v', 5).u8('t').u16(2).i32(0).i32(0).u8(3).bytes());
        assertTrue(e.getMessage().contains("expected D_VOLUMEHEADER"), e.getMessage());
        // unknown section marker
        e = bad(splice(s, afterVolHeader, new B().u8(9).bytes()));
        assertTrue(e.getMessage().contains("expected D_VNODE"), e.getMessage());
        // weekUse count that the stream cannot hold
        e = bad(new B().raw(dumpHeaderBytes().bytes()).u8(2, 'W').u16(65535).i32(1).bytes());
        assertTrue(e.getMessage().contains("weekUse"), e.getMessage());
        // vnode number 0, and a directory type on a file vnode number
        byte[] head = volumeHeaderBytes(dumpHeaderBytes()).bytes();
        e = bad(new B().raw(head).u8(3).i32(0).i32(1).u8(4).i32(0x3A214B6E).bytes());
        assertTrue(e.getMessage().contains("vnode number 0"), e.getMessage());
        e = bad(new B().raw(head).u8(3).i32(2).i32(1).u8('t', 2).u8(4).i32(0x3A214B6E).bytes());
        assertTrue(e.getMessage().contains("not valid for even"), e.getMessage());
        // invalid ACL item
        byte[] acl = new byte[192];
        acl[11] = 21;
        e = bad(new B().raw(head).u8(3).i32(1).i32(1).u8('t', 2).u8('A').raw(acl).u8(4).i32(0x3A214B6E).bytes());
        assertTrue(e.getMessage().contains("invalid ACL"), e.getMessage());
        // 'h' lengths beyond 2^63 and ones the stream does not hold
        e = bad(new B().raw(head).u8(3).i32(2).i32(1).u8('t', 1).u8('h').i32(0x80000000).i32(0).bytes());
        assertTrue(e.getMessage().contains("exceeds"), e.getMessage());
        e = bad(new B().raw(head).u8(3).i32(2).i32(1).u8('t', 1).u8('h').i32(1).i32(0).raw(new byte[10]).bytes());
        assertTrue(e.getMessage().contains("after 10 of 4294967296 bytes"), e.getMessage());
    }

    @Test
    void oversizeLengthsAllocateNothing() throws IOException {
        byte[] head = volumeHeaderBytes(dumpHeaderBytes()).bytes();
        byte[] s = new B().raw(head).u8(3).i32(2).i32(1).u8('t', 1).tagInt('f', -1).raw(new byte[1000]).bytes();
        com.sun.management.ThreadMXBean tm = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = tm.getCurrentThreadAllocatedBytes();
        DumpFormatException e = assertThrows(DumpFormatException.class, () -> {
            DumpReader r = new DumpReader(new ByteArrayInputStream(s));
            r.readDumpHeader();
            r.readVolumeHeader();
            r.next((v, len, in) -> in.transferTo(java.io.OutputStream.nullOutputStream()));
        });
        long allocated = tm.getCurrentThreadAllocatedBytes() - before;
        assertTrue(e.getMessage().contains("after 1000 of 4294967295 bytes"), e.getMessage());
        assertTrue(allocated < 4 << 20, "parsing a 4 GiB length allocated " + allocated + " bytes");
    }

    @Test
    void secondVolumeHeaderAndDuplicateDataAreHandledAsTheStockReaderDoes() throws IOException {
        byte[] head = volumeHeaderBytes(dumpHeaderBytes()).bytes();
        byte[] s = new B().raw(head).u8(3).i32(2).i32(1).u8('t', 1).tagInt('f', 2).u8(7, 8).tagInt('f', 3).u8(1, 2, 3)
            .u8(2).tagInt('i', 536870912).str('n', "second").tagInt('U', 4242).u8(4).i32(0x3A214B6E).bytes();
        DumpReader r = new DumpReader(new ByteArrayInputStream(s));
        r.readDumpHeader();
        assertEquals("t.codec", r.readVolumeHeader().name());
        List<byte[]> got = new ArrayList<>();
        assertEquals(DumpReader.Section.VNODE, r.next((v, len, in) -> got.add(in.readAllBytes())));
        assertEquals(1, got.size(), "the duplicate 'f' is skipped");
        assertArrayEquals(new byte[] {7, 8}, got.get(0));
        assertEquals(2, r.vnode().dataLength());
        assertEquals(DumpReader.Section.VOLUME_HEADER, r.next());
        assertEquals("second", r.volumeHeader().name());
        assertEquals(4242, r.volumeHeader().updateDate());
        assertEquals(0, r.volumeHeader().maxquota(), "fields absent from a volume header section are zero");
        assertEquals(DumpReader.Section.END, r.next());
        assertEquals(s.length, r.offset());
    }

    @Test
    void everyTruncationIsAPreciseError() throws IOException {
        byte[] s = dump(vnodes(300));
        for (int len = 0; len < s.length; len++) {
            byte[] t = Arrays.copyOf(s, len);
            try {
                parse(t);
                fail("truncated to " + len + " of " + s.length + " bytes, but parsed");
            } catch (DumpFormatException e) {
                assertTrue(e.offset() <= len, "offset " + e.offset() + " beyond the " + len + " bytes: " + e.getMessage());
                assertEquals(DumpException.VOLSERREAD_DUMPERROR, e.volserCode());
            }
        }
    }

    @Test
    void bitFlipsGiveEitherAValidParseOrADumpFormatException() throws IOException {
        long seed = Long.getLong("dump.fuzz.seed", System.nanoTime());
        System.out.println("bitFlips seed = " + seed + " (rerun with -Ddump.fuzz.seed=" + seed + ")");
        Random rnd = new Random(seed);
        byte[] s = dump(vnodes(300));
        int errors = 0;
        for (int i = 0; i < 3000; i++) {
            byte[] t = s.clone();
            int flips = 1 + rnd.nextInt(3);
            for (int k = 0; k < flips; k++) {
                int at = rnd.nextInt(t.length);
                t[at] ^= (byte) (1 << rnd.nextInt(8));
            }
            try {
                parse(t);
            } catch (DumpFormatException e) {
                errors++;
            } catch (Throwable e) {
                throw new AssertionError("seed " + seed + " iteration " + i + ": unexpected " + e, e);
            }
        }
        assertTrue(errors > 0, "seed " + seed + ": no flip was detected at all");
    }

    /**
     * A vnode number no volume with these uniquifiers can have used is refused where it stands (the
     * stock reader would write it that far into a sparse index); the same number with a vnode
     * uniquifier that reaches that far is a valid record. Header uniquifier 77: limit 2 x 65536.
     */
    @Test
    void vnodeNumbersBeyondWhatTheUniquifiersAllowAreRefused() throws IOException {
        long limit = DumpReader.vnodeNumberLimit(77);
        assertEquals(2 * DumpReader.UNIQUIFIER_FLOOR, limit);
        assertEquals(DumpReader.MAX_VNODE_NUMBER, DumpReader.vnodeNumberLimit(0xffffffffL));
        assertEquals(2_000_000, DumpReader.vnodeNumberLimit(1_000_000));
        int far = (int) limit + 2;
        List<Rec> recs = new ArrayList<>(vnodes(10));
        recs.add(new Rec(new DumpVnode(far, 5, true, 1, 1, 1, 2, 3, 4, 0, 0644, 1, 6, null, 0), new byte[0]));
        byte[] s = dump(recs);
        int at = indexOf(s, new B().u8(3).i32(far).bytes());
        DumpFormatException e = bad(s);
        assertEquals(at + 1, e.offset(), e.getMessage());
        assertEquals(DumpException.VOLSERREAD_DUMPERROR, e.volserCode());
        assertTrue(e.getMessage().contains("vnode number " + far + " beyond " + limit), e.getMessage());
        recs.set(recs.size() - 1, new Rec(new DumpVnode(far, far / 2, true, 1, 1, 1, 2, 3, 4, 0, 0644, 1, 6, null, 0),
            new byte[0]));
        assertEquals(far, parse(dump(recs)).get(recs.size() - 1).v().vnodeNumber(), "uniquifier far/2 reaches it");
        recs.set(recs.size() - 1, new Rec(new DumpVnode((int) limit, 5, true, 1, 1, 1, 2, 3, 4, 0, 0644, 1, 6, null, 0),
            new byte[0]));
        assertEquals((int) limit, parse(dump(recs)).get(recs.size() - 1).v().vnodeNumber(), "the limit itself");
    }

    static int indexOf(byte[] s, byte[] what) {
        outer:
        for (int i = 0; i + what.length <= s.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (s[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
