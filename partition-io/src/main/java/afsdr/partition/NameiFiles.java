package afsdr.partition;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import afsdr.nativeio.Errno;
import afsdr.nativeio.NativeIoException;
import afsdr.nativeio.OpenFlag;
import afsdr.nativeio.Posix;

/** File-level helpers shared by the partition classes: namei file creation with OGM, small reads/writes. */
final class NameiFiles {
    static final Set<OpenFlag> RW = EnumSet.of(OpenFlag.READ_WRITE, OpenFlag.CLOEXEC, OpenFlag.NOFOLLOW);
    static final Set<OpenFlag> RO = EnumSet.of(OpenFlag.READ_ONLY, OpenFlag.CLOEXEC, OpenFlag.NOFOLLOW);
    static final Set<OpenFlag> CREATE_EXCL = EnumSet.of(OpenFlag.READ_WRITE, OpenFlag.CREATE, OpenFlag.EXCLUSIVE,
        OpenFlag.CLOEXEC, OpenFlag.NOFOLLOW);

    private NameiFiles() {
    }

    /**
     * mkdir -p with mode 0700 for every missing component below {@code base}
     * (namei_CreateDataDirectories). Returns the directories whose entries it changed, i.e. the
     * parent of every directory it made (empty when all existed): what must be fsync'd before a file
     * in the new directories may be relied on after a power failure.
     */
    static List<String> mkdirs(Posix posix, String base, String relative) throws NativeIoException {
        List<String> changed = List.of();
        String cur = base;
        for (String part : relative.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            String parent = cur;
            cur = cur + "/" + part;
            try {
                posix.mkdir(cur, 0700);
                if (changed.isEmpty()) {
                    changed = new ArrayList<>();
                }
                changed.add(parent);
            } catch (NativeIoException e) {
                if (e.errno() != Errno.EEXIST) {
                    throw e;
                }
            }
        }
        return changed;
    }

    /**
     * Create a namei file as the stock code does: O_CREAT|O_EXCL mode 0, then owner/group/mode set
     * from the OGM parameter and tag (disk-format.md §4.4). Returns the open descriptor.
     */
    static int createWithOgm(Posix posix, String path, int parm, int tag) throws NativeIoException {
        int fd = posix.open(path, CREATE_EXCL, 0);
        try {
            int[] ogm = NameiInode.ogm(parm, tag);
            posix.fchown(fd, ogm[0], ogm[1]);
            if (ogm[2] != 0) {
                // the file was created with mode 0, which no umask or default ACL can widen: a
                // mode of 0 (tag 0 of a data version below 2^27, i.e. almost every file a
                // restore creates) is already there, and a fchmod per file was 1.5 % of a
                // 50 000-file restore's CPU
                posix.fchmod(fd, ogm[2]);
            }
            return fd;
        } catch (NativeIoException e) {
            posix.close(fd);
            try {
                posix.unlink(path);
            } catch (NativeIoException ignored) {
                // the create error is the one worth reporting
            }
            throw e;
        }
    }

    /**
     * Size of the per-thread direct buffer used for record-sized transfers. Index records, link
     * table rows and volume info are read and written a few hundred bytes at a time, tens of
     * thousands of times per restore: a fresh direct buffer for each (allocation, zeroing, a
     * Cleaner, and eventually System.gc when direct memory runs out) cost more than the syscall.
     */
    private static final int SCRATCH = 64 * 1024;
    private static final ThreadLocal<ByteBuffer> SCRATCH_BUFFER =
        ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(SCRATCH));

    /** A direct buffer with room for {@code n} bytes, cleared: the thread's scratch buffer when it fits. */
    private static ByteBuffer scratch(int n) {
        if (n > SCRATCH) {
            return ByteBuffer.allocateDirect(n);
        }
        return SCRATCH_BUFFER.get().clear();
    }

    static void writeAt(Posix posix, int fd, byte[] data, long offset, String path) throws NativeIoException {
        ByteBuffer b = scratch(data.length);
        b.put(data).flip();
        posix.pwriteFully(fd, b, offset, path);
    }

    /** Read up to {@code length} bytes at offset; the result is shorter at end of file. */
    static byte[] readAt(Posix posix, int fd, long offset, int length) throws NativeIoException {
        ByteBuffer b = scratch(Math.max(length, 1));
        b.limit(length);
        int n = posix.preadFully(fd, b, offset);
        byte[] out = new byte[n];
        b.flip().get(out);
        return out;
    }

    static void closeQuietly(Posix posix, int fd) {
        if (fd >= 0) {
            try {
                posix.close(fd);
            } catch (NativeIoException ignored) {
                // close errors on read-only descriptors carry no information we could act on
            }
        }
    }
}
