package afsdr.rx.packet;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/** Builders of the small control packets: header plus a body written in full. */
public final class RxPacketEncoder {
    private RxPacketEncoder() {}

    /** A packet with the given header and an empty body. */
    public static ByteBuf empty(ByteBufAllocator alloc, RxHeader h) {
        ByteBuf b = alloc.directBuffer(RxConstants.RX_HEADER_SIZE);
        h.writeTo(b);
        return b;
    }

    /** ABORT: header plus the int32 code (rx.md §11). */
    public static ByteBuf abort(ByteBufAllocator alloc, RxHeader h, int code) {
        ByteBuf b = alloc.directBuffer(RxConstants.RX_HEADER_SIZE + 4);
        h.writeTo(b);
        b.writeInt(code);
        return b;
    }

    /** A packet whose body is {@code body} (copied). */
    public static ByteBuf withBody(ByteBufAllocator alloc, RxHeader h, byte[] body) {
        ByteBuf b = alloc.directBuffer(RxConstants.RX_HEADER_SIZE + body.length);
        h.writeTo(b);
        b.writeBytes(body);
        return b;
    }

    /**
     * The 65-byte NUL-padded version string of a VERSION answer (rxi_ReceiveVersionPacket);
     * longer strings are cut so the last byte stays NUL.
     */
    public static byte[] versionBody(String version) {
        byte[] out = new byte[RxConstants.RX_VERSION_STRING_SIZE];
        byte[] s = version.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(s, 0, out, 0, Math.min(s.length, out.length - 1));
        return out;
    }
}
