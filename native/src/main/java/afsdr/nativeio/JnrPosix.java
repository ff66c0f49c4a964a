package afsdr.nativeio;

import java.nio.ByteBuffer;
import java.util.Set;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * {@link Posix} over glibc through jnr-ffi. Linux only (x86-64 and aarch64): struct layouts used
 * here (statx, statvfs, struct flock) are the LP64 Linux ones.
 */
public final class JnrPosix implements Posix {
    /** The libc functions we bind; all return -1 and set errno on failure (except posix_fadvise). */
    public interface LibC {
        int open(String path, int flags, int mode);

        int close(int fd);

        @ssize_t long pread(int fd, @Out ByteBuffer buf, @size_t long count, @off_t long offset);

        @ssize_t long pwrite(int fd, @In ByteBuffer buf, @size_t long count, @off_t long offset);

        int fsync(int fd);

        int fdatasync(int fd);

        int syncfs(int fd);

        int sync_file_range(int fd, @off_t long offset, @off_t long nbytes, int flags);

        int fallocate(int fd, int mode, @off_t long offset, @off_t long len);

        int posix_fadvise(int fd, @off_t long offset, @off_t long len, int advice);

        int ftruncate(int fd, @off_t long length);

        int statvfs(String path, Pointer buf);

        int statx(int dirfd, String path, int flags, int mask, Pointer buf);

        int fchown(int fd, int uid, int gid);

        int fchmod(int fd, int mode);

        int link(String oldpath, String newpath);

        int unlink(String path);

        int renameat(int olddirfd, String oldpath, int newdirfd, String newpath);

        int mkdir(String path, int mode);

        int rmdir(String path);

        int fcntl(int fd, int cmd, Pointer arg);

        /** fcntl with an integer third argument (F_GETFL, F_SETFL). */
        int fcntl(int fd, int cmd, long arg);

        int flock(int fd, int operation);
    }

    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int STATX_BASIC_STATS = 0x7ff;
    /** STATX_DIOALIGN (Linux 6.1): stx_dio_mem_align / stx_dio_offset_align are valid. */
    private static final int STATX_DIOALIGN = 0x2000;
    private static final int STATX_SIZE = 256;
    /** SYNC_FILE_RANGE_WRITE: initiate writeback of dirty pages, do not wait. */
    private static final int SYNC_FILE_RANGE_WRITE = 2;
    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;
    private static final int F_SETLK = 6;
    private static final int F_SETLKW = 7;
    private static final short F_RDLCK = 0;
    private static final short F_WRLCK = 1;
    private static final short F_UNLCK = 2;
    private static final int LOCK_SH = 1;
    private static final int LOCK_EX = 2;
    private static final int LOCK_NB = 4;
    private static final int LOCK_UN = 8;

    private static volatile JnrPosix instance;

    private final LibC libc;
    private final Runtime runtime;
    /**
     * Per-thread native buffers for struct statx and struct flock. Memory.allocateDirect per call
     * (one per fstat, two per link table row update) left the freeing to JNR's reference thread,
     * which unmapped pages for them: 0.1-0.2 CPU-s of that thread per 50 000-file dump, and
     * setLock's own allocation was among the top frames of the restore profile.
     */
    private final ThreadLocal<Pointer> statxBuf;
    private final ThreadLocal<Pointer> flockBuf;
    private final String arch;

    private JnrPosix() {
        this.libc = LibraryLoader.create(LibC.class).load("c");
        this.runtime = Runtime.getRuntime(libc);
        this.statxBuf = ThreadLocal.withInitial(() -> Memory.allocateDirect(runtime, STATX_SIZE));
        this.flockBuf = ThreadLocal.withInitial(() -> Memory.allocateDirect(runtime, 32));
        this.arch = System.getProperty("os.arch");
        if (!(arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))) {
            throw new UnsupportedOperationException("struct layouts known only for x86-64 and aarch64, not " + arch);
        }
    }

    /** The process-wide instance (loading libc once). */
    public static JnrPosix get() {
        JnrPosix p = instance;
        if (p == null) {
            synchronized (JnrPosix.class) {
                p = instance;
                if (p == null) {
                    p = new JnrPosix();
                    instance = p;
                }
            }
        }
        return p;
    }

    private NativeIoException fail(String call, String path) {
        return new NativeIoException(call, path, runtime.getLastError());
    }

    private static String fdName(int fd) {
        return "fd " + fd;
    }

    private static void requireDirect(ByteBuffer b) {
        if (!b.isDirect()) {
            throw new IllegalArgumentException("native I/O needs a direct ByteBuffer");
        }
    }

    @Override
    public int open(String path, Set<OpenFlag> flags, int mode) throws NativeIoException {
        int fd;
        do {
            fd = libc.open(path, OpenFlag.toLinux(flags, arch), mode);
        } while (fd < 0 && runtime.getLastError() == Errno.EINTR);
        if (fd < 0) {
            throw fail("open", path);
        }
        return fd;
    }

    @Override
    public void close(int fd) throws NativeIoException {
        // Never retry close on EINTR: on Linux the descriptor is already released.
        if (libc.close(fd) < 0) {
            throw fail("close", fdName(fd));
        }
    }

    @Override
    public int pread(int fd, ByteBuffer dst, long offset) throws NativeIoException {
        requireDirect(dst);
        long n;
        do {
            n = libc.pread(fd, dst, dst.remaining(), offset);
        } while (n < 0 && runtime.getLastError() == Errno.EINTR);
        if (n < 0) {
            throw fail("pread", fdName(fd) + " @" + offset + " len " + dst.remaining());
        }
        dst.position(dst.position() + (int) n);
        return (int) n;
    }

    @Override
    public int pwrite(int fd, ByteBuffer src, long offset) throws NativeIoException {
        requireDirect(src);
        long n;
        do {
            n = libc.pwrite(fd, src, src.remaining(), offset);
        } while (n < 0 && runtime.getLastError() == Errno.EINTR);
        if (n < 0) {
            throw fail("pwrite", fdName(fd) + " @" + offset + " len " + src.remaining());
        }
        src.position(src.position() + (int) n);
        return (int) n;
    }

    @Override
    public void fsync(int fd) throws NativeIoException {
        if (libc.fsync(fd) < 0) {
            throw fail("fsync", fdName(fd));
        }
    }

    @Override
    public void fdatasync(int fd) throws NativeIoException {
        if (libc.fdatasync(fd) < 0) {
            throw fail("fdatasync", fdName(fd));
        }
    }

    @Override
    public void syncfs(int fd) throws NativeIoException {
        if (libc.syncfs(fd) < 0) {
            throw fail("syncfs", fdName(fd));
        }
    }

    @Override
    public void startWriteback(int fd) throws NativeIoException {
        if (libc.sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE) < 0) {
            throw fail("sync_file_range", fdName(fd));
        }
    }

    @Override
    public void fallocate(int fd, int mode, long offset, long length) throws NativeIoException {
        if (libc.fallocate(fd, mode, offset, length) < 0) {
            throw fail("fallocate", fdName(fd));
        }
    }

    @Override
    public void fadvise(int fd, long offset, long length, int advice) throws NativeIoException {
        int rc = libc.posix_fadvise(fd, offset, length, advice);
        if (rc != 0) {
            // posix_fadvise returns the error number instead of setting errno.
            throw new NativeIoException("posix_fadvise", fdName(fd), rc);
        }
    }

    @Override
    public void ftruncate(int fd, long length) throws NativeIoException {
        if (libc.ftruncate(fd, length) < 0) {
            throw fail("ftruncate", fdName(fd));
        }
    }

    @Override
    public FsStat statvfs(String path) throws NativeIoException {
        // struct statvfs (LP64 Linux): f_bsize, f_frsize, f_blocks, f_bfree, f_bavail, ... all 8 bytes.
        Pointer buf = Memory.allocateDirect(runtime, 128);
        if (libc.statvfs(path, buf) < 0) {
            throw fail("statvfs", path);
        }
        long bsize = buf.getLong(0);
        long frsize = buf.getLong(8);
        long unit = frsize != 0 ? frsize : bsize;
        return new FsStat(bsize, frsize, buf.getLong(16) * unit, buf.getLong(24) * unit, buf.getLong(32) * unit);
    }

    private FileStat statx(int dirfd, String path, int flags, String what) throws NativeIoException {
        Pointer buf = statxBuf.get();
        if (libc.statx(dirfd, path, flags, STATX_BASIC_STATS | STATX_DIOALIGN, buf) < 0) {
            throw fail("statx", what);
        }
        // struct statx: fixed layout on every architecture (include/uapi/linux/stat.h).
        int mask = buf.getInt(0);
        int nlink = buf.getInt(16);
        int uid = buf.getInt(20);
        int gid = buf.getInt(24);
        int mode = buf.getShort(28) & 0xffff;
        long ino = buf.getLong(32);
        long size = buf.getLong(40);
        long blocks = buf.getLong(48);
        long mtime = buf.getLong(112);
        int memAlign = 0;
        int offAlign = 0;
        if ((mask & STATX_DIOALIGN) != 0) {
            memAlign = buf.getInt(152);
            offAlign = buf.getInt(156);
        }
        return new FileStat(ino, size, blocks, mode, uid, gid, nlink, mtime, memAlign, offAlign);
    }

    @Override
    public FileStat fstat(int fd) throws NativeIoException {
        return statx(fd, "", AT_EMPTY_PATH, fdName(fd));
    }

    @Override
    public FileStat lstat(String path) throws NativeIoException {
        return statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, path);
    }

    @Override
    public void fchown(int fd, int uid, int gid) throws NativeIoException {
        if (libc.fchown(fd, uid, gid) < 0) {
            throw fail("fchown", fdName(fd));
        }
    }

    @Override
    public void fchmod(int fd, int mode) throws NativeIoException {
        if (libc.fchmod(fd, mode) < 0) {
            throw fail("fchmod", fdName(fd));
        }
    }

    @Override
    public boolean setDirect(int fd, boolean on) throws NativeIoException {
        int flags = libc.fcntl(fd, F_GETFL, 0L);
        if (flags < 0) {
            throw fail("fcntl(F_GETFL)", fdName(fd));
        }
        int direct = OpenFlag.toLinux(java.util.Set.of(OpenFlag.DIRECT), arch);
        int wanted = on ? flags | direct : flags & ~direct;
        if (wanted == flags) {
            return true;
        }
        if (libc.fcntl(fd, F_SETFL, wanted) < 0) {
            NativeIoException e = fail("fcntl(F_SETFL)", fdName(fd));
            if (e.errno() == Errno.EINVAL) {
                return false;
            }
            throw e;
        }
        return true;
    }

    @Override
    public void link(String existing, String newPath) throws NativeIoException {
        if (libc.link(existing, newPath) < 0) {
            throw fail("link", existing + " -> " + newPath);
        }
    }

    @Override
    public void unlink(String path) throws NativeIoException {
        if (libc.unlink(path) < 0) {
            throw fail("unlink", path);
        }
    }

    @Override
    public void rename(String from, String to) throws NativeIoException {
        if (libc.renameat(AT_FDCWD, from, AT_FDCWD, to) < 0) {
            throw fail("renameat", from + " -> " + to);
        }
    }

    @Override
    public void mkdir(String path, int mode) throws NativeIoException {
        if (libc.mkdir(path, mode) < 0) {
            throw fail("mkdir", path);
        }
    }

    @Override
    public void rmdir(String path) throws NativeIoException {
        if (libc.rmdir(path) < 0) {
            throw fail("rmdir", path);
        }
    }

    private boolean setLock(int fd, short type, long start, long length, boolean wait) throws NativeIoException {
        // struct flock (LP64 Linux): short l_type, short l_whence, off_t l_start @8, off_t l_len @16, pid_t @24.
        Pointer fl = flockBuf.get();
        fl.putShort(0, type);
        fl.putShort(2, (short) 0); // SEEK_SET
        fl.putLong(8, start);
        fl.putLong(16, length);
        fl.putInt(24, 0);
        while (true) {
            if (libc.fcntl(fd, wait ? F_SETLKW : F_SETLK, fl) == 0) {
                return true;
            }
            int e = runtime.getLastError();
            if (e == Errno.EINTR) {
                continue;
            }
            if (!wait && (e == Errno.EAGAIN || e == Errno.EACCES)) {
                return false;
            }
            throw new NativeIoException("fcntl", fdName(fd) + " lock [" + start + "+" + length + "]", e);
        }
    }

    @Override
    public boolean lockRange(int fd, boolean exclusive, long start, long length, boolean wait)
            throws NativeIoException {
        return setLock(fd, exclusive ? F_WRLCK : F_RDLCK, start, length, wait);
    }

    @Override
    public void unlockRange(int fd, long start, long length) throws NativeIoException {
        setLock(fd, F_UNLCK, start, length, false);
    }

    @Override
    public boolean flock(int fd, boolean exclusive, boolean wait) throws NativeIoException {
        int op = (exclusive ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB);
        while (true) {
            if (libc.flock(fd, op) == 0) {
                return true;
            }
            int e = runtime.getLastError();
            if (e == Errno.EINTR) {
                continue;
            }
            if (!wait && e == Errno.EAGAIN) {
                return false;
            }
            throw new NativeIoException("flock", fdName(fd), e);
        }
    }

    @Override
    public void funlock(int fd) throws NativeIoException {
        if (libc.flock(fd, LOCK_UN) < 0) {
            throw fail("flock", fdName(fd));
        }
    }
}
