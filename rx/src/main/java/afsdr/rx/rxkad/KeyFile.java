package afsdr.rx.rxkad;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The server's DES keys, {@code /usr/afs/etc/KeyFile} (rxkad.md §8.1; src/auth/keys.c):
 * <pre>
 *  | nkeys (int32) | { kvno (int32) | key (8 bytes) } × nkeys | (historic files: unused slots) |
 * </pre>
 * Big-endian. Immutable.
 */
public final class KeyFile {
    /** kvno reserved for bcrypt keys; never the "latest" key ({@code AFSCONF_KEYFILE_BCRYPT}-style reservation). */
    public static final int RESERVED_KVNO = 999;
    private static final int RECORD = 12;

    /** One DES key. */
    public record Key(int kvno, byte[] key) {
        public Key {
            if (key.length != 8) {
                throw new IllegalArgumentException("DES key must be 8 bytes, got " + key.length);
            }
            key = key.clone();
        }

        @Override
        public byte[] key() {
            return key.clone();
        }
    }

    private final List<Key> keys;

    public KeyFile(List<Key> keys) {
        this.keys = List.copyOf(keys);
    }

    public List<Key> keys() {
        return keys;
    }

    /**
     * Parses file contents. Bytes after the last record are ignored (older writers kept a fixed
     * array of slots).
     *
     * @throws IOException negative count or a file too short for it
     */
    public static KeyFile parse(byte[] file) throws IOException {
        if (file.length < 4) {
            throw new IOException("KeyFile of " + file.length + " bytes has no key count");
        }
        ByteBuffer b = ByteBuffer.wrap(file);
        int n = b.getInt();
        if (n < 0 || n > (file.length - 4) / RECORD) {
            throw new IOException("KeyFile claims " + n + " keys in " + file.length + " bytes");
        }
        List<Key> keys = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int kvno = b.getInt();
            byte[] key = new byte[8];
            b.get(key);
            keys.add(new Key(kvno, key));
        }
        return new KeyFile(keys);
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(4 + RECORD * keys.size()).putInt(keys.size());
        for (Key k : keys) {
            b.putInt(k.kvno()).put(k.key);
        }
        return b.array();
    }

    /** The key with exactly this kvno (what a Kerberos 4 ticket's kvno selects). */
    public Optional<Key> key(int kvno) {
        return keys.stream().filter(k -> k.kvno() == kvno).findFirst();
    }

    /** The highest-kvno key, skipping the reserved kvno 999 (what localauth seals with). */
    public Optional<Key> latest() {
        return keys.stream().filter(k -> k.kvno() != RESERVED_KVNO)
                .max((a, c) -> Integer.compare(a.kvno(), c.kvno()));
    }

    @Override
    public String toString() {
        return "KeyFile" + Arrays.toString(keys.stream().mapToInt(Key::kvno).toArray());
    }
}
