package afsdr.nativeio;

/**
 * The subset of statx(2) results the partition code needs.
 *
 * @param mode st_mode including the file type bits
 * @param dioMemAlign STATX_DIOALIGN memory alignment, 0 when the kernel/filesystem did not report it
 * @param dioOffsetAlign STATX_DIOALIGN offset/length alignment, 0 when not reported
 */
public record FileStat(long ino, long size, long blocks, int mode, int uid, int gid, int nlink, long mtimeSeconds,
                       int dioMemAlign, int dioOffsetAlign) {
    public static final int S_IFMT = 0170000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFLNK = 0120000;

    public boolean isDirectory() {
        return (mode & S_IFMT) == S_IFDIR;
    }

    public boolean isRegularFile() {
        return (mode & S_IFMT) == S_IFREG;
    }

    /** Permission bits (without file type). */
    public int permissions() {
        return mode & 07777;
    }
}
