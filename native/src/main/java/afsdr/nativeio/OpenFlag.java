package afsdr.nativeio;

import java.util.Set;

/**
 * open(2) flags, translated to the numeric values of the running architecture by {@link Posix}
 * implementations (O_DIRECT, O_DIRECTORY and O_NOFOLLOW differ between x86-64 and aarch64).
 */
public enum OpenFlag {
    READ_ONLY, WRITE_ONLY, READ_WRITE, CREATE, EXCLUSIVE, TRUNCATE, APPEND, DIRECT, DIRECTORY, NOFOLLOW,
    CLOEXEC, DSYNC;

    /** Numeric flags for Linux on the given os.arch ("amd64"/"x86_64" or "aarch64"). */
    public static int toLinux(Set<OpenFlag> flags, String arch) {
        boolean arm = arch.equals("aarch64") || arch.equals("arm64");
        int v = 0;
        for (OpenFlag f : flags) {
            switch (f) {
                case READ_ONLY -> v |= 0;
                case WRITE_ONLY -> v |= 01;
                case READ_WRITE -> v |= 02;
                case CREATE -> v |= 0100;
                case EXCLUSIVE -> v |= 0200;
                case TRUNCATE -> v |= 01000;
                case APPEND -> v |= 02000;
                case DSYNC -> v |= 010000;
                case DIRECT -> v |= arm ? 0200000 : 040000;
                case DIRECTORY -> v |= arm ? 040000 : 0200000;
                case NOFOLLOW -> v |= arm ? 0100000 : 0400000;
                case CLOEXEC -> v |= 02000000;
                default -> throw new IllegalArgumentException(f.name());
            }
        }
        return v;
    }
}
