package afsdr.volser.server;

import afsdr.nativeio.Errno;
import afsdr.nativeio.NativeIoException;
import afsdr.partition.NameiPartition;
import afsdr.partition.NoSuchVolumeException;
import afsdr.partition.VolumeFormatException;
import afsdr.rx.RxCall;
import afsdr.rx.RxCallException;
import afsdr.rx.RxConnectionInfo;
import afsdr.volser.wire.VolserConstants;
import afsdr.volser.wire.VolserErrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * What every group of VOLSER procedures shares: the attached partitions, the transaction table, the
 * logs, the superuser check and the clock, plus the checks and the one-line logging that each
 * procedure runs in the stock order (authorization first, then lookups, then I/O; one VolserLog line
 * per procedure that names a volume or transaction, an audit record when it changes something).
 */
final class VolserContext {
    final List<NameiPartition> partitions;
    /** Partition id to the device (mount source) it lives on, as discovery found it; devName on the wire. */
    final Map<Integer, String> devices;
    final VolserLog log;
    final AuditLog audit;
    final TransactionTable table = new TransactionTable();
    final SuperUserCheck auth;
    final Clock clock;
    final boolean restrictQueries;
    /** The shadow lineage and safety rules, consulted by several procedure groups. */
    final ShadowRules shadows;

    VolserContext(List<NameiPartition> partitions, Map<Integer, String> devices, VolserLog log, AuditLog audit,
                  SuperUserCheck auth, boolean restrictQueries, Clock clock) {
        this.partitions = partitions;
        this.devices = devices;
        this.log = log;
        this.audit = audit;
        this.auth = auth;
        this.restrictQueries = restrictQueries;
        this.clock = clock;
        this.shadows = new ShadowRules(this);
    }

    int now() {
        return (int) (clock.millis() / 1000);
    }

    // ------------------------------------------------------------------ authorization and logging

    void requireSuperUser(RxCall call, String proc) throws RxCallException {
        if (!auth.isSuperUser(call.connection())) {
            log.log(who(call.connection()) + " is not authorized to run " + proc + " (not a superuser)");
            throw new RxCallException(VolserErrors.VOLSERBAD_ACCESS, proc + ": caller is not a superuser");
        }
    }

    /** The "restricted query" check (-restricted_query admin makes the query RPCs SU-only). */
    void query(RxCall call) throws RxCallException {
        if (restrictQueries && !auth.isSuperUser(call.connection())) {
            throw new RxCallException(VolserErrors.VOLSERBAD_ACCESS, "queries are restricted to superusers");
        }
    }

    String who(RxConnectionInfo c) {
        return auth.callerName(c) + " on " + c.peer().getAddress().getHostAddress();
    }

    static String vol(int id) {
        return Integer.toUnsignedString(id);
    }

    void done(RxCall call, String proc, String what, int code) {
        log.log(who(call.connection()) + " is executing " + proc + " " + what + ": "
            + (code == 0 ? "ok" : "error " + code));
    }

    void audited(RxCall call, String event, int code, String args) {
        if (audit != null) {
            RxConnectionInfo c = call.connection();
            audit.record(event, code, auth.callerName(c), c.peer().getAddress().getHostAddress(), args);
        }
    }

    @FunctionalInterface
    interface Body<R> {
        R run() throws IOException, InterruptedException;
    }

    /**
     * Runs one logged (and, with {@code event}, audited) procedure: one VolserLog line with the
     * outcome, I/O failures turned into VOLSER codes.
     */
    <R> R logged(RxCall call, String proc, String event, Body<String> what, Body<R> body) throws Exception {
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

    NameiPartition byName(String name) throws RxCallException {
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

    static String partName(int id) {
        return id >= 0 && id < VolserConstants.VOLMAXPARTS ? VolserConstants.partitionName(id) : "partition " + id;
    }

    static int nameBytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** Whether some other attached partition holds a volume with this id. */
    NameiPartition elsewhere(int volumeId, int partitionId) throws IOException {
        for (NameiPartition p : partitions) {
            if (p.partitionId() != partitionId && p.volumeExists(volumeId)) {
                return p;
            }
        }
        return null;
    }
}
