package afsdr.volser.server;

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
import afsdr.volser.wire.VolserErrors;
import afsdr.volser.wire.VolserOps;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

import static afsdr.volser.server.VolserContext.vol;
import static afsdr.volser.wire.VolserConstants.ITReadOnly;

/**
 * The procedures that move volume data: Dump/DumpV2 and GetSize (our dump as the reply), Restore (a
 * dump stream applied atomically by {@link VolumeRestorer}), Forward/ForwardMultiple (this server
 * dumping into another volserver's Restore).
 */
final class TransferProcs {
    private final VolserContext ctx;
    private final Transactions tx;
    private final VolserLog log;

    TransferProcs(VolserContext ctx, Transactions tx) {
        this.ctx = ctx;
        this.tx = tx;
        this.log = ctx.log;
    }

    /**
     * Opens an Rx connection to another volserver (service 4) for Forward; set once the endpoint
     * exists. {@code incoming} is the connection of the call that asked for the transfer (its
     * security decides -s2scrypt inherit).
     */
    interface Connector {
        RxClientConnection connect(InetSocketAddress volserver, RxConnectionInfo incoming);
    }

    private volatile Connector connector;

    void connector(Connector c) {
        this.connector = c;
    }

    /**
     * Dump (109) / DumpV2 (65538): the dump stream is the reply. A failure part-way aborts the call,
     * so vos sees the code from rx_EndCall after the bytes it already has.
     */
    Void dump(RxCall call, int tid, int fromDate, boolean dumpAllDirs, String proc) throws Exception {
        String what = tx.transWhat(tid) + " from " + Integer.toUnsignedString(fromDate);
        long[] bytes = {0};
        return ctx.logged(call, proc, "AFS_VS_Dump", () -> what + " (" + bytes[0] + " bytes)", () -> {
            ctx.requireSuperUser(call, proc);
            return tx.onTrans(tid, proc, t -> {
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
        ctx.requireSuperUser(call, "GetSize");
        return tx.onTrans(a.fromTrans(), "GetSize", t -> VolumeDumper.getSize(t.volume, a.fromDate()));
    }

    /**
     * Restore (102): the raw dump follows the arguments and is read to its end. The restore is atomic
     * (VolumeRestorer): a malformed or cut stream leaves the volume as it was. The shadow rules
     * ({@link ShadowRules}) vet the stream from its headers before anything is applied (a foreign
     * incremental onto a shadow is refused with VOLSERBADOP) and record the lineage of a shadow apply
     * once it is committed; a refused second stream of a vos shadow puts the target back from the
     * pre-image taken for the first.
     */
    Void restore(RxCall call, VolserOps.RestoreArgs a) throws Exception {
        RestoreCookie c = a.cookie();
        String what = tx.transWhat(a.toTrans()) + " flags " + a.flags() + " cookie '" + c.name() + "' type " + c.type()
            + " parent " + vol(c.parent()) + " clone " + vol(c.cloneId());
        return ctx.logged(call, "Restore", "AFS_VS_Restore", () -> what, () -> {
            ctx.requireSuperUser(call, "Restore");
            return tx.onTrans(a.toTrans(), "Restore", t -> {
                if ((t.iflags & ITReadOnly) != 0) {
                    throw new RxCallException(VolserErrors.EROFS, "Restore: transaction " + t.tid + " is read-only");
                }
                // The restorer works on the volume's files itself; our handle is reopened afterwards.
                t.volume.close();
                t.volume = null;
                ShadowRules.Apply shadow = ctx.shadows.begin(t, c, call.connection().peer());
                try {
                    VolumeRestorer.Result r = VolumeRestorer.restore(t.partition, t.volumeId, c, true, call.input(),
                        shadow);
                    ctx.shadows.committed(shadow, r);
                } catch (DumpException e) {
                    ctx.shadows.failed(shadow, e);
                    // vos shows only the code; the stock server logs what it found wrong likewise
                    log.log("Restore of volume " + vol(t.volumeId) + " refused: " + e.getMessage());
                    throw new RxCallException(e.volserCode(), "Restore: " + e.getMessage(), e);
                } catch (RxCallException e) {
                    throw e;
                } catch (IOException e) {
                    throw new RxCallException(DumpException.codeOf(e, false), "Restore: " + e.getMessage(), e);
                } finally {
                    tx.reopen(t);
                }
                return null;
            });
        });
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
     * answer is the result. We connect from our own endpoint as the connector decides: rxkad with
     * a localauth ticket from the cell key when we have one (at the -s2scrypt level), else rxnull,
     * which only a NoAuth destination accepts.
     */
    Void forward(RxCall call, VolserOps.ForwardArgs a) throws Exception {
        String what = tx.transWhat(a.fromTrans()) + " from " + Integer.toUnsignedString(a.fromDate()) + " to "
            + Integer.toHexString(a.destination().destHost()) + " transaction " + a.destTrans();
        return ctx.logged(call, "Forward", "AFS_VS_Forward", () -> what, () -> {
            ctx.requireSuperUser(call, "Forward");
            return tx.onTrans(a.fromTrans(), "Forward", t -> {
                int code = forwardTo(t, a.fromDate(), a.destination(), a.destTrans(), a.cookie(), call.connection());
                if (code != 0) {
                    throw new RxCallException(code, "Forward: the destination's restore failed");
                }
                return null;
            });
        });
    }

    /** One dump-into-Restore transfer; the code the destination (or our dump) ended with, 0 = success. */
    private int forwardTo(Transaction t, int fromDate, DestServer dest, int destTrans, RestoreCookie cookie,
            RxConnectionInfo incoming) throws IOException, InterruptedException {
        Connector c = connector;
        if (c == null) {
            return VolserErrors.ENOTCONN;
        }
        InetSocketAddress to = destination(dest);
        try (RxClientConnection conn = c.connect(to, incoming)) {
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
        String what = tx.transWhat(a.fromTrans()) + " from " + Integer.toUnsignedString(a.fromDate()) + " to "
            + a.destinations().size() + " servers";
        return ctx.logged(call, "ForwardMultiple", "AFS_VS_ForwardMultiple", () -> what, () -> {
            ctx.requireSuperUser(call, "ForwardMultiple");
            return tx.onTrans(a.fromTrans(), "ForwardMultiple", t -> {
                int[] results = new int[a.destinations().size()];
                for (int i = 0; i < results.length; i++) {
                    Replica r = a.destinations().get(i);
                    results[i] = forwardTo(t, a.fromDate(), r.server(), r.trans(), a.cookie(), call.connection());
                }
                return results;
            });
        });
    }
}
