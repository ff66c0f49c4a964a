package afsdr.rx.rxkad;

import afsdr.rx.security.RxSecurityException;
import java.io.ByteArrayOutputStream;

/**
 * The little DER that Kerberos 5 tickets need (X.690 definite lengths, single-byte tags). A
 * malformed encoding is a bad ticket (RXKADBADTICKET); every length is checked against the
 * enclosing one before anything is read or allocated.
 */
final class Der {
    private Der() {}

    static final int INTEGER = 0x02;
    static final int BIT_STRING = 0x03;
    static final int OCTET_STRING = 0x04;
    static final int GENERAL_STRING = 0x1b;
    static final int GENERALIZED_TIME = 0x18;
    static final int SEQUENCE = 0x30;

    /** Tag of context-specific constructed [n]. */
    static int ctx(int n) {
        return 0xa0 | n;
    }

    /** Tag of application constructed [APPLICATION n]. */
    static int app(int n) {
        return 0x60 | n;
    }

    static RxSecurityException bad(String what) {
        return new RxSecurityException(RxkadErrors.RXKADBADTICKET, "krb5 ticket DER: " + what);
    }

    /** A cursor over the contents of one constructed value. */
    static final class Reader {
        private final byte[] b;
        private int pos;
        private final int end;

        Reader(byte[] b, int off, int end) {
            this.b = b;
            this.pos = off;
            this.end = end;
        }

        Reader(byte[] b) {
            this(b, 0, b.length);
        }

        boolean atEnd() {
            return pos >= end;
        }

        boolean next(int tag) {
            return pos < end && (b[pos] & 0xff) == tag;
        }

        /** Reads a TLV of the given tag; returns [contentStart, contentEnd). */
        private int[] tlv(int tag) throws RxSecurityException {
            if (pos >= end) {
                throw bad("missing tag 0x" + Integer.toHexString(tag));
            }
            if ((b[pos] & 0xff) != tag) {
                throw bad("tag 0x" + Integer.toHexString(b[pos] & 0xff) + " where 0x" + Integer.toHexString(tag)
                        + " belongs, at " + pos);
            }
            int p = pos + 1;
            if (p >= end) {
                throw bad("no length at " + p);
            }
            int first = b[p++] & 0xff;
            long len;
            if (first < 0x80) {
                len = first;
            } else {
                int n = first & 0x7f;
                if (n == 0 || n > 4 || end - p < n) {
                    throw bad("length of " + n + " bytes at " + (p - 1));
                }
                len = 0;
                for (int i = 0; i < n; i++) {
                    len = (len << 8) | (b[p++] & 0xff);
                }
            }
            if (len > end - p) {
                throw bad("length " + len + " beyond its container at " + pos);
            }
            pos = p + (int) len;
            return new int[] {p, p + (int) len};
        }

        Reader enter(int tag) throws RxSecurityException {
            int[] r = tlv(tag);
            return new Reader(b, r[0], r[1]);
        }

        byte[] bytes(int tag) throws RxSecurityException {
            int[] r = tlv(tag);
            return java.util.Arrays.copyOfRange(b, r[0], r[1]);
        }

        long integer() throws RxSecurityException {
            int[] r = tlv(INTEGER);
            int n = r[1] - r[0];
            if (n < 1 || n > 5) {
                throw bad("integer of " + n + " bytes");
            }
            long v = b[r[0]]; // sign-extended first byte
            for (int i = r[0] + 1; i < r[1]; i++) {
                v = (v << 8) | (b[i] & 0xff);
            }
            return v;
        }

        void skip() throws RxSecurityException {
            if (pos >= end) {
                throw bad("nothing to skip");
            }
            tlv(b[pos] & 0xff);
        }
    }

    /** Builds TLVs. */
    static byte[] tlv(int tag, byte[]... parts) {
        int len = 0;
        for (byte[] p : parts) {
            len += p.length;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(len + 6);
        out.write(tag);
        if (len < 0x80) {
            out.write(len);
        } else if (len < 0x100) {
            out.write(0x81);
            out.write(len);
        } else if (len < 0x10000) {
            out.write(0x82);
            out.write(len >>> 8);
            out.write(len);
        } else {
            out.write(0x84);
            out.write(len >>> 24);
            out.write(len >>> 16);
            out.write(len >>> 8);
            out.write(len);
        }
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] integer(long v) {
        java.math.BigInteger bi = java.math.BigInteger.valueOf(v);
        return tlv(INTEGER, bi.toByteArray());
    }
}
