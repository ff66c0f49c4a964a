package afsdr.vldb;

import afsdr.rx.xdr.XdrCodec;

/**
 * {@code VldbListByAttributes} (24 bytes, vldb.md §3.5): the filter of ListAttributesN2. Only the
 * fields whose {@code VLLIST_*} bit is in {@code mask} count.
 *
 * @param server IPv4 host-order integer
 */
public record VldbListByAttributes(int mask, int server, int partition, int volumeId, int flag) {
    public static final int WIRE_SIZE = 24;

    /** No filter: every entry. */
    public static final VldbListByAttributes ALL = new VldbListByAttributes(0, 0, 0, 0, 0);

    public static final XdrCodec<VldbListByAttributes> CODEC = XdrCodec.of(WIRE_SIZE,
            (w, a) -> w.writeInt(a.mask).writeInt(a.server).writeInt(a.partition).writeInt(0)
                    .writeInt(a.volumeId).writeInt(a.flag),
            r -> {
                int mask = r.readInt();
                int server = r.readInt();
                int part = r.readInt();
                r.readInt(); // spares3
                return new VldbListByAttributes(mask, server, part, r.readInt(), r.readInt());
            });
}
