package afsdr.volser.dump;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Byte-order conversion of the 192-byte ACL area between disk (host order, little-endian on
 * Linux) and dump (network order), as acl_HtonACL / acl_NtohACL do: the five header words and the
 * positive and negative entries are swapped, every other byte is copied verbatim.
 *
 * <p>Validity (CheckAccessList, dump-format.md §5.2): 0 &lt;= total &lt;= 20, positive and negative
 * not negative and summing to total, size &gt;= 28 + (total - 1) * 8. The version word is not
 * checked (the stock code does not check it either).
 */
final class AclCodec {
    /** ACL_MAXENTRIES. */
    static final int MAX_ENTRIES = 20;
    /** sizeof(struct acl_accessList): header plus one entry. */
    private static final int MIN_SIZE_ONE_ENTRY = 28;
    private static final int ENTRY_SIZE = 8;
    private static final int HEADER_SIZE = 20;

    private AclCodec() {
    }

    /** Network-order copy of a disk ACL, or null if it fails the validity checks (the dump omits it). */
    static byte[] diskToNetwork(byte[] disk) {
        return convert(disk, ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN);
    }

    /** Disk-order copy of a dumped ACL, or null if it fails the validity checks (the restore fails). */
    static byte[] networkToDisk(byte[] net) {
        return convert(net, ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN);
    }

    /** Why a network-order ACL is invalid, or null when it is valid. */
    static String problemOfNetwork(byte[] net) {
        ByteBuffer in = ByteBuffer.wrap(net).order(ByteOrder.BIG_ENDIAN);
        return problem(in.getInt(0), in.getInt(8), in.getInt(12), in.getInt(16));
    }

    private static String problem(int size, int total, int pos, int neg) {
        if (total < 0 || total > MAX_ENTRIES) {
            return "ACL total " + total + " not in 0.." + MAX_ENTRIES;
        }
        if (pos < 0 || neg < 0 || pos + neg != total) {
            return "ACL positive " + pos + " + negative " + neg + " != total " + total;
        }
        if (size < MIN_SIZE_ONE_ENTRY + (total - 1) * ENTRY_SIZE) {
            return "ACL size " + size + " too small for " + total + " entries";
        }
        return null;
    }

    private static byte[] convert(byte[] src, ByteOrder from, ByteOrder to) {
        ByteBuffer in = ByteBuffer.wrap(src).order(from);
        int size = in.getInt(0);
        int total = in.getInt(8);
        int pos = in.getInt(12);
        int neg = in.getInt(16);
        if (problem(size, total, pos, neg) != null) {
            return null;
        }
        byte[] out = src.clone();
        ByteBuffer o = ByteBuffer.wrap(out).order(to);
        for (int off = 0; off < HEADER_SIZE; off += 4) {
            o.putInt(off, in.getInt(off));
        }
        // entries [0, pos) and [total - neg, total): identical ranges when pos + neg == total
        for (int i = 0; i < total; i++) {
            int off = HEADER_SIZE + ENTRY_SIZE * i;
            o.putInt(off, in.getInt(off)).putInt(off + 4, in.getInt(off + 4));
        }
        return out;
    }
}
