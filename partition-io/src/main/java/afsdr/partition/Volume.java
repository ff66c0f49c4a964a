package afsdr.partition;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

import afsdr.nativeio.AlignedBuffers;
import afsdr.nativeio.DirectFile;
import afsdr.nativeio.Errno;
import afsdr.nativeio.FileStat;
import afsdr.nativeio.NativeIoException;
import afsdr.nativeio.OpenFlag;
import afsdr.nativeio.Posix;
import afsdr.partition.dir.AfsDirectory;
import afsdr.partition.dir.DirectoryFormatException;

/**
 * An open volume of a {@link NameiPartition}: its header, volume info, vnode indexes, the group's
 * link table and its data files. Opening checks every stamp and never writes.
 *
 * <h2>Update order (crash safety)</h2>
 * Data files are never modified in place. {@link #storeVnode} writes new content to a new data file
 * (new namei tag, link count 1, data fdatasync'd), then rewrites the vnode record (one pwrite,
 * index fdatasync'd), and only then drops the reference to the previous data file (unlinked when
 * its count reaches 0). A crash before the record write leaves the old vnode intact plus an
 * unreferenced new file; after it, at worst an old file whose count is one too high. A data file
 * shared with a clone is therefore never changed under the clone (the stock fileserver's
 * copy-on-write, obtained by construction). The tags such crashes leak (count above the records
 * naming the file) are reclaimed when a vnode's row of five is full ({@link LinkTable#allocateTag}),
 * so repeated crashes never leave a vnode that cannot be stored. Volume info is rewritten in place
 * with one pwrite of 552 bytes and fdatasync (the marks of {@link #writeDiskDataUnsynced} without).
 *
 * <p>Bulk data goes through {@link DirectFile} (O_DIRECT with the discovered alignment where the
 * filesystem supports it).
 */
public final class Volume implements AutoCloseable {
    /** Transfer unit for data files. */
    public static final int IO_CHUNK = 1 << 20;
    /** Smallest buffer a sequential reader ({@link #openData}) is lent. */
    private static final int STREAM_BUFFER_MIN = 64 << 10;

    private final NameiPartition partition;
    private final Posix posix;
    private final VolumeHeader header;
    private final String volinfoPath;
    private final int volinfoFd;
    private final VnodeIndex large;
    private final VnodeIndex small;
    private final LinkTable linkTable;
    private boolean deferSyncs;
    private final List<String> pendingData = new ArrayList<>();
    /** Directories whose entries changed (new files, new subdirectories) since the last {@link #syncPending}. */
    private final Set<String> pendingDirs = new LinkedHashSet<>();
    /** Data files made durable together by {@link #syncPending} (descriptors open at once). */
    private static final int SYNC_GROUP_FILES = 256;
    private final Set<VnodeIndex> pendingIndexes = new HashSet<>();
    private final List<Long> pendingReleases = new ArrayList<>();
    /** Transfer buffers of {@link #createDataFileUnsynced}, allocated on first use. */
    private ByteBuffer bulkBuffer;
    private byte[] bulkArray;
    private static final int BULK_ARRAY = 64 * 1024;
    /**
     * Bytes per pwrite of {@link #createDataFileUnsynced}. Smaller than {@link #IO_CHUNK} so that the
     * source buffer is still in the CPU cache when the kernel copies it into the page cache: in the
     * profile (perf) of a 200 MiB restore receiver, that copy (copy_folio_from_iter_atomic) was 64 %
     * of the restore thread's samples with 1 MiB writes; dd of 200 MiB into a file on this VM took
     * 0.19-0.26 s of system time with 1 MiB blocks against 0.04-0.05 s with 128-256 KiB blocks.
     */
    private static final int BULK_WRITE = 128 * 1024;
    /**
     * Data files at least this long are written with O_DIRECT by {@link #createDataFileUnsynced}
     * ({@link #writeDirect}); smaller ones through the page cache, where a synchronous device
     * write per file would cost more than the copy (50 000 files of 4 KiB).
     */
    static final int DIRECT_WRITE_MIN = 256 * 1024;
    /** Bytes per O_DIRECT pwrite. */
    private static final int DIRECT_WRITE = 1 << 20;
    /** The two aligned buffers of {@link #writeDirect} (one filled while the other is written), allocated on first use. */
    private ByteBuffer[] directBuffers;
    /**
     * Threads that carry out {@link #writeDirect}'s O_DIRECT writes, at most one per file being
     * written: an O_DIRECT write returns when the device has the data, so on the restore thread
     * it would stop the stream for every MiB; here the next MiB is read meanwhile. Daemon threads,
     * ended after 30 s idle.
     */
    private static final ExecutorService DIRECT_WRITES = WriterThreads.pool("namei-direct-write");
    /** O_DIRECT alignment of this partition's files, found at the first direct write (0: not yet). */
    private int directAlign;
    /** Set when the file system refused O_DIRECT: the page cache from then on. */
    private boolean directWritesRefused;
    /** Transfer buffer of {@link #openDataSequential}, allocated on first use; lent to one stream at a time. */
    private ByteBuffer streamBuffer;
    private boolean streamBufferInUse;

    private Volume(NameiPartition partition, VolumeHeader header, String volinfoPath, int volinfoFd, VnodeIndex large,
                   VnodeIndex small, LinkTable linkTable) {
        this.partition = partition;
        this.posix = partition.posix();
        this.header = header;
        this.volinfoPath = volinfoPath;
        this.volinfoFd = volinfoFd;
        this.large = large;
        this.small = small;
        this.linkTable = linkTable;
    }

    static Volume open(NameiPartition part, VolumeHeader h) throws IOException {
        Posix posix = part.posix();
        long vid = Integer.toUnsignedLong(h.id());
        int[] fds = {-1, -1, -1, -1};
        String[] paths = {part.specialPath(h.parent(), h.volumeInfo()), part.specialPath(h.parent(), h.largeVnodeIndex()),
            part.specialPath(h.parent(), h.smallVnodeIndex()), part.specialPath(h.parent(), h.linkTable())};
        String[] what = {"volume info", "large vnode index", "small vnode index", "link table"};
        boolean ok = false;
        try {
            for (int i = 0; i < 4; i++) {
                try {
                    fds[i] = posix.open(paths[i], NameiFiles.RW, 0);
                } catch (NativeIoException e) {
                    if (e.errno() == Errno.ENOENT) {
                        throw new VolumeFormatException(paths[i], vid, what[i] + " file missing (header "
                            + VolumeHeader.fileName(h.id()) + " refers to it)", e);
                    }
                    throw e;
                }
            }
            GroupState g = part.groupLock(h.parent());
            VnodeIndex li = new VnodeIndex(posix, VnodeClass.LARGE, paths[1], fds[1], vid, g);
            VnodeIndex si = new VnodeIndex(posix, VnodeClass.SMALL, paths[2], fds[2], vid, g);
            LinkTable lt = new LinkTable(part, paths[3], fds[3], h.parent(), g);
            Volume v = new Volume(part, h, paths[0], fds[0], li, si, lt);
            v.readDiskData();
            li.checkStamp();
            si.checkStamp();
            lt.checkStamp();
            ok = true;
            return v;
        } finally {
            if (!ok) {
                for (int fd : fds) {
                    NameiFiles.closeQuietly(posix, fd);
                }
            }
        }
    }

    public int id() {
        return header.id();
    }

    public int parentId() {
        return header.parent();
    }

    public VolumeHeader header() {
        return header;
    }

    public NameiPartition partition() {
        return partition;
    }

    public VnodeIndex index(VnodeClass c) {
        return c == VnodeClass.LARGE ? large : small;
    }

    public LinkTable linkTable() {
        return linkTable;
    }

    /** The volume info's descriptor, for a {@link SyncGroup}. */
    int volumeInfoFd() {
        return volinfoFd;
    }

    /** Read and check the volume info (VI_VOLINFO). */
    public VolumeDiskData readDiskData() throws IOException {
        byte[] raw = NameiFiles.readAt(posix, volinfoFd, 0, VolumeDiskData.SIZE);
        return VolumeDiskData.decode(raw, volinfoPath, Integer.toUnsignedLong(header.id()));
    }

    /** Rewrite the volume info (one pwrite + fdatasync). Its id must be this volume's. */
    public void writeDiskData(VolumeDiskData d) throws NativeIoException {
        writeDiskDataUnsynced(d);
        posix.fdatasync(volinfoFd);
    }

    /**
     * Rewrite the volume info without waiting for the disk, for changes whose loss in a power
     * failure is harmless: the in-use mark and offline message a transaction sets and clears, a
     * delete's destroyMe mark before the header goes. The fields those change (inUse at byte 44,
     * inService 45, destroyMe 73, offlineMessage 296..423) all lie in the record's first 512-byte
     * sector, and the record is one pwrite into one page, so even a write torn at a sector boundary
     * leaves each of them old or new. Any later synced write of this file makes it durable too.
     */
    public void writeDiskDataUnsynced(VolumeDiskData d) throws NativeIoException {
        if (d.id() != header.id()) {
            throw new IllegalArgumentException("volume info of " + Integer.toUnsignedString(d.id()) + " written to volume "
                + Integer.toUnsignedString(header.id()));
        }
        NameiFiles.writeAt(posix, volinfoFd, d.encode(), 0, volinfoPath);
    }

    /** The record of a vnode (a free record if the slot is unused). */
    public VnodeDiskObject readVnode(int vnodeNumber) throws IOException {
        return index(VnodeClass.of(vnodeNumber)).read(vnodeNumber);
    }

    /** The ACL of a directory vnode (null if its ACL area is all zeros); errors name volume and vnode. */
    public AccessList readAcl(int vnodeNumber) throws IOException {
        VnodeDiskObject v = readVnode(vnodeNumber);
        if (v.vnodeClass() != VnodeClass.LARGE) {
            throw new IllegalArgumentException("vnode " + vnodeNumber + " is not a directory vnode");
        }
        return v.acl("volume " + Integer.toUnsignedString(header.id()) + ", " + large.path() + ", directory vnode "
            + vnodeNumber);
    }

    /** Path of a data file of this volume group. */
    public String dataPath(long ino) {
        return partition.abs(NameiInode.relativePath(Integer.toUnsignedLong(header.parent()), ino));
    }

    /**
     * icreate + write: a new data file for (vnode, uniquifier) holding exactly {@code length} bytes
     * from {@code src}, owned per OGM(dataVersion, tag), data durable on return. Returns its inode.
     * On failure the new file and its link count are released again.
     */
    public long createDataFile(int vnodeNumber, int uniquifier, int dataVersion, ReadableByteChannel src, long length)
            throws IOException {
        int tag = linkTable.allocateTag(vnodeNumber);
        long ino = NameiInode.regular(vnodeNumber, tag, uniquifier);
        if (!deferSyncs) {
            // the count must be durable before any record can name the file: a count lost in a
            // power failure would let a later icreate take the tag and remove the file as an orphan
            linkTable.fdatasync();
        }
        String p = dataPath(ino);
        try {
            int fd = createFile(p, dataVersion, tag, !deferSyncs);
            posix.close(fd);
            try (DirectFile f = DirectFile.open(posix, p, EnumSet.of(OpenFlag.READ_WRITE, OpenFlag.NOFOLLOW), 0)) {
                writeContent(f, src, length);
            }
            if (!deferSyncs) {
                // the file's own name (cheap: the file's fdatasync committed the entry with it)
                posix.fsyncDirectory(parentOf(p));
            }
            return ino;
        } catch (IOException | RuntimeException e) {
            abandonNewFile(p, vnodeNumber, tag, e);
            throw e;
        }
    }

    /**
     * Undoes a data file creation that failed before anything referred to the file: removes it first
     * (frees the space, even on ENOSPC), then gives the tag back; if that fails too the count only
     * leaks (the tag reclaim or the salvager takes it back). Failures are added to {@code cause}.
     */
    private void abandonNewFile(String path, int vnodeNumber, int tag, Exception cause) {
        unlinkAbandoned(path, cause);
        try {
            linkTable.adjust(vnodeNumber, tag, -1);
        } catch (NativeIoException u) {
            cause.addSuppressed(u);
        }
    }

    /** Removes a file a failed create made (gone already is fine); an unlink failure joins {@code cause}. */
    private void unlinkAbandoned(String path, Exception cause) {
        try {
            posix.unlink(path);
        } catch (NativeIoException u) {
            if (u.errno() != Errno.ENOENT) {
                cause.addSuppressed(u);
            }
        }
    }

    /**
     * icreate + write for bulk loads (a restore into a staging volume): like
     * {@link #createDataFile} but nothing is made durable here and the data goes through the page
     * cache, so the disk works while the caller receives the next file. The new file, its
     * directories and its link count become durable only with the next
     * {@link NameiPartition#syncFilesystem()}; <b>the caller must call that before it writes any
     * vnode record naming the returned inode</b> (otherwise a power failure could leave a record
     * naming a file, or a count, that never reached the disk). One syncfs for thousands of files
     * costs one journal commit instead of one per file: measured on ext4/virtio, 5000 files of
     * 4 KiB took 1.8 s written buffered then syncfs'd, against 12.7 s with an fdatasync each.
     * On failure the new file and its link count are released again.
     */
    public long createDataFileUnsynced(int vnodeNumber, int uniquifier, int dataVersion, InputStream src,
                                       long length) throws IOException {
        int tag = linkTable.allocateTag(vnodeNumber);
        long ino = NameiInode.regular(vnodeNumber, tag, uniquifier);
        String p = dataPath(ino);
        try {
            // new directories, like the file, become durable with the caller's syncfs
            int fd = createFile(p, dataVersion, tag, false);
            try {
                if (length < DIRECT_WRITE_MIN || !writeDirect(fd, p, src, length)) {
                    writeBuffered(fd, p, src, 0, length);
                }
            } finally {
                posix.close(fd);
            }
            return ino;
        } catch (IOException | RuntimeException e) {
            abandonNewFile(p, vnodeNumber, tag, e);
            throw e;
        }
    }

    /**
     * {@link #createDataFileUnsynced} for {@code n} files whose contents are in memory: file
     * {@code i} is vnode {@code vnodes[i]} (uniquifier, data version) holding the next
     * {@code lengths[i]} bytes of {@code data} (from its position, files back to back; the
     * position is not moved). Their tags are claimed with one locked link-table update
     * ({@link LinkTable#allocateTags}) instead of one per file; each file is then created and
     * written with one pwrite. Same durability contract: nothing is synced here.
     *
     * <p>All or nothing: on failure every file this call created is removed and every tag it
     * claimed given back before the exception is thrown.
     *
     * <p>Threads: uses no state of this object but its link table (whose updates are serialized by
     * the group's monitor), so it may run on a thread of its own while another reads the indexes
     * or adjusts link counts; not beside another create of this volume while syncs are deferred
     * ({@link #deferSyncs}: the list of directories to sync is not shared safely).
     *
     * @return the namei inode of each file, in order
     */
    public long[] createDataFilesUnsynced(int n, int[] vnodes, int[] uniquifiers, int[] dataVersions, int[] lengths,
                                          ByteBuffer data) throws IOException {
        int[] tags = linkTable.allocateTags(vnodes, n);
        long[] inos = new long[n];
        int pos = data.position();
        int i = 0;
        try {
            for (; i < n; i++) {
                long ino = NameiInode.regular(vnodes[i], tags[i], uniquifiers[i]);
                String p = dataPath(ino);
                int fd = createFile(p, dataVersions[i], tags[i], false);
                inos[i] = ino;
                try {
                    if (lengths[i] > 0) {
                        posix.pwriteFully(fd, data.slice(pos, lengths[i]), 0, p);
                    }
                } finally {
                    posix.close(fd);
                }
                pos += lengths[i];
            }
            return inos;
        } catch (IOException | RuntimeException e) {
            long[] claimed = new long[n];
            for (int k = 0; k < n; k++) {
                if (inos[k] != 0) {
                    unlinkAbandoned(dataPath(inos[k]), e);
                }
                claimed[k] = NameiInode.regular(vnodes[k], tags[k], 0);
            }
            try {
                linkTable.adjustAll(claimed, n, -1);
            } catch (NativeIoException | RuntimeException u) {
                e.addSuppressed(u);
            }
            throw e;
        }
    }

    /**
     * Copies through a reused heap array into a reused direct buffer. Not through a
     * Channels.newChannel per file: in a microbenchmark of 50 000 files of 4 KiB that took 26 to
     * 88 us per file in four rounds of five (against 0.1 us for the copy itself), and it was the
     * top frame of the 50 000-file restore profile.
     */
    private void writeBuffered(int fd, String p, InputStream src, long from, long length) throws IOException {
        if (bulkBuffer == null) {
            bulkBuffer = ByteBuffer.allocateDirect(BULK_WRITE);
        }
        ByteBuffer buf = bulkBuffer;
        long off = from;
        while (off < length) {
            int want = (int) Math.min(buf.capacity(), length - off);
            fill(buf, want, src, p, off, length);
            posix.pwriteFully(fd, buf, off, p);
            off += want;
        }
    }

    /**
     * Writes the file's whole blocks with O_DIRECT, switched on for the descriptor the create
     * returned (a namei file is created with mode 0, so that is the only writable descriptor a
     * server not running as root could get), and the last partial block, if any, through the page
     * cache. Returns false, having written nothing, where the file system refuses O_DIRECT; the
     * partition then writes through the page cache from there on.
     *
     * <p>Why: a restored file is written once and not read back soon (a shadow is read when it is
     * dumped or promoted), so copying it into the page cache costs the restore thread a copy and
     * page allocations for data the cache does not need, and leaves it all for the end-of-batch
     * syncfs to write out. With O_DIRECT the data goes from our buffer to the device while the
     * stream is received: every write after a file's first runs on a {@link #DIRECT_WRITES} thread
     * while this thread reads the next MiB into the other buffer (an O_DIRECT write returns only
     * when the device has the data; on a slow disk, writing on this thread would stop the stream
     * for every MiB). Durability is unchanged: a completed O_DIRECT write may still sit in the
     * device's volatile cache, and the batch's syncfs (which commits the journal holding the new
     * extents and flushes the device cache) is still what makes it durable before any record names
     * the file. Measured on this VM's ext4 (loop-mounted image as in volume-bench): 200 files of
     * 1 MiB took 0.06-0.11 s and 0.03-0.04 CPU-s direct in every round, buffered 0.2-0.8 CPU-s in
     * slow periods and 0.05-0.08 in quiet ones (benchmarks/VOLUME-BENCH.md, session 5).
     */
    private boolean writeDirect(int fd, String p, InputStream src, long length) throws IOException {
        if (directWritesRefused) {
            return false;
        }
        if (directAlign == 0) {
            directAlign = DirectFile.pageAlignment(posix, fd, p);
        }
        long whole = length - length % directAlign;
        if (whole == 0) {
            return false;
        }
        if (!posix.setDirect(fd, true)) {
            directWritesRefused = true;
            return false;
        }
        if (directBuffers == null) {
            int size = (int) AlignedBuffers.roundUp(DIRECT_WRITE, directAlign);
            directBuffers = new ByteBuffer[] {AlignedBuffers.allocate(size, directAlign),
                AlignedBuffers.allocate(size, directAlign)};
        }
        Future<?> inFlight = null;
        boolean done = false;
        try {
            long off = 0;
            for (int i = 0; off < whole; i ^= 1) {
                ByteBuffer buf = directBuffers[i];
                int want = (int) Math.min(buf.capacity(), whole - off);
                // the stream is read into one buffer while the other is on its way to the disk
                fill(buf, want, src, p, off, length);
                awaitWrite(inFlight, p);
                inFlight = null;
                if (off == 0) {
                    firstDirectWrite(fd, buf, p);
                } else {
                    long at = off;
                    inFlight = DIRECT_WRITES.submit(() -> {
                        posix.pwriteFully(fd, buf, at, p);
                        return null;
                    });
                }
                off += want;
            }
            awaitWrite(inFlight, p);
            inFlight = null;
            if (off < length) {
                posix.setDirect(fd, false);
                writeBuffered(fd, p, src, off, length);
            }
            done = true;
        } finally {
            if (!done && inFlight != null) {
                // failing: the caller closes the descriptor and unlinks the file as soon as we
                // return, so the write still in flight must end first; its own error, if any, is
                // secondary to the one being thrown
                WriterThreads.awaitQuietly(inFlight);
            }
        }
        return true;
    }

    /**
     * The first O_DIRECT write of a file, on the restore thread: a file system that takes the
     * flag but not the transfer (EINVAL) gets this file (same buffer, nothing was written) and the
     * partition's next ones through the page cache.
     */
    private void firstDirectWrite(int fd, ByteBuffer buf, String p) throws NativeIoException {
        try {
            posix.pwriteFully(fd, buf, 0, p);
        } catch (NativeIoException e) {
            if (e.errno() != Errno.EINVAL) {
                throw e;
            }
            directWritesRefused = true;
            posix.setDirect(fd, false);
            posix.pwriteFully(fd, buf.position(0), 0, p);
        }
    }

    private static void awaitWrite(Future<?> f, String p) throws IOException {
        if (f == null) {
            return;
        }
        WriterThreads.await(f, "write of " + p);
        if (Thread.currentThread().isInterrupted()) {
            throw new java.io.InterruptedIOException("interrupted while writing " + p);
        }
    }

    /** Reads {@code want} bytes of {@code src} into {@code buf}, flipped for writing. */
    private void fill(ByteBuffer buf, int want, InputStream src, String p, long off, long length) throws IOException {
        if (bulkArray == null) {
            bulkArray = new byte[BULK_ARRAY];
        }
        byte[] arr = bulkArray;
        buf.clear();
        while (buf.position() < want) {
            int n = src.read(arr, 0, Math.min(arr.length, want - buf.position()));
            if (n < 0) {
                throw new IOException("data source ended after " + (off + buf.position()) + " of " + length
                    + " bytes for " + p);
            }
            buf.put(arr, 0, n);
        }
        buf.flip();
    }

    private static String parentOf(String path) {
        return path.substring(0, path.lastIndexOf('/'));
    }

    /**
     * Creates a data file, making its directories when missing. The entries of new directories are
     * fsync'd at once when {@code syncNewDirs} (a synced create), recorded for {@link #syncPending}
     * when syncs are deferred, and otherwise left to the caller's syncfs.
     */
    private int createFile(String p, int dataVersion, int tag, boolean syncNewDirs) throws NativeIoException {
        try {
            return NameiFiles.createWithOgm(posix, p, dataVersion, tag);
        } catch (NativeIoException e) {
            if (e.errno() == Errno.ENOENT) {
                String dir = parentOf(p);
                String rel = dir.substring(partition.path().toString().length() + 1);
                for (String changed : NameiFiles.mkdirs(posix, partition.path().toString(), rel)) {
                    if (syncNewDirs) {
                        posix.fsyncDirectory(changed);
                    } else if (deferSyncs) {
                        pendingDirs.add(changed);
                    }
                }
                return NameiFiles.createWithOgm(posix, p, dataVersion, tag);
            }
            if (e.errno() == Errno.EEXIST) {
                // The tag's count was 0, so the file is an orphan left by a crash between the
                // count reaching 0 and the unlink: nothing refers to it.
                posix.unlink(p);
                return NameiFiles.createWithOgm(posix, p, dataVersion, tag);
            }
            throw e;
        }
    }

    private void writeContent(DirectFile f, ReadableByteChannel src, long length) throws IOException {
        // No fallocate: measured on ext4, preallocating made the O_DIRECT writes slower (each write
        // then converts unwritten extents) - 292 vs 472 MiB/s for 512 MiB.
        int chunk = (int) Math.min(IO_CHUNK, Math.max(length, 1));
        ByteBuffer buf = f.allocateBuffer(chunk);
        long off = 0;
        while (off < length) {
            int want = (int) Math.min(chunk, length - off);
            buf.clear().limit(want);
            while (buf.hasRemaining()) {
                if (src.read(buf) < 0) {
                    throw new IOException("data source ended after " + (off + buf.position()) + " of " + length
                        + " bytes for " + f.path());
                }
            }
            buf.flip();
            f.writeAt(buf, off);
            off += want;
        }
        if (deferSyncs) {
            f.setLength(length);
            pendingData.add(f.path());
        } else {
            f.finish(length);
        }
    }

    /**
     * Store a vnode: if {@code data} is not null a new data file with {@code length} bytes is
     * written first and the record's inode/length set to it; then the record is written and synced;
     * then the previous data file of the slot (if any, and different) loses its reference.
     * Returns the record as stored.
     */
    public VnodeDiskObject storeVnode(int vnodeNumber, VnodeDiskObject rec, ReadableByteChannel data, long length)
            throws IOException {
        VnodeIndex idx = index(VnodeClass.of(vnodeNumber));
        VnodeDiskObject old = idx.read(vnodeNumber);
        VnodeDiskObject v = rec.copy();
        if (data != null) {
            long ino = createDataFile(vnodeNumber, v.uniquifier(), v.dataVersion(), data, length);
            v.inode(ino).length(length);
        }
        idx.write(vnodeNumber, v);
        if (!old.isFree() && old.inode() != 0 && old.inode() != v.inode()) {
            release(idx, old.inode());
        } else if (deferSyncs) {
            pendingIndexes.add(idx);
        } else {
            idx.fdatasync();
        }
        return v;
    }

    /** {@link #storeVnode} with the data in memory. */
    public VnodeDiskObject storeVnode(int vnodeNumber, VnodeDiskObject rec, byte[] data) throws IOException {
        return storeVnode(vnodeNumber, rec, Channels.newChannel(new ByteArrayInputStream(data)), data.length);
    }

    /** Free a vnode slot (record zeroed and synced), then release its data file. */
    public void deleteVnode(int vnodeNumber) throws IOException {
        VnodeIndex idx = index(VnodeClass.of(vnodeNumber));
        VnodeDiskObject old = idx.read(vnodeNumber);
        if (old.isFree()) {
            return;
        }
        idx.write(vnodeNumber, VnodeDiskObject.blank(idx.vnodeClass()).type(VnodeDiskObject.TYPE_FREE));
        if (old.inode() != 0) {
            release(idx, old.inode());
        } else if (deferSyncs) {
            pendingIndexes.add(idx);
        } else {
            idx.fdatasync();
        }
    }

    /** Drop a reference to {@code ino} once the record that no longer names it is durable. */
    private void release(VnodeIndex idx, long ino) throws NativeIoException {
        if (deferSyncs) {
            pendingIndexes.add(idx);
            pendingReleases.add(ino);
        } else {
            idx.fdatasync();
            partition.releaseData(linkTable, header.parent(), ino);
        }
    }

    /**
     * Group commit. While on, new data files, index records and the release of replaced data files
     * are not synced one by one; {@link #syncPending()} makes them durable in the safe order (data
     * files and link table, then indexes, then releases). Nothing names the new files until the
     * caller writes a directory after syncPending, so a crash in between leaves orphans only.
     * {@link VolumeTree#flush()} uses it; turning it off syncs what is pending.
     */
    public void deferSyncs(boolean on) throws IOException {
        if (!on) {
            syncPending();
        }
        deferSyncs = on;
    }

    /** Make everything written since the last call durable, then release replaced data files. */
    public void syncPending() throws IOException {
        // a bounded number of descriptors open at a time
        for (int from = 0; from < pendingData.size(); from += SYNC_GROUP_FILES) {
            try (SyncGroup g = new SyncGroup(posix)) {
                for (String p : pendingData.subList(from, Math.min(pendingData.size(), from + SYNC_GROUP_FILES))) {
                    g.addOwned(posix.open(p, NameiFiles.RO, 0));
                }
                g.sync();
            }
        }
        SyncGroup dirs = new SyncGroup(posix);
        for (String p : pendingData) {
            pendingDirs.add(parentOf(p));
        }
        pendingDirs.forEach(dirs::addDirectory);
        dirs.sync();
        pendingDirs.clear();
        pendingData.clear();
        linkTable.fdatasync();
        SyncGroup indexes = new SyncGroup(posix);
        for (VnodeIndex i : pendingIndexes) {
            indexes.add(i);
        }
        indexes.sync();
        pendingIndexes.clear();
        for (long ino : pendingReleases) {
            partition.releaseData(linkTable, header.parent(), ino);
        }
        pendingReleases.clear();
    }

    /**
     * Open a vnode's data for reading. The file's size must equal the vnode's length (as the
     * stock dump code insists); otherwise a {@link VolumeFormatException} names both.
     */
    public InputStream openData(int vnodeNumber, VnodeDiskObject v) throws IOException {
        return openData(vnodeNumber, v, false);
    }

    /**
     * {@link #openData} for streaming a whole volume (a dump): through the page cache with
     * sequential readahead instead of O_DIRECT, and with a transfer buffer that this volume keeps
     * for the next file. Measured on the benchmark's 50 000 files of 4 KiB, an O_DIRECT read is a
     * synchronous device read per file, and a fresh aligned buffer per file cost more than the read.
     * At most one stream opened this way should be open at a time (a second one gets a buffer of
     * its own).
     */
    public InputStream openDataSequential(int vnodeNumber, VnodeDiskObject v) throws IOException {
        return openData(vnodeNumber, v, true);
    }

    private InputStream openData(int vnodeNumber, VnodeDiskObject v, boolean sequential) throws IOException {
        if (v.inode() == 0) {
            throw new VolumeFormatException(index(v.vnodeClass()).path(), Integer.toUnsignedLong(header.id()),
                "vnode " + vnodeNumber + " has no data file");
        }
        String p = dataPath(v.inode());
        DirectFile f;
        try {
            EnumSet<OpenFlag> flags = EnumSet.of(OpenFlag.READ_ONLY, OpenFlag.NOFOLLOW);
            f = sequential ? DirectFile.openBuffered(posix, p, flags, 0) : DirectFile.open(posix, p, flags, 0);
        } catch (NativeIoException e) {
            if (e.errno() == Errno.ENOENT) {
                throw new VolumeFormatException(p, Integer.toUnsignedLong(header.id()), "data file of vnode "
                    + vnodeNumber + " missing", e);
            }
            throw e;
        }
        FileStat st;
        try {
            st = posix.fstat(f.fd());
            if (sequential && st.size() > IO_CHUNK) {
                posix.fadvise(f.fd(), 0, 0, Posix.POSIX_FADV_SEQUENTIAL);
            }
        } catch (NativeIoException e) {
            f.close();
            throw e;
        }
        if (st.size() != v.length()) {
            f.close();
            throw new VolumeFormatException(p, Integer.toUnsignedLong(header.id()), "data file of vnode " + vnodeNumber
                + " is " + st.size() + " bytes, vnode says " + v.length());
        }
        ByteBuffer buf = null;
        if (sequential && !streamBufferInUse) {
            // grown to the largest file met, up to IO_CHUNK: a volume of small files (and every
            // Forward of a small volume) no longer allocates and zeroes 1 MiB (~1.5 ms) per dump
            int want = (int) Math.min(IO_CHUNK, Math.max(STREAM_BUFFER_MIN, st.size()));
            if (streamBuffer == null || streamBuffer.capacity() < want) {
                streamBuffer = ByteBuffer.allocateDirect(want);
            }
            streamBufferInUse = true;
            buf = streamBuffer;
        }
        return new DataInputStream(f, st.size(), buf);
    }

    /**
     * Copy a vnode's data to {@code out} straight from the aligned O_DIRECT buffer (no extra copy
     * through a byte array), e.g. into a dump stream. Returns the byte count (= the vnode length).
     */
    public long transferData(int vnodeNumber, VnodeDiskObject v, WritableByteChannel out) throws IOException {
        try (InputStream in = openData(vnodeNumber, v)) {
            return ((DataInputStream) in).transferTo(out);
        }
    }

    /** The whole data of a vnode in memory (directories, symlinks, small files). */
    public byte[] readData(int vnodeNumber, VnodeDiskObject v) throws IOException {
        // openData first: it checks the recorded length against the file (a corrupt record fails there)
        try (InputStream in = openData(vnodeNumber, v)) {
            if (v.length() > Integer.MAX_VALUE - 16) {
                throw new IOException("vnode " + vnodeNumber + " of volume " + Integer.toUnsignedString(header.id())
                    + " is too large to read into memory: " + v.length() + " bytes");
            }
            return in.readAllBytes();
        }
    }

    /** Parse a directory vnode's data. */
    public AfsDirectory readDirectory(int vnodeNumber) throws IOException {
        VnodeDiskObject v = readVnode(vnodeNumber);
        if (v.type() != VnodeDiskObject.TYPE_DIRECTORY) {
            throw new IOException("vnode " + vnodeNumber + " of volume " + Integer.toUnsignedString(header.id())
                + " is not a directory");
        }
        try {
            return AfsDirectory.parse(readData(vnodeNumber, v), "volume " + Integer.toUnsignedString(header.id())
                + ", directory vnode " + vnodeNumber + ", " + dataPath(v.inode()));
        } catch (DirectoryFormatException e) {
            throw new VolumeFormatException(dataPath(v.inode()), Integer.toUnsignedLong(header.id()),
                "directory vnode " + vnodeNumber + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws NativeIoException {
        NativeIoException first = null;
        if (deferSyncs) {
            try {
                syncPending();
            } catch (IOException e) {
                first = e instanceof NativeIoException n ? n : new NativeIoException("syncPending", volinfoPath, Errno.EIO);
            }
        }
        for (AutoCloseable c : new AutoCloseable[] {large, small, linkTable}) {
            try {
                c.close();
            } catch (Exception e) {
                if (first == null && e instanceof NativeIoException n) {
                    first = n;
                }
            }
        }
        try {
            posix.close(volinfoFd);
        } catch (NativeIoException e) {
            if (first == null) {
                first = e;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Sequential reader of a data file through aligned chunks. */
    private final class DataInputStream extends InputStream {
        private final DirectFile file;
        private final long size;
        private final ByteBuffer buf;
        /** The buffer is the volume's {@link #streamBuffer}, given back on close. */
        private final boolean lent;
        private boolean closed;
        private long fileOffset;

        DataInputStream(DirectFile file, long size, ByteBuffer lentBuffer) {
            this.file = file;
            this.size = size;
            this.lent = lentBuffer != null;
            this.buf = lent ? lentBuffer.clear() : file.allocateBuffer((int) Math.min(IO_CHUNK, Math.max(size, 1)));
            this.buf.limit(0);
        }

        private boolean fill() throws IOException {
            if (fileOffset >= size) {
                return false;
            }
            buf.clear();
            int n = file.readAt(buf, fileOffset);
            if (n <= 0) {
                throw new IOException(file.path() + " ended at " + fileOffset + " of " + size + " bytes");
            }
            n = (int) Math.min(n, size - fileOffset);
            buf.flip().limit(n);
            fileOffset += n;
            return true;
        }

        @Override
        public int read() throws IOException {
            if (!buf.hasRemaining() && !fill()) {
                return -1;
            }
            return buf.get() & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!buf.hasRemaining() && !fill()) {
                return -1;
            }
            int n = Math.min(len, buf.remaining());
            buf.get(b, off, n);
            return n;
        }

        long transferTo(WritableByteChannel out) throws IOException {
            long n = 0;
            while (buf.hasRemaining() || fill()) {
                while (buf.hasRemaining()) {
                    n += out.write(buf);
                }
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                if (lent) {
                    streamBufferInUse = false;
                }
                file.close();
            }
        }
    }
}
