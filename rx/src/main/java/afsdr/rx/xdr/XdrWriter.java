package afsdr.rx.xdr;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Writes XDR as rxgen encodes it (rx.md §17): big-endian, every item a multiple of 4 bytes, and
 * every {@code char}/{@code short} widened to 4 bytes.
 *
 * <p>Either collects everything in memory ({@link #XdrWriter()}, then {@link #toByteArray()}) or
 * writes through to a stream ({@link #XdrWriter(OutputStream)}) in chunks of
 * {@value #STREAM_CHUNK} bytes, so a large reply (a {@code volEntries} list of many thousands of
 * volumes) never sits twice in memory. Call {@link #flush()} to hand the tail to the stream.
 *
 * <p>Strings are mapped byte for byte through ISO-8859-1: AFS names are byte strings, and this
 * mapping round-trips every byte value.
 *
 * <p>Not thread-safe.
 */
public final class XdrWriter {
    /** Bytes buffered before a stream-backed writer passes them on. */
    public static final int STREAM_CHUNK = 8192;

    private final OutputStream out;
    private byte[] buf;
    private int pos;
    private long flushed;

    /** A writer that keeps everything in memory. */
    public XdrWriter() {
        this.out = null;
        this.buf = new byte[256];
    }

    /** A writer that passes its bytes to {@code out} as they accumulate. */
    public XdrWriter(OutputStream out) {
        this.out = out;
        this.buf = new byte[STREAM_CHUNK];
    }

    /** Bytes written so far, flushed or not. */
    public long size() {
        return flushed + pos;
    }

    /** The bytes of an in-memory writer. */
    public byte[] toByteArray() {
        if (out != null) {
            throw new IllegalStateException("stream-backed writer");
        }
        return Arrays.copyOf(buf, pos);
    }

    /**
     * Writes the buffered bytes to the stream (plain {@link OutputStream#write}; the stream's own
     * {@code flush} is not called, so an Rx call does not send a short packet early).
     */
    public void flush() throws IOException {
        if (out != null && pos > 0) {
            out.write(buf, 0, pos);
            flushed += pos;
            pos = 0;
        }
    }

    private void room(int n) throws IOException {
        if (buf.length - pos >= n) {
            return;
        }
        if (out != null) {
            flush();
            if (buf.length >= n) {
                return;
            }
        }
        int cap = buf.length;
        while (cap - pos < n) {
            cap = Math.multiplyExact(cap, 2);
        }
        buf = Arrays.copyOf(buf, cap);
    }

    /** An XDR int (also {@code enum}, and the 4-byte form of char/short). */
    public XdrWriter writeInt(int v) throws IOException {
        room(4);
        buf[pos] = (byte) (v >>> 24);
        buf[pos + 1] = (byte) (v >>> 16);
        buf[pos + 2] = (byte) (v >>> 8);
        buf[pos + 3] = (byte) v;
        pos += 4;
        return this;
    }

    /** An XDR unsigned int; the Java int carries the 32 bits. */
    public XdrWriter writeUnsignedInt(int v) throws IOException {
        return writeInt(v);
    }

    /** {@code afs_int64}/{@code afs_uint64}: high 32 bits, then low 32 bits. */
    public XdrWriter writeLong(long v) throws IOException {
        writeInt((int) (v >>> 32));
        return writeInt((int) v);
    }

    public XdrWriter writeBool(boolean v) throws IOException {
        return writeInt(v ? 1 : 0);
    }

    /** Bytes followed by zeros up to the next multiple of 4. */
    private void writePadded(byte[] b, int off, int len) throws IOException {
        int padded = (len + 3) & ~3;
        if (out != null && padded > buf.length) {
            flush();
            out.write(b, off, len);
            flushed += len;
            room(4);
            for (int i = len; i < padded; i++) {
                buf[pos++] = 0;
            }
            return;
        }
        room(padded);
        System.arraycopy(b, off, buf, pos, len);
        Arrays.fill(buf, pos + len, pos + padded, (byte) 0);
        pos += padded;
    }

    /** {@code string s<max>}: length, bytes, padding. */
    public XdrWriter writeString(String s, int max) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        if (b.length > max) {
            throw XdrException.encode("string of " + b.length + " bytes exceeds <" + max + ">");
        }
        writeInt(b.length);
        writePadded(b, 0, b.length);
        return this;
    }

    /** {@code opaque x<max>}: length, bytes, padding. */
    public XdrWriter writeOpaque(byte[] b, int max) throws IOException {
        if (b.length > max) {
            throw XdrException.encode("opaque of " + b.length + " bytes exceeds <" + max + ">");
        }
        writeInt(b.length);
        writePadded(b, 0, b.length);
        return this;
    }

    /** {@code opaque x[n]}: exactly n bytes, padding. */
    public XdrWriter writeFixedOpaque(byte[] b, int n) throws IOException {
        if (b.length != n) {
            throw XdrException.encode("fixed opaque[" + n + "] given " + b.length + " bytes");
        }
        writePadded(b, 0, n);
        return this;
    }

    /**
     * A fixed {@code char name[n]} inside a struct: n XDR ints, one per character (the rxgen
     * quirk of rx.md §17; volintInfo.name[32] is 128 bytes). The string must leave room for the
     * terminating NUL that C readers expect; the rest is zero.
     */
    public XdrWriter writeFixedChars(String s, int n) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        if (b.length >= n) {
            throw XdrException.encode("\"" + s + "\" does not fit char[" + n + "] with its NUL");
        }
        room(4 * n);
        for (int i = 0; i < n; i++) {
            int c = i < b.length ? b[i] & 0xff : 0;
            buf[pos] = 0;
            buf[pos + 1] = 0;
            buf[pos + 2] = 0;
            buf[pos + 3] = (byte) c;
            pos += 4;
        }
        return this;
    }

    /** {@code T x[n]} of ints: exactly n ints, no count. */
    public XdrWriter writeFixedInts(int[] v, int n) throws IOException {
        if (v.length != n) {
            throw XdrException.encode("fixed int[" + n + "] given " + v.length + " values");
        }
        for (int x : v) {
            writeInt(x);
        }
        return this;
    }

    /** {@code int x<max>} / {@code unsigned x<max>}: count, values. */
    public XdrWriter writeIntArray(int[] v, int max) throws IOException {
        if (v.length > max) {
            throw XdrException.encode("array of " + v.length + " exceeds <" + max + ">");
        }
        writeInt(v.length);
        for (int x : v) {
            writeInt(x);
        }
        return this;
    }

    /** {@code T x<max>}: count, elements. */
    public <T> XdrWriter writeArray(List<? extends T> v, XdrCodec<T> codec, int max) throws IOException {
        if (v.size() > max) {
            throw XdrException.encode("array of " + v.size() + " exceeds <" + max + ">");
        }
        writeInt(v.size());
        for (T x : v) {
            codec.encode(this, x);
        }
        return this;
    }

    /** One value through its codec. */
    public <T> XdrWriter write(XdrCodec<T> codec, T value) throws IOException {
        codec.encode(this, value);
        return this;
    }
}
