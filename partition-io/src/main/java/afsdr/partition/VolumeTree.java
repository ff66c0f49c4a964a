package afsdr.partition;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import afsdr.partition.dir.AfsDirectory;
import afsdr.partition.dir.DirEntry;

/**
 * Name-space edits of a volume (the fileserver's side of things: make a directory, create a file,
 * a symlink, a mount point, remove a name), keeping vnode link counts, parent pointers, directory
 * contents, the volume uniquifier and filecount/diskused consistent as the salvager expects.
 *
 * <p>Edited directories are held in memory until {@link #flush()}; the new vnodes they will name
 * are written (with their data) first. A crash before flush leaves those vnodes unreferenced,
 * which the salvager treats as orphans; the directories themselves are always either the old or
 * the new version (see {@link Volume#storeVnode}).
 *
 * <p>Not thread-safe; one tree per volume at a time. It switches the volume to group commit
 * ({@link Volume#deferSyncs}): every {@link #flush()} is one durability point.
 */
public final class VolumeTree {
    /** Uniquifiers are reserved in blocks so that volume info is not rewritten for every vnode. */
    private static final int UNIQ_RESERVE = 200;
    public static final int ROOT_VNODE = 1;

    private final Volume volume;
    private final Map<Integer, AfsDirectory> dirtyDirs = new LinkedHashMap<>();
    private final Map<Integer, VnodeDiskObject> dirtyDirVnodes = new HashMap<>();
    private final int[] nextFree = new int[2];
    private VolumeDiskData info;
    private int nextUniq;
    private int reservedUpTo;
    private long now;

    public VolumeTree(Volume volume) throws IOException {
        this.volume = volume;
        volume.deferSyncs(true);
        this.info = volume.readDiskData();
        this.nextUniq = Math.max(info.uniquifier(), 1);
        this.reservedUpTo = nextUniq;
        int[] files = {0};
        long[] used = {0};
        for (VnodeClass c : VnodeClass.values()) {
            nextFree[c.ordinal()] = c.vnodeNumber(volume.index(c).slots());
            volume.index(c).forEach((vn, rec) -> {
                files[0]++;
                used[0] += blocks(rec.length());
            });
        }
        // recomputed as the clone code and the salvager do (non-free vnodes, nBlocks each)
        info.filecount(files[0]).diskused((int) used[0]);
    }

    /**
     * As the volserver's CreateVolume (volser.md §6) followed by vos's SetFlags(0): a new RW-style
     * volume with root directory 1.1 (ACL system:administrators rlidwka, mode 0777, link count 2,
     * dataVersion 1), uniquifier 2, maxquota 5000, blessed, in service, not destroyMe; filecount 0 and
     * diskused 2 as the stock server leaves them.
     */
    public static Volume createVolumeWithRoot(NameiPartition part, int volumeId, int parentId, String name, int type)
            throws IOException {
        int now = (int) (System.currentTimeMillis() / 1000);
        Volume v = part.createVolume(volumeId, parentId, d -> d.name(name).type(type).uniquifier(1).creationDate(now)
            .updateDate(now).blessed(true).maxquota(5000));
        AfsDirectory root = AfsDirectory.makeDir(ROOT_VNODE, 1, ROOT_VNODE, 1);
        byte[] data = root.toBytes();
        VnodeDiskObject r = VnodeDiskObject.blank(VnodeClass.LARGE).type(VnodeDiskObject.TYPE_DIRECTORY).modeBits(0777)
            .linkCount(2).uniquifier(1).dataVersion(1).unixModifyTime(now).serverModifyTime(now).parent(0)
            .acl(AccessList.defaultRoot());
        v.storeVnode(ROOT_VNODE, r, data);
        VolumeDiskData d = v.readDiskData();
        // As observed on the stock CreateVolume: the root's blocks are in diskused but filecount
        // stays 0 until a clone or salvage recomputes it (VolumeTree recomputes both when it opens).
        d.uniquifier(2).diskused(blocks(data.length)).inService(true).destroyMe(0);
        v.writeDiskData(d);
        return v;
    }

    /** nBlocks: 1 KB units, at least 1 (empty files count as one block, as the volserver counts). */
    public static int blocks(long length) {
        return length == 0 ? 1 : (int) ((length + 1023) / 1024);
    }

    public Volume volume() {
        return volume;
    }

    private int now() {
        return (int) (System.currentTimeMillis() / 1000);
    }

    private int allocUniq() throws IOException {
        if (nextUniq >= reservedUpTo) {
            reservedUpTo = nextUniq + UNIQ_RESERVE;
            info.uniquifier(reservedUpTo);
            volume.writeDiskData(info);
        }
        return nextUniq++;
    }

    private int allocVnode(VnodeClass c) {
        int v = nextFree[c.ordinal()];
        nextFree[c.ordinal()] = v + 2;
        return v;
    }

    private AfsDirectory dir(int dirVnode) throws IOException {
        AfsDirectory d = dirtyDirs.get(dirVnode);
        if (d == null) {
            d = volume.readDirectory(dirVnode);
        }
        return d;
    }

    private VnodeDiskObject dirVnode(int dirVnode) throws IOException {
        VnodeDiskObject v = dirtyDirVnodes.get(dirVnode);
        return v != null ? v : volume.readVnode(dirVnode);
    }

    private void markDirty(int dirVnode, AfsDirectory d, VnodeDiskObject v) {
        dirtyDirs.put(dirVnode, d);
        dirtyDirVnodes.put(dirVnode, v);
    }

    /** Look a name up in a directory (including unflushed edits). */
    public Optional<DirEntry> lookup(int dirVnode, String name) throws IOException {
        return dir(dirVnode).lookup(name);
    }

    private VnodeDiskObject newSmall(int type, int mode, int parent, int uniq) {
        int t = now();
        return VnodeDiskObject.blank(VnodeClass.SMALL).type(type).modeBits(mode).linkCount(1).uniquifier(uniq)
            .dataVersion(1).unixModifyTime(t).serverModifyTime(t).parent(parent);
    }

    private void addEntry(int dirVnode, String name, int vnode, int uniq, boolean isDir) throws IOException {
        AfsDirectory d = dir(dirVnode);
        VnodeDiskObject dv = dirVnode(dirVnode).copy();
        d.create(name, vnode, uniq);
        if (isDir) {
            dv.linkCount(dv.linkCount() + 1);
        }
        markDirty(dirVnode, d, dv);
    }

    private void account(int files, long blocksDelta) {
        info.filecount(info.filecount() + files);
        info.diskused((int) (info.diskused() + blocksDelta));
    }

    /** Create a regular file with the given content; returns its vnode number. */
    public int createFile(int dirVnode, String name, ReadableByteChannel data, long length, int mode) throws IOException {
        if (lookup(dirVnode, name).isPresent()) {
            throw new IOException("name exists: " + name);
        }
        int uniq = allocUniq();
        int vn = allocVnode(VnodeClass.SMALL);
        volume.storeVnode(vn, newSmall(VnodeDiskObject.TYPE_FILE, mode, dirVnode, uniq), data, length);
        addEntry(dirVnode, name, vn, uniq, false);
        account(1, blocks(length));
        return vn;
    }

    public int createFile(int dirVnode, String name, byte[] data) throws IOException {
        return createFile(dirVnode, name, Channels.newChannel(new ByteArrayInputStream(data)), data.length, 0644);
    }

    /** A symbolic link (mode 0755). */
    public int symlink(int dirVnode, String name, String target) throws IOException {
        return link(dirVnode, name, target, 0755);
    }

    /**
     * A mount point: a symlink of mode 0644 whose content is "#volume." (regular) or "%volume."
     * (read-write), optionally "cell:volume.".
     */
    public int mountPoint(int dirVnode, String name, String volumeName, boolean readWrite) throws IOException {
        return link(dirVnode, name, (readWrite ? "%" : "#") + volumeName + ".", 0644);
    }

    private int link(int dirVnode, String name, String target, int mode) throws IOException {
        if (lookup(dirVnode, name).isPresent()) {
            throw new IOException("name exists: " + name);
        }
        byte[] t = target.getBytes(StandardCharsets.UTF_8);
        int uniq = allocUniq();
        int vn = allocVnode(VnodeClass.SMALL);
        volume.storeVnode(vn, newSmall(VnodeDiskObject.TYPE_SYMLINK, mode, dirVnode, uniq), t);
        addEntry(dirVnode, name, vn, uniq, false);
        account(1, blocks(t.length));
        return vn;
    }

    /** A subdirectory inheriting the parent's ACL unless {@code acl} is given; mode 0755. */
    public int mkdir(int dirVnode, String name, AccessList acl) throws IOException {
        if (lookup(dirVnode, name).isPresent()) {
            throw new IOException("name exists: " + name);
        }
        int uniq = allocUniq();
        int vn = allocVnode(VnodeClass.LARGE);
        VnodeDiskObject parent = dirVnode(dirVnode);
        AfsDirectory d = AfsDirectory.makeDir(vn, uniq, dirVnode, parent.uniquifier());
        int t = now();
        VnodeDiskObject v = VnodeDiskObject.blank(VnodeClass.LARGE).type(VnodeDiskObject.TYPE_DIRECTORY).modeBits(0755)
            .linkCount(2).uniquifier(uniq).dataVersion(1).unixModifyTime(t).serverModifyTime(t).parent(dirVnode);
        if (acl != null) {
            v.acl(acl);
        } else {
            v.aclBytes(parent.aclBytes());
        }
        // The new directory is written now (it is unreferenced until its parent is flushed).
        v = volume.storeVnode(vn, v, d.toBytes());
        addEntry(dirVnode, name, vn, uniq, true);
        account(1, blocks(d.length()));
        return vn;
    }

    /** Replace a directory's ACL. */
    public void setAcl(int dirVnode, AccessList acl) throws IOException {
        AfsDirectory d = dir(dirVnode);
        VnodeDiskObject v = dirVnode(dirVnode).copy().acl(acl);
        markDirty(dirVnode, d, v);
    }

    /** Remove a file, symlink or empty directory by name. */
    public void remove(int dirVnode, String name) throws IOException {
        DirEntry e = lookup(dirVnode, name).orElseThrow(() -> new IOException("no such name: " + name));
        VnodeDiskObject target = volume.readVnode(e.vnode());
        boolean isDir = target.type() == VnodeDiskObject.TYPE_DIRECTORY;
        if (isDir) {
            if (dirtyDirs.containsKey(e.vnode())) {
                flush();
            }
            if (!volume.readDirectory(e.vnode()).isEmpty()) {
                throw new IOException("directory not empty: " + name);
            }
        }
        AfsDirectory d = dir(dirVnode);
        VnodeDiskObject dv = dirVnode(dirVnode).copy();
        d.delete(name);
        if (isDir) {
            dv.linkCount(dv.linkCount() - 1);
        }
        markDirty(dirVnode, d, dv);
        // The directory no longer names the vnode once flushed; free it after that.
        flush();
        volume.deleteVnode(e.vnode());
        volume.syncPending();
        account(-1, -blocks(target.length()));
        volume.writeDiskData(info);
    }

    /**
     * Write every edited directory (new data file, dataVersion + 1, record synced), then the
     * volume info (filecount, diskused, updateDate).
     */
    public void flush() throws IOException {
        int t = now();
        // new vnodes and their data become durable before any directory names them
        volume.syncPending();
        for (Map.Entry<Integer, AfsDirectory> e : dirtyDirs.entrySet()) {
            int vn = e.getKey();
            byte[] data = e.getValue().toBytes();
            VnodeDiskObject old = dirtyDirVnodes.get(vn);
            long oldBlocks = blocks(volume.readVnode(vn).length());
            VnodeDiskObject v = old.copy().dataVersion(old.dataVersion() + 1).unixModifyTime(t).serverModifyTime(t);
            volume.storeVnode(vn, v, data);
            account(0, blocks(data.length) - oldBlocks);
        }
        dirtyDirs.clear();
        dirtyDirVnodes.clear();
        volume.syncPending();
        info.updateDate(t);
        volume.writeDiskData(info);
    }
}
