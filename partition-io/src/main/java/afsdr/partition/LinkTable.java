package afsdr.partition;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

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
 * per process, and closing any descriptor of the file drops them). A row update is a single 2-byte
 * pwrite: a killed process leaves either the old or the new row, never a torn one.
 *
 * <p>Counters that changed are reported to the group's {@link GroupState} (holds), which is what
 * lets {@link #allocateTag} reclaim tags leaked by a crash without touching tags in use.
 */
public final class LinkTable implements AutoCloseable {
    /** LINKTABLEMAGIC. */
    public static final int MAGIC = 0x99877712;
    public static final int VERSION = 1;
    /** Largest value a 3-bit counter holds. */
    public static final int MAX_COUNT = 7;

    private static final Logger LOG = System.getLogger(LinkTable.class.getName());

    private final NameiPartition partition;
    private final Posix posix;
    private final String path;
    private final int fd;
    private final int parentId;
    private final long groupId;
    /**
     * Shared by every LinkTable instance of the group in this JVM (fcntl locks do not exclude
     * threads); also the group's monitor and hold registry.
     */
    private final GroupState monitor;

    LinkTable(NameiPartition partition, String path, int fd, int parentId, GroupState monitor) {
        this.partition = partition;
        this.posix = partition.posix();
        this.path = path;
        this.fd = fd;
        this.parentId = parentId;
        this.groupId = Integer.toUnsignedLong(parentId);
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

    private static int firstFree(int row) {
        for (int t = 0; t < NameiInode.MAX_TAGS; t++) {
            if (((row >>> (3 * t)) & 7) == 0) {
                return t;
            }
        }
        return -1;
    }

    /**
     * GetFreeTag: claim the first tag of row {@code vnode} whose counter is 0 by setting it to 1;
     * the tag is held (in flight) until a vnode record names it or the count is given back.
     *
     * <p>When all five tags are taken, tags leaked by crashed writers are reclaimed first (see
     * {@link #reclaimLeaked}); ENOSPC (NAMEI_MAXVOLS) only when none is free after that.
     */
    public int allocateTag(int vnode) throws NativeIoException {
        return edit(vnode, row -> {
            int t = firstFree(row);
            IOException reclaimFailure = null;
            if (t < 0) {
                try {
                    row = reclaimLeaked(vnode, row);
                    t = firstFree(row);
                } catch (IOException e) {
                    // counting failed (e.g. an unreadable index): reclaim nothing, report it with ENOSPC
                    reclaimFailure = e;
                }
            }
            if (t < 0) {
                NativeIoException e = new NativeIoException("namei GetFreeTag", path + " row " + vnode, Errno.ENOSPC);
                if (reclaimFailure != null) {
                    e.addSuppressed(reclaimFailure);
                }
                throw e;
            }
            writeRow(vnode, row | (1 << (3 * t)));
            monitor.hold(vnode, t);
            return t;
        });
    }

    /**
     * Reclaim the leaked tags of a full row; called with the group monitor and the row's fcntl
     * lock held. A writer killed between GetFreeTag and dropping the previous file's reference
     * leaves a counter higher than the records naming the file; after a few such crashes on one
     * vnode every tag is taken. Each counter not held by this JVM is set to the number of vnode
     * records that name (vnode, tag) in the whole group ({@link NameiPartition#tagReferences}),
     * and the data files of counters that reach 0 are removed.
     *
     * <p>Crash safety: the references are counted first (nothing in this JVM can add one meanwhile:
     * every path that raises a count before its record exists, or removes a record before lowering
     * the count, holds the tag or the group monitor); then the new row is written with one pwrite
     * and fdatasync'd; only then are the files of freed tags unlinked. A crash before the row write
     * leaves the leak as it was; after it, at worst unreferenced files with count 0, which the next
     * GetFreeTag of that tag replaces (its create removes the orphan) and the salvager removes. No
     * order of events leaves a counter below the records naming its file.
     *
     * <p>Limit: a tag in flight in <em>another</em> process (allocated, record not yet written)
     * looks leaked. Stores into one volume group are expected from one process at a time (the
     * volserver holds the volumes it works on); the stock fileserver must not be storing into the
     * same group while this one writes it.
     *
     * @return the row after reclaim (unchanged if nothing was leaked)
     */
    private int reclaimLeaked(int vnode, int row) throws IOException {
        // Before the count: a store's in-flight hold (taken under the monitor, so none can
        // appear now) may be dropped right after its record is written, possibly after we read
        // that slot. After the count: a hold for a record being rewritten to stop naming a file
        // is taken before that write, possibly while we count.
        int held = monitor.heldTags(vnode);
        int[] refs = partition.tagReferences(parentId, vnode);
        held |= monitor.heldTags(vnode);
        int newRow = row;
        int freed = 0;
        for (int t = 0; t < NameiInode.MAX_TAGS; t++) {
            int c = (row >>> (3 * t)) & 7;
            if (c > refs[t] && (held & (1 << t)) == 0) {
                newRow = (newRow & ~(7 << (3 * t))) | (refs[t] << (3 * t));
                if (refs[t] == 0) {
                    freed |= 1 << t;
                }
            }
        }
        if (newRow == row) {
            return row;
        }
        writeRow(vnode, newRow);
        posix.fdatasync(fd);
        for (int t = 0; t < NameiInode.MAX_TAGS; t++) {
            if ((freed & (1 << t)) != 0) {
                partition.removeDataFiles(parentId, vnode, t);
            }
        }
        LOG.log(Level.WARNING, "{0} row {1}: reclaimed leaked link counts {2} -> {3} (references {4})", path, vnode,
            rowString(row), rowString(newRow), Arrays.toString(refs));
        return newRow;
    }

    private static String rowString(int row) {
        StringBuilder sb = new StringBuilder("[");
        for (int t = 0; t < NameiInode.MAX_TAGS; t++) {
            sb.append(t == 0 ? "" : ", ").append((row >>> (3 * t)) & 7);
        }
        return sb.append(']').toString();
    }

    /** Add {@code delta} to counter (vnode, tag); returns the new value. EINVAL outside 0..7. */
    public int adjust(int vnode, int tag, int delta) throws NativeIoException {
        return edit(vnode, row -> {
            int c = ((row >>> (3 * tag)) & 7) + delta;
            if (c < 0 || c > MAX_COUNT) {
                throw new NativeIoException("namei SetLinkCount", path + " row " + vnode + " tag " + tag, Errno.EINVAL);
            }
            writeRow(vnode, (row & ~(7 << (3 * tag))) | (c << (3 * tag)));
            for (int i = 0; i < delta; i++) {
                monitor.hold(vnode, tag); // counted before the record that will name it
            }
            for (int i = 0; i > delta; i--) {
                monitor.settle(vnode, tag); // a record dropped earlier (or an allocation given back)
            }
            return c;
        });
    }

    /** Rows updated per locked read-modify-write in {@link #adjustAll} and {@link #allocateTags} (16 KiB of the table). */
    static final int BULK_ROWS = 8192;

    /**
     * {@link #adjust}(vnode, tag, {@code delta}) for the data file of each of the first {@code n}
     * namei inode numbers in {@code inos} (0 entries are skipped), with the same counts and holds as
     * one call each, but a span of up to {@link #BULK_ROWS} rows at a time: one fcntl lock of the
     * span, one pread, one pwrite of the rows from the first to the last changed, one unlock,
     * instead of four system calls per file. Copying, cloning or deleting a volume of 50 000 files
     * changes 50 000 rows, so this is what those operations cost in the link table.
     *
     * <p>Same guarantees as row by row: the span is locked against other processes for the whole
     * read-modify-write (rows inside it that do not change are rewritten with the value read under
     * that lock); every row sits at an even offset, so it never straddles a sector and a killed
     * writer leaves each row old or new, i.e. some of the counts changed — a leak for increments
     * made before their records, and for decrements made after their records went. When a counter
     * would leave 0..7, the entries before it in row order are applied (rows written, holds taken
     * or dropped) and EINVAL is thrown, as {@link #adjust} calls in that order would have stopped there.
     *
     * @return the new count of each entry, in the order of {@code inos} (0 for skipped entries)
     */
    public int[] adjustAll(long[] inos, int n, int delta) throws NativeIoException {
        if (n < 0 || n > inos.length) {
            throw new IllegalArgumentException(n + " entries of " + inos.length);
        }
        int[] result = new int[n];
        int[] vnodes = new int[n];
        for (int i = 0; i < n; i++) {
            vnodes[i] = inos[i] == 0 ? -1 : NameiInode.vnode(inos[i]);
        }
        editRows(vnodes, n, new RowsEdit() {
            @Override
            public int apply(int e, int row) throws NativeIoException {
                int tag = NameiInode.tag(inos[e]);
                int c = ((row >>> (3 * tag)) & 7) + delta;
                if (c < 0 || c > MAX_COUNT) {
                    throw new NativeIoException("namei SetLinkCount", path + " row " + vnodes[e] + " tag " + tag,
                        Errno.EINVAL);
                }
                result[e] = c;
                return (row & ~(7 << (3 * tag))) | (c << (3 * tag));
            }

            @Override
            public void written(int e) {
                for (int d = 0; d < delta; d++) {
                    monitor.hold(vnodes[e], NameiInode.tag(inos[e]));
                }
                for (int d = 0; d > delta; d--) {
                    monitor.settle(vnodes[e], NameiInode.tag(inos[e]));
                }
            }
        });
        return result;
    }

    /**
     * {@link #allocateTag} for each of the first {@code n} entries of {@code vnodes} (a vnode may
     * appear more than once: each entry gets a tag of its own), a span of up to {@link #BULK_ROWS}
     * rows per locked read-modify-write as in {@link #adjustAll}: one fcntl lock, pread, pwrite and
     * unlock for a run of new files instead of those four calls per file. A restore of 50 000 small
     * files claims 50 000 tags; one by one that was about an eighth of its restore thread (the
     * pwrite of two bytes costs most, as every write dirties the table's inode).
     *
     * <p>An entry whose row is full goes through {@link #allocateTag} afterwards (leaked-tag reclaim,
     * ENOSPC). All or nothing: when any entry fails, the tags this call claimed are given back
     * before the exception is thrown.
     *
     * @return the tag of each entry, in the order of {@code vnodes}; each is held as by {@link #allocateTag}
     */
    public int[] allocateTags(int[] vnodes, int n) throws NativeIoException {
        if (n < 0 || n > vnodes.length) {
            throw new IllegalArgumentException(n + " entries of " + vnodes.length);
        }
        int[] tags = new int[n]; // -1 until the row that claims it is written
        int[] chosen = new int[n];
        Arrays.fill(tags, -1);
        try {
            editRows(vnodes, n, new RowsEdit() {
                @Override
                public int apply(int e, int row) {
                    int t = firstFree(row);
                    chosen[e] = t;
                    return t < 0 ? row : row | (1 << (3 * t)); // full: reclaim below, row by row
                }

                @Override
                public void written(int e) {
                    if (chosen[e] >= 0) {
                        tags[e] = chosen[e];
                        monitor.hold(vnodes[e], tags[e]);
                    }
                }
            });
            for (int e = 0; e < n; e++) {
                if (tags[e] < 0) {
                    tags[e] = allocateTag(vnodes[e]);
                }
            }
            return tags;
        } catch (NativeIoException | RuntimeException e) {
            long[] claimed = new long[n];
            for (int i = 0; i < n; i++) {
                claimed[i] = tags[i] < 0 ? 0 : NameiInode.regular(vnodes[i], tags[i], 0);
            }
            try {
                adjustAll(claimed, n, -1);
            } catch (NativeIoException | RuntimeException e2) {
                e.addSuppressed(e2);
            }
            throw e;
        }
    }

    /** One entry's change in {@link #editRows}. */
    private interface RowsEdit {
        /** The new value of the row of entry {@code e} ({@code row}: as read, or as earlier entries left it); throw to stop. */
        int apply(int e, int row) throws NativeIoException;

        /** Entry {@code e}'s row has been written. */
        void written(int e);
    }

    /**
     * Applies {@code f} to the first {@code n} entries (row {@code vnodes[e]}; entries with a
     * negative vnode are skipped) in row order, a span of up to {@link #BULK_ROWS} rows per locked
     * read-modify-write. When {@code f} throws, the entries before it in row order stay applied
     * (written, {@link RowsEdit#written} called).
     */
    private void editRows(int[] vnodes, int n, RowsEdit f) throws NativeIoException {
        Integer[] order = new Integer[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (vnodes[i] >= 0) {
                order[m++] = i;
            }
        }
        Arrays.sort(order, 0, m, (a, b) -> Integer.compare(vnodes[a], vnodes[b])); // stable: equal rows keep their order
        int i = 0;
        while (i < m) {
            int first = vnodes[order[i]];
            int j = i;
            while (j < m && vnodes[order[j]] - first < BULK_ROWS) {
                j++;
            }
            editSpan(vnodes, order, i, j, first, vnodes[order[j - 1]], f);
            i = j;
        }
    }

    /** One locked read-modify-write of rows first..last for entries order[from..to). */
    private void editSpan(int[] vnodes, Integer[] order, int from, int to, int first, int last, RowsEdit f)
            throws NativeIoException {
        long off = rowOffset(first);
        int len = 2 * (last - first + 1);
        synchronized (monitor) {
            posix.lockRange(fd, true, off, len, true);
            try {
                byte[] rows = Arrays.copyOf(NameiFiles.readAt(posix, fd, off, len), len); // past EOF: 0
                NativeIoException failure = null;
                int applied = from;
                for (; applied < to; applied++) {
                    int e = order[applied];
                    int k = 2 * (vnodes[e] - first);
                    int row = (rows[k] & 0xff) | ((rows[k + 1] & 0xff) << 8);
                    try {
                        row = f.apply(e, row);
                    } catch (NativeIoException x) {
                        failure = x;
                        break;
                    }
                    rows[k] = (byte) row;
                    rows[k + 1] = (byte) (row >>> 8);
                }
                if (applied > from) {
                    int end = 2 * (vnodes[order[applied - 1]] - first + 1);
                    NameiFiles.writeAt(posix, fd, Arrays.copyOf(rows, end), off, path);
                    for (int a = from; a < applied; a++) {
                        f.written(order[a]);
                    }
                }
                if (failure != null) {
                    throw failure;
                }
            } finally {
                posix.unlockRange(fd, off, len);
            }
        }
    }

    public void fdatasync() throws NativeIoException {
        posix.fdatasync(fd);
    }

    /** The descriptor, for a {@link SyncGroup}. */
    int fd() {
        return fd;
    }

    @Override
    public void close() throws NativeIoException {
        posix.close(fd);
    }
}
