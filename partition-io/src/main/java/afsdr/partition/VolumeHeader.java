package afsdr.partition;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The volume header file {@code V%010u.vol} (struct VolumeDiskHeader, 76 bytes, host order;
 * disk-format.md §3): which namei special files hold the volume.
 *
 * <pre>
 *  0 magic 0x88a1bb3c   4 version 1   8 id   12 parent
 * 16 volumeInfo_lo  20 smallVnodeIndex_lo  24 largeVnodeIndex_lo  28 volumeAcl_lo  32 volumeMountTable_lo
 * 36 volumeInfo_hi  40 smallVnodeIndex_hi  44 largeVnodeIndex_hi  48 volumeAcl_hi  52 volumeMountTable_hi
 * 56 linkTable_lo   60 linkTable_hi        64 reserved[3]
 * </pre>
 */
public record VolumeHeader(int id, int parent, long volumeInfo, long smallVnodeIndex, long largeVnodeIndex,
                           long linkTable) {
    /** VOLUMEHEADERMAGIC. */
    public static final int MAGIC = 0x88a1bb3c;
    /** VOLUMEHEADERVERSION. */
    public static final int VERSION = 1;
    public static final int SIZE = 76;

    /** File name of a volume's header: V + 10 digits + ".vol" (VFORMAT). */
    public static String fileName(int volumeId) {
        return "V" + tenDigits(volumeId) + ".vol";
    }

    /**
     * The unsigned volume id in ten decimal digits, zero-padded ("%010u"), as in header and
     * journal file names. (String.format here was a few % of a volserver's CPU per RPC: every
     * volume lookup builds a header name.)
     */
    public static String tenDigits(int volumeId) {
        String d = Integer.toUnsignedString(volumeId);
        return "0000000000".substring(d.length()) + d;
    }

    /** The volume id named by a header file name, or -1 (as a long) if it is not one (GetNextVol rules). */
    public static long parseFileName(String name) {
        if (name.length() != 15 || name.charAt(0) != 'V' || !name.endsWith(".vol")) {
            return -1;
        }
        long v = 0;
        for (int i = 1; i < 11; i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v > 0xffffffffL ? -1 : v;
    }

    /** The header of a new volume: special inodes of its own volinfo/indexes and the group link table. */
    public static VolumeHeader forNewVolume(int id, int parent) {
        return new VolumeHeader(id, parent,
            NameiInode.special(Integer.toUnsignedLong(id), NameiInode.VI_VOLINFO),
            NameiInode.special(Integer.toUnsignedLong(id), NameiInode.VI_SMALLINDEX),
            NameiInode.special(Integer.toUnsignedLong(id), NameiInode.VI_LARGEINDEX),
            NameiInode.special(Integer.toUnsignedLong(parent), NameiInode.VI_LINKTABLE));
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, MAGIC).putInt(4, VERSION).putInt(8, id).putInt(12, parent);
        b.putInt(16, (int) volumeInfo).putInt(20, (int) smallVnodeIndex).putInt(24, (int) largeVnodeIndex);
        b.putInt(36, (int) (volumeInfo >>> 32)).putInt(40, (int) (smallVnodeIndex >>> 32));
        b.putInt(44, (int) (largeVnodeIndex >>> 32));
        b.putInt(56, (int) linkTable).putInt(60, (int) (linkTable >>> 32));
        return b.array();
    }

    /** Decode and check a header file's bytes; {@code file} names it in errors. */
    public static VolumeHeader decode(byte[] data, String file, long expectedId) throws VolumeFormatException {
        if (data.length != SIZE) {
            throw new VolumeFormatException(file, expectedId, "header is " + data.length + " bytes, expected " + SIZE);
        }
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != MAGIC || b.getInt(4) != VERSION) {
            throw new VolumeFormatException(file, expectedId, String.format(
                "bad header stamp magic 0x%08x version %d", b.getInt(0), b.getInt(4)));
        }
        int id = b.getInt(8);
        if (Integer.toUnsignedLong(id) != expectedId) {
            throw new VolumeFormatException(file, expectedId, "header names volume " + Integer.toUnsignedString(id));
        }
        VolumeHeader h = new VolumeHeader(id, b.getInt(12), lohi(b, 16, 36), lohi(b, 20, 40), lohi(b, 24, 44),
            lohi(b, 56, 60));
        h.check(file, expectedId);
        return h;
    }

    private static long lohi(ByteBuffer b, int lo, int hi) {
        return (Integer.toUnsignedLong(b.getInt(hi)) << 32) | Integer.toUnsignedLong(b.getInt(lo));
    }

    private void check(String file, long vid) throws VolumeFormatException {
        long[] inos = {volumeInfo, smallVnodeIndex, largeVnodeIndex, linkTable};
        int[] types = {NameiInode.VI_VOLINFO, NameiInode.VI_SMALLINDEX, NameiInode.VI_LARGEINDEX, NameiInode.VI_LINKTABLE};
        for (int i = 0; i < inos.length; i++) {
            if (!NameiInode.isSpecial(inos[i]) || NameiInode.tag(inos[i]) != types[i]) {
                throw new VolumeFormatException(file, vid, String.format("inode 0x%016x is not special file type %d",
                    inos[i], types[i]));
            }
        }
        if (NameiInode.high(linkTable) != parent) {
            throw new VolumeFormatException(file, vid, "link table inode belongs to " + Integer.toUnsignedString(
                NameiInode.high(linkTable)) + ", not the parent " + Integer.toUnsignedString(parent));
        }
    }
}
