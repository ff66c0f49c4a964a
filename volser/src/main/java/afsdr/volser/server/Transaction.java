package afsdr.volser.server;

import afsdr.partition.NameiPartition;
import afsdr.partition.Volume;
import afsdr.partition.VolumeDiskData;
import afsdr.volser.shadow.ShadowLineage;

/**
 * One volserver transaction (struct volser_trans, volser.md §5): the binding of a (volume,
 * partition) pair to an attached volume, created by TransCreate or CreateVolume and ended by
 * EndTrans or the idle reaper.
 *
 * <p>The bookkeeping fields (time, activeCalls, tflags, lastProcName) are guarded by the owning
 * {@link TransactionTable}; the volume work of an RPC is serialized on the transaction itself
 * ({@code synchronized (trans)}), because one transaction is meant to be driven by one vos at a time.
 */
final class Transaction {
    final int tid;
    final int volumeId;
    final int partitionId;
    /** TransCreate flags (ITOffline, ITBusy, ITReadOnly, ITCreate); 0 for CreateVolume's. */
    final int iflags;
    /** Seconds since the epoch. */
    final int creationTime;

    // ---- guarded by the table
    /** Last activity, seconds since the epoch ({@code trans->time}). */
    int time;
    /** RPCs currently running on this transaction ({@code trans->refCount} minus the table's own). */
    int activeCalls;
    /** TTDeleted: EndTrans or the reaper wanted it gone while an RPC held it. */
    int tflags;
    String lastProcName = "";
    /** The reaper has logged that this transaction is idle. */
    boolean warnedIdle;

    // ---- guarded by synchronized (this)
    /** SetFlags' last value plus VTDeleted (volser.md §5.2). */
    volatile int vflags;
    /** The attached volume; null once the volume was deleted or detached. */
    Volume volume;
    NameiPartition partition;
    /** The on-disk inUse byte was set by this transaction and must be cleared on detach. */
    boolean markedInUse;

    // ---- shadow rules (ShadowRules); set at creation, then guarded by synchronized (this)
    /** The vos process (Rx peer and epoch) that created the transaction. */
    ShadowIntents.Client client;
    /**
     * The creating vos asked ListOneVolume for this volume and partition just before: only vos
     * shadow does that on its target, so restores on this transaction are shadow applies.
     */
    boolean shadowIntent;
    /**
     * Id of the pre-image clone kept while a shadow apply cannot yet be checked in full; 0 = none
     * (also while the first stream has changed no vnode: then the info and mark below suffice).
     */
    int preimageId;
    /**
     * The volume info and the lineage mark (null: none) the volume had before a shadow apply that
     * cannot yet be checked in full; preimageInfo null = nothing to put back.
     */
    VolumeDiskData preimageInfo;
    ShadowLineage preimageMark;
    /** A pre-image clone is to be taken before the current stream's first change. */
    boolean preimagePending;

    Transaction(int tid, int volumeId, int partitionId, int iflags, int now) {
        this.tid = tid;
        this.volumeId = volumeId;
        this.partitionId = partitionId;
        this.iflags = iflags;
        this.creationTime = now;
        this.time = now;
    }

    boolean deleted() {
        return (vflags & afsdr.volser.wire.VolserConstants.VTDeleted) != 0;
    }

    @Override
    public String toString() {
        return "transaction " + tid + " (volume " + Integer.toUnsignedString(volumeId) + ", partition " + partitionId
            + ", iflags 0x" + Integer.toHexString(iflags) + ")";
    }
}
