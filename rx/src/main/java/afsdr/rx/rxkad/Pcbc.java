package afsdr.rx.rxkad;

import io.netty.buffer.ByteBuf;

/**
 * The block chaining rxkad uses everywhere ({@code fc_cbc_encrypt}; rxkad.md §5.3). Despite the
 * OpenAFS name this is PCBC: the chaining value after a block is plaintext XOR ciphertext, so a
 * corrupted block garbles every block after it (which is what lets rxkad check only the first
 * block of a crypt-level packet).
 *
 * <p>All methods work in place on whole 8-byte blocks (callers pad first, as rxkad pads packets)
 * and return the chaining value after the last block, so one logical buffer spread over several
 * segments can be processed segment by segment. Nothing is allocated.
 */
public final class Pcbc {
    private Pcbc() {}

    /**
     * Encrypts or decrypts {@code buf[off, off + len)} in place.
     *
     * @param iv the initial chaining value as a big-endian long (rxkad: the session key bytes)
     * @return the chaining value to continue with
     */
    public static long crypt(Fcrypt key, long iv, byte[] buf, int off, int len, boolean encrypt) {
        checkBlocks(len);
        java.util.Objects.checkFromIndexSize(off, len, buf.length);
        long x = iv;
        for (int i = off; i < off + len; i += Fcrypt.ENCRYPTIONBLOCKSIZE) {
            long in = Fcrypt.bytesToLong(buf, i);
            long out;
            if (encrypt) {
                out = key.encryptBlock(in ^ x);
                x = in ^ out;
            } else {
                out = key.decryptBlock(in) ^ x;
                x = in ^ out;
            }
            Fcrypt.longToBytes(out, buf, i);
        }
        return x;
    }

    /** As {@link #crypt(Fcrypt, long, byte[], int, int, boolean)} on a ByteBuf range (indices, not reader/writer). */
    public static long crypt(Fcrypt key, long iv, ByteBuf buf, int index, int len, boolean encrypt) {
        checkBlocks(len);
        long x = iv;
        for (int i = index; i < index + len; i += Fcrypt.ENCRYPTIONBLOCKSIZE) {
            long in = buf.getLong(i);
            long out;
            if (encrypt) {
                out = key.encryptBlock(in ^ x);
                x = in ^ out;
            } else {
                out = key.decryptBlock(in) ^ x;
                x = in ^ out;
            }
            buf.setLong(i, out);
        }
        return x;
    }

    private static void checkBlocks(int len) {
        if (len < 0 || (len & (Fcrypt.ENCRYPTIONBLOCKSIZE - 1)) != 0) {
            throw new IllegalArgumentException("PCBC length must be a multiple of 8, got " + len);
        }
    }
}
