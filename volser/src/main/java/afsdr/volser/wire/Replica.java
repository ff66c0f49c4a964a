package afsdr.volser.wire;

import afsdr.rx.xdr.XdrCodec;

/** {@code replica} (volser.md §2.6), 16 bytes: one target of ForwardMultiple, its transaction and server. */
public record Replica(int trans, DestServer server) {
    public static final int WIRE_SIZE = 16;

    public static final XdrCodec<Replica> CODEC = XdrCodec.of(WIRE_SIZE, (w, r) -> {
        w.writeInt(r.trans);
        DestServer.CODEC.encode(w, r.server);
    }, r -> new Replica(r.readInt(), DestServer.CODEC.decode(r)));
}
