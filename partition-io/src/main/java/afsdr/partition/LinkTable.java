package afsdr.partition;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import afsdr.nativeio.Errno;
import afsdr.nativeio.NativeIoException;
import afsdr.nativeio.Posix;

/**
 * The link table of a volume group (VI_LINKTABLE, disk-format.md §5.3): for each vnode number a
 * 16-bit row of five 3-bit counters, one per namei tag, counting the volumes of the group that
 * reference data file (vnode, tag). Row 0 column 0 counts the volumes using the table.
 *
 * <p>Each read-modify-write of a row holds an fcntl write lock on the row's two bytes (as
 * namei_GetLinkCount/namei_SetLinkCount do), so stock tools working on the same partition see
 * consistent rows; within this JVM a per-group monitor serializes updates (POSIX locks are
 * per process, and closing any descriptor of the file drops them). A row update is a single 2-byte pwrite: a killed process leaves either the old or
 * the new row, never a torn one.
 */
public final class LinkTable implements AutoCloseable {
    /** LINKTABLEMAGIC. */
    public static final int MAGIC = 0x99877712;
    public static final int VERSION = 1;
    /** Largest value a 3-bit counter holds. */
    public static final int MAX_COUNT = 7;

    private final Posix posix;
    private final String path;
    private final int fd;
    private final long groupId;
    /** Shared by every LinkTable instance of the group in this JVM (fcntl locks do not exclude threads). */
    private final Object monitor;

    LinkTable(Posix posix, String path, int fd, long groupId, Object monitor) {
        this.posix = posix;
        this.path = path;
        this.fd = fd;
        this.groupId = groupId;
        this.monitor = monitor;
    }

    static long rowOffset(int vnode) {
        return 8 + 2L * vnode;
    }

    public String path() {
        return path;
    }

    /** Check the stamp; a table shorter than its stamp or with a wrong magic is corrupt. */
    void checkStamp() throws VolumeFormatException, NativeIoException {
        byte[] s = NameiFiles.readAt(posix, fd, 0, 8);
        ByteBuffer b = ByteBuffer.wrap(s).order(ByteOrder.LITTLE_ENDIAN);
        if (s.length < 8 || b.getInt(0) != MAGIC || b.getInt(4) != VERSION) {
            throw new VolumeFormatException(path, groupId, "bad link table stamp (" + s.length + " bytes)");
        }
    }

    static byte[] stamp() {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(MAGIC).putInt(VERSION).array();
    }

    private int readRow(int vnode) throws NativeIoException {
        synchronized (monitor) {
            byte[] r = NameiFiles.readAt(posix, fd, rowOffset(vnode), 2);
            if (r.length < 2) {
                return 0; // past EOF: no references
            }
            return (r[0] & 0xff) | ((r[1] & 0xff) << 8);
        }
    }

    private void writeRow(int vnode, int row) throws NativeIoException {
        NameiFiles.writeAt(posix, fd, new byte[] {(byte) row, (byte) (row >>> 8)}, rowOffset(vnode), path);
    }

    public int count(int vnode, int tag) throws NativeIoException {
        return (readRow(vnode) >>> (3 * tag)) & 7;
    }

    /** All five counters of a row. */
    public int[] row(int vnode) throws NativeIoException {
        int r = readRow(vnode);
        int[] c = new int[NameiInode.MAX_TAGS];
        for (int t = 0; t < c.length; t++) {
            c[t] = (r >>> (3 * t)) & 7;
        }
        return c;
    }

    private interface RowEdit {
        int apply(int row) throws NativeIoException;
    }

    private int edit(int vnode, RowEdit f) throws NativeIoException {
        long off = rowOffset(vnode);
        synchronized (monitor) {
            posix.lockRange(fd, true, off, 2, true);
            try {
                return f.apply(readRow(vnode));
            } finally {
                posix.unlockRange(fd, off, 2);
            }
        }
    }

    /**
     * GetFreeTag: claim the first tag of row {@code vnode} whose counter is 0 by setting it to 1.
     * Throws ENOSPC when all five are in use (NAMEI_MAXVOLS).
     */
    public int allocateTag(int vnode) throws NativeIoException {
        return edit(vnode, row -> {
            for (int t = 0; t < NameiInode.MAX_TAGS; t++) {
                if (((row >>> (3 * t)) & 7) == 0) {
                    writeRow(vnode, row | (1 << (3 * t)));
                    return t;
                }
            }
            throw new NativeIoException("namei GetFreeTag", path + " row " + vnode, Errno.ENOSPC);
        });
    }

    /** Add {@code delta} to counter (vnode, tag); returns the new value. EINVAL outside 0..7. */
    public int adjust(int vnode, int tag, int delta) throws NativeIoException {
        return edit(vnode, row -> {
            int c = ((row >>> (3 * tag)) & 7) + delta;
            if (c < 0 || c > MAX_COUNT) {
                throw new NativeIoException("namei SetLinkCount", path + " row " + vnode + " tag " + tag, Errno.EINVAL);
            }
            writeRow(vnode, (row & ~(7 << (3 * tag))) | (c << (3 * tag)));
            return c;
        });
    }

    public void fdatasync() throws NativeIoException {
        posix.fdatasync(fd);
    }

    @Override
    public void close() throws NativeIoException {
        posix.close(fd);
    }
}
