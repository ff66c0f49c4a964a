package afsdr.volser.dump;

import java.io.IOException;
import java.io.InputStream;

/**
 * Buffered big-endian reader over the dump stream that knows its offset, so every error can say
 * where it happened. Fixed 64 KiB buffer: memory does not depend on the stream.
 */
final class DumpInput {
    private static final int BUFFER = 64 * 1024;

    private final InputStream in;
    private final byte[] buf = new byte[BUFFER];
    private int pos;
    private int lim;
    private long consumedBefore;
    private boolean eof;
    /** Context for error messages, maintained by the parser. */
    String section = "dump header";

    DumpInput(InputStream in) {
        this.in = in;
    }

    /** Offset of the next byte to be read. */
    long offset() {
        return consumedBefore + pos;
    }

    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        consumedBefore += lim;
        pos = 0;
        lim = 0;
        while (true) {
            int n = in.read(buf, 0, buf.length);
            if (n < 0) {
                eof = true;
                return false;
            }
            if (n > 0) {
                lim = n;
                return true;
            }
        }
    }

    /** Next byte, or -1 at end of stream (never an error). */
    int peekRead() throws IOException {
        if (pos == lim && !fill()) {
            return -1;
        }
        return buf[pos++] & 0xff;
    }

    DumpFormatException error(int tag, String problem) {
        return new DumpFormatException(offset(), section, tag, problem);
    }

    private DumpFormatException truncated(int tag, String what) {
        return error(tag, "stream ends inside " + what);
    }

    int u8(int tag, String what) throws IOException {
        int b = peekRead();
        if (b < 0) {
            throw truncated(tag, what);
        }
        return b;
    }

    int u16(int tag, String what) throws IOException {
        if (lim - pos >= 2) {
            int v = ((buf[pos] & 0xff) << 8) | (buf[pos + 1] & 0xff);
            pos += 2;
            return v;
        }
        return (u8(tag, what) << 8) | u8(tag, what);
    }

    int i32(int tag, String what) throws IOException {
        if (lim - pos >= 4) {
            int v = ((buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16) | ((buf[pos + 2] & 0xff) << 8)
                | (buf[pos + 3] & 0xff);
            pos += 4;
            return v;
        }
        return (u8(tag, what) << 24) | (u8(tag, what) << 16) | (u8(tag, what) << 8) | u8(tag, what);
    }

    void readFully(byte[] b, int off, int len, int tag, String what) throws IOException {
        while (len > 0) {
            if (pos == lim && !fill()) {
                throw truncated(tag, what);
            }
            int n = Math.min(len, lim - pos);
            System.arraycopy(buf, pos, b, off, n);
            pos += n;
            off += n;
            len -= n;
        }
    }

    /** Up to {@code len} bytes (at least 1 unless at end of stream); -1 at end of stream. */
    int readSome(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (pos == lim) {
            if (eof) {
                return -1;
            }
            if (len >= buf.length) {
                // large reads bypass the buffer: one copy less for file data
                consumedBefore += lim;
                pos = 0;
                lim = 0;
                int n;
                do {
                    n = in.read(b, off, len);
                } while (n == 0);
                if (n < 0) {
                    eof = true;
                    return -1;
                }
                consumedBefore += n;
                return n;
            }
            if (!fill()) {
                return -1;
            }
        }
        int n = Math.min(len, lim - pos);
        System.arraycopy(buf, pos, b, off, n);
        pos += n;
        return n;
    }

    /** Skip exactly {@code n} bytes (n may exceed any memory size: nothing is allocated). */
    void skip(long n, int tag, String what) throws IOException {
        while (n > 0) {
            if (pos == lim && !fill()) {
                throw truncated(tag, what + " (" + n + " bytes missing)");
            }
            int k = (int) Math.min(n, lim - pos);
            pos += k;
            n -= k;
        }
    }

    /**
     * A NUL-terminated string as ReadString stores it into a field of {@code fieldSize} bytes:
     * at most fieldSize - 1 bytes are kept, the rest up to the NUL is skipped. Nothing beyond the
     * field is stored, so the length of the string costs no memory.
     */
    byte[] string(int tag, int fieldSize, String what) throws IOException {
        byte[] keep = new byte[fieldSize - 1];
        int n = 0;
        while (true) {
            int c = u8(tag, what + " (no terminating NUL)");
            if (c == 0) {
                break;
            }
            if (n < keep.length) {
                keep[n++] = (byte) c;
            }
        }
        return java.util.Arrays.copyOf(keep, n);
    }
}
