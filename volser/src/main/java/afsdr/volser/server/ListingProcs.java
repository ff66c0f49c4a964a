package afsdr.volser.server;

import afsdr.nativeio.FsStat;
import afsdr.partition.NameiPartition;
import afsdr.partition.Volume;
import afsdr.partition.VolumeDiskData;
import afsdr.partition.VolumeHeader;
import afsdr.rx.RxCall;
import afsdr.rx.RxCallException;
import afsdr.volser.wire.DiskPartition64;
import afsdr.volser.wire.DiskPartition;
import afsdr.volser.wire.VolintInfo;
import afsdr.volser.wire.VolintXInfo;
import afsdr.volser.wire.VolserConstants;
import afsdr.volser.wire.VolserErrors;
import afsdr.volser.wire.VolserOps;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import static afsdr.volser.server.VolserContext.partName;
import static afsdr.volser.server.VolserContext.vol;

/**
 * The query procedures: partitions (ListPartitions, XListPartitions, PartitionInfo, PartitionInfo64)
 * and volumes (ListVolumes, XListVolumes, ListOneVolume, XListOneVolume). Examining a volume takes a
 * short-lived transaction as the stock GetVolInfo does, so a volume in a transaction shows as busy.
 */
final class ListingProcs extends ProcGroup {
    /** ListPartitions' fixed answer covers only the single-letter partitions a..z (pIDs.partIds[26]). */
    static final int PIDS_SIZE = 26;

    ListingProcs(VolserContext ctx, Transactions tx) {
        super(ctx, tx);
    }

    // ------------------------------------------------------------------ partitions

    /** XListPartitions (127): the ids of every attached partition, in id order. */
    int[] xListPartitions() {
        return ctx.partitions.stream().mapToInt(NameiPartition::partitionId).sorted().toArray();
    }

    /** ListPartitions (115): partIds[i] = i when /vicep(a+i) is attached, else -1; a..z only. */
    int[] listPartitions() {
        int[] ids = new int[PIDS_SIZE];
        Arrays.fill(ids, -1);
        for (NameiPartition p : ctx.partitions) {
            if (p.partitionId() < PIDS_SIZE) {
                ids[p.partitionId()] = p.partitionId();
            }
        }
        return ids;
    }

    /**
     * PartitionInfo64 (65539). The stock server's quirk is kept on purpose (volser.md §2.5, realcell
     * G17): totalUsable is 0, free is what non-root may still use, and minFree carries the usable
     * size of the partition; vos prints minFree as "out of total".
     */
    DiskPartition64 partitionInfo64(RxCall call, String name) throws RxCallException {
        ctx.query(call);
        NameiPartition p = ctx.byName(name);
        FsStat st = usage(p);
        long reservedForRoot = Math.max(0, st.freeBytes() - st.availableBytes());
        long usableKb = (st.totalBytes() - reservedForRoot) / 1024;
        long freeKb = st.availableBytes() / 1024;
        return new DiskPartition64(p.name(), deviceOf(p), -1, 0, freeKb, usableKb);
    }

    /** PartitionInfo (119): as {@link #partitionInfo64} with the sizes clamped to 32 bits. */
    DiskPartition partitionInfo(RxCall call, String name) throws RxCallException {
        DiskPartition64 d = partitionInfo64(call, name);
        return new DiskPartition(d.name(), d.devName(), d.lockFd(), 0,
            (int) Math.min(d.free(), 0xFFFFFFFFL), (int) Math.min(d.minFree(), 0xFFFFFFFFL));
    }

    private FsStat usage(NameiPartition p) throws RxCallException {
        try {
            return p.usage();
        } catch (IOException e) {
            log.log("PartitionInfo: statvfs of " + p.name() + " failed: " + e.getMessage());
            throw new RxCallException(VolserErrors.VOLSERILLEGAL_PARTITION, "statvfs " + p.name() + ": " + e.getMessage(), e);
        }
    }

    private String deviceOf(NameiPartition p) {
        return ctx.devices.getOrDefault(p.partitionId(), "");
    }

    // ------------------------------------------------------------------ listing

    private NameiPartition listPartition(int partId) throws RxCallException {
        NameiPartition p = partId >= 0 && partId < VolserConstants.VOLMAXPARTS ? ctx.byId(partId) : null;
        if (p == null) {
            throw new RxCallException(VolserErrors.VOLSERILLEGAL_PARTITION, "no partition " + partId);
        }
        return p;
    }

    /** What GetVolInfo found for one volume. */
    private record Found(int volid, VolumeDiskData data, boolean busy) {
    }

    /**
     * GetVolInfo: a short-lived transaction on the volume (so a concurrent TransCreate waits its turn,
     * and the tid counter moves as with the stock server), then its volume info. Null data: could not
     * be read.
     */
    private Found examine(NameiPartition part, int volid, String proc) {
        Transaction t;
        try {
            t = table.create(volid, part.partitionId(), 0, proc, ctx.now());
        } catch (TransactionTable.BusyException e) {
            return new Found(volid, null, true);
        }
        try (Volume v = part.openVolume(volid)) {
            return new Found(volid, v.readDiskData(), false);
        } catch (IOException e) {
            log.log(proc + ": could not attach volume " + vol(volid) + " (" + part.name() + "): " + e.getMessage());
            return new Found(volid, null, false);
        } finally {
            table.end(t);
        }
    }

    private <T> List<T> list(NameiPartition part, int flags, String proc, Function<Found, T> full,
                             Function<Integer, T> idOnly) throws IOException {
        List<T> out = new ArrayList<>();
        for (int volid : part.listVolumeIds()) {
            if (flags == 0) {
                out.add(idOnly.apply(volid));
                continue;
            }
            Found f = examine(part, volid, proc);
            if (f.data != null && f.data.destroyMe() == VolumeDiskData.DESTROY_ME) {
                continue;
            }
            out.add(full.apply(f));
        }
        return out;
    }

    private VolintInfo toInfo(Found f, int now) {
        if (f.busy) {
            return VolumeViews.busyInfo(f.volid);
        }
        if (f.data == null || f.data.destroyMe() == VolumeDiskData.DESTROY_ME) {
            return VolumeViews.unattachableInfo(f.volid, VolumeHeader.fileName(f.volid));
        }
        return VolumeViews.info(f.data, now);
    }

    private VolintXInfo toXInfo(Found f, int now) {
        if (f.busy) {
            return VolumeViews.busyXInfo(f.volid);
        }
        if (f.data == null || f.data.destroyMe() == VolumeDiskData.DESTROY_ME) {
            return VolumeViews.unattachableXInfo(f.volid, VolumeHeader.fileName(f.volid));
        }
        return VolumeViews.xinfo(f.data, now);
    }

    /** ListVolumes (116). */
    List<VolintInfo> listVolumes(RxCall call, VolserOps.PartFlags a) throws Exception {
        ctx.query(call);
        return ctx.logged(call, "ListVolumes", null, () -> partName(a.partId()) + " flags " + a.flags(), () -> {
            int now = ctx.now();
            return list(listPartition(a.partId()), a.flags(), "ListVolumes", f -> toInfo(f, now), VolumeViews::idOnly);
        });
    }

    /** XListVolumes (124). */
    List<VolintXInfo> xListVolumes(RxCall call, VolserOps.PartFlags a) throws Exception {
        ctx.query(call);
        return ctx.logged(call, "XListVolumes", null, () -> partName(a.partId()) + " flags " + a.flags(), () -> {
            int now = ctx.now();
            return list(listPartition(a.partId()), a.flags(), "XListVolumes", f -> toXInfo(f, now),
                VolumeViews::xIdOnly);
        });
    }

    private Found one(int partId, int volid, String proc) throws IOException {
        NameiPartition part = listPartition(partId);
        if (!part.volumeExists(volid)) {
            // vos examine/shadow/release/syncserv read ENODEV as "not on this partition".
            throw new RxCallException(VolserErrors.ENODEV, proc + ": no volume " + vol(volid) + " on " + part.name());
        }
        return examine(part, volid, proc);
    }

    /** ListOneVolume (121): exactly one entry, or ENODEV. */
    List<VolintInfo> listOneVolume(RxCall call, VolserOps.PartVolume a) throws Exception {
        ctx.query(call);
        return ctx.logged(call, "ListOneVolume", null, () -> "volume " + vol(a.volid()) + " " + partName(a.partId()),
            () -> {
                ctx.shadows.probed(call, a.partId(), a.volid());
                return List.of(toInfo(one(a.partId(), a.volid(), "ListOneVolume"), ctx.now()));
            });
    }

    /** XListOneVolume (125). */
    List<VolintXInfo> xListOneVolume(RxCall call, VolserOps.PartVolume a) throws Exception {
        ctx.query(call);
        return ctx.logged(call, "XListOneVolume", null, () -> "volume " + vol(a.volid()) + " " + partName(a.partId()),
            () -> {
                ctx.shadows.probed(call, a.partId(), a.volid());
                return List.of(toXInfo(one(a.partId(), a.volid(), "XListOneVolume"), ctx.now()));
            });
    }
}
