package afsdr.rx.netty;

/** A position-dependent byte pattern: any loss, duplication or reordering of bytes changes it. */
final class BulkPattern {
    private BulkPattern() {}

    static long word(long offset, long seed) {
        long z = offset * 0x9E3779B97F4A7C15L + seed;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Fills {@code b[0, len)} (len multiple of 8) with the pattern from stream offset {@code pos}. */
    static void fill(byte[] b, int len, long pos, long seed) {
        for (int i = 0; i < len; i += 8) {
            long w = word((pos + i) >>> 3, seed);
            b[i] = (byte) (w >>> 56);
            b[i + 1] = (byte) (w >>> 48);
            b[i + 2] = (byte) (w >>> 40);
            b[i + 3] = (byte) (w >>> 32);
            b[i + 4] = (byte) (w >>> 24);
            b[i + 5] = (byte) (w >>> 16);
            b[i + 6] = (byte) (w >>> 8);
            b[i + 7] = (byte) w;
        }
    }

    /** Returns the offset of the first wrong byte in {@code b[0, len)}, or -1. */
    static long check(byte[] b, int len, long pos, long seed) {
        for (int i = 0; i < len; i += 8) {
            long w = word((pos + i) >>> 3, seed);
            for (int k = 0; k < 8; k++) {
                if (b[i + k] != (byte) (w >>> (56 - 8 * k))) {
                    return pos + i + k;
                }
            }
        }
        return -1;
    }
}
