package afsdr.partition;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A directory's access list (struct acl_accessList, dump-format.md §5.2): stored in the 192 bytes
 * after the VnodeDiskObject of a large vnode in host order, and dumped in network order.
 *
 * <pre>
 *  0 size (bytes incl. header)  4 version 1  8 total  12 positive  16 negative
 * 20 total x {id, rights}: positive entries, then negative ones
 * </pre>
 */
public record AccessList(List<Entry> positive, List<Entry> negative) {
    /** Bytes available for the ACL in a large vnode record (SIZEOF_LARGEDISKVNODE - SIZEOF_SMALLDISKVNODE). */
    public static final int SIZE = 192;
    /** ACL_ACLVERSION. */
    public static final int VERSION = 1;
    /** Entries that fit in 192 bytes: (192 - 20) / 8. */
    public static final int MAX_ENTRIES = 20;
    /** PRSFS_* rights bits. */
    public static final int READ = 0x01, WRITE = 0x02, INSERT = 0x04, LOOKUP = 0x08, DELETE = 0x10, LOCK = 0x20,
        ADMINISTER = 0x40;
    public static final int ALL = 0x7f;
    /** system:administrators. */
    public static final int SYSADMIN_ID = -204;
    /** system:anyuser. */
    public static final int ANYUSER_ID = -101;

    public record Entry(int id, int rights) {
    }

    public AccessList {
        positive = List.copyOf(positive);
        negative = List.copyOf(negative);
        if (positive.size() + negative.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException("more than " + MAX_ENTRIES + " ACL entries");
        }
    }

    /** The ACL the volserver gives a new volume's root: system:administrators all rights. */
    public static AccessList defaultRoot() {
        return new AccessList(List.of(new Entry(SYSADMIN_ID, ALL)), List.of());
    }

    /** 192 bytes, little-endian (on disk) or big-endian (dump 'A' item). */
    public byte[] encode(ByteOrder order) {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(order);
        int total = positive.size() + negative.size();
        b.putInt(0, 20 + 8 * total);
        b.putInt(4, VERSION).putInt(8, total).putInt(12, positive.size()).putInt(16, negative.size());
        int off = 20;
        for (Entry e : positive) {
            b.putInt(off, e.id()).putInt(off + 4, e.rights());
            off += 8;
        }
        for (Entry e : negative) {
            b.putInt(off, e.id()).putInt(off + 4, e.rights());
            off += 8;
        }
        return b.array();
    }

    /**
     * Decode and validate (dump-format.md §5.2: version 1, 0 &lt;= total &lt;= 20,
     * positive + negative == total).
     * Returns null for an ACL area that is all zeros (a vnode without ACL).
     */
    public static AccessList decode(byte[] raw, int offset, ByteOrder order, String context) throws VolumeFormatException {
        ByteBuffer b = ByteBuffer.wrap(raw, offset, SIZE).slice().order(order);
        boolean zero = true;
        for (int i = 0; i < SIZE && zero; i++) {
            zero = b.get(i) == 0;
        }
        if (zero) {
            return null;
        }
        int version = b.getInt(4);
        int total = b.getInt(8);
        int pos = b.getInt(12);
        int neg = b.getInt(16);
        if (version != VERSION || total < 0 || total > MAX_ENTRIES || pos < 0 || neg < 0 || pos + neg != total) {
            throw new VolumeFormatException(context, 0, "invalid ACL: version " + version + " total " + total
                + " positive " + pos + " negative " + neg);
        }
        List<Entry> p = new ArrayList<>();
        List<Entry> n = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            Entry e = new Entry(b.getInt(20 + 8 * i), b.getInt(24 + 8 * i));
            (i < pos ? p : n).add(e);
        }
        return new AccessList(p, n);
    }
}
