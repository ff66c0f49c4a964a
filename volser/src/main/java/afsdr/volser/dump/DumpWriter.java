package afsdr.volser.dump;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import afsdr.partition.VolumeDiskData;

/**
 * Writes the volume dump stream byte for byte as the stock volserver's DumpVolume does
 * (dump-format.md §2–§5): dump header attributes 'v' 'n' 't'; the volume header attributes in
 * DumpVolumeHeader order; vnode records with 'g' only when the group is non-zero, 'A' only for
 * directories with a valid ACL, 'f' (or 'h' from 4 GiB on) followed by the data; the end marker.
 *
 * <p>Output is buffered in a fixed 64 KiB buffer; file data is copied through it in chunks, so
 * memory does not depend on file sizes. {@link #flush()} pushes the buffer out; the writer never
 * closes the underlying stream. Not thread-safe.
 */
public final class DumpWriter {
    private static final int BUFFER = 64 * 1024;

    private final OutputStream out;
    private final byte[] buf = new byte[BUFFER];
    private int pos;
    private long flushed;

    public DumpWriter(OutputStream out) {
        this.out = out;
    }

    /** Bytes written so far (buffered ones included). */
    public long bytesWritten() {
        return flushed + pos;
    }

    public void flush() throws IOException {
        drain();
        out.flush();
    }

    private void drain() throws IOException {
        if (pos > 0) {
            out.write(buf, 0, pos);
            flushed += pos;
            pos = 0;
        }
    }

    private void room(int n) throws IOException {
        if (buf.length - pos < n) {
            drain();
        }
    }

    private void u8(int v) throws IOException {
        room(1);
        buf[pos++] = (byte) v;
    }

    private void u16(int v) throws IOException {
        room(2);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
    }

    private void i32(int v) throws IOException {
        room(4);
        buf[pos++] = (byte) (v >>> 24);
        buf[pos++] = (byte) (v >>> 16);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
    }

    private void bytes(byte[] b, int off, int len) throws IOException {
        if (len >= buf.length) {
            drain();
            out.write(b, off, len);
            flushed += len;
            return;
        }
        room(len);
        System.arraycopy(b, off, buf, pos, len);
        pos += len;
    }

    /** DumpInt32. */
    private void tagInt(int tag, int v) throws IOException {
        u8(tag);
        i32(v);
    }

    /** DumpString: tag, the bytes, NUL. */
    private void tagString(int tag, byte[] s) throws IOException {
        u8(tag);
        bytes(s, 0, s.length);
        u8(0);
    }

    /** DumpArrayInt32: tag, uint16 count, count × int32. */
    private void tagArray(int tag, int[] v) throws IOException {
        u8(tag);
        u16(v.length);
        for (int x : v) {
            i32(x);
        }
    }

    /** DumpDumpHeader. */
    public void writeDumpHeader(DumpHeader h) throws IOException {
        u8(DumpTags.D_DUMPHEADER);
        i32(DumpTags.DUMPBEGINMAGIC);
        i32(h.version());
        tagInt('v', h.volumeId());
        tagString('n', h.name().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        tagArray('t', h.dumpTimes());
    }

    /** DumpVolumeHeader: the attributes of the volume info, in the stock order. */
    public void writeVolumeHeader(VolumeDiskData d) throws IOException {
        ByteBuffer r = ByteBuffer.wrap(d.encode()).order(ByteOrder.LITTLE_ENDIAN);
        u8(DumpTags.D_VOLUMEHEADER);
        tagInt('i', r.getInt(8));
        tagInt('v', r.getInt(4));
        tagString('n', cString(r, 12, VolumeDiskData.NAME_SIZE));
        u8('s');
        u8(r.get(45));
        u8('b');
        u8(r.get(46));
        tagInt('u', r.getInt(48));
        u8('t');
        u8(r.getInt(52));
        tagInt('p', r.getInt(56));
        tagInt('c', r.getInt(60));
        tagInt('q', r.getInt(100));
        tagInt('m', r.getInt(104));
        tagInt('d', r.getInt(156));
        tagInt('f', r.getInt(152));
        tagInt('a', r.getInt(112));
        tagInt('o', r.getInt(116));
        tagInt('C', r.getInt(240));
        tagInt('A', r.getInt(244));
        tagInt('U', r.getInt(248));
        tagInt('E', r.getInt(252));
        tagInt('B', r.getInt(256));
        tagString('O', cString(r, 296, 128));
        tagString('M', new byte[0]);
        int[] week = new int[DumpTags.WEEK_USE_SLOTS];
        for (int i = 0; i < week.length; i++) {
            week[i] = r.getInt(164 + 4 * i);
        }
        tagArray('W', week);
        tagInt('D', r.getInt(192));
        tagInt('Z', r.getInt(160));
    }

    /** The bytes of a NUL-terminated field (strlen semantics; an unterminated field is taken whole). */
    static byte[] cString(ByteBuffer r, int off, int size) {
        int n = 0;
        while (n < size && r.get(off + n) != 0) {
            n++;
        }
        byte[] s = new byte[n];
        r.get(off, s);
        return s;
    }

    /** A header-only vnode record: D_VNODE, vnode number, uniquifier. */
    public void writeVnodeHeaderOnly(int vnodeNumber, int uniquifier) throws IOException {
        u8(DumpTags.D_VNODE);
        i32(vnodeNumber);
        i32(uniquifier);
    }

    /**
     * A full vnode record up to and including the data item's tag and length; when
     * {@code v.hasData()} the caller must then supply exactly {@code v.dataLength()} bytes with
     * {@link #writeData}.
     */
    public void writeVnode(DumpVnode v) throws IOException {
        if (!v.full()) {
            writeVnodeHeaderOnly(v.vnodeNumber(), v.uniquifier());
            return;
        }
        writeVnodeHeaderOnly(v.vnodeNumber(), v.uniquifier());
        u8('t');
        u8(v.type());
        u8('l');
        u16(v.linkCount());
        tagInt('v', v.dataVersion());
        tagInt('m', v.unixModifyTime());
        tagInt('a', v.author());
        tagInt('o', v.owner());
        if (v.group() != 0) {
            tagInt('g', v.group());
        }
        u8('b');
        u16(v.modeBits());
        tagInt('p', v.parent());
        tagInt('s', v.serverModifyTime());
        byte[] acl = v.acl();
        if (acl != null) {
            u8('A');
            bytes(acl, 0, acl.length);
        }
        if (v.hasData()) {
            long len = v.dataLength();
            if ((len >>> 32) == 0) {
                tagInt('f', (int) len);
            } else {
                u8('h');
                i32((int) (len >>> 32));
                i32((int) len);
            }
        }
    }

    /**
     * Exactly {@code length} bytes of file data from {@code src}, copied through a bounded buffer.
     * A source that ends early is an error (the stream would be unparseable).
     */
    public void writeData(InputStream src, long length) throws IOException {
        long left = length;
        while (left > 0) {
            room(1);
            int n = src.read(buf, pos, (int) Math.min(buf.length - pos, left));
            if (n < 0) {
                throw new DumpException(DumpException.VOLSERDUMPERROR, "data source ended after " + (length - left)
                    + " of " + length + " bytes");
            }
            pos += n;
            left -= n;
        }
    }

    /** In-memory file data. */
    public void writeData(byte[] data, int off, int len) throws IOException {
        bytes(data, off, len);
    }

    /** DumpEnd: D_DUMPEND and DUMPENDMAGIC, then flush. */
    public void writeEnd() throws IOException {
        tagInt(DumpTags.D_DUMPEND, DumpTags.DUMPENDMAGIC);
        flush();
    }
}
