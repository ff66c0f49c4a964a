package afsdr.volser.wire;

import afsdr.rx.rpc.RpcInterface;
import afsdr.rx.rpc.RpcOp;
import afsdr.rx.xdr.Xdr;
import afsdr.rx.xdr.XdrCodec;

import java.util.List;

import static afsdr.volser.wire.VolserConstants.VNAMESIZE;

/**
 * Every procedure of the 1.8 VOLSER interface (volser.md §3), as {@link RpcOp}s named as in
 * {@code volint.xg} without the {@code AFSVol} prefix. Parameter groups are the nested records,
 * fields in declaration order; INOUT parameters appear in both groups. Dump, DumpV2 and
 * SplitVolume are split on the reply side, Restore on the request side (volser.md §4).
 */
public final class VolserOps {
    private VolserOps() {
    }

    private static final XdrCodec<String> VOLNAME = Xdr.string(VNAMESIZE);

    // ---- parameter groups ----

    /** CreateVolume IN: {@code int32 partition, string name<32>, int32 type, uint32 parent, uint32 volid} (INOUT). */
    public record CreateVolumeArgs(int partition, String name, int type, int parent, int volid) {
        public static final XdrCodec<CreateVolumeArgs> CODEC = XdrCodec.of(20, (w, a) -> {
            w.writeInt(a.partition).writeString(a.name, VNAMESIZE).writeInt(a.type).writeInt(a.parent).writeInt(a.volid);
        }, r -> new CreateVolumeArgs(r.readInt(), r.readString(VNAMESIZE), r.readInt(), r.readInt(), r.readInt()));
    }

    /** CreateVolume OUT: {@code uint32 volid, int32 trans}. */
    public record CreateVolumeResult(int volid, int trans) {
        public static final XdrCodec<CreateVolumeResult> CODEC = XdrCodec.of(8,
                (w, a) -> w.writeInt(a.volid).writeInt(a.trans), r -> new CreateVolumeResult(r.readInt(), r.readInt()));
    }

    /** Restore IN: {@code int32 toTrans, int32 flags, restoreCookie}; the dump follows raw. */
    public record RestoreArgs(int toTrans, int flags, RestoreCookie cookie) {
        public static final XdrCodec<RestoreArgs> CODEC = XdrCodec.of(8 + RestoreCookie.WIRE_SIZE, (w, a) -> {
            w.writeInt(a.toTrans).writeInt(a.flags);
            RestoreCookie.CODEC.encode(w, a.cookie);
        }, r -> new RestoreArgs(r.readInt(), r.readInt(), RestoreCookie.CODEC.decode(r)));
    }

    /** Forward IN: {@code int32 fromTrans, int32 fromDate, destServer, int32 destTrans, restoreCookie}. */
    public record ForwardArgs(int fromTrans, int fromDate, DestServer destination, int destTrans, RestoreCookie cookie) {
        public static final XdrCodec<ForwardArgs> CODEC = XdrCodec.of(12 + DestServer.WIRE_SIZE + RestoreCookie.WIRE_SIZE,
                (w, a) -> {
                    w.writeInt(a.fromTrans).writeInt(a.fromDate);
                    DestServer.CODEC.encode(w, a.destination);
                    w.writeInt(a.destTrans);
                    RestoreCookie.CODEC.encode(w, a.cookie);
                }, r -> new ForwardArgs(r.readInt(), r.readInt(), DestServer.CODEC.decode(r), r.readInt(),
                        RestoreCookie.CODEC.decode(r)));
    }

    /** Clone IN: {@code int32 trans, uint32 purgeVol, int32 newType, string newName<32>, uint32 newVol} (INOUT). */
    public record CloneArgs(int trans, int purgeVol, int newType, String newName, int newVol) {
        public static final XdrCodec<CloneArgs> CODEC = XdrCodec.of(20, (w, a) -> {
            w.writeInt(a.trans).writeInt(a.purgeVol).writeInt(a.newType).writeString(a.newName, VNAMESIZE)
                    .writeInt(a.newVol);
        }, r -> new CloneArgs(r.readInt(), r.readInt(), r.readInt(), r.readString(VNAMESIZE), r.readInt()));
    }

    /**
     * Two-int groups naming a transaction and one value: SetFlags (trans, flags), SetForwarding
     * (tid, newsite), ReClone (tid, cloneID), SetDate (tid, newDate).
     */
    public record TransValue(int trans, int value) {
        public static final XdrCodec<TransValue> CODEC = XdrCodec.of(8,
                (w, a) -> w.writeInt(a.trans).writeInt(a.value), r -> new TransValue(r.readInt(), r.readInt()));
    }

    /** TransCreate IN: {@code uint32 volume, int32 partition, int32 flags} (ITOffline, ITBusy...). */
    public record TransCreateArgs(int volume, int partition, int flags) {
        public static final XdrCodec<TransCreateArgs> CODEC = XdrCodec.of(12,
                (w, a) -> w.writeInt(a.volume).writeInt(a.partition).writeInt(a.flags),
                r -> new TransCreateArgs(r.readInt(), r.readInt(), r.readInt()));
    }

    /** Dump and GetSize IN: {@code int32 fromTrans, int32 fromDate}. */
    public record DumpArgs(int fromTrans, int fromDate) {
        public static final XdrCodec<DumpArgs> CODEC = XdrCodec.of(8,
                (w, a) -> w.writeInt(a.fromTrans).writeInt(a.fromDate), r -> new DumpArgs(r.readInt(), r.readInt()));
    }

    /** DumpV2 IN: {@code int32 fromTrans, int32 fromDate, int32 flags} (VOLDUMPV2_OMITDIRS). */
    public record DumpV2Args(int fromTrans, int fromDate, int flags) {
        public static final XdrCodec<DumpV2Args> CODEC = XdrCodec.of(12,
                (w, a) -> w.writeInt(a.fromTrans).writeInt(a.fromDate).writeInt(a.flags),
                r -> new DumpV2Args(r.readInt(), r.readInt(), r.readInt()));
    }

    /** GetNthVolume OUT: {@code uint32 volume, int32 partition}. */
    public record NthVolume(int volume, int partition) {
        public static final XdrCodec<NthVolume> CODEC = XdrCodec.of(8,
                (w, a) -> w.writeInt(a.volume).writeInt(a.partition), r -> new NthVolume(r.readInt(), r.readInt()));
    }

    /** SignalRestore IN: {@code string name<32>, int32 type, uint32 pid, uint32 cloneid}. */
    public record SignalRestoreArgs(String name, int type, int pid, int cloneid) {
        public static final XdrCodec<SignalRestoreArgs> CODEC = XdrCodec.of(16,
                (w, a) -> w.writeString(a.name, VNAMESIZE).writeInt(a.type).writeInt(a.pid).writeInt(a.cloneid),
                r -> new SignalRestoreArgs(r.readString(VNAMESIZE), r.readInt(), r.readInt(), r.readInt()));
    }

    /** ListVolumes / XListVolumes IN: {@code int32 partID, int32 flags} (flags 1 = full info, 0 = ids only). */
    public record PartFlags(int partId, int flags) {
        public static final XdrCodec<PartFlags> CODEC = XdrCodec.of(8,
                (w, a) -> w.writeInt(a.partId).writeInt(a.flags), r -> new PartFlags(r.readInt(), r.readInt()));
    }

    /** ListOneVolume, XListOneVolume, NukeVolume, ConvertROtoRWvolume IN: {@code int32 partID, uint32 volid}. */
    public record PartVolume(int partId, int volid) {
        public static final XdrCodec<PartVolume> CODEC = XdrCodec.of(8,
                (w, a) -> w.writeInt(a.partId).writeInt(a.volid), r -> new PartVolume(r.readInt(), r.readInt()));
    }

    /** SetIdsTypes IN: {@code int32 tId, string name<32>, int32 type, uint32 pId, uint32 cloneId, uint32 backupId}. */
    public record SetIdsTypesArgs(int tid, String name, int type, int pId, int cloneId, int backupId) {
        public static final XdrCodec<SetIdsTypesArgs> CODEC = XdrCodec.of(24, (w, a) -> {
            w.writeInt(a.tid).writeString(a.name, VNAMESIZE).writeInt(a.type).writeInt(a.pId).writeInt(a.cloneId)
                    .writeInt(a.backupId);
        }, r -> new SetIdsTypesArgs(r.readInt(), r.readString(VNAMESIZE), r.readInt(), r.readInt(), r.readInt(),
                r.readInt()));
    }

    /** SetInfo IN: {@code int32 tid, volintInfo}. */
    public record SetInfoArgs(int tid, VolintInfo info) {
        public static final XdrCodec<SetInfoArgs> CODEC = XdrCodec.of(4 + VolintInfo.WIRE_SIZE, (w, a) -> {
            w.writeInt(a.tid);
            VolintInfo.CODEC.encode(w, a.info);
        }, r -> new SetInfoArgs(r.readInt(), VolintInfo.CODEC.decode(r)));
    }

    /** ForwardMultiple IN: {@code int32 fromTrans, int32 fromDate, manyDests (replica<13>), int32 spare, restoreCookie}. */
    public record ForwardMultipleArgs(int fromTrans, int fromDate, List<Replica> destinations, int spare,
                                      RestoreCookie cookie) {
        public static final XdrCodec<ForwardMultipleArgs> CODEC = XdrCodec.of(16 + RestoreCookie.WIRE_SIZE, (w, a) -> {
            w.writeInt(a.fromTrans).writeInt(a.fromDate).writeArray(a.destinations, Replica.CODEC,
                    VolserConstants.NMAXNSERVERS).writeInt(a.spare);
            RestoreCookie.CODEC.encode(w, a.cookie);
        }, r -> new ForwardMultipleArgs(r.readInt(), r.readInt(), r.readArray(Replica.CODEC, VolserConstants.NMAXNSERVERS),
                r.readInt(), RestoreCookie.CODEC.decode(r)));
    }

    /** SplitVolume IN: {@code uint32 vid, uint32 newid, uint32 where, int32 verbose}. */
    public record SplitVolumeArgs(int vid, int newid, int where, int verbose) {
        public static final XdrCodec<SplitVolumeArgs> CODEC = XdrCodec.of(16,
                (w, a) -> w.writeInt(a.vid).writeInt(a.newid).writeInt(a.where).writeInt(a.verbose),
                r -> new SplitVolumeArgs(r.readInt(), r.readInt(), r.readInt(), r.readInt()));
    }

    /** {@code volEntries}: {@code volintInfo<>}. */
    public static final XdrCodec<List<VolintInfo>> VOL_ENTRIES = Xdr.array(VolintInfo.CODEC, Xdr.UNBOUNDED);
    /** {@code volXEntries}: {@code volintXInfo<>}. */
    public static final XdrCodec<List<VolintXInfo>> VOL_X_ENTRIES = Xdr.array(VolintXInfo.CODEC, Xdr.UNBOUNDED);
    /** {@code transDebugEntries}: {@code transDebugInfo<>}. */
    public static final XdrCodec<List<TransDebugInfo>> TRANS_DEBUG_ENTRIES = Xdr.array(TransDebugInfo.CODEC, Xdr.UNBOUNDED);
    /** {@code partEntries}: {@code afs_int32<>}, the partition ids of XListPartitions. */
    public static final XdrCodec<int[]> PART_ENTRIES = Xdr.intArray(Xdr.UNBOUNDED);
    /** {@code pIDs}: {@code afs_int32 partIds[26]}, unused slots -1 (ListPartitions). */
    public static final XdrCodec<int[]> PIDS = Xdr.fixedInts(VolserConstants.PIDS_SLOTS);
    /** {@code manyResults}: {@code afs_int32<>}, one code per ForwardMultiple destination. */
    public static final XdrCodec<int[]> MANY_RESULTS = Xdr.intArray(Xdr.UNBOUNDED);
    /** {@code volintSize}: {@code afs_uint64 dump_size}. */
    public static final XdrCodec<Long> VOLINT_SIZE = Xdr.INT64;

    // ---- procedures (volser.md §3) ----

    public static final RpcOp<CreateVolumeArgs, CreateVolumeResult> CreateVolume =
            RpcOp.of(100, "CreateVolume", CreateVolumeArgs.CODEC, CreateVolumeResult.CODEC);
    public static final RpcOp<Integer, Void> DeleteVolume = RpcOp.of(101, "DeleteVolume", Xdr.INT32, Xdr.VOID);
    public static final RpcOp<RestoreArgs, Void> Restore =
            RpcOp.split(102, "Restore", RestoreArgs.CODEC, Xdr.VOID, RpcOp.Split.REQUEST);
    public static final RpcOp<ForwardArgs, Void> Forward = RpcOp.of(103, "Forward", ForwardArgs.CODEC, Xdr.VOID);
    /** EndTrans: {@code int32 trans} → {@code int32 rcode}. */
    public static final RpcOp<Integer, Integer> EndTrans = RpcOp.of(104, "EndTrans", Xdr.INT32, Xdr.INT32);
    /** Clone → {@code uint32 newVol}. */
    public static final RpcOp<CloneArgs, Integer> Clone = RpcOp.of(105, "Clone", CloneArgs.CODEC, Xdr.UINT32);
    public static final RpcOp<TransValue, Void> SetFlags = RpcOp.of(106, "SetFlags", TransValue.CODEC, Xdr.VOID);
    public static final RpcOp<Integer, Integer> GetFlags = RpcOp.of(107, "GetFlags", Xdr.INT32, Xdr.INT32);
    /** TransCreate → {@code int32 trans}. */
    public static final RpcOp<TransCreateArgs, Integer> TransCreate =
            RpcOp.of(108, "TransCreate", TransCreateArgs.CODEC, Xdr.INT32);
    public static final RpcOp<DumpArgs, Void> Dump = RpcOp.split(109, "Dump", DumpArgs.CODEC, Xdr.VOID, RpcOp.Split.REPLY);
    public static final RpcOp<Integer, NthVolume> GetNthVolume = RpcOp.of(110, "GetNthVolume", Xdr.INT32, NthVolume.CODEC);
    public static final RpcOp<TransValue, Void> SetForwarding = RpcOp.of(111, "SetForwarding", TransValue.CODEC, Xdr.VOID);
    public static final RpcOp<Integer, String> GetName =
            RpcOp.of(112, "GetName", Xdr.INT32, Xdr.string(VolserConstants.GETNAME_MAX));
    public static final RpcOp<Integer, VolserStatus> GetStatus = RpcOp.of(113, "GetStatus", Xdr.INT32, VolserStatus.CODEC);
    public static final RpcOp<SignalRestoreArgs, Void> SignalRestore =
            RpcOp.of(114, "SignalRestore", SignalRestoreArgs.CODEC, Xdr.VOID);
    public static final RpcOp<Void, int[]> ListPartitions = RpcOp.of(115, "ListPartitions", Xdr.VOID, PIDS);
    public static final RpcOp<PartFlags, List<VolintInfo>> ListVolumes =
            RpcOp.of(116, "ListVolumes", PartFlags.CODEC, VOL_ENTRIES);
    public static final RpcOp<SetIdsTypesArgs, Void> SetIdsTypes =
            RpcOp.of(117, "SetIdsTypes", SetIdsTypesArgs.CODEC, Xdr.VOID);
    public static final RpcOp<Void, List<TransDebugInfo>> Monitor = RpcOp.of(118, "Monitor", Xdr.VOID, TRANS_DEBUG_ENTRIES);
    public static final RpcOp<String, DiskPartition> PartitionInfo =
            RpcOp.of(119, "PartitionInfo", Xdr.string(VolserConstants.PARTNAME_MAX), DiskPartition.CODEC);
    public static final RpcOp<TransValue, Void> ReClone = RpcOp.of(120, "ReClone", TransValue.CODEC, Xdr.VOID);
    public static final RpcOp<PartVolume, List<VolintInfo>> ListOneVolume =
            RpcOp.of(121, "ListOneVolume", PartVolume.CODEC, VOL_ENTRIES);
    public static final RpcOp<PartVolume, Void> NukeVolume = RpcOp.of(122, "NukeVolume", PartVolume.CODEC, Xdr.VOID);
    public static final RpcOp<TransValue, Void> SetDate = RpcOp.of(123, "SetDate", TransValue.CODEC, Xdr.VOID);
    public static final RpcOp<PartFlags, List<VolintXInfo>> XListVolumes =
            RpcOp.of(124, "XListVolumes", PartFlags.CODEC, VOL_X_ENTRIES);
    public static final RpcOp<PartVolume, List<VolintXInfo>> XListOneVolume =
            RpcOp.of(125, "XListOneVolume", PartVolume.CODEC, VOL_X_ENTRIES);
    public static final RpcOp<SetInfoArgs, Void> SetInfo = RpcOp.of(126, "SetInfo", SetInfoArgs.CODEC, Xdr.VOID);
    public static final RpcOp<Void, int[]> XListPartitions = RpcOp.of(127, "XListPartitions", Xdr.VOID, PART_ENTRIES);
    public static final RpcOp<ForwardMultipleArgs, int[]> ForwardMultiple =
            RpcOp.of(128, "ForwardMultiple", ForwardMultipleArgs.CODEC, MANY_RESULTS);
    public static final RpcOp<PartVolume, Void> ConvertROtoRWvolume =
            RpcOp.of(65536, "ConvertROtoRWvolume", PartVolume.CODEC, Xdr.VOID);
    /** GetSize → {@code volintSize} (the exact byte length of the dump). */
    public static final RpcOp<DumpArgs, Long> GetSize = RpcOp.of(65537, "GetSize", DumpArgs.CODEC, VOLINT_SIZE);
    public static final RpcOp<DumpV2Args, Void> DumpV2 =
            RpcOp.split(65538, "DumpV2", DumpV2Args.CODEC, Xdr.VOID, RpcOp.Split.REPLY);
    public static final RpcOp<String, DiskPartition64> PartitionInfo64 =
            RpcOp.of(65539, "PartitionInfo64", Xdr.string(VolserConstants.PARTNAME_MAX), DiskPartition64.CODEC);
    /** SplitVolume: the reply is human-readable text ending in one NUL byte, no results. */
    public static final RpcOp<SplitVolumeArgs, Void> SplitVolume =
            RpcOp.split(65547, "SplitVolume", SplitVolumeArgs.CODEC, Xdr.VOID, RpcOp.Split.REPLY);

    /** The whole interface, service 4; opcodes outside it are answered RXGEN_OPCODE. */
    public static final RpcInterface AFSVol = RpcInterface.of("AFSVol", VolserConstants.VOLSERVICE_ID,
            CreateVolume, DeleteVolume, Restore, Forward, EndTrans, Clone, SetFlags, GetFlags, TransCreate, Dump,
            GetNthVolume, SetForwarding, GetName, GetStatus, SignalRestore, ListPartitions, ListVolumes, SetIdsTypes,
            Monitor, PartitionInfo, ReClone, ListOneVolume, NukeVolume, SetDate, XListVolumes, XListOneVolume,
            SetInfo, XListPartitions, ForwardMultiple, ConvertROtoRWvolume, GetSize, DumpV2, PartitionInfo64,
            SplitVolume);
}
