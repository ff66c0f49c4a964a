package afsdr.volser.server;

import afsdr.partition.NameiPartition;
import afsdr.rx.rpc.RpcDispatcher;
import afsdr.volser.wire.VolserConstants;
import afsdr.volser.wire.VolserOps;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * The VOLSER service (volser.md §3, §6): the one place where each VOLSER opcode is bound to the
 * procedure that answers it. The procedures live in groups by concern, all sharing one
 * {@link VolserContext} (partitions, transaction table, logs, authorization):
 * <ul>
 *   <li>{@link Transactions}: attach/detach, FindTrans, TransCreate, EndTrans, Monitor, the reaper;</li>
 *   <li>{@link HeaderProcs}: GetStatus, Get/SetFlags, GetName, SetIdsTypes, SetDate, SetInfo, SetForwarding;</li>
 *   <li>{@link VolumeProcs}: CreateVolume, DeleteVolume, NukeVolume, Clone, ReClone, ConvertROtoRW, SplitVolume;</li>
 *   <li>{@link ListingProcs}: partitions and the volume listings;</li>
 *   <li>{@link TransferProcs}: Dump, GetSize, Restore, Forward, ForwardMultiple.</li>
 * </ul>
 * Each procedure checks in the stock order so that every error code vos branches on (VNOVOL,
 * VOLSERVOLBUSY, ENODEV, ENOENT...) comes out as from a 1.8 server. Procedures not bound here are
 * answered with RXGEN_OPCODE by the dispatcher, which vos takes as "this server lacks the call".
 *
 * <p>Authorization: every procedure marked SU in volser.md §3 calls
 * {@link VolserContext#requireSuperUser} first, before any lookup or I/O.
 */
final class VolserService {
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

    private final VolserContext ctx;
    private final Transactions transactions;
    private final HeaderProcs headers;
    private final VolumeProcs volumes;
    private final ListingProcs listing;
    private final TransferProcs transfer;

    VolserService(List<NameiPartition> partitions, Map<Integer, String> devices, VolserLog log, AuditLog audit,
                  SuperUserCheck auth, boolean restrictQueries, Clock clock) {
        this.ctx = new VolserContext(partitions, devices, log, audit, auth, restrictQueries, clock);
        this.transactions = new Transactions(ctx);
        this.headers = new HeaderProcs(ctx, transactions);
        this.volumes = new VolumeProcs(ctx, transactions);
        this.listing = new ListingProcs(ctx, transactions);
        this.transfer = new TransferProcs(ctx, transactions);
    }

    /** For tests and the simple case: no audit, queries open to everyone, the system clock. */
    VolserService(List<NameiPartition> partitions, Map<Integer, String> devices, VolserLog log, SuperUserCheck auth) {
        this(partitions, devices, log, null, auth, false, Clock.systemUTC());
    }

    TransactionTable table() {
        return ctx.table;
    }

    /** Sets how Forward reaches another volserver; called once the Rx endpoint exists. */
    void connector(TransferProcs.Connector c) {
        transfer.connector(c);
    }

    RpcDispatcher dispatcher() {
        return RpcDispatcher.builder(VolserOps.AFSVol)
            .on(VolserOps.XListPartitions, (call, none) -> { ctx.query(call); return listing.xListPartitions(); })
            .on(VolserOps.ListPartitions, (call, none) -> { ctx.query(call); return listing.listPartitions(); })
            .on(VolserOps.PartitionInfo64, listing::partitionInfo64)
            .on(VolserOps.PartitionInfo, listing::partitionInfo)
            .on(VolserOps.TransCreate, transactions::transCreate)
            .on(VolserOps.EndTrans, transactions::endTrans)
            .on(VolserOps.GetStatus, headers::getStatus)
            .on(VolserOps.GetFlags, headers::getFlags)
            .on(VolserOps.SetFlags, headers::setFlags)
            .on(VolserOps.GetName, headers::getName)
            .on(VolserOps.SetIdsTypes, headers::setIdsTypes)
            .on(VolserOps.SetDate, headers::setDate)
            .on(VolserOps.SetInfo, headers::setInfo)
            .on(VolserOps.Monitor, (call, none) -> transactions.monitor(call))
            .on(VolserOps.CreateVolume, volumes::createVolume)
            .on(VolserOps.DeleteVolume, volumes::deleteVolume)
            .on(VolserOps.NukeVolume, volumes::nukeVolume)
            .on(VolserOps.ListVolumes, listing::listVolumes)
            .on(VolserOps.XListVolumes, listing::xListVolumes)
            .on(VolserOps.ListOneVolume, listing::listOneVolume)
            .on(VolserOps.XListOneVolume, listing::xListOneVolume)
            .on(VolserOps.GetNthVolume, volumes::getNthVolume)
            .on(VolserOps.SignalRestore, (call, a) -> null)
            .on(VolserOps.Clone, volumes::clone)
            .on(VolserOps.ReClone, volumes::reClone)
            .on(VolserOps.SetForwarding, headers::setForwarding)
            .on(VolserOps.ConvertROtoRWvolume, volumes::convertROtoRW)
            .on(VolserOps.SplitVolume, volumes::splitVolume)
            .on(VolserOps.Dump, (call, a) -> transfer.dump(call, a.fromTrans(), a.fromDate(), true, "Dump"))
            .on(VolserOps.DumpV2, (call, a) -> transfer.dump(call, a.fromTrans(), a.fromDate(),
                (a.flags() & VolserConstants.VOLDUMPV2_OMITDIRS) == 0, "DumpV2"))
            .on(VolserOps.GetSize, transfer::getSize)
            .on(VolserOps.Restore, transfer::restore)
            .on(VolserOps.Forward, transfer::forward)
            .on(VolserOps.ForwardMultiple, transfer::forwardMultiple)
            .build();
    }

    int now() {
        return ctx.now();
    }

    /** GCTrans: see {@link Transactions#reapIdle}. */
    void reapIdle(int now) {
        transactions.reapIdle(now);
    }

    /** Start-up put-back of volumes a previous run left in use: see {@link Transactions#putBackAbandoned}. */
    static List<Integer> putBackAbandoned(NameiPartition part, VolserLog log) throws IOException {
        return Transactions.putBackAbandoned(part, log);
    }

    /** Shutdown: every transaction ends and its volume is put back (not in use on disk). */
    void endAll() {
        transactions.endAll();
    }
}
