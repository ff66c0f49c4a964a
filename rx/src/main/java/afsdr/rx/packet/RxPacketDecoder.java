package afsdr.rx.packet;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * Stateless decoder of received datagrams. Every method either returns complete, validated
 * results or throws {@link RxMalformedPacketException}; nothing is retained, so the caller's
 * {@code finally} that releases the datagram is the only cleanup needed on any path.
 */
public final class RxPacketDecoder {
    private RxPacketDecoder() {}

    /**
     * Splits a datagram into its Rx packets: one, or several for a jumbogram (rx.md §15,
     * rxi_SplitJumboPacket). Adds to {@code out} only once the whole datagram has been validated.
     *
     * <p>A jumbogram member that announces a successor (JUMBO_PACKET) must be followed by exactly
     * {@link RxConstants#RX_JUMBOBUFFERSIZE} data bytes and a 4-byte jumbo header; anything else is
     * a bogus length and the whole datagram is rejected. Only DATA packets may be jumbograms.
     */
    public static void split(ByteBuf datagram, List<RxPacket> out) throws RxMalformedPacketException {
        int base = datagram.readerIndex();
        int total = datagram.readableBytes();
        if (total < RxConstants.RX_HEADER_SIZE) {
            throw new RxMalformedPacketException("datagram of " + total + " bytes is shorter than the Rx header");
        }
        RxHeader h = new RxHeader().read(datagram, base);
        int pos = base + RxConstants.RX_HEADER_SIZE;
        int end = base + total;
        if (h.type != RxConstants.RX_PACKET_TYPE_DATA || (h.flags & RxConstants.RX_JUMBO_PACKET) == 0) {
            out.add(new RxPacket(h, datagram, pos, end - pos));
            return;
        }
        int first = out.size();
        int members = 0;
        RxHeader cur = h;
        while ((cur.flags & RxConstants.RX_JUMBO_PACKET) != 0) {
            if (end - pos < RxConstants.RX_JUMBOBUFFERSIZE + RxConstants.RX_JUMBOHEADERSIZE) {
                truncate(out, first);
                throw new RxMalformedPacketException("jumbogram member " + members + " of " + h
                        + " announces a successor but only " + (end - pos) + " bytes remain");
            }
            if (++members >= RxConstants.RX_MAX_DGRAM_PACKETS * 4) {
                // more members than any sane MTU allows; 4x our own limit keeps room for peers
                truncate(out, first);
                throw new RxMalformedPacketException("jumbogram with more than " + members + " members");
            }
            out.add(new RxPacket(cur, datagram, pos, RxConstants.RX_JUMBOBUFFERSIZE));
            pos += RxConstants.RX_JUMBOBUFFERSIZE;
            int jumboHeader = datagram.getInt(pos);
            pos += RxConstants.RX_JUMBOHEADERSIZE;
            RxHeader next = cur.copy();
            next.flags = jumboHeader >>> 24;
            next.spare = jumboHeader & 0xffff;
            next.userStatus = 0;
            next.seq = cur.seq + 1;
            next.serial = cur.serial + 1;
            cur = next;
        }
        out.add(new RxPacket(cur, datagram, pos, end - pos));
    }

    private static void truncate(List<RxPacket> out, int size) {
        while (out.size() > size) {
            out.remove(out.size() - 1);
        }
    }

    /** The error code of an ABORT body: one big-endian int32 (rx.md §11). */
    public static int abortCode(RxPacket p) throws RxMalformedPacketException {
        if (p.bodyLength < 4) {
            throw new RxMalformedPacketException("ABORT body of " + p.bodyLength + " bytes, need 4: " + p.header);
        }
        return p.datagram.getInt(p.bodyOffset);
    }

    public static RxAck ack(RxPacket p) throws RxMalformedPacketException {
        return RxAck.decode(p.datagram, p.bodyOffset, p.bodyLength);
    }
}
