package afsdr.nativeio;

/**
 * Linux errno numbers and their symbolic names. The numbers are the asm-generic ones, identical on
 * x86-64 and aarch64 (the two architectures {@link JnrPosix} supports).
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EXDEV = 18;
    public static final int ENODEV = 19;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int EMFILE = 24;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int EROFS = 30;
    public static final int EMLINK = 31;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOLCK = 37;
    public static final int ENOSYS = 38;
    public static final int ENOTEMPTY = 39;
    public static final int ELOOP = 40;
    public static final int EOPNOTSUPP = 95;
    public static final int EDQUOT = 122;

    private static final String[] NAMES = new String[134];

    static {
        String[] pairs = {
            "1 EPERM", "2 ENOENT", "3 ESRCH", "4 EINTR", "5 EIO", "6 ENXIO", "7 E2BIG", "8 ENOEXEC",
            "9 EBADF", "10 ECHILD", "11 EAGAIN", "12 ENOMEM", "13 EACCES", "14 EFAULT", "15 ENOTBLK",
            "16 EBUSY", "17 EEXIST", "18 EXDEV", "19 ENODEV", "20 ENOTDIR", "21 EISDIR", "22 EINVAL",
            "23 ENFILE", "24 EMFILE", "25 ENOTTY", "26 ETXTBSY", "27 EFBIG", "28 ENOSPC", "29 ESPIPE",
            "30 EROFS", "31 EMLINK", "32 EPIPE", "33 EDOM", "34 ERANGE", "35 EDEADLK", "36 ENAMETOOLONG",
            "37 ENOLCK", "38 ENOSYS", "39 ENOTEMPTY", "40 ELOOP", "61 ENODATA", "75 EOVERFLOW",
            "95 EOPNOTSUPP", "116 ESTALE", "117 EUCLEAN", "122 EDQUOT", "125 ECANCELED",
        };
        for (String p : pairs) {
            int sp = p.indexOf(' ');
            NAMES[Integer.parseInt(p.substring(0, sp))] = p.substring(sp + 1);
        }
    }

    private Errno() {
    }

    /** Symbolic name ("ENOSPC"), or "errno N" for numbers without a name in this table. */
    public static String name(int errno) {
        if (errno > 0 && errno < NAMES.length && NAMES[errno] != null) {
            return NAMES[errno];
        }
        return "errno " + errno;
    }
}
