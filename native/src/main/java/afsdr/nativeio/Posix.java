package afsdr.nativeio;

import java.nio.ByteBuffer;
import java.util.Set;

/**
 * The narrow set of libc calls the vice partition code is built on. Every failure is a
 * {@link NativeIoException} naming the call, the path and the errno; nothing returns -1.
 *
 * <p>Production code uses {@link JnrPosix}; tests may wrap or replace it (e.g. to inject ENOSPC
 * on the n-th pwrite). Buffers passed to {@link #pread}/{@link #pwrite} must be direct; the bytes
 * between position and limit are transferred and the position is advanced by the count.
 */
public interface Posix {
    /** posix_fadvise advice values (identical on all Linux architectures). */
    int POSIX_FADV_NORMAL = 0;
    int POSIX_FADV_SEQUENTIAL = 2;
    int POSIX_FADV_WILLNEED = 3;
    int POSIX_FADV_DONTNEED = 4;
    /** fallocate mode: do not change the file size. */
    int FALLOC_FL_KEEP_SIZE = 1;

    int open(String path, Set<OpenFlag> flags, int mode) throws NativeIoException;

    void close(int fd) throws NativeIoException;

    /** One pread(2); returns bytes read, 0 at end of file. */
    int pread(int fd, ByteBuffer dst, long offset) throws NativeIoException;

    /** One pwrite(2); returns bytes written (may be short). */
    int pwrite(int fd, ByteBuffer src, long offset) throws NativeIoException;

    void fsync(int fd) throws NativeIoException;

    void fdatasync(int fd) throws NativeIoException;

    /**
     * syncfs(2): make everything written to the filesystem that holds {@code fd} durable (data and
     * metadata of every file, one journal commit and one cache flush), and report writeback errors
     * of that filesystem (Linux 5.8+). Far cheaper than one fdatasync per file when many new files
     * must become durable together.
     */
    void syncfs(int fd) throws NativeIoException;

    /**
     * sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE): start writeback of every dirty page of the
     * file and return without waiting. Makes nothing durable (no metadata, no cache flush); its use
     * is to let several files' writeback (and, on ext4, their block allocation) happen before the
     * first of their fdatasync calls, so that one journal commit covers them all instead of one
     * commit each. Linux only.
     */
    void startWriteback(int fd) throws NativeIoException;

    void fallocate(int fd, int mode, long offset, long length) throws NativeIoException;

    void fadvise(int fd, long offset, long length, int advice) throws NativeIoException;

    void ftruncate(int fd, long length) throws NativeIoException;

    FsStat statvfs(String path) throws NativeIoException;

    /** fstat through statx(AT_EMPTY_PATH), including STATX_DIOALIGN where the kernel reports it. */
    FileStat fstat(int fd) throws NativeIoException;

    /** lstat (does not follow a final symlink); ENOENT is thrown, not mapped to null. */
    FileStat lstat(String path) throws NativeIoException;

    void fchown(int fd, int uid, int gid) throws NativeIoException;

    void fchmod(int fd, int mode) throws NativeIoException;

    /**
     * Turns O_DIRECT on or off for an open descriptor (fcntl F_GETFL/F_SETFL), so that a file
     * created (and made writable) by one open can take its bulk data without the page cache.
     * Returns false where the file system refuses O_DIRECT (EINVAL), leaving the flags as they were.
     */
    boolean setDirect(int fd, boolean on) throws NativeIoException;

    void link(String existing, String newPath) throws NativeIoException;

    void unlink(String path) throws NativeIoException;

    void rename(String from, String to) throws NativeIoException;

    void mkdir(String path, int mode) throws NativeIoException;

    void rmdir(String path) throws NativeIoException;

    /**
     * fcntl(F_SETLK / F_SETLKW) POSIX record lock (the kind OpenAFS takes on link table rows).
     * Returns false when {@code wait} is false and another process holds a conflicting lock.
     */
    boolean lockRange(int fd, boolean exclusive, long start, long length, boolean wait) throws NativeIoException;

    void unlockRange(int fd, long start, long length) throws NativeIoException;

    /**
     * flock(2) on the whole file; returns false when {@code wait} is false and the lock is held
     * elsewhere. (OpenAFS locks a partition by flock on its directory.)
     */
    boolean flock(int fd, boolean exclusive, boolean wait) throws NativeIoException;

    void funlock(int fd) throws NativeIoException;

    /** Open a directory and fsync it, so that a create/link/rename/unlink in it is durable. */
    default void fsyncDirectory(String dir) throws NativeIoException {
        int fd = open(dir, Set.of(OpenFlag.READ_ONLY, OpenFlag.DIRECTORY, OpenFlag.CLOEXEC), 0);
        try {
            fsync(fd);
        } finally {
            close(fd);
        }
    }

    /** Write the whole remaining buffer, looping over short writes. */
    default void pwriteFully(int fd, ByteBuffer src, long offset, String pathForErrors) throws NativeIoException {
        long off = offset;
        while (src.hasRemaining()) {
            int n = pwrite(fd, src, off);
            if (n <= 0) {
                throw new NativeIoException("pwrite", pathForErrors, Errno.EIO);
            }
            off += n;
        }
    }

    /** Read until the buffer is full or end of file; returns bytes read. */
    default int preadFully(int fd, ByteBuffer dst, long offset) throws NativeIoException {
        int total = 0;
        while (dst.hasRemaining()) {
            int n = pread(fd, dst, offset + total);
            if (n == 0) {
                break;
            }
            total += n;
        }
        return total;
    }
}
