package afsdr.vldb;

import afsdr.rx.xdr.XdrCodec;

/**
 * {@code ListAddrByAttributes} (60 bytes, vldb.md §3.5), the question of GetAddrsU: exactly one of
 * {@code VLADDR_IPADDR} (the multihomed server having {@code ipaddr}), {@code VLADDR_INDEX} (1-based
 * server slot) or {@code VLADDR_UUID}.
 */
public record ListAddrByAttributes(int mask, int ipaddr, int index, AfsUuid uuid) {
    public static final int WIRE_SIZE = 60;

    public static ListAddrByAttributes byIpAddr(int ipaddr) {
        return new ListAddrByAttributes(VlConstants.VLADDR_IPADDR, ipaddr, 0, AfsUuid.NIL);
    }

    /** {@code index} is the 1-based server slot (GetAddrs position + 1). */
    public static ListAddrByAttributes byIndex(int index) {
        return new ListAddrByAttributes(VlConstants.VLADDR_INDEX, 0, index, AfsUuid.NIL);
    }

    public static ListAddrByAttributes byUuid(AfsUuid uuid) {
        return new ListAddrByAttributes(VlConstants.VLADDR_UUID, 0, 0, uuid);
    }

    public static final XdrCodec<ListAddrByAttributes> CODEC = XdrCodec.of(WIRE_SIZE, (w, a) -> {
        w.writeInt(a.mask).writeInt(a.ipaddr).writeInt(a.index).writeInt(0);
        AfsUuid.CODEC.encode(w, a.uuid);
    }, r -> {
        int mask = r.readInt();
        int ip = r.readInt();
        int index = r.readInt();
        r.readInt(); // spare1
        return new ListAddrByAttributes(mask, ip, index, AfsUuid.CODEC.decode(r));
    });
}
