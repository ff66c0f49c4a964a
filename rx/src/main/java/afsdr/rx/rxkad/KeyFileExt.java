package afsdr.rx.rxkad;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The server's non-DES keys, {@code /usr/afs/etc/KeyFileExt} (rxkad.md §8.2; src/auth/keys.c):
 * <pre>
 *  | nkeys | { metaLen (&gt;= 16) | type | kvno | subType | metaLen-16 bytes skipped | keyLen | key } × nkeys |
 * </pre>
 * Big-endian int32s, records not aligned. Immutable.
 */
public final class KeyFileExt {
    /** {@code afsconf_rxkad}: DES key (never stored in KeyFileExt). */
    public static final int AFSCONF_RXKAD = 0;
    /** {@code afsconf_rxgk}. */
    public static final int AFSCONF_RXGK = 1;
    /** {@code afsconf_rxkad_krb5}: a Kerberos 5 service key; subType is the enctype. */
    public static final int AFSCONF_RXKAD_KRB5 = 2;
    /** Meta length written by OpenAFS 1.8 (type, kvno, subType and the length word itself). */
    public static final int META_LENGTH = 16;
    /** Longest key we accept; the longest Kerberos key (aes256) is 32 bytes. */
    public static final int MAX_KEY_LENGTH = 1024;

    /** One typed key. */
    public record Key(int type, int kvno, int subType, byte[] key) {
        public Key {
            key = key.clone();
        }

        @Override
        public byte[] key() {
            return key.clone();
        }
    }

    private final List<Key> keys;

    public KeyFileExt(List<Key> keys) {
        this.keys = List.copyOf(keys);
    }

    public List<Key> keys() {
        return keys;
    }

    /**
     * Parses file contents, checking each length against what remains before allocating.
     *
     * @throws IOException truncated or inconsistent file; the message names the record and offset
     */
    public static KeyFileExt parse(byte[] file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(file);
        int n = need(b, 4, "key count", -1).getInt();
        // each record is at least metaLen + keyLen words
        if (n < 0 || n > b.remaining() / (META_LENGTH + 4)) {
            throw new IOException("KeyFileExt claims " + n + " keys in " + file.length + " bytes");
        }
        List<Key> keys = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int metaLen = need(b, 4, "metaLen", i).getInt();
            if (metaLen < META_LENGTH) {
                throw new IOException("KeyFileExt record " + i + " at " + (b.position() - 4) + ": metaLen " + metaLen);
            }
            need(b, metaLen - 4, "meta", i);
            int type = b.getInt();
            int kvno = b.getInt();
            int subType = b.getInt();
            b.position(b.position() + metaLen - META_LENGTH);
            int keyLen = need(b, 4, "keyLen", i).getInt();
            if (keyLen < 0 || keyLen > MAX_KEY_LENGTH) {
                throw new IOException("KeyFileExt record " + i + " at " + (b.position() - 4) + ": keyLen " + keyLen);
            }
            need(b, keyLen, "key", i);
            byte[] key = new byte[keyLen];
            b.get(key);
            keys.add(new Key(type, kvno, subType, key));
        }
        return new KeyFileExt(keys);
    }

    private static ByteBuffer need(ByteBuffer b, int n, String what, int record) throws IOException {
        if (b.remaining() < n) {
            throw new IOException("KeyFileExt truncated in " + what + (record >= 0 ? " of record " + record : "")
                    + " at offset " + b.position() + ": need " + n + ", have " + b.remaining());
        }
        return b;
    }

    public byte[] encode() {
        int size = 4;
        for (Key k : keys) {
            size += META_LENGTH + 4 + k.key.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size).putInt(keys.size());
        for (Key k : keys) {
            b.putInt(META_LENGTH).putInt(k.type()).putInt(k.kvno()).putInt(k.subType()).putInt(k.key.length).put(k.key);
        }
        return b.array();
    }

    /** Exact lookup (how a server finds the key for a Kerberos 5 ticket: rxkad_krb5, kvno, enctype). */
    public Optional<Key> key(int type, int kvno, int subType) {
        return keys.stream().filter(k -> k.type() == type && k.kvno() == kvno && k.subType() == subType).findFirst();
    }

    /** The highest-kvno key of a type, whatever its subType (GenericAuth's first step, rxkad.md §9). */
    public Optional<Key> latest(int type) {
        return keys.stream().filter(k -> k.type() == type).max((a, c) -> Integer.compare(a.kvno(), c.kvno()));
    }
}
