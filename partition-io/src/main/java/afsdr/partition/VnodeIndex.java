package afsdr.partition;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import afsdr.nativeio.NativeIoException;
import afsdr.nativeio.Posix;

/**
 * One vnode index file of a volume (VI_SMALLINDEX or VI_LARGEINDEX, disk-format.md §5.2):
 * an 8-byte stamp in record 0, then one record per slot; a slot whose type is 0 is free and a
 * hole or a short file reads as free slots.
 *
 * <p>A record is written with one pwrite of its 64/256 bytes at a record-aligned offset, so it
 * never straddles a 512-byte sector: a killed writer leaves the old or the new record.
 */
public final class VnodeIndex implements AutoCloseable {
    private static final int CHUNK_RECORDS = 256;

    private final Posix posix;
    private final VnodeClass vclass;
    private final String path;
    private final int fd;
    private final long volumeId;
    /** The group's hold registry: records appearing and disappearing are reported to it. */
    private final GroupState group;

    VnodeIndex(Posix posix, VnodeClass vclass, String path, int fd, long volumeId, GroupState group) {
        this.posix = posix;
        this.group = group;
        this.vclass = vclass;
        this.path = path;
        this.fd = fd;
        this.volumeId = volumeId;
    }

    static byte[] stamp(VnodeClass c) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(c.indexMagic())
            .putInt(VnodeClass.INDEX_VERSION).array();
    }

    public VnodeClass vnodeClass() {
        return vclass;
    }

    public String path() {
        return path;
    }

    void checkStamp() throws VolumeFormatException, NativeIoException {
        byte[] s = NameiFiles.readAt(posix, fd, 0, 8);
        ByteBuffer b = ByteBuffer.wrap(s).order(ByteOrder.LITTLE_ENDIAN);
        if (s.length < 8) {
            throw new VolumeFormatException(path, volumeId, vclass + " vnode index truncated to " + s.length + " bytes");
        }
        if (b.getInt(0) != vclass.indexMagic() || b.getInt(4) != VnodeClass.INDEX_VERSION) {
            throw new VolumeFormatException(path, volumeId, String.format("bad %s vnode index stamp magic 0x%08x version %d",
                vclass, b.getInt(0), b.getInt(4)));
        }
    }

    /** Number of slots the file covers (a partial trailing record is not a slot). */
    public int slots() throws NativeIoException {
        long size = posix.fstat(fd).size();
        long n = size / vclass.recordSize() - 1;
        return (int) Math.max(0, n);
    }

    /** The record of a vnode number of this class; a free record (type 0) if beyond the file. */
    public VnodeDiskObject read(int vnodeNumber) throws NativeIoException, VolumeFormatException {
        checkClass(vnodeNumber);
        int rs = vclass.recordSize();
        byte[] r = NameiFiles.readAt(posix, fd, vclass.offset(VnodeClass.slot(vnodeNumber)), rs);
        if (r.length < rs) {
            return VnodeDiskObject.blank(vclass);
        }
        VnodeDiskObject v = VnodeDiskObject.wrap(vclass, r, 0);
        check(v, vnodeNumber);
        return v;
    }

    private void check(VnodeDiskObject v, int vnodeNumber) throws VolumeFormatException {
        if (v.isFree()) {
            return;
        }
        int t = v.type();
        boolean ok = vclass == VnodeClass.LARGE ? t == VnodeDiskObject.TYPE_DIRECTORY
            : (t == VnodeDiskObject.TYPE_FILE || t == VnodeDiskObject.TYPE_SYMLINK);
        if (!ok) {
            throw new VolumeFormatException(path, volumeId, "vnode " + vnodeNumber + " has type " + t + " in the "
                + vclass + " index");
        }
        if (v.vnodeMagic() != vclass.vnodeMagic()) {
            throw new VolumeFormatException(path, volumeId, String.format("vnode %d has magic 0x%08x", vnodeNumber,
                v.vnodeMagic()));
        }
    }

    private void checkClass(int vnodeNumber) {
        if (vnodeNumber <= 0 || VnodeClass.of(vnodeNumber) != vclass) {
            throw new IllegalArgumentException("vnode " + vnodeNumber + " is not a " + vclass + " vnode");
        }
    }

    /**
     * Write one record in place (the caller orders and syncs, see {@link Volume}). If the slot
     * stops naming a data file, that file is held (its count is about to be lowered) before the
     * write; if it starts naming one, the hold taken when that file was counted is dropped after
     * the write (see {@link GroupState}).
     */
    public void write(int vnodeNumber, VnodeDiskObject v) throws NativeIoException {
        checkClass(vnodeNumber);
        if (v.vnodeClass() != vclass) {
            throw new IllegalArgumentException("a " + v.vnodeClass() + " record cannot go in the " + vclass + " index");
        }
        long off = vclass.offset(VnodeClass.slot(vnodeNumber));
        long oldIno = inodeAt(off);
        long newIno = v.isFree() ? 0 : v.inode();
        if (oldIno != newIno) {
            group.hold(oldIno);
        }
        NameiFiles.writeAt(posix, fd, v.encode(), off, path);
        if (oldIno != newIno) {
            group.settle(newIno);
        }
    }

    /** Most records {@link #writeSlots} takes at once (64 KiB of large records, 16 KiB of small). */
    public static final int MAX_SLOTS_PER_WRITE = 256;

    /**
     * {@link #write} for the records of {@code n} consecutive slots from {@code firstSlot}, with
     * one pread of the old records and one pwrite of the new ones instead of two calls per record,
     * and the same holds (taken before the write for every file a slot stops naming, dropped after
     * it for every file a slot starts naming). Records are record-aligned, so a killed writer
     * leaves each slot old or new, as with single writes; the caller orders and syncs as for
     * {@link #write}.
     *
     * @return the data inode each slot named before the write (0: free, beyond the end, no data)
     */
    public long[] writeSlots(int firstSlot, VnodeDiskObject[] recs, int n) throws NativeIoException {
        if (n < 1 || n > MAX_SLOTS_PER_WRITE || n > recs.length || firstSlot < 0) {
            throw new IllegalArgumentException(n + " records at slot " + firstSlot);
        }
        int rs = vclass.recordSize();
        long off = vclass.offset(firstSlot);
        byte[] old = NameiFiles.readAt(posix, fd, off, n * rs);
        byte[] out = new byte[n * rs];
        long[] oldInos = new long[n];
        long[] newInos = new long[n];
        for (int i = 0; i < n; i++) {
            VnodeDiskObject v = recs[i];
            if (v.vnodeClass() != vclass) {
                throw new IllegalArgumentException("a " + v.vnodeClass() + " record cannot go in the " + vclass
                    + " index");
            }
            if (old.length >= (i + 1) * rs) {
                VnodeDiskObject o = VnodeDiskObject.wrap(vclass, old, i * rs);
                oldInos[i] = o.isFree() ? 0 : o.inode();
            }
            newInos[i] = v.isFree() ? 0 : v.inode();
            System.arraycopy(v.encode(), 0, out, i * rs, rs);
        }
        for (int i = 0; i < n; i++) {
            if (oldInos[i] != newInos[i]) {
                group.hold(oldInos[i]);
            }
        }
        NameiFiles.writeAt(posix, fd, out, off, path);
        for (int i = 0; i < n; i++) {
            if (oldInos[i] != newInos[i]) {
                group.settle(newInos[i]);
            }
        }
        return oldInos;
    }

    /**
     * Copies every record in use of {@code src} (same class) into this index, through
     * {@code transform}, with {@link #writeSlots} for each run of consecutive slots in use: a
     * clone or a staging copy of 50 000 vnodes in a few hundred system calls instead of 150 000.
     * Free slots are not written (they read as free, as in the source).
     */
    public void copyFrom(VnodeIndex src, java.util.function.UnaryOperator<VnodeDiskObject> transform)
            throws IOException {
        if (src.vclass != vclass) {
            throw new IllegalArgumentException("cannot copy a " + src.vclass + " index into a " + vclass + " index");
        }
        VnodeDiskObject[] run = new VnodeDiskObject[MAX_SLOTS_PER_WRITE];
        int[] state = {-1, 0}; // first slot of the run, records in it
        src.scan((slot, v) -> {
            if (v.isFree()) {
                return;
            }
            if (state[1] > 0 && (slot != state[0] + state[1] || state[1] == run.length)) {
                writeSlots(state[0], run, state[1]);
                state[1] = 0;
            }
            if (state[1] == 0) {
                state[0] = slot;
            }
            run[state[1]++] = transform.apply(v);
        });
        if (state[1] > 0) {
            writeSlots(state[0], run, state[1]);
        }
    }

    /** The data inode a slot names (0 if free, beyond the end or without data), unchecked. */
    private long inodeAt(long off) throws NativeIoException {
        byte[] r = NameiFiles.readAt(posix, fd, off, vclass.recordSize());
        if (r.length < vclass.recordSize()) {
            return 0;
        }
        VnodeDiskObject o = VnodeDiskObject.wrap(vclass, r, 0);
        return o.isFree() ? 0 : o.inode();
    }

    /** A free slot number (first free, else one past the end), as VAllocVnode picks. */
    public int firstFreeVnodeNumber() throws IOException {
        int[] found = {-1};
        int slots = slots();
        scan((slot, v) -> {
            if (found[0] < 0 && v.isFree()) {
                found[0] = slot;
            }
        });
        return vclass.vnodeNumber(found[0] >= 0 ? found[0] : slots);
    }

    /** A visitor of index slots. */
    public interface SlotVisitor {
        void visit(int slot, VnodeDiskObject v) throws IOException;
    }

    /** Every in-use vnode, in index order: visitor gets (vnodeNumber, record). */
    public void forEach(SlotVisitor visitor) throws IOException {
        scan((slot, v) -> {
            if (!v.isFree()) {
                visitor.visit(vclass.vnodeNumber(slot), v);
            }
        });
    }

    private void scan(SlotVisitor visitor) throws IOException {
        int rs = vclass.recordSize();
        int slots = slots();
        for (int s = 0; s < slots; s += CHUNK_RECORDS) {
            int n = Math.min(CHUNK_RECORDS, slots - s);
            byte[] chunk = NameiFiles.readAt(posix, fd, vclass.offset(s), n * rs);
            int got = chunk.length / rs;
            for (int i = 0; i < got; i++) {
                VnodeDiskObject v = VnodeDiskObject.wrap(vclass, chunk, i * rs);
                check(v, vclass.vnodeNumber(s + i));
                visitor.visit(s + i, v);
            }
        }
    }

    /**
     * Shrink or extend the file to {@code slots} slots (holes read as free). Data files named by
     * the slots cut off are held until the caller lowers their counts.
     */
    public void truncateSlots(int slots) throws NativeIoException {
        int now = slots();
        for (int s = slots; s < now; s++) {
            group.hold(inodeAt(vclass.offset(s)));
        }
        posix.ftruncate(fd, vclass.offset(slots));
    }

    /** Bytes of the stamp a new index file holds (magic and version); the rest of record 0 is absent. */
    static final int STAMP_SIZE = 8;

    /** True when the file is exactly what a new volume's index is: the stamp, no slot at all. */
    public boolean isStampOnly() throws NativeIoException {
        return posix.fstat(fd).size() == STAMP_SIZE;
    }

    /** Cut the file back to its stamp, as a new volume's index is (data files of cut slots are held, see {@link #truncateSlots}). */
    public void truncateToStamp() throws NativeIoException {
        truncateSlots(0);
        posix.ftruncate(fd, STAMP_SIZE);
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
