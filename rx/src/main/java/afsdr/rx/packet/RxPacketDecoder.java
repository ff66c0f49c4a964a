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

    /** Most packets one datagram may carry: 4x our own jumbogram limit leaves room for other peers. */
    public static final int MAX_PACKETS_PER_DATAGRAM = RxConstants.RX_MAX_DGRAM_PACKETS * 4;

    /** An array of packet holders for {@link #split(ByteBuf, RxPacket[])}. */
    public static RxPacket[] newPacketArray() {
        RxPacket[] a = new RxPacket[MAX_PACKETS_PER_DATAGRAM];
        for (int i = 0; i < a.length; i++) {
            a[i] = new RxPacket();
        }
        return a;
    }

    /**
     * Splits a datagram into its Rx packets: one, or several for a jumbogram (rx.md §15,
     * rxi_SplitJumboPacket), filling the holders of {@code out} (see {@link #newPacketArray()});
     * nothing is allocated. Returns how many packets were found; on failure the contents of
     * {@code out} are unspecified.
     *
     * <p>A jumbogram member that announces a successor (JUMBO_PACKET) must be followed by exactly
     * {@link RxConstants#RX_JUMBOBUFFERSIZE} data bytes and a 4-byte jumbo header; anything else is
     * a bogus length and the whole datagram is rejected. Only DATA packets may be jumbograms.
     */
    public static int split(ByteBuf datagram, RxPacket[] out) throws RxMalformedPacketException {
        int base = datagram.readerIndex();
        int total = datagram.readableBytes();
        if (total < RxConstants.RX_HEADER_SIZE) {
            throw new RxMalformedPacketException("datagram of " + total + " bytes is shorter than the Rx header");
        }
        RxHeader h = out[0].header.read(datagram, base);
        int pos = base + RxConstants.RX_HEADER_SIZE;
        int end = base + total;
        if (h.type != RxConstants.RX_PACKET_TYPE_DATA || (h.flags & RxConstants.RX_JUMBO_PACKET) == 0) {
            out[0].set(datagram, pos, end - pos).datagramPackets = 1;
            return 1;
        }
        int n = 0;
        RxHeader cur = h;
        while ((cur.flags & RxConstants.RX_JUMBO_PACKET) != 0) {
            if (end - pos < RxConstants.RX_JUMBOBUFFERSIZE + RxConstants.RX_JUMBOHEADERSIZE) {
                throw new RxMalformedPacketException("jumbogram member " + n + " of " + h
                        + " announces a successor but only " + (end - pos) + " bytes remain");
            }
            if (n + 1 >= out.length) {
                throw new RxMalformedPacketException("jumbogram with more than " + out.length + " members");
            }
            out[n].set(datagram, pos, RxConstants.RX_JUMBOBUFFERSIZE);
            pos += RxConstants.RX_JUMBOBUFFERSIZE;
            int jumboHeader = datagram.getInt(pos);
            pos += RxConstants.RX_JUMBOHEADERSIZE;
            RxHeader next = out[n + 1].header;
            next.copyFrom(cur);
            next.flags = jumboHeader >>> 24;
            next.spare = jumboHeader & 0xffff;
            next.userStatus = 0;
            next.seq = cur.seq + 1;
            next.serial = cur.serial + 1;
            cur = next;
            n++;
        }
        out[n].set(datagram, pos, end - pos);
        for (int i = 0; i <= n; i++) {
            out[i].datagramPackets = n + 1;
        }
        return n + 1;
    }

    /** Convenience form of {@link #split(ByteBuf, RxPacket[])} for tests and tools: copies out. */
    public static void split(ByteBuf datagram, List<RxPacket> out) throws RxMalformedPacketException {
        RxPacket[] a = newPacketArray();
        int n = split(datagram, a);
        for (int i = 0; i < n; i++) {
            out.add(new RxPacket(a[i].header, a[i].datagram, a[i].bodyOffset, a[i].bodyLength));
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
