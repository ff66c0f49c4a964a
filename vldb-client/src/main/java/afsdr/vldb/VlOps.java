package afsdr.vldb;

import afsdr.rx.rpc.RpcInterface;
import afsdr.rx.rpc.RpcOp;
import afsdr.rx.xdr.Xdr;
import afsdr.rx.xdr.XdrCodec;

import java.util.List;

import static afsdr.vldb.VlConstants.BULKADDRS_MAX;
import static afsdr.vldb.VlConstants.VL_MAXNAMELEN;

/**
 * The VL procedures (vldb.md §2), as {@link RpcOp}s: opcode, name as in {@code vldbint.xg}
 * (without the {@code VL_} prefix), argument and result codecs. Parameter groups are the nested
 * records, their fields in declaration order.
 */
public final class VlOps {
    private VlOps() {
    }

    /** {@code uint32 volid, int32 voltype}. */
    public record IdType(int volid, int voltype) {
        public static final XdrCodec<IdType> CODEC = XdrCodec.of(8,
                (w, a) -> w.writeInt(a.volid).writeInt(a.voltype), r -> new IdType(r.readInt(), r.readInt()));
    }

    /** SetLock: {@code uint32 volid, int32 voltype, int32 voloper} (VLOP_*). */
    public record SetLockArgs(int volid, int voltype, int voloper) {
        public static final XdrCodec<SetLockArgs> CODEC = XdrCodec.of(12,
                (w, a) -> w.writeInt(a.volid).writeInt(a.voltype).writeInt(a.voloper),
                r -> new SetLockArgs(r.readInt(), r.readInt(), r.readInt()));
    }

    /** ReleaseLock: {@code uint32 volid, int32 voltype, int32 releaseType} (LOCKREL_*). */
    public record ReleaseLockArgs(int volid, int voltype, int releaseType) {
        public static final XdrCodec<ReleaseLockArgs> CODEC = XdrCodec.of(12,
                (w, a) -> w.writeInt(a.volid).writeInt(a.voltype).writeInt(a.releaseType),
                r -> new ReleaseLockArgs(r.readInt(), r.readInt(), r.readInt()));
    }

    /** ReplaceEntryN: {@code uint32 volid, int32 voltype, nvldbentry, int32 releaseType}. */
    public record ReplaceEntryNArgs(int volid, int voltype, NvldbEntry entry, int releaseType) {
        public static final XdrCodec<ReplaceEntryNArgs> CODEC = XdrCodec.of(12 + NvldbEntry.WIRE_SIZE, (w, a) -> {
            w.writeInt(a.volid).writeInt(a.voltype);
            NvldbEntry.CODEC.encode(w, a.entry);
            w.writeInt(a.releaseType);
        }, r -> new ReplaceEntryNArgs(r.readInt(), r.readInt(), NvldbEntry.CODEC.decode(r), r.readInt()));
    }

    /** ListAttributesN2: {@code VldbListByAttributes, string name<65>, int32 startindex}. */
    public record ListAttributesN2Args(VldbListByAttributes attributes, String name, int startIndex) {
        public static final XdrCodec<ListAttributesN2Args> CODEC = XdrCodec.of(32, (w, a) -> {
            VldbListByAttributes.CODEC.encode(w, a.attributes);
            w.writeString(a.name, VL_MAXNAMELEN).writeInt(a.startIndex);
        }, r -> new ListAttributesN2Args(VldbListByAttributes.CODEC.decode(r), r.readString(VL_MAXNAMELEN), r.readInt()));
    }

    /**
     * ListAttributesN2 results: {@code int32 nentries, nbulkentries, int32 nextstartindex};
     * {@code nextStartIndex} is an opaque cursor, -1 when done (vldb.md §4).
     */
    public record ListAttributesN2Result(int nentries, List<NvldbEntry> entries, int nextStartIndex) {
        public static final XdrCodec<ListAttributesN2Result> CODEC = XdrCodec.of(12, (w, a) -> {
            w.writeInt(a.nentries).writeArray(a.entries, NvldbEntry.CODEC, Xdr.UNBOUNDED).writeInt(a.nextStartIndex);
        }, r -> new ListAttributesN2Result(r.readInt(), r.readArray(NvldbEntry.CODEC, Xdr.UNBOUNDED), r.readInt()));
    }

    /** {@code VLCallBack} (16 bytes); GetAddrs returns it zeroed. */
    public record VLCallBack(int callBackVersion, int expirationTime, int callBackType, int handle) {
        public static final VLCallBack NONE = new VLCallBack(0, 0, 0, 0);
        public static final XdrCodec<VLCallBack> CODEC = XdrCodec.of(16,
                (w, c) -> w.writeInt(c.callBackVersion).writeInt(c.expirationTime).writeInt(c.callBackType)
                        .writeInt(c.handle),
                r -> new VLCallBack(r.readInt(), r.readInt(), r.readInt(), r.readInt()));
    }

    /** GetAddrs: {@code int32 Handle, int32 spare2} (both 0 from vos). */
    public record GetAddrsArgs(int handle, int spare2) {
        public static final XdrCodec<GetAddrsArgs> CODEC = XdrCodec.of(8,
                (w, a) -> w.writeInt(a.handle).writeInt(a.spare2), r -> new GetAddrsArgs(r.readInt(), r.readInt()));
    }

    /**
     * GetAddrs results: {@code VLCallBack spare3, int32 nentries, bulkaddrs}; each address a
     * host-order IPv4 or a multihomed marker {@code 0xFF000000|base<<16|index} (vldb.md §4).
     */
    public record GetAddrsResult(VLCallBack spare3, int nentries, int[] addrs) {
        public static final XdrCodec<GetAddrsResult> CODEC = XdrCodec.of(24, (w, a) -> {
            VLCallBack.CODEC.encode(w, a.spare3);
            w.writeInt(a.nentries).writeIntArray(a.addrs, BULKADDRS_MAX);
        }, r -> new GetAddrsResult(VLCallBack.CODEC.decode(r), r.readInt(), r.readIntArray(BULKADDRS_MAX)));
    }

    /** GetAddrsU results: {@code afsUUID, int32 uniquifier, int32 nentries, bulkaddrs}. */
    public record GetAddrsUResult(AfsUuid uuid, int uniquifier, int nentries, int[] addrs) {
        public static final XdrCodec<GetAddrsUResult> CODEC = XdrCodec.of(AfsUuid.WIRE_SIZE + 12, (w, a) -> {
            AfsUuid.CODEC.encode(w, a.uuid);
            w.writeInt(a.uniquifier).writeInt(a.nentries).writeIntArray(a.addrs, BULKADDRS_MAX);
        }, r -> new GetAddrsUResult(AfsUuid.CODEC.decode(r), r.readInt(), r.readInt(), r.readIntArray(BULKADDRS_MAX)));
    }

    /** RegisterAddrs: {@code afsUUID, int32 spare1, bulkaddrs}. */
    public record RegisterAddrsArgs(AfsUuid uuid, int spare1, int[] addrs) {
        public static final XdrCodec<RegisterAddrsArgs> CODEC = XdrCodec.of(AfsUuid.WIRE_SIZE + 8, (w, a) -> {
            AfsUuid.CODEC.encode(w, a.uuid);
            w.writeInt(a.spare1).writeIntArray(a.addrs, BULKADDRS_MAX);
        }, r -> new RegisterAddrsArgs(AfsUuid.CODEC.decode(r), r.readInt(), r.readIntArray(BULKADDRS_MAX)));
    }

    private static final XdrCodec<String> NAME = Xdr.string(VL_MAXNAMELEN);

    /** 501 {@code VL_CreateEntry(vldbentry)}: old form, for servers without the N calls. */
    public static final RpcOp<VldbEntry, Void> CreateEntry = RpcOp.of(501, "CreateEntry", VldbEntry.CODEC, Xdr.VOID);
    /** 502 {@code VL_DeleteEntry(volid, voltype)}. */
    public static final RpcOp<IdType, Void> DeleteEntry = RpcOp.of(502, "DeleteEntry", IdType.CODEC, Xdr.VOID);
    /** 503 {@code VL_GetEntryByID(volid, voltype) -> vldbentry}: old form. */
    public static final RpcOp<IdType, VldbEntry> GetEntryByID = RpcOp.of(503, "GetEntryByID", IdType.CODEC, VldbEntry.CODEC);
    /** 504 {@code VL_GetEntryByNameO(name) -> vldbentry}: old form. */
    public static final RpcOp<String, VldbEntry> GetEntryByNameO = RpcOp.of(504, "GetEntryByNameO", NAME, VldbEntry.CODEC);
    /** 505 {@code VL_GetNewVolumeId(bumpcount) -> newvolumeid}. */
    public static final RpcOp<Integer, Integer> GetNewVolumeId = RpcOp.of(505, "GetNewVolumeId", Xdr.UINT32, Xdr.UINT32);
    /** 508 {@code VL_SetLock(volid, voltype, voloper)}. */
    public static final RpcOp<SetLockArgs, Void> SetLock = RpcOp.of(508, "SetLock", SetLockArgs.CODEC, Xdr.VOID);
    /** 509 {@code VL_ReleaseLock(volid, voltype, releaseType)}. */
    public static final RpcOp<ReleaseLockArgs, Void> ReleaseLock = RpcOp.of(509, "ReleaseLock", ReleaseLockArgs.CODEC, Xdr.VOID);
    /** 514 {@code VL_ProbeServer()}. */
    public static final RpcOp<Void, Void> ProbeServer = RpcOp.of(514, "ProbeServer", Xdr.VOID, Xdr.VOID);
    /** 515 {@code VL_GetAddrs(Handle, spare2) -> spare3, nentries, bulkaddrs}. */
    public static final RpcOp<GetAddrsArgs, GetAddrsResult> GetAddrs = RpcOp.of(515, "GetAddrs", GetAddrsArgs.CODEC, GetAddrsResult.CODEC);
    /** 517 {@code VL_CreateEntryN(nvldbentry)}. */
    public static final RpcOp<NvldbEntry, Void> CreateEntryN = RpcOp.of(517, "CreateEntryN", NvldbEntry.CODEC, Xdr.VOID);
    /** 518 {@code VL_GetEntryByIDN(volid, voltype) -> nvldbentry}. */
    public static final RpcOp<IdType, NvldbEntry> GetEntryByIDN = RpcOp.of(518, "GetEntryByIDN", IdType.CODEC, NvldbEntry.CODEC);
    /** 519 {@code VL_GetEntryByNameN(name) -> nvldbentry}. */
    public static final RpcOp<String, NvldbEntry> GetEntryByNameN = RpcOp.of(519, "GetEntryByNameN", NAME, NvldbEntry.CODEC);
    /** 520 {@code VL_ReplaceEntryN(volid, voltype, nvldbentry, releaseType)}. */
    public static final RpcOp<ReplaceEntryNArgs, Void> ReplaceEntryN = RpcOp.of(520, "ReplaceEntryN", ReplaceEntryNArgs.CODEC, Xdr.VOID);
    /** 527 {@code VL_GetEntryByNameU(name) -> uvldbentry}. */
    public static final RpcOp<String, UvldbEntry> GetEntryByNameU = RpcOp.of(527, "GetEntryByNameU", NAME, UvldbEntry.CODEC);
    /** 532 {@code VL_RegisterAddrs(uuid, spare1, bulkaddrs)}. */
    public static final RpcOp<RegisterAddrsArgs, Void> RegisterAddrs = RpcOp.of(532, "RegisterAddrs", RegisterAddrsArgs.CODEC, Xdr.VOID);
    /** 533 {@code VL_GetAddrsU(ListAddrByAttributes) -> uuid, uniquifier, nentries, bulkaddrs}. */
    public static final RpcOp<ListAddrByAttributes, GetAddrsUResult> GetAddrsU = RpcOp.of(533, "GetAddrsU", ListAddrByAttributes.CODEC, GetAddrsUResult.CODEC);
    /** 534 {@code VL_ListAttributesN2(attributes, name, startindex) -> nentries, entries, nextstartindex}. */
    public static final RpcOp<ListAttributesN2Args, ListAttributesN2Result> ListAttributesN2 =
            RpcOp.of(534, "ListAttributesN2", ListAttributesN2Args.CODEC, ListAttributesN2Result.CODEC);

    /** The procedures above, for a dispatcher (service 52). */
    public static final RpcInterface VL = RpcInterface.of("VL", VlConstants.VL_SERVICE_ID,
            CreateEntry, DeleteEntry, GetEntryByID, GetEntryByNameO, GetNewVolumeId, SetLock, ReleaseLock,
            ProbeServer, GetAddrs, CreateEntryN, GetEntryByIDN, GetEntryByNameN, ReplaceEntryN, GetEntryByNameU,
            RegisterAddrs, GetAddrsU, ListAttributesN2);

    /** Procedures that change the database: ubik answers them only at the sync site. */
    static boolean isWrite(RpcOp<?, ?> op) {
        return op == CreateEntry || op == CreateEntryN || op == DeleteEntry || op == GetNewVolumeId
                || op == SetLock || op == ReleaseLock || op == ReplaceEntryN || op == RegisterAddrs;
    }
}
