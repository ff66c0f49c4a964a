package afsdr.volser.wire;

import afsdr.rx.xdr.XdrCodec;

/**
 * {@code destServer} (volser.md §2.6), 12 bytes: where Forward sends a dump. destHost is an IPv4
 * address as a host-order integer, destPort 7005, destSSID (vos sends 1; ignored).
 */
public record DestServer(int destHost, int destPort, int destSSID) {
    public static final int WIRE_SIZE = 12;

    public static final XdrCodec<DestServer> CODEC = XdrCodec.of(WIRE_SIZE,
            (w, d) -> w.writeInt(d.destHost).writeInt(d.destPort).writeInt(d.destSSID),
            r -> new DestServer(r.readInt(), r.readInt(), r.readInt()));
}
