package afsdr.vldb;

/**
 * Constants of the VL interface, named as in OpenAFS ({@code vldbint.xg}, {@code vl_opcodes.h});
 * values and meaning from vldb.md §1–§3.
 */
public final class VlConstants {
    private VlConstants() {
    }

    /** UDP port of the vlserver (vldb.md §1). */
    public static final int VL_PORT = 7003;
    /** Rx service id of the VL interface, {@code USER_SERVICE_ID} (vldb.md §1). */
    public static final int VL_SERVICE_ID = 52;

    /** {@code VL_MAXNAMELEN}: name[] size including the NUL, so names have at most 64 bytes. */
    public static final int VL_MAXNAMELEN = 65;
    /** {@code OMAXNSERVERS}: sites in an old {@code vldbentry}. */
    public static final int OMAXNSERVERS = 8;
    /** {@code NMAXNSERVERS}: sites in an {@code nvldbentry}/{@code uvldbentry}. */
    public static final int NMAXNSERVERS = 13;
    /** {@code MAXTYPES}: volumeId[] slots (RW, RO, BK). */
    public static final int MAXTYPES = 3;
    /** Bound of {@code bulkaddrs} ({@code afs_uint32 bulkaddrs<500>}, vldb.md §3.5). */
    public static final int BULKADDRS_MAX = 500;
    /** {@code VL_MAXIPADDRS_PERMH}: addresses a multihomed server may register (vldb.md §4). */
    public static final int VL_MAXIPADDRS_PERMH = 15;
    /** ListAttributesN2 returns at most this many entries per call ({@code VLDBALLOCCOUNT}). */
    public static final int VLDBALLOCCOUNT = 500;

    /** volumeId[] index and voltype of a read/write volume ({@code RWVOL}). */
    public static final int RWVOL = 0;
    /** volumeId[] index and voltype of a read-only volume ({@code ROVOL}). */
    public static final int ROVOL = 1;
    /** volumeId[] index and voltype of a backup volume ({@code BACKVOL}). */
    public static final int BACKVOL = 2;
    /** voltype "any of RW/RO/BK" for GetEntryByIDN and friends (vldb.md §4). */
    public static final int ANYVOL = -1;

    // Entry flags (vldb.md §3.6)
    public static final int VLF_RWEXISTS = 0x1000;
    public static final int VLF_ROEXISTS = 0x2000;
    public static final int VLF_BACKEXISTS = 0x4000;
    public static final int VLF_DFSFILESET = 0x8000;

    // Lock operations, kept in the entry flags while locked (vldb.md §3.6)
    public static final int VLOP_MOVE = 0x10;
    public static final int VLOP_RELEASE = 0x20;
    public static final int VLOP_BACKUP = 0x40;
    public static final int VLOP_DELETE = 0x80;
    /** Same bit as {@link #VLOP_DELETE}. */
    public static final int VLOP_ADDSITE = 0x80;
    public static final int VLOP_DUMP = 0x100;
    /** Same bit as {@link #VLOP_DUMP}. */
    public static final int VLOP_RESTORE = 0x100;
    public static final int VLOP_ALLOPERS = 0x1f0;

    // Per-site flags, serverFlags[] (vldb.md §3.6)
    public static final int VLSF_NEWREPSITE = 0x01;
    public static final int VLSF_ROVOL = 0x02;
    public static final int VLSF_RWVOL = 0x04;
    public static final int VLSF_BACKVOL = 0x08;
    public static final int VLSF_UUID = 0x10;
    public static final int VLSF_DONTUSE = 0x20;
    public static final int VLSF_RWREPLICA = 0x40;

    // releaseType bits of ReleaseLock / ReplaceEntryN (vldb.md §3.6)
    public static final int LOCKREL_TIMESTAMP = 1;
    public static final int LOCKREL_OPCODE = 2;
    public static final int LOCKREL_AFSID = 4;
    /** What vos always passes to release a lock: all three bits. */
    public static final int LOCKREL_ALL = LOCKREL_TIMESTAMP | LOCKREL_OPCODE | LOCKREL_AFSID;

    // VldbListByAttributes.Mask (vldb.md §3.5)
    public static final int VLLIST_SERVER = 0x1;
    public static final int VLLIST_PARTITION = 0x2;
    public static final int VLLIST_VOLUMEID = 0x8;
    public static final int VLLIST_FLAG = 0x10;

    // ListAddrByAttributes.Mask, exactly one (vldb.md §3.5)
    public static final int VLADDR_IPADDR = 0x1;
    public static final int VLADDR_INDEX = 0x2;
    public static final int VLADDR_UUID = 0x4;

    /** GetAddrs marks a multihomed server slot with this prefix: {@code 0xFF000000|base<<16|index} (vldb.md §5). */
    public static final int VL_MHSRV_MARKER = 0xff000000;
}
