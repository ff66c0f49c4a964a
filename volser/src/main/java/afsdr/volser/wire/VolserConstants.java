package afsdr.volser.wire;

/** Constants of the VOLSER interface, named as in OpenAFS ({@code volint.xg}, {@code volser.h}); volser.md. */
public final class VolserConstants {
    private VolserConstants() {
    }

    /** UDP port of the volserver (volser.md §1). */
    public static final int AFSCONF_VOLUMEPORT = 7005;
    /** Rx service id of VOLSER (volser.md §1). */
    public static final int VOLSERVICE_ID = 4;

    /** {@code VNAMESIZE}: char name[] of volintInfo, restoreCookie...; names hold at most 31 bytes. */
    public static final int VNAMESIZE = 32;
    /** Bound of PartitionInfo(64)'s {@code string name<4096>} (volser.md §3). */
    public static final int PARTNAME_MAX = 4096;
    /** Bound of GetName's {@code string name<256>} (volser.md §3). */
    public static final int GETNAME_MAX = 256;
    /** {@code VOLMAXPARTS}: partition ids 0..254. */
    public static final int VOLMAXPARTS = 255;
    /** Slots of {@code pIDs} (ListPartitions); unused ones are -1. */
    public static final int PIDS_SLOTS = 26;
    /** {@code NMAXNSERVERS}: bound of {@code manyDests}. */
    public static final int NMAXNSERVERS = 13;
    /** DumpV2 flag {@code VOLDUMPV2_OMITDIRS}. */
    public static final int VOLDUMPV2_OMITDIRS = 1;

    // volintInfo.status (volser.md §2.2)
    /** {@code VOK}: the info is valid. */
    public static final int VOK = 2;
    /** {@code VBUSY}: the volume has a transaction. */
    public static final int VBUSY = 110;

    // Volume types
    public static final int RWVOL = 0;
    public static final int ROVOL = 1;
    public static final int BACKVOL = 2;

    // Transaction iflags, TransCreate flags (volser.md §5.1)
    public static final int ITOffline = 0x01;
    public static final int ITBusy = 0x02;
    public static final int ITReadOnly = 0x08;
    public static final int ITCreate = 0x10;
    public static final int ITCreateVolID = 0x1000;

    // vflags, SetFlags/GetFlags (volser.md §5.2)
    public static final int VTDeleteOnSalvage = 1;
    public static final int VTOutOfService = 2;
    public static final int VTDeleted = 4;

    // tflags (volser.md §5.3)
    public static final int TTDeleted = 1;

    /** Partition id to its name: 0 → /vicepa … 25 → /vicepz, 26 → /vicepaa … 254 (volser.md §2.6). */
    public static String partitionName(int id) {
        if (id < 0 || id >= VOLMAXPARTS) {
            throw new IllegalArgumentException("partition id " + id + " outside 0..254");
        }
        if (id < 26) {
            return "/vicep" + (char) ('a' + id);
        }
        int k = id - 26;
        return "/vicep" + (char) ('a' + k / 26) + (char) ('a' + k % 26);
    }

    /** Name (/vicepX, vicepX, X; also XY) to partition id, or -1. */
    public static int partitionId(String name) {
        String s = name.startsWith("/vicep") ? name.substring(6) : name.startsWith("vicep") ? name.substring(5) : name;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < 'a' || s.charAt(i) > 'z') {
                return -1;
            }
        }
        if (s.length() == 1) {
            return s.charAt(0) - 'a';
        }
        if (s.length() == 2) {
            int id = 26 + (s.charAt(0) - 'a') * 26 + (s.charAt(1) - 'a');
            return id < VOLMAXPARTS ? id : -1;
        }
        return -1;
    }
}
