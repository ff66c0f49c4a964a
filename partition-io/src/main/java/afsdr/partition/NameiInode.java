package afsdr.partition;

/**
 * The 64-bit namei inode number and where its file lives (disk-format.md §4.2, §4.3).
 *
 * <pre>
 *  63            32 31  29 28  26 25                    0
 * +----------------+------+------+-----------------------+
 * | uniquifier /   |  0   | tag /| vnode number, or      |
 * | volume id      |      | type | 0x3ffffff = special   |
 * +----------------+------+------+-----------------------+
 * </pre>
 */
public final class NameiInode {
    /** INODESPECIAL: the vnode field of a special file. */
    public static final int INODESPECIAL = 0x3ffffff;
    /** NAMEI_VNODEMASK. */
    public static final int VNODE_MASK = 0x3ffffff;
    /** VI_VOLINFO. */
    public static final int VI_VOLINFO = 1;
    /** VI_SMALLINDEX. */
    public static final int VI_SMALLINDEX = 2;
    /** VI_LARGEINDEX. */
    public static final int VI_LARGEINDEX = 3;
    /** VI_LINKTABLE. */
    public static final int VI_LINKTABLE = 6;
    /** NAMEI_MAXVOLS: tags (link table columns) per vnode number. */
    public static final int MAX_TAGS = 5;

    private NameiInode() {
    }

    public static long special(long volumeId, int type) {
        return ((volumeId & 0xffffffffL) << 32) | ((long) type << 26) | INODESPECIAL;
    }

    public static long regular(int vnode, int tag, int uniquifier) {
        if ((vnode & ~VNODE_MASK) != 0 || vnode == INODESPECIAL) {
            throw new IllegalArgumentException("vnode number does not fit the namei inode: " + vnode);
        }
        return ((uniquifier & 0xffffffffL) << 32) | ((long) tag << 26) | vnode;
    }

    public static boolean isSpecial(long ino) {
        return (ino & VNODE_MASK) == INODESPECIAL;
    }

    public static int vnode(long ino) {
        return (int) (ino & VNODE_MASK);
    }

    /** Link table column (regular files) or special type (special files). */
    public static int tag(long ino) {
        return (int) ((ino >>> 26) & 7);
    }

    /** Uniquifier (regular files) or volume id (special files). */
    public static int high(long ino) {
        return (int) (ino >>> 32);
    }

    /** AFSIDat/&lt;fb64(group &amp; 0xff)&gt;/&lt;fb64(group)&gt; relative to the partition. */
    public static String groupDir(long groupId) {
        return "AFSIDat/" + FlipBase64.encode(groupId & 0xff) + "/" + FlipBase64.encode(groupId & 0xffffffffL);
    }

    /** The file of {@code ino} in volume group {@code groupId}, relative to the partition root. */
    public static String relativePath(long groupId, long ino) {
        String g = groupDir(groupId);
        if (isSpecial(ino)) {
            return g + "/special/" + FlipBase64.encode(ino);
        }
        int vno = vnode(ino);
        return g + "/" + FlipBase64.encode((vno >> 14) & 0xff) + "/" + FlipBase64.encode((vno >> 9) & 0x1ff) + "/"
            + FlipBase64.encode(ino);
    }

    /**
     * OGM (SetOGM): the owner, group and mode that carry a 32-bit parameter and the tag.
     * Returns {uid, gid, mode}.
     */
    public static int[] ogm(int parm, int tag) {
        int uid = parm & 0x7fff;
        int gid = (parm >>> 15) & 0x7fff;
        int mode = ((parm >>> 27) & 0x18) | (tag & 7);
        return new int[] {uid, gid, mode};
    }

    /** The parameter recovered from an OGM triple (GetOGM). */
    public static int ogmParm(int uid, int gid, int mode) {
        return (uid & 0x7fff) | ((gid & 0x7fff) << 15) | ((mode & 0x18) << 27);
    }
}
