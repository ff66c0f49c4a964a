package afsdr.rx.packet;

import io.netty.buffer.ByteBuf;

/**
 * One Rx packet inside a received datagram: its header and where its body lies in the datagram
 * buffer. It does not own the buffer; whoever keeps the body past the receive call retains the
 * datagram. Mutable and reused by the receive path (one array of these per endpoint), so copy
 * what must outlive the call that received it.
 */
public final class RxPacket {
    public final RxHeader header = new RxHeader();
    public ByteBuf datagram;
    public int bodyOffset;
    public int bodyLength;
    /** How many Rx packets the datagram carried (more than 1: a jumbogram). */
    public int datagramPackets = 1;

    public RxPacket() {}

    public RxPacket(RxHeader header, ByteBuf datagram, int bodyOffset, int bodyLength) {
        this.header.copyFrom(header);
        set(datagram, bodyOffset, bodyLength);
    }

    RxPacket set(ByteBuf datagram, int bodyOffset, int bodyLength) {
        this.datagram = datagram;
        this.bodyOffset = bodyOffset;
        this.bodyLength = bodyLength;
        return this;
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
