package afsdr.volser.server;

import afsdr.volser.wire.VolserConstants;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The volserver's transaction table (voltrans.c, volser.md §5), without I/O: ids, the one
 * transaction per (volume, partition) rule, lookup with reference counting, and which idle
 * transactions the reaper must end. Time is passed in (seconds since the epoch) so the rules can be
 * tested without waiting. Thread-safe.
 */
final class TransactionTable {
    /** OLDTRANSTIME: an idle transaction older than this (seconds) is ended by the reaper. */
    static final int OLDTRANSTIME = 600;
    /** OLDTRANSWARN: after this many idle seconds the reaper logs a warning once. */
    static final int OLDTRANSWARN = 300;
    /** GCWAKEUP: how often the reaper runs (seconds). */
    static final int GCWAKEUP = 30;

    /** The (volume, partition) pair already has a transaction: VOLSERVOLBUSY for the caller. */
    static final class BusyException extends Exception {
        final Transaction holder;

        BusyException(Transaction holder) {
            super("volume " + Integer.toUnsignedString(holder.volumeId) + " on partition " + holder.partitionId
                + " is busy in transaction " + holder.tid);
            this.holder = holder;
        }
    }

    private final Map<Integer, Transaction> byTid = new LinkedHashMap<>();
    private int nextTid = 1;

    /** NewTrans: a transaction on (volumeId, partitionId), unless one exists already. */
    synchronized Transaction create(int volumeId, int partitionId, int iflags, String proc, int now)
            throws BusyException {
        for (Transaction t : byTid.values()) {
            if (t.volumeId == volumeId && t.partitionId == partitionId) {
                throw new BusyException(t);
            }
        }
        Transaction t = new Transaction(nextTid++, volumeId, partitionId, iflags, now);
        t.lastProcName = proc;
        t.activeCalls = 1;
        byTid.put(t.tid, t);
        return t;
    }

    /**
     * FindTrans: the live transaction {@code tid} with its call count raised (pair with
     * {@link #release}), or null when there is none (the RPC answers ENOENT).
     */
    synchronized Transaction acquire(int tid, String proc, int now) {
        Transaction t = byTid.get(tid);
        if (t == null || (t.tflags & VolserConstants.TTDeleted) != 0) {
            return null;
        }
        t.activeCalls++;
        t.lastProcName = proc;
        t.time = now;
        return t;
    }

    /**
     * Ends one RPC's use of {@code t}. Returns true when the transaction must now be detached and
     * dropped by the caller (someone asked for its end while this RPC held it).
     */
    synchronized boolean release(Transaction t, int now) {
        t.activeCalls--;
        t.time = now;
        if (t.activeCalls == 0 && (t.tflags & VolserConstants.TTDeleted) != 0) {
            byTid.remove(t.tid);
            return true;
        }
        return false;
    }

    /**
     * EndTrans/DeleteTrans: removes {@code t} from the table at once when no RPC holds it (returns
     * true: the caller detaches it), else marks it TTDeleted so the last {@link #release} does.
     * The caller must hold one reference obtained by {@link #acquire} or {@link #create}.
     */
    synchronized boolean end(Transaction t) {
        t.activeCalls--;
        t.tflags |= VolserConstants.TTDeleted;
        if (t.activeCalls == 0) {
            byTid.remove(t.tid);
            return true;
        }
        return false;
    }

    /** Whether (volumeId, partitionId) has a transaction now (ListVolumes reports it VBUSY). */
    synchronized Transaction holder(int volumeId, int partitionId) {
        for (Transaction t : byTid.values()) {
            if (t.volumeId == volumeId && t.partitionId == partitionId) {
                return t;
            }
        }
        return null;
    }

    /**
     * GCTrans: removes and returns the transactions idle for more than {@link #OLDTRANSTIME}
     * seconds and not in use by an RPC; the caller detaches them (purging half-made volumes).
     */
    synchronized List<Transaction> reap(int now) {
        List<Transaction> out = new ArrayList<>();
        var it = byTid.values().iterator();
        while (it.hasNext()) {
            Transaction t = it.next();
            if (t.activeCalls == 0 && now - t.time > OLDTRANSTIME) {
                t.tflags |= VolserConstants.TTDeleted;
                it.remove();
                out.add(t);
            }
        }
        return out;
    }

    /** Idle transactions past the warning age, not yet reaped (for the reaper's log line). */
    synchronized List<Transaction> idleOver(int seconds, int now) {
        List<Transaction> out = new ArrayList<>();
        for (Transaction t : byTid.values()) {
            if (t.activeCalls == 0 && now - t.time > seconds) {
                out.add(t);
            }
        }
        return out;
    }

    /** Every transaction, in creation order (Monitor, shutdown). */
    synchronized List<Transaction> all() {
        return new ArrayList<>(byTid.values());
    }

    /** Removes every transaction (shutdown); the caller detaches them. */
    synchronized List<Transaction> drain() {
        List<Transaction> out = new ArrayList<>(byTid.values());
        for (Transaction t : out) {
            t.tflags |= VolserConstants.TTDeleted;
        }
        byTid.clear();
        return out;
    }

    /** Snapshot of the bookkeeping of one transaction, read under the table's lock. */
    synchronized int[] times(Transaction t) {
        return new int[] {t.time, t.tflags};
    }

    synchronized String lastProc(Transaction t) {
        return t.lastProcName;
    }

}
