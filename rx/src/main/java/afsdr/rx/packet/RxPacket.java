package afsdr.rx.packet;

import io.netty.buffer.ByteBuf;

/**
 * One Rx packet inside a received datagram: its header and where its body lies in the datagram
 * buffer. It does not own the buffer; whoever keeps the body past the receive call retains a
 * slice ({@link #retainedBody()}).
 */
public final class RxPacket {
    public final RxHeader header;
    public final ByteBuf datagram;
    public final int bodyOffset;
    public final int bodyLength;

    public RxPacket(RxHeader header, ByteBuf datagram, int bodyOffset, int bodyLength) {
        this.header = header;
        this.datagram = datagram;
        this.bodyOffset = bodyOffset;
        this.bodyLength = bodyLength;
    }

    /** A view of the body (not retained). */
    public ByteBuf body() {
        return datagram.slice(bodyOffset, bodyLength);
    }

    /** A retained view of the body, for the receive queue. */
    public ByteBuf retainedBody() {
        return datagram.retainedSlice(bodyOffset, bodyLength);
    }

    @Override
    public String toString() {
        return header + " len=" + bodyLength;
    }
}
