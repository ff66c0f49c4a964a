package afsdr.volser.server;

import afsdr.nativeio.Errno;
import afsdr.nativeio.FsStat;
import afsdr.nativeio.NativeIoException;
import afsdr.partition.AccessList;
import afsdr.partition.NameiPartition;
import afsdr.partition.NoSuchVolumeException;
import afsdr.partition.VnodeClass;
import afsdr.partition.VnodeDiskObject;
import afsdr.partition.Volume;
import afsdr.partition.VolumeDiskData;
import afsdr.partition.VolumeExistsException;
import afsdr.partition.VolumeFormatException;
import afsdr.partition.VolumeHeader;
import afsdr.partition.VolumeTree;
import afsdr.partition.dir.AfsDirectory;
import afsdr.rx.RxCall;
import afsdr.rx.RxCallException;
import afsdr.rx.RxClientConnection;
import afsdr.rx.RxConnectionInfo;
import afsdr.rx.rpc.RpcClient;
import afsdr.rx.rpc.RpcException;
import afsdr.volser.dump.DumpException;
import afsdr.volser.dump.VolumeDumper;
import afsdr.volser.dump.VolumeRestorer;
import afsdr.volser.wire.DestServer;
import afsdr.volser.wire.Replica;
import afsdr.volser.wire.RestoreCookie;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import afsdr.rx.rpc.RpcDispatcher;
import afsdr.volser.wire.DiskPartition;
import afsdr.volser.wire.DiskPartition64;
import afsdr.volser.wire.TransDebugInfo;
import afsdr.volser.wire.VolintInfo;
import afsdr.volser.wire.VolintXInfo;
import afsdr.volser.wire.VolserConstants;
import afsdr.volser.wire.VolserErrors;
import afsdr.volser.wire.VolserOps;
import afsdr.volser.wire.VolserStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static afsdr.volser.wire.VolserConstants.BACKVOL;
import static afsdr.volser.wire.VolserConstants.ITBusy;
import static afsdr.volser.wire.VolserConstants.ITCreate;
import static afsdr.volser.wire.VolserConstants.ITOffline;
import static afsdr.volser.wire.VolserConstants.ITReadOnly;
import static afsdr.volser.wire.VolserConstants.ROVOL;
import static afsdr.volser.wire.VolserConstants.RWVOL;
import static afsdr.volser.wire.VolserConstants.VTDeleteOnSalvage;
import static afsdr.volser.wire.VolserConstants.VTDeleted;
import static afsdr.volser.wire.VolserConstants.VTOutOfService;

/**
 * The VOLSER procedures (volser.md §3, §6), each checking in the stock order so that every error
 * code vos branches on (VNOVOL, VOLSERVOLBUSY, ENODEV, ENOENT...) comes out as from a 1.8 server.
 * Procedures not bound here are answered with RXGEN_OPCODE by the dispatcher, which vos takes as
 * "this server lacks the call".
 *
 * <p>Authorization: every procedure marked SU in volser.md §3 calls {@link #requireSuperUser}
 * first, before any lookup or I/O. Each procedure that names a volume or a transaction writes one
 * VolserLog line (caller, address, volume, transaction, result) and, when it changes something, an
 * audit record.
 */
final class VolserService {
    /** ListPartitions' fixed answer covers only the single-letter partitions a..z (pIDs.partIds[26]). */
    static final int PIDS_SIZE = 26;
    /** Longest volume name a server accepts (VNAMESIZE - 1). */
    static final int MAX_NAME = VolserConstants.VNAMESIZE - 1;
    /**
     * The offline message a stock volume utility leaves in the header while it has the volume
     * attached for update. Dumps taken during a transaction carry it, so ours do too (a stock
     * re-dump of a restored volume is 28 bytes longer than the original because of it).
     */
    static final String UTILITY_MESSAGE = "A volume utility is running.";
    /** ProgramType volumeServer: the inUse value on disk while one of our transactions updates a volume. */
    static final int VOLUME_SERVER_PROGRAM = 6;

    private final List<NameiPartition> partitions;
    /** Partition id to the device (mount source) it lives on, as discovery found it; devName on the wire. */
    private final Map<Integer, String> devices;
    private final VolserLog log;
    private final AuditLog audit;
    private final TransactionTable table = new TransactionTable();
    private final SuperUserCheck auth;
    private final Clock clock;
    private final boolean restrictQueries;

    VolserService(List<NameiPartition> partitions, Map<Integer, String> devices, VolserLog log, AuditLog audit,
                  SuperUserCheck auth, boolean restrictQueries, Clock clock) {
        this.partitions = partitions;
        this.devices = devices;
        this.log = log;
        this.audit = audit;
        this.auth = auth;
        this.restrictQueries = restrictQueries;
        this.clock = clock;
    }

    /** For tests and the simple case: no audit, queries open to everyone, the system clock. */
    VolserService(List<NameiPartition> partitions, Map<Integer, String> devices, VolserLog log, SuperUserCheck auth) {
        this(partitions, devices, log, null, auth, false, Clock.systemUTC());
    }

    TransactionTable table() {
        return table;
    }

    /** Opens an Rx connection to another volserver (service 4) for Forward; set once the endpoint exists. */
    interface Connector {
        RxClientConnection connect(InetSocketAddress volserver);
    }

    private volatile Connector connector;

    void connector(Connector c) {
        this.connector = c;
    }

    RpcDispatcher dispatcher() {
        return RpcDispatcher.builder(VolserOps.AFSVol)
            .on(VolserOps.XListPartitions, (call, none) -> { query(call); return xListPartitions(); })
            .on(VolserOps.ListPartitions, (call, none) -> { query(call); return listPartitions(); })
            .on(VolserOps.PartitionInfo64, this::partitionInfo64)
            .on(VolserOps.PartitionInfo, this::partitionInfo)
            .on(VolserOps.TransCreate, this::transCreate)
            .on(VolserOps.EndTrans, this::endTrans)
            .on(VolserOps.GetStatus, this::getStatus)
            .on(VolserOps.GetFlags, this::getFlags)
            .on(VolserOps.SetFlags, this::setFlags)
            .on(VolserOps.GetName, this::getName)
            .on(VolserOps.SetIdsTypes, this::setIdsTypes)
            .on(VolserOps.SetDate, this::setDate)
            .on(VolserOps.SetInfo, this::setInfo)
            .on(VolserOps.Monitor, (call, none) -> monitor(call))
            .on(VolserOps.CreateVolume, this::createVolume)
            .on(VolserOps.DeleteVolume, this::deleteVolume)
            .on(VolserOps.NukeVolume, this::nukeVolume)
            .on(VolserOps.ListVolumes, this::listVolumes)
            .on(VolserOps.XListVolumes, this::xListVolumes)
            .on(VolserOps.ListOneVolume, this::listOneVolume)
            .on(VolserOps.XListOneVolume, this::xListOneVolume)
            .on(VolserOps.GetNthVolume, this::getNthVolume)
            .on(VolserOps.SignalRestore, (call, a) -> null)
            .on(VolserOps.Clone, this::clone)
            .on(VolserOps.ReClone, this::reClone)
            .on(VolserOps.SetForwarding, this::setForwarding)
            .on(VolserOps.ConvertROtoRWvolume, this::convertROtoRW)
            .on(VolserOps.SplitVolume, this::splitVolume)
            .on(VolserOps.Dump, (call, a) -> dump(call, a.fromTrans(), a.fromDate(), true, "Dump"))
            .on(VolserOps.DumpV2, (call, a) -> dump(call, a.fromTrans(), a.fromDate(),
                (a.flags() & VolserConstants.VOLDUMPV2_OMITDIRS) == 0, "DumpV2"))
            .on(VolserOps.GetSize, this::getSize)
            .on(VolserOps.Restore, this::restore)
            .on(VolserOps.Forward, this::forward)
            .on(VolserOps.ForwardMultiple, this::forwardMultiple)
            .build();
    }

    int now() {
        return (int) (clock.millis() / 1000);
    }

    // ------------------------------------------------------------------ authorization and logging

    private void requireSuperUser(RxCall call, String proc) throws RxCallException {
        if (!auth.isSuperUser(call.connection())) {
            log.log(who(call.connection()) + " is not authorized to run " + proc + " (not a superuser)");
            throw new RxCallException(VolserErrors.VOLSERBAD_ACCESS, proc + ": caller is not a superuser");
        }
    }

    /** The "restricted query" check (-restricted_query admin makes the query RPCs SU-only). */
    private void query(RxCall call) throws RxCallException {
        if (restrictQueries && !auth.isSuperUser(call.connection())) {
            throw new RxCallException(VolserErrors.VOLSERBAD_ACCESS, "queries are restricted to superusers");
        }
    }

    private String who(RxConnectionInfo c) {
        return auth.callerName(c) + " on " + c.peer().getAddress().getHostAddress();
    }

    private static String vol(int id) {
        return Integer.toUnsignedString(id);
    }

    private void done(RxCall call, String proc, String what, int code) {
        log.log(who(call.connection()) + " is executing " + proc + " " + what + ": "
            + (code == 0 ? "ok" : "error " + code));
    }

    private void audited(RxCall call, String event, int code, String args) {
        if (audit != null) {
            RxConnectionInfo c = call.connection();
            audit.record(event, code, auth.callerName(c), c.peer().getAddress().getHostAddress(), args);
        }
    }

    @FunctionalInterface
    private interface Body<R> {
        R run() throws IOException, InterruptedException;
    }

    /**
     * Runs one logged (and, with {@code event}, audited) procedure: one VolserLog line with the
     * outcome, I/O failures turned into VOLSER codes.
     */
    private <R> R logged(RxCall call, String proc, String event, Body<String> what, Body<R> body) throws Exception {
        int code = 0;
        try {
            return body.run();
        } catch (RxCallException e) {
            code = e.code();
            throw e;
        } catch (IOException e) {
            RxCallException x = ioFailure(proc, e);
            code = x.code();
            log.log(proc + ": " + e.getMessage());
            throw x;
        } finally {
            String w;
            try {
                w = what.run();
            } catch (Exception e) {
                w = "?";
            }
            done(call, proc, w, code);
            if (event != null) {
                audited(call, event, code, w);
            }
        }
    }

    /** Errors of the partition layer as a stock server reports them. */
    static RxCallException ioFailure(String proc, IOException e) {
        if (e instanceof RxCallException r) {
            return r;
        }
        if (e instanceof NoSuchVolumeException) {
            return new RxCallException(VolserErrors.VNOVOL, proc + ": " + e.getMessage(), e);
        }
        if (e instanceof VolumeFormatException) {
            return new RxCallException(VolserErrors.VSALVAGE, proc + ": " + e.getMessage(), e);
        }
        if (e instanceof NativeIoException n) {
            if (n.errno() == Errno.ENOSPC) {
                return new RxCallException(VolserErrors.VDISKFULL, proc + ": " + e.getMessage(), e);
            }
            if (n.errno() == Errno.EDQUOT) {
                return new RxCallException(VolserErrors.VOVERQUOTA, proc + ": " + e.getMessage(), e);
            }
        }
        return new RxCallException(VolserErrors.EIO, proc + ": " + e.getMessage(), e);
    }

    // ------------------------------------------------------------------ partitions

    /** XListPartitions (127): the ids of every attached partition, in id order. */
    int[] xListPartitions() {
        return partitions.stream().mapToInt(NameiPartition::partitionId).sorted().toArray();
    }

    /** ListPartitions (115): partIds[i] = i when /vicep(a+i) is attached, else -1; a..z only. */
    int[] listPartitions() {
        int[] ids = new int[PIDS_SIZE];
        Arrays.fill(ids, -1);
        for (NameiPartition p : partitions) {
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
        query(call);
        NameiPartition p = byName(name);
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

    private NameiPartition byName(String name) throws RxCallException {
        for (NameiPartition p : partitions) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        throw new RxCallException(VolserErrors.VOLSERILLEGAL_PARTITION, "no partition " + name);
    }

    /** The attached partition with this id, or null. */
    NameiPartition byId(int id) {
        for (NameiPartition p : partitions) {
            if (p.partitionId() == id) {
                return p;
            }
        }
        return null;
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
        return devices.getOrDefault(p.partitionId(), "");
    }

    private static String partName(int id) {
        return id >= 0 && id < VolserConstants.VOLMAXPARTS ? VolserConstants.partitionName(id) : "partition " + id;
    }

    // ------------------------------------------------------------------ transactions

    /**
     * Attaches {@code volumeId} on {@code part} for transaction {@code t} (XAttachVolume): VNOVOL when
     * the header is missing, VSALVAGE when the volume is damaged, needs salvage, or was left in use by
     * a process that died. Updating modes mark the volume in use on disk until {@link #detach}.
     */
    private void attach(Transaction t, NameiPartition part, boolean update) throws IOException {
        Volume v = part.openVolume(t.volumeId);
        boolean ok = false;
        try {
            VolumeDiskData d = v.readDiskData();
            if (d.needsSalvaged()) {
                throw new RxCallException(VolserErrors.VSALVAGE, "volume " + vol(t.volumeId) + " needs salvage");
            }
            if (update && d.inUse() != 0 && d.type() == RWVOL) {
                // No transaction of ours holds it (NewTrans succeeded), so whoever set it is gone
                // without putting the volume back: its contents are suspect.
                throw new RxCallException(VolserErrors.VSALVAGE, "volume " + vol(t.volumeId)
                    + " was left in use (inUse " + d.inUse() + ") and must be salvaged");
            }
            if (update) {
                v.writeDiskData(d.inUse(VOLUME_SERVER_PROGRAM).offlineMessage(UTILITY_MESSAGE));
                t.markedInUse = true;
            }
            t.volume = v;
            t.partition = part;
            ok = true;
        } finally {
            if (!ok) {
                v.close();
            }
        }
    }

    /** Puts the transaction's volume back: not in use on disk, files closed. Never throws. */
    void detach(Transaction t) {
        synchronized (t) {
            Volume v = t.volume;
            t.volume = null;
            if (v == null) {
                return;
            }
            try {
                if (t.markedInUse && !t.deleted()) {
                    // Putting the volume back is what a fileserver's attach would do: not in use, and
                    // no utility message left for clients.
                    VolumeDiskData d = v.readDiskData();
                    if (d.inUse() != 0 || d.offlineMessage().equals(UTILITY_MESSAGE)) {
                        if (d.offlineMessage().equals(UTILITY_MESSAGE)) {
                            d.offlineMessage("");
                        }
                        v.writeDiskData(d.inUse(0));
                    }
                }
            } catch (IOException e) {
                log.log("Detaching volume " + vol(t.volumeId) + " of transaction " + t.tid + " failed: " + e.getMessage());
            } finally {
                t.markedInUse = false;
                try {
                    v.close();
                } catch (IOException e) {
                    log.log("Closing volume " + vol(t.volumeId) + ": " + e.getMessage());
                }
            }
        }
    }

    /** Drops a transaction whose table entry is gone: purges a half-made volume if asked, detaches. */
    private void dispose(Transaction t, boolean purgeTemporary) {
        if (purgeTemporary) {
            synchronized (t) {
                try {
                    if (t.volume != null && !t.deleted()
                        && t.volume.readDiskData().destroyMe() == VolumeDiskData.DESTROY_ME) {
                        log.log("Deleting timed-out temporary volume " + vol(t.volumeId));
                        Volume v = t.volume;
                        t.volume = null;
                        v.close();
                        t.partition.deleteVolume(t.volumeId);
                        t.vflags |= VTDeleted;
                    }
                } catch (IOException e) {
                    log.log("Purging timed-out volume " + vol(t.volumeId) + " failed: " + e.getMessage());
                }
            }
        }
        detach(t);
    }

    /** FindTrans for a procedure: ENOENT when unknown or (unless {@code allowDeleted}) deleted. */
    private Transaction acquire(int tid, String proc, boolean allowDeleted) throws RxCallException {
        Transaction t = table.acquire(tid, proc, now());
        if (t == null) {
            throw new RxCallException(VolserErrors.ENOENT, proc + ": no transaction " + tid);
        }
        if (!allowDeleted && t.deleted()) {
            release(t);
            throw new RxCallException(VolserErrors.ENOENT, proc + ": the volume of transaction " + tid + " was deleted");
        }
        return t;
    }

    private void release(Transaction t) {
        if (table.release(t, now())) {
            dispose(t, false);
        }
    }

    @FunctionalInterface
    private interface TransBody<R> {
        R run(Transaction t) throws IOException, InterruptedException;
    }

    /** Runs {@code body} on live transaction {@code tid}, holding it for the duration. */
    private <R> R onTrans(int tid, String proc, TransBody<R> body) throws IOException, InterruptedException {
        Transaction t = acquire(tid, proc, false);
        try {
            synchronized (t) {
                if (t.deleted() || t.volume == null) {
                    throw new RxCallException(VolserErrors.ENOENT, proc + ": the volume of transaction " + tid
                        + " was deleted");
                }
                return body.run(t);
            }
        } finally {
            release(t);
        }
    }

    private String transWhat(int tid) {
        for (Transaction t : table.all()) {
            if (t.tid == tid) {
                return "transaction " + tid + " volume " + vol(t.volumeId) + " " + partName(t.partitionId);
            }
        }
        return "transaction " + tid;
    }

    /** TransCreate (108). */
    Integer transCreate(RxCall call, VolserOps.TransCreateArgs a) throws Exception {
        int[] tid = {0};
        return logged(call, "TransCreate", "AFS_VS_TransCr",
            () -> "volume " + vol(a.volume()) + " " + partName(a.partition()) + " iflags 0x"
                + Integer.toHexString(a.flags()) + (tid[0] != 0 ? " transaction " + tid[0] : ""),
            () -> {
                requireSuperUser(call, "TransCreate");
                int f = a.flags();
                boolean update;
                if ((f & ITCreate) != 0 || (f & ITBusy) != 0) {
                    update = true;
                } else if ((f & ITReadOnly) != 0) {
                    update = false;
                } else if ((f & ITOffline) != 0) {
                    update = true;
                } else {
                    throw new RxCallException(VolserErrors.EINVAL, "TransCreate: iflags 0x" + Integer.toHexString(f)
                        + " name no attach mode");
                }
                Transaction t = newTrans(a.volume(), a.partition(), f, "TransCreate");
                try {
                    NameiPartition part = byId(a.partition());
                    if (part == null) {
                        throw new RxCallException(VolserErrors.VNOVOL, "TransCreate: no partition " + a.partition());
                    }
                    synchronized (t) {
                        attach(t, part, update);
                    }
                } catch (IOException | RuntimeException e) {
                    if (table.end(t)) {
                        dispose(t, false);
                    }
                    throw e;
                }
                release(t);
                tid[0] = t.tid;
                return t.tid;
            });
    }

    private Transaction newTrans(int volumeId, int partitionId, int iflags, String proc) throws RxCallException {
        try {
            return table.create(volumeId, partitionId, iflags, proc, now());
        } catch (TransactionTable.BusyException e) {
            throw new RxCallException(VolserErrors.VOLSERVOLBUSY, proc + ": " + e.getMessage());
        }
    }

    /** EndTrans (104): rcode is the transaction's returnCode, always 0 as in 1.8. */
    Integer endTrans(RxCall call, Integer tid) throws Exception {
        String what = transWhat(tid);
        return logged(call, "EndTrans", "AFS_VS_EndTrn", () -> what, () -> {
            requireSuperUser(call, "EndTrans");
            Transaction t = acquire(tid, "EndTrans", true);
            if (table.end(t)) {
                dispose(t, false);
            }
            return 0;
        });
    }

    /** GetStatus (113). */
    VolserStatus getStatus(RxCall call, Integer tid) throws Exception {
        query(call);
        return onTrans(tid, "GetStatus", t -> VolumeViews.status(t.volume.readDiskData()));
    }

    /** GetFlags (107): the transaction's stored vflags, not the header's state. */
    Integer getFlags(RxCall call, Integer tid) throws Exception {
        query(call);
        return onTrans(tid, "GetFlags", t -> t.vflags);
    }

    /** GetName (112). */
    String getName(RxCall call, Integer tid) throws Exception {
        query(call);
        return onTrans(tid, "GetName", t -> t.volume.readDiskData().name());
    }

    /** SetFlags (106): VTDeleteOnSalvage ⇒ destroyMe, VTOutOfService ⇒ not in service; EROFS on ITReadOnly. */
    Void setFlags(RxCall call, VolserOps.TransValue a) throws Exception {
        String what = transWhat(a.trans()) + " flags 0x" + Integer.toHexString(a.value());
        return logged(call, "SetFlags", "AFS_VS_SetFlags", () -> what, () -> {
            requireSuperUser(call, "SetFlags");
            return onTrans(a.trans(), "SetFlags", t -> {
                if ((t.iflags & ITReadOnly) != 0) {
                    throw new RxCallException(VolserErrors.EROFS, "SetFlags: transaction " + t.tid + " is read-only");
                }
                VolumeDiskData d = t.volume.readDiskData();
                d.destroyMe((a.value() & VTDeleteOnSalvage) != 0 ? VolumeDiskData.DESTROY_ME : 0);
                d.inService((a.value() & VTOutOfService) == 0);
                t.volume.writeDiskData(d);
                t.vflags = a.value();
                return null;
            });
        });
    }

    /** SetIdsTypes (117). */
    Void setIdsTypes(RxCall call, VolserOps.SetIdsTypesArgs a) throws Exception {
        String what = transWhat(a.tid()) + " name " + a.name() + " type " + a.type() + " parent " + vol(a.pId())
            + " clone " + vol(a.cloneId()) + " backup " + vol(a.backupId());
        return logged(call, "SetIdsTypes", "AFS_VS_SetIdTy", () -> what, () -> {
            if (nameBytes(a.name()) > MAX_NAME) {
                throw new RxCallException(VolserErrors.VOLSERBADNAME, "SetIdsTypes: name longer than " + MAX_NAME);
            }
            requireSuperUser(call, "SetIdsTypes");
            return onTrans(a.tid(), "SetIdsTypes", t -> {
                VolumeDiskData d = t.volume.readDiskData();
                d.type(a.type()).backupId(a.backupId()).cloneId(a.cloneId()).parentId(a.pId()).name(a.name());
                t.volume.writeDiskData(d);
                return null;
            });
        });
    }

    /** SetDate (123): the creation date. */
    Void setDate(RxCall call, VolserOps.TransValue a) throws Exception {
        String what = transWhat(a.trans()) + " date " + Integer.toUnsignedString(a.value());
        return logged(call, "SetDate", "AFS_VS_SetDate", () -> what, () -> {
            requireSuperUser(call, "SetDate");
            return onTrans(a.trans(), "SetDate", t -> {
                t.volume.writeDiskData(t.volume.readDiskData().creationDate(a.value()));
                return null;
            });
        });
    }

    /** SetInfo (126): maxquota, dayUse, creationDate, updateDate, spare2 (volUpdateCounter), each unless -1. */
    Void setInfo(RxCall call, VolserOps.SetInfoArgs a) throws Exception {
        VolintInfo i = a.info();
        String what = transWhat(a.tid()) + " maxquota " + i.maxquota() + " dayUse " + i.dayUse() + " creation "
            + i.creationDate() + " update " + i.updateDate() + " updateCounter " + i.spare2();
        return logged(call, "SetInfo", "AFS_VS_SetInfo", () -> what, () -> {
            requireSuperUser(call, "SetInfo");
            return onTrans(a.tid(), "SetInfo", t -> {
                VolumeDiskData d = t.volume.readDiskData();
                if (i.maxquota() != -1) {
                    d.maxquota(i.maxquota());
                }
                if (i.dayUse() != -1) {
                    d.dayUse(i.dayUse());
                }
                if (i.creationDate() != -1) {
                    d.creationDate(i.creationDate());
                }
                if (i.updateDate() != -1) {
                    d.updateDate(i.updateDate());
                }
                if (i.spare2() != -1) {
                    d.volUpdateCounter(i.spare2());
                }
                t.volume.writeDiskData(d);
                return null;
            });
        });
    }

    /** Monitor (118): every transaction. No Rx call is ever attached between RPCs here. */
    List<TransDebugInfo> monitor(RxCall call) throws RxCallException {
        query(call);
        List<TransDebugInfo> out = new ArrayList<>();
        for (Transaction t : table.all()) {
            int[] tf = table.times(t);
            out.add(new TransDebugInfo(t.tid, tf[0], t.creationTime, 0, t.volumeId, t.partitionId, t.iflags,
                t.vflags, tf[1], table.lastProc(t), 0, 0, 0, 0, 0));
        }
        return out;
    }

    // ------------------------------------------------------------------ volumes

    private static int nameBytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** Whether some other attached partition holds a volume with this id. */
    private NameiPartition elsewhere(int volumeId, int partitionId) throws IOException {
        for (NameiPartition p : partitions) {
            if (p.partitionId() != partitionId && p.volumeExists(volumeId)) {
                return p;
            }
        }
        return null;
    }

    /** CreateVolume (100). */
    VolserOps.CreateVolumeResult createVolume(RxCall call, VolserOps.CreateVolumeArgs a) throws Exception {
        int[] tid = {0};
        return logged(call, "CreateVolume", "AFS_VS_CrVol", () -> "volume " + vol(a.volid()) + " '" + a.name() + "' "
            + partName(a.partition()) + " type " + a.type() + " parent " + vol(a.parent())
            + (tid[0] != 0 ? " transaction " + tid[0] : ""), () -> {
                if (nameBytes(a.name()) > MAX_NAME) {
                    throw new RxCallException(VolserErrors.VOLSERBADNAME, "CreateVolume: name longer than " + MAX_NAME);
                }
                requireSuperUser(call, "CreateVolume");
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
                Transaction t = newTrans(volid, a.partition(), 0, "CreateVolume");
                try {
                    NameiPartition part = byId(a.partition());
                    if (part == null) {
                        throw new RxCallException(VolserErrors.EIO, "CreateVolume: no partition " + a.partition());
                    }
                    // A RW id may exist on another partition only in the middle of a move (parent == id).
                    if (!(a.type() == RWVOL && parent == volid) && elsewhere(volid, a.partition()) != null) {
                        throw new RxCallException(VolserErrors.EIO, "CreateVolume: volume " + vol(volid)
                            + " exists on another partition");
                    }
                    synchronized (t) {
                        create(t, part, a.name(), a.type(), parent, withRoot);
                    }
                } catch (VolumeExistsException e) {
                    if (table.end(t)) {
                        dispose(t, false);
                    }
                    throw new RxCallException(VolserErrors.EIO, "CreateVolume: " + e.getMessage(), e);
                } catch (IOException | RuntimeException e) {
                    if (table.end(t)) {
                        dispose(t, false);
                    }
                    if (e instanceof IOException io) {
                        throw ioFailure("CreateVolume", io);
                    }
                    throw e;
                }
                release(t);
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
        int now = now();
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
        String what = transWhat(tid);
        return logged(call, "DeleteVolume", "AFS_VS_DelVol", () -> what, () -> {
            requireSuperUser(call, "DeleteVolume");
            return onTrans(tid, "DeleteVolume", t -> {
                Volume v = t.volume;
                t.volume = null;
                t.markedInUse = false;
                v.close();
                t.vflags |= VTDeleted;
                t.partition.deleteVolume(t.volumeId);
                return null;
            });
        });
    }

    /** NukeVolume (122): remove the volume's files from the partition, without a transaction. */
    Void nukeVolume(RxCall call, VolserOps.PartVolume a) throws Exception {
        return logged(call, "NukeVolume", "AFS_VS_NukVol", () -> "volume " + vol(a.volid()) + " " + partName(a.partId()),
            () -> {
                requireSuperUser(call, "NukeVolume");
                NameiPartition part = byId(a.partId());
                if (part == null) {
                    throw new RxCallException(VolserErrors.VOLSERILLEGAL_PARTITION, "NukeVolume: no partition "
                        + a.partId());
                }
                Transaction t = newTrans(a.volid(), a.partId(), 0, "NukeVolume");
                try {
                    if (part.volumeExists(a.volid())) {
                        part.deleteVolume(a.volid());
                    }
                } finally {
                    if (table.end(t)) {
                        dispose(t, false);
                    }
                }
                return null;
            });
    }

    /** GetNthVolume (110): never implemented by the stock server either. */
    VolserOps.NthVolume getNthVolume(RxCall call, Integer index) throws RxCallException {
        query(call);
        throw new RxCallException(VolserErrors.VOLSERNO_OP, "GetNthVolume is not supported");
    }

    /** SetForwarding (111): there is no fileserver here to tell that the volume moved. */
    Void setForwarding(RxCall call, VolserOps.TransValue a) throws Exception {
        String what = transWhat(a.trans()) + " newsite 0x" + Integer.toHexString(a.value());
        return logged(call, "SetForwarding", "AFS_VS_SetForw", () -> what, () -> {
            requireSuperUser(call, "SetForwarding");
            return onTrans(a.trans(), "SetForwarding", t -> null);
        });
    }

    /** SplitVolume (65547): answered as by a 1.8 server built without split support. */
    Void splitVolume(RxCall call, VolserOps.SplitVolumeArgs a) throws Exception {
        if (!auth.isSuperUser(call.connection())) {
            throw new RxCallException(VolserErrors.EPERM, "SplitVolume: caller is not a superuser");
        }
        log.log(who(call.connection()) + " asked to split volume " + vol(a.vid()) + ": not supported");
        throw new RxCallException(VolserErrors.VOLSERBADOP, "SplitVolume is not supported");
    }

    // ------------------------------------------------------------------ clones

    /** Clone (105), with the 1.8 side effects on the source's cloneId/backupId/backupDate. */
    Integer clone(RxCall call, VolserOps.CloneArgs a) throws Exception {
        String what = transWhat(a.trans()) + " new volume " + vol(a.newVol()) + " '" + a.newName() + "' type "
            + a.newType() + (a.purgeVol() != 0 ? " purge " + vol(a.purgeVol()) : "");
        return logged(call, "Clone", "AFS_VS_Clone", () -> what, () -> {
            if (nameBytes(a.newName()) > MAX_NAME) {
                throw new RxCallException(VolserErrors.VOLSERBADNAME, "Clone: name longer than " + MAX_NAME);
            }
            requireSuperUser(call, "Clone");
            int newId = a.newVol();
            if (newId == 0) {
                // 1.8 logs and answers 0 without cloning (volser.md §6 Clone 2).
                log.log("Clone: missing volume number for the clone; nothing done");
                return 0;
            }
            return onTrans(a.trans(), "Clone", t -> {
                Transaction ct = newTrans(newId, t.partitionId, 0, "Clone");
                try {
                    synchronized (ct) {
                        doClone(t, ct, a.purgeVol(), a.newType(), a.newName());
                    }
                } finally {
                    if (table.end(ct)) {
                        dispose(ct, false);
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
        if (elsewhere(newId, part.partitionId()) != null) {
            throw new RxCallException(VolserErrors.EXDEV, "Clone: volume " + vol(newId) + " exists on another partition");
        }
        if (newType == ROVOL) {
            // Written before the copy, so the clone's header carries it too, as with the stock server.
            src.cloneId(newId);
            t.volume.writeDiskData(src);
        }
        int now = now();
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
        String what = transWhat(a.trans()) + " clone " + vol(a.value());
        return logged(call, "ReClone", "AFS_VS_ReClone", () -> what, () -> {
            requireSuperUser(call, "ReClone");
            int cloneId = a.value();
            return onTrans(a.trans(), "ReClone", t -> {
                Transaction ct = newTrans(cloneId, t.partitionId, 0, "ReClone");
                try {
                    synchronized (ct) {
                        doReClone(t, cloneId);
                    }
                } finally {
                    if (table.end(ct)) {
                        dispose(ct, false);
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
        int now = now();
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
        return logged(call, "ConvertROtoRWvolume", "AFS_VS_ConvertRO",
            () -> "volume " + vol(a.volid()) + " " + partName(a.partId()), () -> {
                requireSuperUser(call, "ConvertROtoRWvolume");
                NameiPartition part = byId(a.partId());
                if (part == null || !part.volumeExists(a.volid())) {
                    throw new RxCallException(VolserErrors.ENODEV, "ConvertROtoRWvolume: no volume " + vol(a.volid())
                        + " on " + partName(a.partId()));
                }
                Transaction t = newTrans(a.volid(), a.partId(), 0, "ConvertROtoRWvolume");
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
                    Transaction rt = newTrans(rwId, a.partId(), 0, "ConvertROtoRWvolume");
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
                    } finally {
                        if (table.end(rt)) {
                            dispose(rt, false);
                        }
                    }
                } finally {
                    if (table.end(t)) {
                        dispose(t, false);
                    }
                }
                return null;
            });
    }

    // ------------------------------------------------------------------ dump, restore, forward

    /**
     * Dump (109) / DumpV2 (65538): the dump stream is the reply. A failure part-way aborts the call,
     * so vos sees the code from rx_EndCall after the bytes it already has.
     */
    Void dump(RxCall call, int tid, int fromDate, boolean dumpAllDirs, String proc) throws Exception {
        String what = transWhat(tid) + " from " + Integer.toUnsignedString(fromDate);
        long[] bytes = {0};
        return logged(call, proc, "AFS_VS_Dump", () -> what + " (" + bytes[0] + " bytes)", () -> {
            requireSuperUser(call, proc);
            return onTrans(tid, proc, t -> {
                try {
                    bytes[0] = VolumeDumper.dump(t.volume, fromDate, dumpAllDirs, call.output());
                } catch (RxCallException e) {
                    throw e;
                } catch (IOException e) {
                    throw new RxCallException(DumpException.codeOf(e, true), proc + ": " + e.getMessage(), e);
                }
                return null;
            });
        });
    }

    /** GetSize (65537): the exact length Dump would produce. */
    Long getSize(RxCall call, VolserOps.DumpArgs a) throws Exception {
        requireSuperUser(call, "GetSize");
        return onTrans(a.fromTrans(), "GetSize", t -> VolumeDumper.getSize(t.volume, a.fromDate()));
    }

    /**
     * Restore (102): the raw dump follows the arguments and is read to its end. The restore is atomic
     * (VolumeRestorer): a malformed or cut stream leaves the volume as it was.
     */
    Void restore(RxCall call, VolserOps.RestoreArgs a) throws Exception {
        RestoreCookie c = a.cookie();
        String what = transWhat(a.toTrans()) + " flags " + a.flags() + " cookie '" + c.name() + "' type " + c.type()
            + " parent " + vol(c.parent()) + " clone " + vol(c.cloneId());
        return logged(call, "Restore", "AFS_VS_Restore", () -> what, () -> {
            requireSuperUser(call, "Restore");
            return onTrans(a.toTrans(), "Restore", t -> {
                if ((t.iflags & ITReadOnly) != 0) {
                    throw new RxCallException(VolserErrors.EROFS, "Restore: transaction " + t.tid + " is read-only");
                }
                // The restorer works on the volume's files itself; our handle is reopened afterwards.
                t.volume.close();
                t.volume = null;
                try {
                    VolumeRestorer.restore(t.partition, t.volumeId, c, a.flags() != 0, call.input());
                } catch (DumpException e) {
                    throw new RxCallException(e.volserCode(), "Restore: " + e.getMessage(), e);
                } catch (RxCallException e) {
                    throw e;
                } catch (IOException e) {
                    throw new RxCallException(DumpException.codeOf(e, false), "Restore: " + e.getMessage(), e);
                } finally {
                    reopen(t);
                }
                return null;
            });
        });
    }

    /** Reattaches a transaction's volume after the restorer rewrote it, marked in use again. */
    private void reopen(Transaction t) throws IOException {
        Volume v = t.partition.openVolume(t.volumeId);
        t.volume = v;
        if (t.markedInUse) {
            VolumeDiskData d = v.readDiskData();
            if (d.inUse() != VOLUME_SERVER_PROGRAM || !d.offlineMessage().equals(UTILITY_MESSAGE)) {
                v.writeDiskData(d.inUse(VOLUME_SERVER_PROGRAM).offlineMessage(UTILITY_MESSAGE));
            }
        }
    }

    /** destServer.destHost is the IPv4 address as a host-order integer (a.b.c.d = a<<24|b<<16|c<<8|d). */
    static InetSocketAddress destination(DestServer d) throws IOException {
        int h = d.destHost();
        byte[] b = {(byte) (h >>> 24), (byte) (h >>> 16), (byte) (h >>> 8), (byte) h};
        return new InetSocketAddress(InetAddress.getByAddress(b), d.destPort() == 0 ? 7005 : d.destPort());
    }

    /**
     * Forward (103): this server calls Restore on the destination volserver and streams the dump of
     * the transaction's volume into it (dumpAllDirs off, as the stock server). The destination's
     * answer is the result. We connect from our own endpoint with rxnull: the destination must
     * treat us as a superuser (NoAuth), which is how a DR cell without shared keys runs.
     */
    Void forward(RxCall call, VolserOps.ForwardArgs a) throws Exception {
        String what = transWhat(a.fromTrans()) + " from " + Integer.toUnsignedString(a.fromDate()) + " to "
            + Integer.toHexString(a.destination().destHost()) + " transaction " + a.destTrans();
        return logged(call, "Forward", "AFS_VS_Forward", () -> what, () -> {
            requireSuperUser(call, "Forward");
            return onTrans(a.fromTrans(), "Forward", t -> {
                int code = forwardTo(t, a.fromDate(), a.destination(), a.destTrans(), a.cookie());
                if (code != 0) {
                    throw new RxCallException(code, "Forward: the destination's restore failed");
                }
                return null;
            });
        });
    }

    /** One dump-into-Restore transfer; the code the destination (or our dump) ended with, 0 = success. */
    private int forwardTo(Transaction t, int fromDate, DestServer dest, int destTrans, RestoreCookie cookie)
            throws IOException, InterruptedException {
        Connector c = connector;
        if (c == null) {
            return VolserErrors.ENOTCONN;
        }
        InetSocketAddress to = destination(dest);
        try (RxClientConnection conn = c.connect(to)) {
            RpcClient.callSplit(conn, VolserOps.Restore,
                new VolserOps.RestoreArgs(destTrans, fromDate != 0 ? 1 : 0, cookie),
                rc -> VolumeDumper.dump(t.volume, fromDate, false, rc.output()));
            return 0;
        } catch (RpcException e) {
            log.log("Forward of volume " + vol(t.volumeId) + " to " + to.getAddress().getHostAddress() + " failed: "
                + e.getMessage());
            return e.code() == -6 ? VolserErrors.VOLSERDUMPERROR : e.code();
        }
    }

    /** ForwardMultiple (128): one Forward per destination; the per-destination codes are the results. */
    int[] forwardMultiple(RxCall call, VolserOps.ForwardMultipleArgs a) throws Exception {
        String what = transWhat(a.fromTrans()) + " from " + Integer.toUnsignedString(a.fromDate()) + " to "
            + a.destinations().size() + " servers";
        return logged(call, "ForwardMultiple", "AFS_VS_ForwardMultiple", () -> what, () -> {
            requireSuperUser(call, "ForwardMultiple");
            return onTrans(a.fromTrans(), "ForwardMultiple", t -> {
                int[] results = new int[a.destinations().size()];
                for (int i = 0; i < results.length; i++) {
                    Replica r = a.destinations().get(i);
                    results[i] = forwardTo(t, a.fromDate(), r.server(), r.trans(), a.cookie());
                }
                return results;
            });
        });
    }

    // ------------------------------------------------------------------ listing

    private NameiPartition listPartition(int partId) throws RxCallException {
        NameiPartition p = partId >= 0 && partId < VolserConstants.VOLMAXPARTS ? byId(partId) : null;
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
            t = table.create(volid, part.partitionId(), 0, proc, now());
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
        query(call);
        return logged(call, "ListVolumes", null, () -> partName(a.partId()) + " flags " + a.flags(), () -> {
            int now = now();
            return list(listPartition(a.partId()), a.flags(), "ListVolumes", f -> toInfo(f, now), VolumeViews::idOnly);
        });
    }

    /** XListVolumes (124). */
    List<VolintXInfo> xListVolumes(RxCall call, VolserOps.PartFlags a) throws Exception {
        query(call);
        return logged(call, "XListVolumes", null, () -> partName(a.partId()) + " flags " + a.flags(), () -> {
            int now = now();
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
        query(call);
        return logged(call, "ListOneVolume", null, () -> "volume " + vol(a.volid()) + " " + partName(a.partId()),
            () -> List.of(toInfo(one(a.partId(), a.volid(), "ListOneVolume"), now())));
    }

    /** XListOneVolume (125). */
    List<VolintXInfo> xListOneVolume(RxCall call, VolserOps.PartVolume a) throws Exception {
        query(call);
        return logged(call, "XListOneVolume", null, () -> "volume " + vol(a.volid()) + " " + partName(a.partId()),
            () -> List.of(toXInfo(one(a.partId(), a.volid(), "XListOneVolume"), now())));
    }

    // ------------------------------------------------------------------ housekeeping

    /**
     * GCTrans: ends transactions idle longer than OLDTRANSTIME, purging volumes they were creating
     * (destroyMe still set), and warns once about those idle longer than OLDTRANSWARN.
     */
    void reapIdle(int now) {
        for (Transaction t : table.idleOver(TransactionTable.OLDTRANSWARN, now)) {
            if (!t.warnedIdle) {
                t.warnedIdle = true;
                log.log("Transaction " + t.tid + " on volume " + vol(t.volumeId) + " has been idle for more than "
                    + TransactionTable.OLDTRANSWARN + " seconds");
            }
        }
        for (Transaction t : table.reap(now)) {
            log.log("Trans " + t.tid + " on volume " + vol(t.volumeId) + " has timed out");
            dispose(t, true);
        }
    }

    /**
     * Start-up: volumes a previous run of this server left marked in use (it died holding a
     * transaction) are put back. Every update of ours is crash-safe (partition-io's ordering, the
     * restore journal, which is replayed before this), so such a volume is consistent and needs no
     * salvage; a mark left by any other program (a stock fileserver's 1, a utility's) is left alone
     * and the volume stays unattachable until salvaged, as with the stock servers. Returns the ids
     * put back.
     */
    static List<Integer> putBackAbandoned(NameiPartition part, VolserLog log) throws IOException {
        List<Integer> done = new ArrayList<>();
        for (int id : part.listVolumeIds()) {
            try (Volume v = part.openVolume(id)) {
                VolumeDiskData d = v.readDiskData();
                if (d.inUse() != VOLUME_SERVER_PROGRAM) {
                    continue;
                }
                if (d.offlineMessage().equals(UTILITY_MESSAGE)) {
                    d.offlineMessage("");
                }
                v.writeDiskData(d.inUse(0));
                done.add(id);
                log.log("Volume " + vol(id) + " on " + part.name() + " was left in use by a volserver that stopped "
                    + "without ending its transaction; put back as it is");
            } catch (IOException e) {
                log.log("Start-up check of volume " + vol(id) + " on " + part.name() + ": " + e.getMessage());
            }
        }
        return done;
    }

    /** Shutdown: every transaction ends and its volume is put back (not in use on disk). */
    void endAll() {
        for (Transaction t : table.drain()) {
            log.log("Shutdown: ending transaction " + t.tid + " on volume " + vol(t.volumeId));
            dispose(t, false);
        }
    }
}
