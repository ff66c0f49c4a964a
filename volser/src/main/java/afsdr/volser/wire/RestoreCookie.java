package afsdr.volser.wire;

import afsdr.rx.xdr.XdrCodec;

import static afsdr.volser.wire.VolserConstants.VNAMESIZE;

/**
 * {@code restoreCookie} (volser.md §2.6), 140 bytes: name[32] (128), type, clone (here {@code cloneId}: {@code clone} cannot name a record component), parent. The
 * restoring server takes the volume's name, type, clone and parent ids from here, not from the
 * dump.
 */
public record RestoreCookie(String name, int type, int cloneId, int parent) {
    public static final int WIRE_SIZE = 140;

    public static final XdrCodec<RestoreCookie> CODEC = XdrCodec.of(WIRE_SIZE,
            (w, c) -> w.writeFixedChars(c.name, VNAMESIZE).writeInt(c.type).writeInt(c.cloneId).writeInt(c.parent),
            r -> new RestoreCookie(r.readFixedChars(VNAMESIZE), r.readInt(), r.readInt(), r.readInt()));
}
