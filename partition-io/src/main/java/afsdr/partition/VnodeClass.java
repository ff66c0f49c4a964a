package afsdr.partition;

/**
 * The two vnode index files (disk-format.md §5.2): large vnodes (directories, odd numbers) carry an
 * ACL and are 256 bytes; small vnodes (files, symlinks, even numbers) are 64 bytes.
 */
public enum VnodeClass {
    /** vLarge: SIZEOF_LARGEDISKVNODE 256, index magic LARGEINDEXMAGIC, vnode magic LARGEVNODEMAGIC. */
    LARGE(256, 0x88664433, 0xad8765fe, NameiInode.VI_LARGEINDEX),
    /** vSmall: SIZEOF_SMALLDISKVNODE 64, index magic SMALLINDEXMAGIC, vnode magic SMALLVNODEMAGIC. */
    SMALL(64, 0x99776655, 0xda8c041f, NameiInode.VI_SMALLINDEX);

    /** VNODEINDEXVERSION. */
    public static final int INDEX_VERSION = 1;

    private final int recordSize;
    private final int indexMagic;
    private final int vnodeMagic;
    private final int specialType;

    VnodeClass(int recordSize, int indexMagic, int vnodeMagic, int specialType) {
        this.recordSize = recordSize;
        this.indexMagic = indexMagic;
        this.vnodeMagic = vnodeMagic;
        this.specialType = specialType;
    }

    public int recordSize() {
        return recordSize;
    }

    public int indexMagic() {
        return indexMagic;
    }

    public int vnodeMagic() {
        return vnodeMagic;
    }

    public int specialType() {
        return specialType;
    }

    /** vnodeIdToClass. */
    public static VnodeClass of(int vnodeNumber) {
        return ((vnodeNumber - 1) & 1) == 0 ? LARGE : SMALL;
    }

    /** vnodeIdToBitNumber: the slot (0-based) of a vnode in its index. */
    public static int slot(int vnodeNumber) {
        return (vnodeNumber - 1) >>> 1;
    }

    /** bitNumberToVnodeNumber. */
    public int vnodeNumber(int slot) {
        return (slot << 1) + 1 + ordinal();
    }

    /** File offset of a slot: record 0 is the index header. */
    public long offset(int slot) {
        return (long) (slot + 1) * recordSize;
    }
}
