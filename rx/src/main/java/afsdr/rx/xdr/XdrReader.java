package afsdr.rx.xdr;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Reads XDR as rxgen encodes it (rx.md §17), over a byte array or a blocking stream such as an
 * Rx call's {@code input()}.
 *
 * <p>Every length and count is checked against its declared maximum and then against the bytes
 * available before anything is allocated. Over an array, "available" is what is left of it.
 * Over a stream the reader first pulls the bytes the value needs ({@code count × minimum element
 * size}, or the string's padded length) and fails with {@link XdrException} if the stream ends;
 * its buffer grows only as bytes actually arrive (at most doubling), so a lying length costs the
 * peer as many bytes as it makes us allocate.
 *
 * <p>Stream readers come in two kinds. {@link #of(InputStream)} reads ahead in chunks, for a body
 * that holds only XDR. {@link #exact(InputStream)} never reads a byte it does not decode, for the
 * arguments of a split call whose raw bytes follow on the same stream (AFSVolRestore).
 *
 * <p>Strings map bytes to chars through ISO-8859-1. Not thread-safe.
 */
public final class XdrReader {
    private static final int READ_AHEAD = 8192;
    private static final byte[] EMPTY = new byte[0];

    private final InputStream in;
    private final boolean exact;
    private byte[] buf;
    private int pos;
    private int lim;
    private long base;
    private boolean eof;

    private XdrReader(InputStream in, boolean exact, byte[] buf, int pos, int lim) {
        this.in = in;
        this.exact = exact;
        this.buf = buf;
        this.pos = pos;
        this.lim = lim;
        this.base = -pos;
    }

    /** A reader over a whole message in memory. */
    public static XdrReader of(byte[] b) {
        return new XdrReader(null, true, b, 0, b.length);
    }

    /** A reader over {@code len} bytes of {@code b} from {@code off}. */
    public static XdrReader of(byte[] b, int off, int len) {
        if (off < 0 || len < 0 || off + len > b.length) {
            throw new IndexOutOfBoundsException();
        }
        return new XdrReader(null, true, b, off, off + len);
    }

    /** A reader over a stream that holds nothing but XDR; it may read ahead. */
    public static XdrReader of(InputStream in) {
        return new XdrReader(in, false, EMPTY, 0, 0);
    }

    /** A reader over a stream that reads exactly the bytes it decodes and no more. */
    public static XdrReader exact(InputStream in) {
        return new XdrReader(in, true, EMPTY, 0, 0);
    }

    /** Offset of the next byte to decode from the start of the message. */
    public long position() {
        return base + pos;
    }

    /** Bytes read from the source but not yet decoded. */
    public int buffered() {
        return lim - pos;
    }

    /**
     * {@code true} if no byte is left: over an array, at its end; over a stream, once the stream
     * reports end of data (this reads one byte ahead if needed).
     */
    public boolean atEnd() throws IOException {
        if (lim > pos) {
            return false;
        }
        if (in == null) {
            return true;
        }
        try {
            require(1, "end check");
            return false;
        } catch (XdrException e) {
            return true;
        }
    }

    /** Makes sure {@code n} bytes can be decoded, reading from the stream if needed. */
    private void require(long n, String what) throws IOException {
        if (lim - pos >= n) {
            return;
        }
        if (in == null || n > Integer.MAX_VALUE - 16) {
            throw truncated(n, what);
        }
        int need = (int) n;
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            lim -= pos;
            base += pos;
            pos = 0;
        }
        int target = exact ? need : Math.max(need, READ_AHEAD);
        while (lim < need) {
            if (eof) {
                throw truncated(n, what);
            }
            if (lim == buf.length) {
                // Grow with the data actually received, not with the claimed length.
                int cap = Math.min(target, Math.max(256, buf.length * 2));
                buf = Arrays.copyOf(buf, Math.max(cap, lim + 1));
            }
            int want = exact ? Math.min(need, buf.length) - lim : buf.length - lim;
            int r = in.read(buf, lim, want);
            if (r < 0) {
                eof = true;
            } else {
                lim += r;
            }
        }
    }

    private XdrException truncated(long n, String what) {
        return XdrException.decode(what + " at offset " + position() + " needs " + n
                + " bytes, only " + (lim - pos) + " available");
    }

    private int intAt(int p) {
        return ((buf[p] & 0xff) << 24) | ((buf[p + 1] & 0xff) << 16)
                | ((buf[p + 2] & 0xff) << 8) | (buf[p + 3] & 0xff);
    }

    /** An XDR int (also enum, and the 4-byte form of char/short). */
    public int readInt() throws IOException {
        require(4, "int");
        int v = intAt(pos);
        pos += 4;
        return v;
    }

    /** An XDR unsigned int; the Java int carries the 32 bits. */
    public int readUnsignedInt() throws IOException {
        return readInt();
    }

    /** {@code afs_int64}: high 32 bits, then low 32 bits. */
    public long readLong() throws IOException {
        require(8, "int64");
        long v = ((long) intAt(pos) << 32) | (intAt(pos + 4) & 0xffffffffL);
        pos += 8;
        return v;
    }

    /** {@code bool}: like OpenAFS's xdr_bool, any non-zero value is true. */
    public boolean readBool() throws IOException {
        return readInt() != 0;
    }

    /** A length or count, checked against its declared maximum. */
    private int readCount(int max, String what) throws IOException {
        long at = position();
        int n = readInt();
        if (n < 0 || n > max) {
            throw XdrException.decode(what + " at offset " + at + ": length "
                    + Integer.toUnsignedString(n) + " exceeds <" + max + ">");
        }
        return n;
    }

    private byte[] readPadded(int len, String what) throws IOException {
        long padded = ((long) len + 3) & ~3L;
        require(padded, what);
        byte[] b = Arrays.copyOfRange(buf, pos, pos + len);
        pos += (int) padded;
        return b;
    }

    /** {@code string s<max>}. */
    public String readString(int max) throws IOException {
        int n = readCount(max, "string");
        return new String(readPadded(n, "string"), StandardCharsets.ISO_8859_1);
    }

    /** {@code opaque x<max>}. */
    public byte[] readOpaque(int max) throws IOException {
        int n = readCount(max, "opaque");
        return readPadded(n, "opaque");
    }

    /** {@code opaque x[n]}. */
    public byte[] readFixedOpaque(int n) throws IOException {
        return readPadded(n, "opaque[" + n + "]");
    }

    /**
     * A fixed {@code char name[n]}: n XDR ints, one character each. Only the low 8 bits count (a
     * 1.8 server widens chars with the platform's signedness, rx.md §17); the string ends at the
     * first NUL, or after n characters if there is none.
     */
    public String readFixedChars(int n) throws IOException {
        require(4L * n, "char[" + n + "]");
        byte[] b = new byte[n];
        int len = -1;
        for (int i = 0; i < n; i++) {
            b[i] = buf[pos + 4 * i + 3];
            if (b[i] == 0 && len < 0) {
                len = i;
            }
        }
        pos += 4 * n;
        return new String(b, 0, len < 0 ? n : len, StandardCharsets.ISO_8859_1);
    }

    /** {@code int x[n]}: exactly n ints. */
    public int[] readFixedInts(int n) throws IOException {
        require(4L * n, "int[" + n + "]");
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
            v[i] = intAt(pos);
            pos += 4;
        }
        return v;
    }

    /** {@code int x<max>} / {@code unsigned x<max>}. */
    public int[] readIntArray(int max) throws IOException {
        int n = readCount(max, "int array");
        return readFixedInts(n);
    }

    /** {@code T x<max>}; the list is unmodifiable. */
    public <T> List<T> readArray(XdrCodec<T> codec, int max) throws IOException {
        int n = readCount(max, "array");
        require((long) n * codec.minWireSize(), "array of " + n);
        List<T> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(codec.decode(this));
        }
        return Collections.unmodifiableList(out);
    }

    /** One value through its codec. */
    public <T> T read(XdrCodec<T> codec) throws IOException {
        return codec.decode(this);
    }
}
