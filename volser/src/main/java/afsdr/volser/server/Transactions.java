package afsdr.volser.server;

import afsdr.partition.NameiPartition;
import afsdr.partition.Volume;
import afsdr.partition.VolumeDiskData;
import afsdr.rx.RxCall;
import afsdr.rx.RxCallException;
import afsdr.volser.wire.TransDebugInfo;
import afsdr.volser.wire.VolserErrors;
import afsdr.volser.wire.VolserOps;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static afsdr.volser.server.VolserContext.partName;
import static afsdr.volser.server.VolserContext.vol;
import static afsdr.volser.server.VolserService.UTILITY_MESSAGE;
import static afsdr.volser.server.VolserService.VOLUME_SERVER_PROGRAM;
import static afsdr.volser.wire.VolserConstants.ITBusy;
import static afsdr.volser.wire.VolserConstants.ITCreate;
import static afsdr.volser.wire.VolserConstants.ITOffline;
import static afsdr.volser.wire.VolserConstants.ITReadOnly;
import static afsdr.volser.wire.VolserConstants.RWVOL;
import static afsdr.volser.wire.VolserConstants.VTDeleted;

/**
 * The transaction lifecycle (volser.md §5): attaching a volume to a transaction (XAttachVolume, with
 * the on-disk in-use mark while it updates), finding and holding a transaction for one procedure
 * (FindTrans), TransCreate, EndTrans, Monitor, the idle-transaction reaper, the start-up put-back
 * and the shutdown drain. The other procedure groups run their work through {@link #onTrans}, so the
 * busy/deleted rules are in one place.
 */
final class Transactions {
    private final VolserContext ctx;
    private final VolserLog log;
    private final TransactionTable table;

    Transactions(VolserContext ctx) {
        this.ctx = ctx;
        this.log = ctx.log;
        this.table = ctx.table;
    }

    /**
     * Attaches {@code volumeId} on {@code part} for transaction {@code t} (XAttachVolume): VNOVOL when
     * the header is missing, VSALVAGE when the volume is damaged, needs salvage, or was left in use by
     * a process that died. Updating modes mark the volume in use on disk until {@link #detach}.
     */
    void attach(Transaction t, NameiPartition part, boolean update) throws IOException {
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
                // Not synced (nor its removal in detach): every update of ours is crash-safe without
                // it, and start-up puts back what a crash left marked (putBackAbandoned); a mark
                // lost or kept by a power failure only decides whether a stock fileserver salvages.
                // Synced, the two marks were two disk flushes per transaction.
                v.writeDiskDataUnsynced(markInUse(t, d));
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
                        v.writeDiskDataUnsynced(d.inUse(0));
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
    void dispose(Transaction t, boolean purgeTemporary) {
        if (t.preimageId != 0) {
            synchronized (t) {
                ctx.shadows.dropPreimage(t);
            }
        }
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
    Transaction acquire(int tid, String proc, boolean allowDeleted) throws RxCallException {
        Transaction t = table.acquire(tid, proc, ctx.now());
        if (t == null) {
            throw new RxCallException(VolserErrors.ENOENT, proc + ": no transaction " + tid);
        }
        if (!allowDeleted && t.deleted()) {
            release(t);
            throw new RxCallException(VolserErrors.ENOENT, proc + ": the volume of transaction " + tid + " was deleted");
        }
        return t;
    }

    void release(Transaction t) {
        if (table.release(t, ctx.now())) {
            dispose(t, false);
        }
    }

    @FunctionalInterface
    interface TransBody<R> {
        R run(Transaction t) throws IOException, InterruptedException;
    }

    /** Runs {@code body} on live transaction {@code tid}, holding it for the duration. */
    <R> R onTrans(int tid, String proc, TransBody<R> body) throws IOException, InterruptedException {
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

    String transWhat(int tid) {
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
        return ctx.logged(call, "TransCreate", "AFS_VS_TransCr",
            () -> "volume " + vol(a.volume()) + " " + partName(a.partition()) + " iflags 0x"
                + Integer.toHexString(a.flags()) + (tid[0] != 0 ? " transaction " + tid[0] : ""),
            () -> {
                ctx.requireSuperUser(call, "TransCreate");
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
                ctx.shadows.refuseShadowOntoSource(call, "TransCreate", a.volume(), ctx.byId(a.partition()), f);
                Transaction t = newTrans(a.volume(), a.partition(), f, "TransCreate");
                try {
                    if (a.partition() < 0) {
                        // The stock attach cannot even name a negative partition (ConvertPartition).
                        throw new RxCallException(VolserErrors.EINVAL, "TransCreate: partition " + a.partition()
                            + " cannot be named");
                    }
                    NameiPartition part = ctx.byId(a.partition());
                    if (part == null) {
                        throw new RxCallException(VolserErrors.VNOVOL, "TransCreate: no partition " + a.partition());
                    }
                    synchronized (t) {
                        attach(t, part, update);
                        ctx.shadows.tag(call, t);
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

    Transaction newTrans(int volumeId, int partitionId, int iflags, String proc) throws RxCallException {
        try {
            return table.create(volumeId, partitionId, iflags, proc, ctx.now());
        } catch (TransactionTable.BusyException e) {
            throw new RxCallException(VolserErrors.VOLSERVOLBUSY, proc + ": " + e.getMessage());
        }
    }

    /** EndTrans (104): rcode is the transaction's returnCode, always 0 as in 1.8. */
    Integer endTrans(RxCall call, Integer tid) throws Exception {
        String what = transWhat(tid);
        return ctx.logged(call, "EndTrans", "AFS_VS_EndTrn", () -> what, () -> {
            ctx.requireSuperUser(call, "EndTrans");
            Transaction t = acquire(tid, "EndTrans", true);
            if (table.end(t)) {
                dispose(t, false);
            }
            return 0;
        });
    }

    /** Monitor (118): every transaction. No Rx call is ever attached between RPCs here. */
    List<TransDebugInfo> monitor(RxCall call) throws RxCallException {
        ctx.query(call);
        List<TransDebugInfo> out = new ArrayList<>();
        for (Transaction t : table.all()) {
            int[] tf = table.times(t);
            out.add(new TransDebugInfo(t.tid, tf[0], t.creationTime, 0, t.volumeId, t.partitionId, t.iflags,
                t.vflags, tf[1], table.lastProc(t), 0, 0, 0, 0, 0));
        }
        return out;
    }

    /** Reattaches a transaction's volume after the restorer rewrote it, marked in use again. */
    void reopen(Transaction t) throws IOException {
        Volume v = t.partition.openVolume(t.volumeId);
        t.volume = v;
        if (t.markedInUse) {
            VolumeDiskData d = v.readDiskData();
            int inUse = d.inUse();
            String message = d.offlineMessage();
            markInUse(t, d);
            if (inUse != VOLUME_SERVER_PROGRAM || !d.offlineMessage().equals(message)) {
                v.writeDiskDataUnsynced(d);
            }
        }
    }

    /**
     * The in-use mark of an updating attach, and the offline message a stock fileserver writes when
     * the volserver asks it for the volume. The stock fileserver leaves a read-only or backup volume
     * on line, without a message, when the reason is a clone or a dump (ITBusy); only then is the
     * message left out, so that a dump of such a volume carries the header the stock one carries.
     */
    static VolumeDiskData markInUse(Transaction t, VolumeDiskData d) {
        d.inUse(VOLUME_SERVER_PROGRAM);
        if (d.type() == RWVOL || (t.iflags & ITBusy) == 0) {
            d.offlineMessage(UTILITY_MESSAGE);
        }
        return d;
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
