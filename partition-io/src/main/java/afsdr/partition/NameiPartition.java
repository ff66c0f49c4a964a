package afsdr.partition;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import afsdr.nativeio.Errno;
import afsdr.nativeio.FsStat;
import afsdr.nativeio.NativeIoException;
import afsdr.nativeio.OpenFlag;
import afsdr.nativeio.Posix;

/**
 * A vice partition in the Linux namei format of the OpenAFS 1.8 fileserver (disk-format.md):
 * volume headers {@code V%010u.vol} at the top, everything else under {@code AFSIDat}.
 *
 * <h2>Crash safety</h2>
 * Every multi-file update is ordered so that a process killed at any instruction leaves each volume
 * either as it was or in its new state, attachable; what a crash can leave behind is unreferenced
 * files or too-high link counts (space leaks the stock salvager reclaims), never a header that
 * points at something missing.
 * <ul>
 * <li><b>create</b>: special files (volinfo with destroyMe=0xD3, both indexes) are created and
 * stamped, the link table row 0 is incremented and the header written to
 * {@code .V%010u.vol.tmp}; all of them are synced (one {@link SyncGroup}), and only then does the
 * header appear, atomically: the temporary file link(2)ed to its name (which also fails if the
 * volume exists) and the directory fsync'd.</li>
 * <li><b>clone</b>: the clone's special files and index records, the link counts of the files it
 * shares and the source's cloned bits are synced (one group) before its header appears, as for
 * create.</li>
 * <li><b>delete</b>: the header goes first (volinfo is marked destroyMe/out of service before, for
 * a salvager's sake; the unlink and the directory fsync are the commit); data, indexes and
 * specials are released after it. A crash mid-way leaves no volume and some orphaned files or
 * too-high counts.</li>
 * <li><b>data</b>: see {@link Volume}: data is never overwritten in place.</li>
 * </ul>
 * Within one JVM, updates of one volume group are serialized on a per-group monitor; the link
 * table rows are also fcntl-locked as the stock code does.
 */
public final class NameiPartition {
    private static final String README_TEXT = "This directory holds the data of the AFS volumes of this partition in the "
        + "namei format.\nDo not change anything here by hand: the volume headers (V*.vol) refer to these files.\n";

    private final Posix posix;
    private final Path path;
    private final String root;
    private final String name;
    private final int id;
    /** Per JVM, keyed by partition directory and group id (see {@link GroupState}). */
    private static final ConcurrentHashMap<String, GroupState> GROUPS = new ConcurrentHashMap<>();

    private NameiPartition(Posix posix, Path path, String name, int id) {
        this.posix = posix;
        this.path = path;
        this.root = path.toString();
        this.name = name;
        this.id = id;
    }

    /**
     * Open the partition whose directory is {@code dir} under the name {@code name} ("/vicepa").
     * The directory must exist.
     */
    public static NameiPartition open(Posix posix, Path dir, String name) throws IOException {
        int id = PartitionIds.idOf(name);
        if (id < 0) {
            throw new IllegalArgumentException("not a vice partition name: " + name);
        }
        Path abs = dir.toAbsolutePath().normalize();
        if (!posix.lstat(abs.toString()).isDirectory()) {
            throw new NativeIoException("open partition", abs.toString(), Errno.ENOTDIR);
        }
        return new NameiPartition(posix, abs, PartitionIds.nameOf(id), id);
    }

    public static NameiPartition open(Posix posix, VicePartition p) throws IOException {
        return open(posix, p.path(), p.name());
    }

    public Posix posix() {
        return posix;
    }

    /** "/vicepa". */
    public String name() {
        return name;
    }

    public int partitionId() {
        return id;
    }

    public Path path() {
        return path;
    }

    /**
     * Replaces the file {@code name} in this partition's root with {@code content}, atomically and
     * durably: written to {@code name.tmp}, fsync'd, renamed over the old one, the root directory
     * fsync'd. A crash leaves the old content or the new one, never a mix (journal records, marks).
     */
    public void replaceRootFile(String name, ByteBuffer content, int mode) throws IOException {
        replaceRootFile(name, content, mode, true);
    }

    /**
     * As {@link #replaceRootFile(String, ByteBuffer, int)}, but with {@code durable} false nothing is
     * synced: the next syncfs (or any later sync that commits the file system's journal with its
     * data) makes it durable. A power failure before that can leave the old content, the new one,
     * or, where the file did not exist, an empty or zero-filled file of that name: callers that read
     * such a file must take "empty or all zeros" as "never written".
     */
    public void replaceRootFile(String name, ByteBuffer content, int mode, boolean durable) throws IOException {
        String fin = root + "/" + name;
        String tmp = fin + ".tmp";
        int fd = posix.open(tmp, EnumSet.of(OpenFlag.READ_WRITE, OpenFlag.CREATE, OpenFlag.TRUNCATE, OpenFlag.CLOEXEC,
            OpenFlag.NOFOLLOW), mode);
        try {
            posix.pwriteFully(fd, content, 0, tmp);
            if (durable) {
                posix.fsync(fd);
            }
        } finally {
            posix.close(fd);
        }
        posix.rename(tmp, fin);
        if (durable) {
            posix.fsyncDirectory(root);
        }
    }

    String abs(String relative) {
        return root + "/" + relative;
    }

    GroupState groupLock(int parentId) {
        return GROUPS.computeIfAbsent(root + "\0" + Integer.toUnsignedString(parentId), k -> new GroupState());
    }

    /**
     * syncfs(2) of the partition's filesystem: everything written to this partition so far (data
     * files, index records, link table rows, directories) is durable when this returns. What
     * {@link Volume#createDataFileUnsynced} relies on.
     */
    public void syncFilesystem() throws NativeIoException {
        int fd = posix.open(root, EnumSet.of(OpenFlag.READ_ONLY, OpenFlag.DIRECTORY, OpenFlag.CLOEXEC), 0);
        try {
            posix.syncfs(fd);
        } finally {
            NameiFiles.closeQuietly(posix, fd);
        }
    }

    /** statvfs of the partition's filesystem. */
    public FsStat usage() throws NativeIoException {
        return posix.statvfs(root);
    }

    /**
     * flock(LOCK_EX) on the partition directory, the lock VLockPartition and the salvager take.
     * Hold it only around operations that must exclude a salvage.
     */
    public PartitionLock lock(boolean wait) throws NativeIoException {
        int fd = posix.open(root, EnumSet.of(OpenFlag.READ_ONLY, OpenFlag.DIRECTORY, OpenFlag.CLOEXEC), 0);
        try {
            if (!posix.flock(fd, true, wait)) {
                posix.close(fd);
                return null;
            }
        } catch (NativeIoException e) {
            NameiFiles.closeQuietly(posix, fd);
            throw e;
        }
        return new PartitionLock(posix, fd, name);
    }

    /** Volume ids with a header file here (GetNextVol naming rule), in ascending unsigned order. */
    public List<Integer> listVolumeIds() throws IOException {
        List<Long> ids = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(path, "V*.vol")) {
            for (Path p : ds) {
                long v = VolumeHeader.parseFileName(p.getFileName().toString());
                if (v > 0) {
                    ids.add(v);
                }
            }
        }
        ids.sort(null);
        List<Integer> out = new ArrayList<>(ids.size());
        for (long v : ids) {
            out.add((int) v);
        }
        return out;
    }

    String headerPath(int volumeId) {
        return abs(VolumeHeader.fileName(volumeId));
    }

    public boolean volumeExists(int volumeId) throws NativeIoException {
        try {
            posix.lstat(headerPath(volumeId));
            return true;
        } catch (NativeIoException e) {
            if (e.errno() == Errno.ENOENT) {
                return false;
            }
            throw e;
        }
    }

    /** Read and check a volume's header file. */
    public VolumeHeader readHeader(int volumeId) throws IOException {
        String hp = headerPath(volumeId);
        int fd;
        try {
            fd = posix.open(hp, NameiFiles.RO, 0);
        } catch (NativeIoException e) {
            if (e.errno() == Errno.ENOENT) {
                throw new NoSuchVolumeException(name, Integer.toUnsignedLong(volumeId));
            }
            throw e;
        }
        try {
            byte[] data = NameiFiles.readAt(posix, fd, 0, VolumeHeader.SIZE + 1);
            return VolumeHeader.decode(data, hp, Integer.toUnsignedLong(volumeId));
        } finally {
            NameiFiles.closeQuietly(posix, fd);
        }
    }

    /** Open an existing volume: header, volume info, both indexes and the link table, all checked. */
    public Volume openVolume(int volumeId) throws IOException {
        return Volume.open(this, readHeader(volumeId));
    }

    String specialPath(int parentId, long ino) {
        return abs(NameiInode.relativePath(Integer.toUnsignedLong(parentId), ino));
    }

    /**
     * VCreateVolume: a new, empty volume (no root directory, no vnodes) with volume info
     * id/parentId/copyDate set, destroyMe = 0xD3 and then {@code init} applied (may be null), e.g.
     * by the volserver's CreateVolume to set name, type, dates, blessed... before the header
     * makes the volume visible.
     */
    public Volume createVolume(int volumeId, int parentId, Consumer<VolumeDiskData> init) throws IOException {
        synchronized (groupLock(parentId)) {
            if (volumeExists(volumeId)) {
                throw new VolumeExistsException(name, Integer.toUnsignedLong(volumeId));
            }
            VolumeDiskData d = VolumeDiskData.blank().id(volumeId).parentId(parentId)
                .copyDate((int) (System.currentTimeMillis() / 1000)).destroyMe(VolumeDiskData.DESTROY_ME);
            if (init != null) {
                init.accept(d);
            }
            VolumeHeader h = VolumeHeader.forNewVolume(volumeId, parentId);
            String tmp;
            try (SyncGroup g = new SyncGroup(posix)) {
                createSpecials(h, d, g);
                incrementLinkTableUsers(h, g);
                tmp = writeHeaderTemp(h, g);
                g.sync();
            }
            publishHeader(h, tmp);
            return Volume.open(this, h);
        }
    }

    /**
     * Create volinfo and both empty indexes (removing leftovers of a crashed create of the same
     * id), written but not yet synced: their descriptors and directory join {@code g}, which the
     * caller syncs before the header can appear.
     */
    void createSpecials(VolumeHeader h, VolumeDiskData d, SyncGroup g) throws IOException {
        long gid = Integer.toUnsignedLong(h.parent());
        for (String dir : NameiFiles.mkdirs(posix, root, NameiInode.groupDir(gid) + "/special")) {
            g.addDirectory(dir);
        }
        ensureReadme();
        // No header exists for this id, so special files of this id can only be leftovers of a
        // create or delete that was interrupted; they belong to no volume.
        for (long ino : new long[] {h.volumeInfo(), h.smallVnodeIndex(), h.largeVnodeIndex()}) {
            try {
                posix.unlink(specialPath(h.parent(), ino));
            } catch (NativeIoException e) {
                if (e.errno() != Errno.ENOENT) {
                    throw e;
                }
            }
        }
        writeSpecial(h.parent(), h.volumeInfo(), h.id(), NameiInode.VI_VOLINFO, d.encode(), g);
        writeSpecial(h.parent(), h.smallVnodeIndex(), h.id(), NameiInode.VI_SMALLINDEX, VnodeIndex.stamp(VnodeClass.SMALL), g);
        writeSpecial(h.parent(), h.largeVnodeIndex(), h.id(), NameiInode.VI_LARGEINDEX, VnodeIndex.stamp(VnodeClass.LARGE), g);
        g.addDirectory(abs(NameiInode.groupDir(gid) + "/special"));
    }

    private void ensureReadme() throws NativeIoException {
        String p = abs("AFSIDat/README");
        try {
            int fd = posix.open(p, NameiFiles.CREATE_EXCL, 0444);
            try {
                NameiFiles.writeAt(posix, fd, README_TEXT.getBytes(StandardCharsets.US_ASCII), 0, p);
            } finally {
                posix.close(fd);
            }
        } catch (NativeIoException e) {
            if (e.errno() != Errno.EEXIST) {
                throw e;
            }
        }
    }

    private void writeSpecial(int parentId, long ino, int parm, int type, byte[] content, SyncGroup g)
            throws NativeIoException {
        String p = specialPath(parentId, ino);
        int fd = NameiFiles.createWithOgm(posix, p, parm, type);
        g.addOwned(fd);
        NameiFiles.writeAt(posix, fd, content, 0, p);
    }

    /**
     * Create the group's link table (row 0 = 1) or add one user to it; the table joins {@code g}
     * (the count must be durable before the header that makes it a user appears).
     */
    void incrementLinkTableUsers(VolumeHeader h, SyncGroup g) throws NativeIoException {
        String p = specialPath(h.parent(), h.linkTable());
        int fd;
        try {
            fd = NameiFiles.createWithOgm(posix, p, h.parent(), NameiInode.VI_LINKTABLE);
        } catch (NativeIoException e) {
            if (e.errno() != Errno.EEXIST) {
                throw e;
            }
            LinkTable lt = openLinkTable(h);
            g.addOwned(lt);
            lt.adjust(0, 0, 1);
            return;
        }
        g.addOwned(fd);
        byte[] init = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN).put(LinkTable.stamp())
            .putShort((short) 1).array();
        NameiFiles.writeAt(posix, fd, init, 0, p);
        g.addDirectory(abs(NameiInode.groupDir(Integer.toUnsignedLong(h.parent())) + "/special"));
    }

    LinkTable openLinkTable(VolumeHeader h) throws NativeIoException {
        String p = specialPath(h.parent(), h.linkTable());
        int fd = posix.open(p, NameiFiles.RW, 0);
        return new LinkTable(this, p, fd, h.parent(), groupLock(h.parent()));
    }

    /**
     * The header's content in a temporary file {@code .V%010u.vol.tmp} (replacing a leftover of
     * a crashed create), joined to {@code g}; returns its path for {@link #publishHeader}.
     */
    String writeHeaderTemp(VolumeHeader h, SyncGroup g) throws IOException {
        String tmp = abs("." + VolumeHeader.fileName(h.id()) + ".tmp");
        try {
            posix.unlink(tmp);
        } catch (NativeIoException e) {
            if (e.errno() != Errno.ENOENT) {
                throw e;
            }
        }
        int fd = posix.open(tmp, NameiFiles.CREATE_EXCL, 0644);
        g.addOwned(fd);
        NameiFiles.writeAt(posix, fd, h.encode(), 0, tmp);
        posix.fchmod(fd, 0644);
        return tmp;
    }

    /**
     * Make the header appear atomically: the synced temporary file {@code tmp} is linked to the real
     * name (which fails if the volume exists) and the partition directory fsync'd. Everything the
     * header refers to must be durable before.
     */
    void publishHeader(VolumeHeader h, String tmp) throws IOException {
        String fin = headerPath(h.id());
        try {
            posix.link(tmp, fin);
        } catch (NativeIoException e) {
            posix.unlink(tmp);
            if (e.errno() == Errno.EEXIST) {
                throw new VolumeExistsException(name, Integer.toUnsignedLong(h.id()));
            }
            throw e;
        }
        posix.unlink(tmp);
        posix.fsyncDirectory(root);
    }

    /**
     * VPurgeVolume: remove the volume and release its references to data files (a data file shared
     * with a clone survives until its last reference goes). Order: volinfo marked destroyMe and out
     * of service (synced), header unlinked (directory synced), then vnode data, index and volinfo
     * specials, and finally the link table user count (the table and empty group directories go
     * when it reaches 0).
     */
    public void deleteVolume(int volumeId) throws IOException {
        VolumeHeader h = readHeader(volumeId);
        synchronized (groupLock(h.parent())) {
            List<long[]> inodes = new ArrayList<>();
            try (Volume v = Volume.open(this, h)) {
                VolumeDiskData d = v.readDiskData();
                d.destroyMe(VolumeDiskData.DESTROY_ME).inService(false);
                // not synced: the header's unlink below decides; a crash before it leaves the
                // volume whole, with or without this mark
                v.writeDiskDataUnsynced(d);
                for (VnodeClass c : VnodeClass.values()) {
                    v.index(c).forEach((vn, rec) -> {
                        if (rec.inode() != 0) {
                            inodes.add(new long[] {vn, rec.inode()});
                        }
                    });
                }
            }
            // the header's removal drops these references before their counts go down
            GroupState g = groupLock(h.parent());
            for (long[] e : inodes) {
                g.hold(e[1]);
            }
            posix.unlink(headerPath(volumeId));
            posix.fsyncDirectory(root);
            try (LinkTable lt = openLinkTable(h)) {
                InodeList files = new InodeList();
                for (long[] e : inodes) {
                    files.add(e[1]);
                }
                int[] left = lt.adjustAll(files.inodes, files.size, -1);
                long groupId = Integer.toUnsignedLong(h.parent());
                for (int i = 0; i < files.size; i++) {
                    if (left[i] == 0) {
                        unlinkIfPresent(abs(NameiInode.relativePath(groupId, files.inodes[i])));
                    }
                }
                for (long ino : new long[] {h.largeVnodeIndex(), h.smallVnodeIndex(), h.volumeInfo()}) {
                    unlinkIfPresent(specialPath(h.parent(), ino));
                }
                // one sync for both count changes: nothing names the released files or the
                // removed volume any more, so losing either change leaves too-high counts only
                int users = lt.adjust(0, 0, -1);
                lt.fdatasync();
                if (users == 0) {
                    unlinkIfPresent(lt.path());
                    removeEmptyGroupDirs(h.parent());
                }
            }
        }
    }

    /**
     * Removes what is left of a volume whose header file is gone (a crash between the header's
     * unlink and the files', or a header deleted by hand): the namei files of the volume group
     * named by {@code volumeId}, as the stock nuke does. When a header here still belongs to that
     * group (a clone of the volume), only the special files stamped with {@code volumeId} itself
     * go, other than the group's link table: the data files and the link table are the clone's too.
     * Returns how many files were removed; 0 when there was nothing. A volume that has a header is
     * removed with {@link #deleteVolume}, never here.
     *
     * @throws IllegalStateException if the volume has a header
     */
    public int removeHeaderlessLeftovers(int volumeId) throws IOException {
        synchronized (groupLock(volumeId)) {
            if (volumeExists(volumeId)) {
                throw new IllegalStateException("volume " + Integer.toUnsignedString(volumeId) + " on " + name
                    + " has a header; delete it with deleteVolume");
            }
            Path g = path.resolve(NameiInode.groupDir(Integer.toUnsignedLong(volumeId)));
            if (!Files.isDirectory(g)) {
                return 0;
            }
            boolean groupInUse = false;
            for (int id : listVolumeIds()) {
                try {
                    groupInUse |= readHeader(id).parent() == volumeId;
                } catch (NoSuchVolumeException gone) {
                    // removed meanwhile by another group's operation
                }
            }
            List<Path> files = new ArrayList<>();
            try (var s = Files.walk(g)) {
                s.filter(Files::isRegularFile).forEach(files::add);
            }
            long linkTable = NameiInode.special(Integer.toUnsignedLong(volumeId), NameiInode.VI_LINKTABLE);
            int removed = 0;
            for (Path f : files) {
                if (groupInUse && !ownSpecial(f, volumeId, linkTable)) {
                    continue;
                }
                unlinkIfPresent(f.toString());
                removed++;
            }
            if (!groupInUse) {
                removeEmptyGroupDirs(volumeId);
            }
            posix.fsyncDirectory(root);
            return removed;
        }
    }

    /** Whether {@code f} is a special file of volume {@code volumeId} other than the link table. */
    private static boolean ownSpecial(Path f, int volumeId, long linkTable) {
        if (!f.getParent().getFileName().toString().equals("special")) {
            return false;
        }
        long ino;
        try {
            ino = FlipBase64.decode(f.getFileName().toString());
        } catch (IllegalArgumentException notNamei) {
            return false;
        }
        return NameiInode.isSpecial(ino) && NameiInode.high(ino) == volumeId && ino != linkTable;
    }

    private void unlinkIfPresent(String p) throws NativeIoException {
        try {
            posix.unlink(p);
        } catch (NativeIoException e) {
            if (e.errno() != Errno.ENOENT) {
                throw e;
            }
        }
    }

    private void removeEmptyGroupDirs(int parentId) throws IOException {
        Path g = path.resolve(NameiInode.groupDir(Integer.toUnsignedLong(parentId)));
        if (!Files.isDirectory(g)) {
            return;
        }
        List<Path> dirs = new ArrayList<>();
        try (var s = Files.walk(g)) {
            s.filter(Files::isDirectory).forEach(dirs::add);
        }
        dirs.sort((a, b) -> b.getNameCount() - a.getNameCount());
        for (Path d : dirs) {
            try {
                posix.rmdir(d.toString());
            } catch (NativeIoException e) {
                if (e.errno() != Errno.ENOTEMPTY && e.errno() != Errno.EEXIST) {
                    throw e;
                }
            }
        }
        try {
            posix.rmdir(g.getParent().toString());
        } catch (NativeIoException e) {
            // other groups still share the first-level directory
        }
    }

    /**
     * How many vnode records of the group name data file (vnode, tag), per tag: the slot of
     * {@code vnode} in every vnode index of the group, i.e. of every volume whose header here has
     * this parent (RW, RO, BK, clones, staging volumes), and also of any index file left in the
     * group's special directory without a header (a clone being built, a delete interrupted):
     * counting those too can only overestimate, which is the safe side. Any index that cannot be
     * read fails the count. The caller holds the group monitor.
     */
    int[] tagReferences(int parentId, int vnode) throws IOException {
        VnodeClass c = VnodeClass.of(vnode);
        int wantType = c == VnodeClass.LARGE ? NameiInode.VI_LARGEINDEX : NameiInode.VI_SMALLINDEX;
        Set<String> fromHeaders = new LinkedHashSet<>();
        for (int vid : listVolumeIds()) {
            VolumeHeader h;
            try {
                h = readHeader(vid);
            } catch (NoSuchVolumeException gone) {
                continue; // deleted meanwhile (another group: ours is locked)
            }
            if (h.parent() == parentId) {
                fromHeaders.add(specialPath(parentId, c == VnodeClass.LARGE ? h.largeVnodeIndex() : h.smallVnodeIndex()));
            }
        }
        Set<String> all = new LinkedHashSet<>(fromHeaders);
        Path special = path.resolve(NameiInode.groupDir(Integer.toUnsignedLong(parentId)) + "/special");
        if (Files.isDirectory(special)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(special)) {
                for (Path f : ds) {
                    long ino;
                    try {
                        ino = FlipBase64.decode(f.getFileName().toString());
                    } catch (IllegalArgumentException notNamei) {
                        continue;
                    }
                    if (NameiInode.isSpecial(ino) && NameiInode.tag(ino) == wantType) {
                        all.add(specialPath(parentId, ino));
                    }
                }
            }
        }
        int[] refs = new int[NameiInode.MAX_TAGS];
        long off = c.offset(VnodeClass.slot(vnode));
        for (String idx : all) {
            int fd;
            try {
                fd = posix.open(idx, NameiFiles.RO, 0);
            } catch (NativeIoException e) {
                if (e.errno() == Errno.ENOENT && !fromHeaders.contains(idx)) {
                    continue; // a headerless leftover removed meanwhile
                }
                throw e;
            }
            try {
                byte[] r = NameiFiles.readAt(posix, fd, off, c.recordSize());
                if (r.length < c.recordSize()) {
                    continue; // beyond the end: free slot
                }
                VnodeDiskObject rec = VnodeDiskObject.wrap(c, r, 0);
                long ino = rec.inode();
                if (!rec.isFree() && ino != 0 && !NameiInode.isSpecial(ino) && NameiInode.vnode(ino) == vnode) {
                    refs[NameiInode.tag(ino)]++; // tags 5..7 never match a counter: ignored
                }
            } finally {
                NameiFiles.closeQuietly(posix, fd);
            }
        }
        return refs;
    }

    /**
     * Remove every data file of (vnode, tag) in the group, whatever its uniquifier: called once the
     * tag's count is durably 0, so none of them is referenced.
     */
    void removeDataFiles(int parentId, int vnode, int tag) throws IOException {
        long gid = Integer.toUnsignedLong(parentId);
        String rel = NameiInode.relativePath(gid, NameiInode.regular(vnode, tag, 0));
        Path dir = path.resolve(rel.substring(0, rel.lastIndexOf('/')));
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> victims = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path f : ds) {
                long ino;
                try {
                    ino = FlipBase64.decode(f.getFileName().toString());
                } catch (IllegalArgumentException notNamei) {
                    continue;
                }
                if (!NameiInode.isSpecial(ino) && NameiInode.vnode(ino) == vnode && NameiInode.tag(ino) == tag) {
                    victims.add(f);
                }
            }
        }
        for (Path f : victims) {
            unlinkIfPresent(f.toString());
        }
    }

    /** A growable list of namei inode numbers of data files (0s dropped), for {@link LinkTable#adjustAll}. */
    public static final class InodeList {
        long[] inodes = new long[1024];
        int size;

        public void add(long ino) {
            if (ino == 0) {
                return;
            }
            if (size == inodes.length) {
                inodes = java.util.Arrays.copyOf(inodes, 2 * size);
            }
            inodes[size++] = ino;
        }

        /** The first {@link #size()} entries are the list; the array may be longer. */
        public long[] inodes() {
            return inodes;
        }

        public int size() {
            return size;
        }
    }

    /** IH_DEC of a data file: drop one reference, unlink the file when none remain. */
    void releaseData(LinkTable lt, int parentId, long ino) throws NativeIoException {
        int vn = NameiInode.vnode(ino);
        int tag = NameiInode.tag(ino);
        int left = lt.adjust(vn, tag, -1);
        if (left == 0) {
            unlinkIfPresent(abs(NameiInode.relativePath(Integer.toUnsignedLong(parentId), ino)));
        }
    }

    /**
     * Clone (DoCloneIndex): a new volume {@code newId} in the source's group whose vnode records
     * are copies of the source's and whose data files are the source's (link counts +1). The
     * source's directory vnodes get their {@code cloned} bit set. The new volume info is a copy of
     * the source's with id, copyDate and destroyMe=0xD3 set, then {@code init} applied (type, name,
     * flags are the caller's business). The source must not be written during the clone. The
     * source's volume info is synced with the clone's files, before the clone's header appears, so
     * a change the caller wrote to it unsynced just before becomes durable with the clone.
     */
    public Volume cloneVolume(int sourceId, int newId, Consumer<VolumeDiskData> init) throws IOException {
        VolumeHeader sh = readHeader(sourceId);
        synchronized (groupLock(sh.parent())) {
            if (volumeExists(newId)) {
                throw new VolumeExistsException(name, Integer.toUnsignedLong(newId));
            }
            try (Volume src = Volume.open(this, sh)) {
                recountForClone(src);
                VolumeDiskData d = src.readDiskData().copy().id(newId)
                    .copyDate((int) (System.currentTimeMillis() / 1000)).destroyMe(VolumeDiskData.DESTROY_ME)
                    .inUse(0);
                if (init != null) {
                    init.accept(d);
                }
                VolumeHeader h = VolumeHeader.forNewVolume(newId, sh.parent());
                // Nothing has to reach the disk before anything else here except the header: the
                // clone's files, the link counts of the data it shares and the source's cloned bits
                // are synced as one group, and only then is the header published.
                String tmp;
                try (SyncGroup g = new SyncGroup(posix)) {
                    createSpecials(h, d, g);
                    incrementLinkTableUsers(h, g);
                    try (Volume dst = Volume.open(this, h)) {
                        LinkTable lt = dst.linkTable();
                        for (VnodeClass c : VnodeClass.values()) {
                            VnodeIndex si = src.index(c);
                            VnodeIndex di = dst.index(c);
                            InodeList files = new InodeList();
                            si.forEach((vn, rec) -> files.add(rec.inode()));
                            lt.adjustAll(files.inodes, files.size, 1);
                            di.copyFrom(si, rec -> rec.copy().cloned(false));
                            g.add(di);
                            markCloned(si);
                            g.add(si);
                        }
                        g.add(lt).addVolumeInfo(src);
                        tmp = writeHeaderTemp(h, g);
                        g.sync();
                    }
                }
                publishHeader(h, tmp);
                return Volume.open(this, h);
            }
        }
    }
    /**
     * Sets the cloned bit of every directory record of a source's large index that lacks it (not
     * synced): a directory shared with a clone must carry it, since a fileserver copies a cloned
     * directory before changing it instead of changing the shared file in place. The small index
     * holds no directories: nothing to mark there.
     */
    private static void markCloned(VnodeIndex si) throws IOException {
        if (si.vnodeClass() != VnodeClass.LARGE) {
            return;
        }
        List<Object[]> setCloned = new ArrayList<>();
        si.forEach((vn, rec) -> {
            if (!rec.cloned()) {
                setCloned.add(new Object[] {vn, rec});
            }
        });
        for (Object[] o : setCloned) {
            si.write((Integer) o[0], ((VnodeDiskObject) o[1]).copy().cloned(true));
        }
    }

    /**
     * The stock clone (DoCloneIndex) counts the source's vnodes as it copies them and, when the
     * source is read-write, stores the count and their blocks (nBlocks each, an empty file counting
     * one) as its filecount and diskused before the clone copies the header; so a clone, and any
     * dump or shadow made from it, carries recounted figures, not whatever the header said. A zero
     * count leaves the header's figure, as there.
     */
    private static void recountForClone(Volume src) throws IOException {
        VolumeDiskData d = src.readDiskData();
        if (d.type() != VolumeDiskData.RW) {
            return;
        }
        long[] n = new long[2];
        for (VnodeClass c : VnodeClass.values()) {
            src.index(c).forEach((vn, rec) -> {
                n[0]++;
                n[1] += VolumeTree.blocks(rec.length());
            });
        }
        int files = n[0] > 0 ? (int) n[0] : d.filecount();
        int used = n[1] > 0 ? (int) n[1] : d.diskused();
        if (files != d.filecount() || used != d.diskused()) {
            // synced with the clone (cloneVolume) or before the reclone's first step
            src.writeDiskDataUnsynced(d.filecount(files).diskused(used));
        }
    }

    /**
     * ReClone: bring an existing clone ({@code cloneId}, same group) up to date with its source.
     * Order: references to the source's current data files are added to the link table and the
     * source's directories get the cloned bit first (synced), then every clone record is rewritten
     * and the clone index cut to the source's length (synced), and only then are the references of
     * the clone's previous records dropped. A crash leaves the clone old or new (per record) with at
     * worst too-high counts. The clone's volume info gets {@code init} applied (may be null).
     */
    public void recloneVolume(int sourceId, int cloneId, Consumer<VolumeDiskData> init) throws IOException {
        VolumeHeader sh = readHeader(sourceId);
        VolumeHeader ch = readHeader(cloneId);
        if (sh.parent() != ch.parent()) {
            throw new IOException("volume " + Integer.toUnsignedString(cloneId) + " is not in the group of "
                + Integer.toUnsignedString(sourceId));
        }
        synchronized (groupLock(sh.parent())) {
            try (Volume src = Volume.open(this, sh); Volume dst = Volume.open(this, ch)) {
                LinkTable lt = dst.linkTable();
                recountForClone(src);
                List<Long> drop = new ArrayList<>();
                for (VnodeClass c : VnodeClass.values()) {
                    VnodeIndex si = src.index(c);
                    VnodeIndex di = dst.index(c);
                    int slots = si.slots();
                    // 1. add references for what the clone will point at, and give the source's
                    // directories the cloned bit: both durable before any clone record names a
                    // shared file (a shared directory without the bit would be changed in place by
                    // a fileserver, under the clone)
                    si.forEach((vn, rec) -> {
                        if (rec.inode() != 0 && di.read(vn).inode() != rec.inode()) {
                            lt.adjust(NameiInode.vnode(rec.inode()), NameiInode.tag(rec.inode()), 1);
                        }
                    });
                    markCloned(si);
                    new SyncGroup(posix).add(lt).add(si).addVolumeInfo(src).sync();
                    // 2. remember what the clone pointed at and no longer will
                    di.forEach((vn, old) -> {
                        VnodeDiskObject now = VnodeClass.slot(vn) < slots ? si.read(vn) : VnodeDiskObject.blank(c);
                        if (old.inode() != 0 && (now.isFree() || now.inode() != old.inode())) {
                            drop.add(old.inode());
                        }
                    });
                    // 3. rewrite the clone's records
                    for (int slot = 0; slot < slots; slot++) {
                        int vn = c.vnodeNumber(slot);
                        VnodeDiskObject rec = si.read(vn);
                        di.write(vn, rec.isFree() ? VnodeDiskObject.blank(c) : rec.copy().cloned(false));
                    }
                    di.truncateSlots(slots);
                    di.fdatasync();
                }
                VolumeDiskData d = dst.readDiskData();
                VolumeDiskData s = src.readDiskData();
                d.filecount(s.filecount()).diskused(s.diskused()).uniquifier(s.uniquifier())
                    .copyDate((int) (System.currentTimeMillis() / 1000));
                if (init != null) {
                    init.accept(d);
                }
                dst.writeDiskData(d);
                // 4. drop the clone's old references
                for (long ino : drop) {
                    releaseData(lt, ch.parent(), ino);
                }
                lt.fdatasync();
            }
        }
    }
}
