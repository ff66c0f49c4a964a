package afsdr.volser.wire;

/**
 * Error codes a volserver returns (volser.md §7): the com_err table "VOLS" ({@code volerr.et}),
 * the volume package codes ({@code src/util/errors.h}), and raw Linux errno values the 1.8
 * server returns for some failures.
 */
public final class VolserErrors {
    private VolserErrors() {
    }

    public static final int VOLSERTRELE_ERROR = 1492325120;
    public static final int VOLSERNO_OP = 1492325121;
    public static final int VOLSERREAD_DUMPERROR = 1492325122;
    public static final int VOLSERDUMPERROR = 1492325123;
    public static final int VOLSERATTACH_ERROR = 1492325124;
    public static final int VOLSERILLEGAL_PARTITION = 1492325125;
    public static final int VOLSERDETACH_ERROR = 1492325126;
    public static final int VOLSERBAD_ACCESS = 1492325127;
    public static final int VOLSERVLDB_ERROR = 1492325128;
    public static final int VOLSERBADNAME = 1492325129;
    public static final int VOLSERVOLMOVED = 1492325130;
    public static final int VOLSERBADOP = 1492325131;
    public static final int VOLSERBADRELEASE = 1492325132;
    public static final int VOLSERVOLBUSY = 1492325133;
    public static final int VOLSERNO_MEMORY = 1492325134;
    public static final int VOLSERNOVOL = 1492325135;
    public static final int VOLSERMULTIRWVOL = 1492325136;
    public static final int VOLSERFAILEDOP = 1492325137;

    public static final int VSALVAGE = 101;
    public static final int VNOVNODE = 102;
    /** Not attached / does not exist; vos relies on exactly this code from TransCreate. */
    public static final int VNOVOL = 103;
    public static final int VVOLEXISTS = 104;
    public static final int VNOSERVICE = 105;
    public static final int VOFFLINE = 106;
    public static final int VONLINE = 107;
    /** ENOSPC travels as this code. */
    public static final int VDISKFULL = 108;
    /** EDQUOT travels as this code. */
    public static final int VOVERQUOTA = 109;
    public static final int VBUSY = 110;
    public static final int VMOVED = 111;
    public static final int VIO = 112;
    public static final int VSALVAGING = 113;
    public static final int VRESTRICTED = 120;
    public static final int VRESTARTING = -100;

    // Raw Linux errno values of the 1.8 server (volser.md §7.3)
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EIO = 5;
    public static final int E2BIG = 7;
    public static final int ENOMEM = 12;
    public static final int EXDEV = 18;
    /** ListOneVolume of a volume not on the partition. */
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int EROFS = 30;
    public static final int ENOTCONN = 107;
}
