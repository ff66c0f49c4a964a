package afsdr.rx.rxkad;

import java.util.HexFormat;

/**
 * The fcrypt block cipher of rxkad (src/rxkad/fcrypt.c; rxkad.md §5.1–5.2): 64-bit blocks, a 56-bit
 * key taken from the 7 high bits of each of 8 key bytes, 16 Feistel rounds, no permutations.
 *
 * <p>An instance is one key schedule ({@code fc_KeySchedule}); it is immutable and may be shared.
 * Blocks are handled as big-endian {@code long}s so the hot path allocates nothing.
 */
public final class Fcrypt {
    /** {@code ROUNDS}: Feistel rounds, one 32-bit round key each (rxkad.md §5.1). */
    public static final int ROUNDS = 16;
    /** {@code ENCRYPTIONBLOCKSIZE}: bytes per cipher block. */
    public static final int ENCRYPTIONBLOCKSIZE = 8;
    /** Direction flag of {@code fc_ecb_encrypt} / {@code fc_cbc_encrypt}. */
    public static final boolean ENCRYPT = true;
    /** Direction flag of {@code fc_ecb_encrypt} / {@code fc_cbc_encrypt}. */
    public static final boolean DECRYPT = false;

    // The four S-boxes of sboxes.h (fcrypt-tables.md §1). F() builds a word from one entry of each
    // box and rotates it right by 5; rotation distributes over OR, so each table below holds its
    // box entries already shifted into place and rotated, and F() is four lookups and three ORs.
    private static final int[] T0 = spread(
              "ea7fb2649db0d911cd8686910ab29306"
            + "0e06d26573c52860f220b5387eda9fe3"
            + "d2cfc43c61ff4a4a35acaa5f2bbbbc53"
            + "4e9d78a3dc093210c66f66d6aba9affd"
            + "3b95e8349a8172809cf3ecda9f267615"
            + "3e554dde84eeadc7f16b3dd30449aa24"
            + "0b8a83bafa85a0a8b1d401d87064f051"
            + "d2c3a7758ca564ef104eb7c66103eb44"
            + "3de5b35baed5ad1dfa5a1e33ab93a2b7"
            + "e7a845a4cd296344b6697e2e6203c8e0"
            + "17bbc7f33f36ba718e97656069b6f6e6"
            + "6ee08159e8afdd952299fd63197461b1"
            + "b65bae54b370ffc63b3ec1d7e10e76e5"
            + "364f59c7086e82a693c4aa2649e02164"
            + "079f64819cbff9d143f8b6b9f1247503"
            + "e4b099463df5d1397212f6ba0c0d422e", 8);
    private static final int[] T1 = spread(
              "7714a6feb25e8c3e676ca10dc2a2c185"
            + "6c7b67c623e3f289509c03b773e6e139"
            + "312c279fa56944d62383987d3cb42d99"
            + "1c1f8c20037c5fadf4fa95ca7644cdb6"
            + "b8a1a1be9e548f0b1674318a231704fa"
            + "7984b1f513abb52eaa0c606b5bc44bbc"
            + "e2af4573fac949cd00927d977a18603d"
            + "cf5bdec6e2e6bb8b06da08151b886a17"
            + "89d0a9c1c9706be543f468c8d384280a"
            + "5266a3caf2e37f7a31f788945e9c63d5"
            + "2466fcb35725be8944c4e08f233c1252"
            + "f51ef4cb18331ff869109dd3f728f830"
            + "055e32c0d519bd458b5bfdbce25ca996"
            + "ef70cfc22ab361ad804881b71d43d9d7"
            + "45f0d88a597c57c179c734d643dfe478"
            + "1606da927651e1d47003e02f96918280", 0);
    private static final int[] T2 = spread(
              "f03724532a038386d1ec50f042782f6d"
            + "bf80872795e2c55df96fdbb4656ee724"
            + "c81abb49b50a7db9e8dcb7d945201bce"
            + "599d6bbd0e8fa3a9bc74a6f67f5fb168"
            + "84bca9fd5550e9b6135e07b89502c0d0"
            + "6a1a85bdb6fdfe173f09a38dfbedda1d"
            + "6d1c6c015ae5713e8b6bbe29eb121934"
            + "cdb3bd35ea4bd5ae2a795aa532127bdc"
            + "2cd0224bb1855980c0309f73d3144840"
            + "072d8f800fce0b5eb75eac24944a1815"
            + "05e80277a9c7404589d1eade0c792a99"
            + "6c3e95dd8c7dad6fdcfffd6247b3218a"
            + "ec8e1918b46e3dfd74541e0485d8bc1f"
            + "56e73a5667d6c8a5f38edeae3749b7fa"
            + "c8f41fe02a9b15d1340eb5e044788459"
            + "566877a51406f52f8c8a738076b41086", 16);
    private static final int[] T3 = spread(
              "a92a4851847e49e2b5b742337d5da612"
            + "44486d28aa206d57d66b5d72f0925a1b"
            + "538024709acca766a101a54197413182"
            + "f114cf530da010cc2a7dd2bf4b1adb16"
            + "47f65136edf3b91aa7df2943015470a4"
            + "bfd40b5344609e23a118684ff02f82c2"
            + "2a41b2420ced0c1d133a3c6e35dc6065"
            + "85e964029a3f9f8796dfbef2cbe56cd4"
            + "5a83bf921b940042cf4b0075ba8f765f"
            + "5d3a4d091208389517e4011d4ca9cc85"
            + "824c9d2f3b66a13410cd5989a531cf05"
            + "c884fac7ba4e8b1a19f1a13b181217b0"
            + "988d0b23c33a2d20df13a0a84c0d6c2f"
            + "471313521f2df5793da254bd69c86bf3"
            + "0528f1164640b011d3b79549cfc31d8f"
            + "d8e173dbadc8c9a9a1c2c5e3bafc0e25", 24);

    private static final long KEY56_MASK = (1L << 56) - 1;

    private final int[] roundKeys;

    private Fcrypt(int[] roundKeys) {
        this.roundKeys = roundKeys;
    }

    /**
     * {@code fc_keysched}: the key schedule of an 8-byte (DES-format) key. The low bit of every
     * byte is a DES parity bit and is ignored.
     */
    public static Fcrypt keySchedule(byte[] key) {
        if (key.length != 8) {
            throw new IllegalArgumentException("fcrypt key must be 8 bytes, got " + key.length);
        }
        return keySchedule(bytesToLong(key, 0));
    }

    /** As {@link #keySchedule(byte[])}, the key given as its 8 bytes big-endian. */
    public static Fcrypt keySchedule(long key) {
        long k = 0;
        for (int shift = 56; shift >= 0; shift -= 8) {
            k = (k << 7) | (((key >>> shift) & 0xff) >>> 1);
        }
        int[] rk = new int[ROUNDS];
        for (int i = 0; i < ROUNDS; i++) {
            rk[i] = (int) k;
            k = ((k >>> 11) | (k << 45)) & KEY56_MASK;
        }
        return new Fcrypt(rk);
    }

    /** A copy of the 16 round keys (for tests against the spec's schedule vector). */
    public int[] roundKeys() {
        return roundKeys.clone();
    }

    private static int f(int x) {
        return T3[x & 0xff] | T2[(x >>> 8) & 0xff] | T0[x >>> 24] | T1[(x >>> 16) & 0xff];
    }

    /** Encrypts one block (bytes 0..7 as a big-endian long). */
    public long encryptBlock(long block) {
        int[] rk = roundKeys;
        int l = (int) (block >>> 32);
        int r = (int) block;
        for (int i = 0; i < ROUNDS; i += 2) {
            l ^= f(rk[i] ^ r);
            r ^= f(rk[i + 1] ^ l);
        }
        return ((long) l << 32) | (r & 0xffffffffL);
    }

    /** Decrypts one block; the inverse of {@link #encryptBlock}. */
    public long decryptBlock(long block) {
        int[] rk = roundKeys;
        int l = (int) (block >>> 32);
        int r = (int) block;
        for (int i = ROUNDS - 1; i > 0; i -= 2) {
            r ^= f(rk[i] ^ l);
            l ^= f(rk[i - 1] ^ r);
        }
        return ((long) l << 32) | (r & 0xffffffffL);
    }

    /** {@code fc_ecb_encrypt}: one block from {@code in[inOff..+8)} to {@code out[outOff..+8)}. */
    public void ecb(byte[] in, int inOff, byte[] out, int outOff, boolean encrypt) {
        long b = bytesToLong(in, inOff);
        longToBytes(encrypt ? encryptBlock(b) : decryptBlock(b), out, outOff);
    }

    static long bytesToLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }

    static void longToBytes(long v, byte[] b, int off) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }

    private static int[] spread(String hex, int shift) {
        byte[] box = HexFormat.of().parseHex(hex);
        if (box.length != 256) {
            throw new ExceptionInInitializerError("S-box must have 256 entries");
        }
        int[] t = new int[256];
        for (int i = 0; i < 256; i++) {
            t[i] = Integer.rotateRight((box[i] & 0xff) << shift, 5);
        }
        return t;
    }
}
