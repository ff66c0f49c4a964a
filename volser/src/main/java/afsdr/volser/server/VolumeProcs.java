package afsdr.volser.server;

import afsdr.partition.AccessList;
import afsdr.partition.NameiPartition;
import afsdr.partition.NoSuchVolumeException;
import afsdr.partition.VnodeClass;
import afsdr.partition.VnodeDiskObject;
import afsdr.partition.Volume;
import afsdr.partition.VolumeDiskData;
import afsdr.partition.VolumeExistsException;
import afsdr.partition.VolumeTree;
import afsdr.partition.dir.AfsDirectory;
import afsdr.rx.RxCall;
import afsdr.rx.RxCallException;
import afsdr.volser.wire.VolserConstants;
import afsdr.volser.wire.VolserErrors;
import afsdr.volser.wire.VolserOps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static afsdr.volser.server.VolserContext.ioFailure;
import static afsdr.volser.server.VolserContext.nameBytes;
import static afsdr.volser.server.VolserContext.partName;
import static afsdr.volser.server.VolserContext.vol;
import static afsdr.volser.server.VolserService.MAX_NAME;
import static afsdr.volser.server.VolserService.UTILITY_MESSAGE;
import static afsdr.volser.server.VolserService.VOLUME_SERVER_PROGRAM;
import static afsdr.volser.wire.VolserConstants.BACKVOL;
import static afsdr.volser.wire.VolserConstants.ROVOL;
import static afsdr.volser.wire.VolserConstants.RWVOL;
import static afsdr.volser.wire.VolserConstants.VTDeleted;

/**
 * The procedures that make, remove or copy volumes on a partition: CreateVolume, DeleteVolume,
 * NukeVolume, Clone, ReClone, ConvertROtoRWvolume, and the two a 1.8 server answers without doing
 * anything (GetNthVolume, SplitVolume). Each takes the transaction(s) the stock server takes, so a
 * concurrent vos on the same volume gets VOLSERVOLBUSY exactly when it would from a 1.8 server.
 */
final class VolumeProcs extends ProcGroup {
    VolumeProcs(VolserContext ctx, Transactions tx) {
        super(ctx, tx);
    }

    /** CreateVolume (100). */
    VolserOps.CreateVolumeResult createVolume(RxCall call, VolserOps.CreateVolumeArgs a) throws Exception {
        int[] tid = {0};
        return ctx.logged(call, "CreateVolume", "AFS_VS_CrVol", () -> "volume " + vol(a.volid()) + " '" + a.name() + "' "
            + partName(a.partition()) + " type " + a.type() + " parent " + vol(a.parent())
            + (tid[0] != 0 ? " transaction " + tid[0] : ""), () -> {
                if (nameBytes(a.name()) > MAX_NAME) {
                    throw new RxCallException(VolserErrors.VOLSERBADNAME, "CreateVolume: name longer than " + MAX_NAME);
                }
                ctx.requireSuperUser(call, "CreateVolume");
                if (a.partition() < 0) {
                    throw new RxCallException(VolserErrors.EINVAL, "CreateVolume: partition " + a.partition());
                }
                if (a.type() != RWVOL && a.type() != ROVOL && a.type() != BACKVOL) {
                    throw new RxCallException(VolserErrors.EINVAL, "CreateVolume: type " + a.type());
                }
                int volid = a.volid();
                if (volid == 0) {
                    throw new RxCallException(VolserErrors.E2BIG, "CreateVolume: missing volume number");
                }
                boolean withRoot = !(a.parent() == volid && a.type() == RWVOL);
                int parent = a.parent() == 0 ? volid : a.parent();
                ctx.shadows.refuseShadowOntoSource(call, "CreateVolume", volid, ctx.byId(a.partition()), -1);
                Transaction t = tx.newTrans(volid, a.partition(), 0, "CreateVolume");
                try {
                    NameiPartition part = ctx.byId(a.partition());
                    if (part == null) {
                        throw new RxCallException(VolserErrors.EIO, "CreateVolume: no partition " + a.partition());
                    }
                    // A RW id may exist on another partition only in the middle of a move (parent == id).
                    if (!(a.type() == RWVOL && parent == volid) && ctx.elsewhere(volid, a.partition()) != null) {
                        throw new RxCallException(VolserErrors.EIO, "CreateVolume: volume " + vol(volid)
                            + " exists on another partition");
                    }
                    synchronized (t) {
                        create(t, part, a.name(), a.type(), parent, withRoot);
                        ctx.shadows.tag(call, t);
                    }
                } catch (VolumeExistsException e) {
                    if (table.end(t)) {
                        tx.dispose(t, false);
                    }
                    throw new RxCallException(VolserErrors.EIO, "CreateVolume: " + e.getMessage(), e);
                } catch (IOException | RuntimeException e) {
                    if (table.end(t)) {
                        tx.dispose(t, false);
                    }
                    if (e instanceof IOException io) {
                        throw ioFailure("CreateVolume", io);
                    }
                    throw e;
                }
                tx.release(t);
                tid[0] = t.tid;
                return new VolserOps.CreateVolumeResult(volid, t.tid);
            });
    }

    /**
     * VCreateVolume plus the volserver's header set-up (volser.md §6 CreateVolume 9–10): the volume
     * stays out of service and marked for destruction until vos says otherwise (SetFlags) or a
     * restore fills it, so a half-made volume is never served and the reaper removes it.
     */
    private void create(Transaction t, NameiPartition part, String name, int type, int parent, boolean withRoot)
            throws IOException {
        int now = ctx.now();
        Volume v = part.createVolume(t.volumeId, parent, d -> d.name(name).type(type).uniquifier(1)
            .creationDate(now).updateDate(now).copyDate(now).blessed(true).inService(false).maxquota(5000)
            .inUse(VOLUME_SERVER_PROGRAM).offlineMessage(UTILITY_MESSAGE));
        t.volume = v;
        t.partition = part;
        t.markedInUse = true;
        if (withRoot) {
            AfsDirectory root = AfsDirectory.makeDir(VolumeTree.ROOT_VNODE, 1, VolumeTree.ROOT_VNODE, 1);
            byte[] data = root.toBytes();
            VnodeDiskObject r = VnodeDiskObject.blank(VnodeClass.LARGE).type(VnodeDiskObject.TYPE_DIRECTORY)
                .modeBits(0777).linkCount(2).uniquifier(1).dataVersion(1).unixModifyTime(now).serverModifyTime(now)
                .parent(0).acl(AccessList.defaultRoot());
            v.storeVnode(VolumeTree.ROOT_VNODE, r, data);
            VolumeDiskData d = v.readDiskData();
            // The stock server counts the root's blocks but not the root as a file (vos shows "0 files").
            d.uniquifier(2).diskused(VolumeTree.blocks(data.length));
            v.writeDiskData(d);
        }
    }

    /** DeleteVolume (101): purge now; the transaction lives on with VTDeleted until EndTrans. */
    Void deleteVolume(RxCall call, Integer tid) throws Exception {
        String what = tx.transWhat(tid);
        return ctx.logged(call, "DeleteVolume", "AFS_VS_DelVol", () -> what, () -> {
            ctx.requireSuperUser(call, "DeleteVolume");
            return tx.onTrans(tid, "DeleteVolume", t -> {
                Volume v = t.volume;
                t.volume = null;
                t.markedInUse = false;
                v.close();
                t.vflags |= VTDeleted;
                t.partition.deleteVolume(t.volumeId);
                ctx.shadows.volumeDeleted(t.partition, t.volumeId);
                return null;
            });
        });
    }

    /**
     * What the stock NukeVolume answers when the partition or the volume's header is missing (its
     * nuke's failed stat or unlink: -1), even after removing files the volume left behind.
     */
    static final int NUKE_FAILED = -1;

    /** NukeVolume (122): remove the volume's files from the partition, without a transaction. */
    Void nukeVolume(RxCall call, VolserOps.PartVolume a) throws Exception {
        return ctx.logged(call, "NukeVolume", "AFS_VS_NukVol", () -> "volume " + vol(a.volid()) + " " + partName(a.partId()),
            () -> {
                ctx.requireSuperUser(call, "NukeVolume");
                // The codes are the stock ones: a partition number that names no /vicepXX is
                // VOLSERNOVOL, volume 0 is EINVAL, and a partition or volume that is not there is -1
                // (the stock nuke fails to stat the partition or to list the volume's files).
                if (a.partId() < 0 || a.partId() >= VolserConstants.VOLMAXPARTS) {
                    throw new RxCallException(VolserErrors.VOLSERNOVOL, "NukeVolume: partition " + a.partId()
                        + " cannot be named");
                }
                if (a.volid() == 0) {
                    throw new RxCallException(VolserErrors.EINVAL, "NukeVolume: volume 0");
                }
                NameiPartition part = ctx.byId(a.partId());
                if (part == null) {
                    throw new RxCallException(NUKE_FAILED, "NukeVolume: no partition " + partName(a.partId()));
                }
                Transaction t = tx.newTrans(a.volid(), a.partId(), 0, "NukeVolume");
                try {
                    if (!part.volumeExists(a.volid())) {
                        // A shadow mark left without its volume goes all the same.
                        ctx.shadows.volumeDeleted(part, a.volid());
                        // The stock nuke lists the volume's namei files, not its header: it removes
                        // what a lost header left behind, then fails on the header's unlink (-1).
                        int removed = part.removeHeaderlessLeftovers(a.volid());
                        if (removed > 0) {
                            log.log("NukeVolume: volume " + vol(a.volid()) + " on " + part.name()
                                + " had no header; removed " + removed + " files it left behind");
                        }
                        throw new RxCallException(NUKE_FAILED, "NukeVolume: no header of volume " + vol(a.volid())
                            + " on " + part.name() + (removed > 0 ? "; removed " + removed + " files it left behind" : ""));
                    }
                    part.deleteVolume(a.volid());
                    ctx.shadows.volumeDeleted(part, a.volid());
                } finally {
                    if (table.end(t)) {
                        tx.dispose(t, false);
                    }
                }
                return null;
            });
    }

    /** GetNthVolume (110): never implemented by the stock server either. */
    VolserOps.NthVolume getNthVolume(RxCall call, Integer index) throws RxCallException {
        ctx.query(call);
        throw new RxCallException(VolserErrors.VOLSERNO_OP, "GetNthVolume is not supported");
    }

    /** SplitVolume (65547): answered as by a 1.8 server built without split support. */
    Void splitVolume(RxCall call, VolserOps.SplitVolumeArgs a) throws Exception {
        if (!ctx.auth.isSuperUser(call.connection())) {
            throw new RxCallException(VolserErrors.EPERM, "SplitVolume: caller is not a superuser");
        }
        log.log(ctx.who(call.connection()) + " asked to split volume " + vol(a.vid()) + ": not supported");
        throw new RxCallException(VolserErrors.VOLSERBADOP, "SplitVolume is not supported");
    }

    // ------------------------------------------------------------------ clones

    /** Clone (105), with the 1.8 side effects on the source's cloneId/backupId/backupDate. */
    Integer clone(RxCall call, VolserOps.CloneArgs a) throws Exception {
        String what = tx.transWhat(a.trans()) + " new volume " + vol(a.newVol()) + " '" + a.newName() + "' type "
            + a.newType() + (a.purgeVol() != 0 ? " purge " + vol(a.purgeVol()) : "");
        return ctx.logged(call, "Clone", "AFS_VS_Clone", () -> what, () -> {
            if (nameBytes(a.newName()) > MAX_NAME) {
                throw new RxCallException(VolserErrors.VOLSERBADNAME, "Clone: name longer than " + MAX_NAME);
            }
            ctx.requireSuperUser(call, "Clone");
            int newId = a.newVol();
            if (newId == 0) {
                // 1.8 logs and answers 0 without cloning (volser.md §6 Clone 2).
                log.log("Clone: missing volume number for the clone; nothing done");
                return 0;
            }
            return tx.onTrans(a.trans(), "Clone", t -> {
                Transaction ct = tx.newTrans(newId, t.partitionId, 0, "Clone");
                try {
                    synchronized (ct) {
                        doClone(t, ct, a.purgeVol(), a.newType(), a.newName());
                        ctx.shadows.cloned(call, t.partitionId, t.volumeId, newId, a.newName());
                    }
                } finally {
                    if (table.end(ct)) {
                        tx.dispose(ct, false);
                    }
                }
                return newId;
            });
        });
    }

    private void doClone(Transaction t, Transaction ct, int purgeId, int newType, String newName) throws IOException {
        NameiPartition part = t.partition;
        int newId = ct.volumeId;
        VolumeDiskData src = t.volume.readDiskData();
        if (purgeId != 0) {
            VolumeDiskData p;
            try (Volume pv = part.openVolume(purgeId)) {
                p = pv.readDiskData();
            }
            if (p.type() != ROVOL) {
                throw new RxCallException(VolserErrors.EINVAL, "Clone: purge volume " + vol(purgeId) + " is not read-only");
            }
            if (p.parentId() != src.parentId()) {
                throw new RxCallException(VolserErrors.EXDEV, "Clone: purge volume " + vol(purgeId)
                    + " belongs to another volume group");
            }
        }
        if (src.destroyMe() == VolumeDiskData.DESTROY_ME || !src.inService()) {
            throw new RxCallException(VolserErrors.VOFFLINE, "Clone: volume " + vol(t.volumeId)
                + " is offline and cannot be cloned");
        }
        if (purgeId != 0 && purgeId != newId) {
            part.deleteVolume(purgeId);
        } else if (purgeId == newId) {
            // A reclone through Clone: the old clone's data is released, the new one shares the source's.
            part.deleteVolume(purgeId);
        }
        if (part.volumeExists(newId)) {
            throw new RxCallException(VolserErrors.VVOLEXISTS, "Clone: volume " + vol(newId) + " exists");
        }
        if (ctx.elsewhere(newId, part.partitionId()) != null) {
            throw new RxCallException(VolserErrors.EXDEV, "Clone: volume " + vol(newId) + " exists on another partition");
        }
        if (newType == ROVOL) {
            // Written before the copy, so the clone's header carries it too, as with the stock server.
            src.cloneId(newId);
            // made durable by cloneVolume, which syncs the source's volume info with the clone
            t.volume.writeDiskDataUnsynced(src);
        }
        int now = ctx.now();
        // The clone's uniquifier is its source's, as the stock CloneVolume leaves it (it copies the
        // source's header, and a volume utility's header writes never change the uniquifier). On
        // stock nodes both read 200 higher once the fileserver has the volume attached: a
        // fileserver writes an in-use volume's header with its next uniquifier plus 200
        // (VOLUME_UPDATE_UNIQUIFIER_BUMP, so that a crash never reuses one). That is the job of the
        // fileserver running beside this volserver, which does it when it attaches our clone; the
        // test cell runs none on j1, hence 2 here against 202 on fs1 for a fresh volume.
        try (Volume nv = part.cloneVolume(t.volumeId, newId, d -> {
            if (newType == ROVOL) {
                d.type(ROVOL);
            } else if (newType == BACKVOL) {
                d.type(BACKVOL);
            }
            d.name(newName).creationDate(d.copyDate());
            clearStats(d);
            d.destroyMe(VolumeDiskData.DESTROY_ME).inService(false).inUse(0);
            if (newType == BACKVOL) {
                d.backupDate(d.copyDate());
            }
        })) {
            if (newType == BACKVOL) {
                VolumeDiskData c = nv.readDiskData();
                VolumeDiskData s = t.volume.readDiskData();
                s.backupId(newId).backupDate(c.copyDate());
                t.volume.writeDiskData(s);
            }
        }
    }

    /** ClearVolumeStats: usage counters and detailed statistics start afresh. */
    private static void clearStats(VolumeDiskData d) {
        d.dayUse(0).dayUseDate(0);
        for (int i = 0; i < 7; i++) {
            d.weekUse(i, 0);
        }
        d.clearDetailedStats();
    }

    /** ReClone (120): refresh an existing clone from the transaction's volume. */
    Void reClone(RxCall call, VolserOps.TransValue a) throws Exception {
        String what = tx.transWhat(a.trans()) + " clone " + vol(a.value());
        return ctx.logged(call, "ReClone", "AFS_VS_ReClone", () -> what, () -> {
            ctx.requireSuperUser(call, "ReClone");
            int cloneId = a.value();
            return tx.onTrans(a.trans(), "ReClone", t -> {
                Transaction ct = tx.newTrans(cloneId, t.partitionId, 0, "ReClone");
                try {
                    synchronized (ct) {
                        doReClone(t, cloneId);
                    }
                } finally {
                    if (table.end(ct)) {
                        tx.dispose(ct, false);
                    }
                }
                return null;
            });
        });
    }

    /**
     * Re-syncs the clone in place (partition-io's recloneVolume: the clone is old or new vnode by
     * vnode after a crash, never missing). Its header becomes the source's (CopyVolumeHeader: all but
     * id, parentId and copyDate), then the reclone fix-ups of volser.md §6 ReClone.
     */
    private void doReClone(Transaction t, int cloneId) throws IOException {
        NameiPartition part = t.partition;
        VolumeDiskData src = t.volume.readDiskData();
        if (src.destroyMe() == VolumeDiskData.DESTROY_ME || !src.inService()) {
            throw new RxCallException(VolserErrors.VOFFLINE, "ReClone: volume " + vol(t.volumeId) + " is offline");
        }
        VolumeDiskData old;
        try (Volume cv = part.openVolume(cloneId)) {
            old = cv.readDiskData();
        } catch (NoSuchVolumeException e) {
            throw new RxCallException(VolserErrors.VNOVOL, "ReClone: no clone " + vol(cloneId), e);
        }
        if (old.parentId() != src.parentId()) {
            throw new RxCallException(VolserErrors.EXDEV, "ReClone: " + vol(cloneId) + " is not a clone of "
                + vol(t.volumeId));
        }
        int type = old.type();
        int copyDate = old.copyDate();
        int now = ctx.now();
        String suffix = type == ROVOL ? ".readonly" : type == BACKVOL ? ".backup" : "";
        String name = truncateName(src.name(), suffix);
        part.recloneVolume(t.volumeId, cloneId, d -> {
            d.maxquota(src.maxquota()).minquota(src.minquota()).owner(src.owner()).accountNumber(src.accountNumber())
                .cloneId(src.cloneId()).backupId(src.backupId()).restoredFromId(src.restoredFromId())
                .accessDate(src.accessDate()).updateDate(src.updateDate()).expirationDate(src.expirationDate())
                .backupDate(src.backupDate()).blessed(src.blessed()).needsSalvaged(false)
                .volUpdateCounter(src.volUpdateCounter()).offlineMessage("");
            d.type(type).copyDate(copyDate).creationDate(now).name(name);
            clearStats(d);
            d.destroyMe(0).inService(true).inUse(0);
            if (type == BACKVOL) {
                d.backupDate(now);
            }
        });
        if (type == BACKVOL) {
            VolumeDiskData s = t.volume.readDiskData();
            s.backupId(cloneId).backupDate(now);
            t.volume.writeDiskData(s);
        }
    }

    /** AssignVolumeName: base name plus suffix, the base cut so that the whole fits VNAMESIZE. */
    static String truncateName(String base, String suffix) {
        byte[] b = base.getBytes(StandardCharsets.UTF_8);
        int room = MAX_NAME - suffix.length();
        if (b.length > room) {
            base = new String(b, 0, Math.max(room, 0), StandardCharsets.UTF_8);
        }
        return base + suffix;
    }

    /**
     * ConvertROtoRWvolume (65536): the RO volume becomes its group's RW volume (id = its parentId),
     * sharing the data files; the RO header goes away.
     */
    Void convertROtoRW(RxCall call, VolserOps.PartVolume a) throws Exception {
        return ctx.logged(call, "ConvertROtoRWvolume", "AFS_VS_ConvertRO",
            () -> "volume " + vol(a.volid()) + " " + partName(a.partId()), () -> {
                ctx.requireSuperUser(call, "ConvertROtoRWvolume");
                NameiPartition part = ctx.byId(a.partId());
                if (part == null || !part.volumeExists(a.volid())) {
                    throw new RxCallException(VolserErrors.ENODEV, "ConvertROtoRWvolume: no volume " + vol(a.volid())
                        + " on " + partName(a.partId()));
                }
                Transaction t = tx.newTrans(a.volid(), a.partId(), 0, "ConvertROtoRWvolume");
                try {
                    VolumeDiskData ro;
                    try (Volume v = part.openVolume(a.volid())) {
                        ro = v.readDiskData();
                    }
                    if (ro.type() != ROVOL) {
                        throw new RxCallException(VolserErrors.EINVAL, "ConvertROtoRWvolume: volume " + vol(a.volid())
                            + " is not read-only");
                    }
                    int rwId = ro.parentId();
                    Transaction rt = tx.newTrans(rwId, a.partId(), 0, "ConvertROtoRWvolume");
                    try {
                        if (part.volumeExists(rwId)) {
                            throw new RxCallException(VolserErrors.VVOLEXISTS, "ConvertROtoRWvolume: RW volume "
                                + vol(rwId) + " exists");
                        }
                        String name = ro.name().endsWith(".readonly")
                            ? ro.name().substring(0, ro.name().length() - ".readonly".length()) : ro.name();
                        try (Volume nv = part.cloneVolume(a.volid(), rwId, d -> d.type(RWVOL).name(name)
                            .parentId(rwId).cloneId(a.volid()).destroyMe(0).inService(true).inUse(0))) {
                            nv.readDiskData();
                        }
                        part.deleteVolume(a.volid());
                        ctx.shadows.volumeDeleted(part, a.volid());
                    } finally {
                        if (table.end(rt)) {
                            tx.dispose(rt, false);
                        }
                    }
                } finally {
                    if (table.end(t)) {
                        tx.dispose(t, false);
                    }
                }
                return null;
            });
    }
}
