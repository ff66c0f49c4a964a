package afsdr.rx.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import java.util.HashMap;
import java.util.Map;

/**
 * Passes every datagram on untouched and counts the Rx data packets that arrive out of order: after a data
 * packet of the same connection with a higher header serial. The sender gives every transmission a new
 * serial, in the order it sends them, so a late serial means the network reordered the packets; a
 * retransmission is not counted (it has a new serial), a duplicate arriving right after its original is
 * not either (same serial). Jumbograms are judged by their first packet's header.
 *
 * <p>This is how a test proves that reordering it asked a kernel qdisc for really happened; our Rx
 * statistics (like OpenAFS's rx_stats) have no out-of-order counter.
 */
@ChannelHandler.Sharable
final class ArrivalOrderProbe extends ChannelInboundHandlerAdapter {
    /** Header offsets and the data packet type (RX_PACKET_TYPE_DATA), see the Rx wire header. */
    private static final int HEADER_BYTES = 28;
    private static final int OFFSET_EPOCH = 0;
    private static final int OFFSET_CID = 4;
    private static final int OFFSET_SERIAL = 16;
    private static final int OFFSET_TYPE = 20;
    private static final int TYPE_DATA = 1;
    /** The low bits of a cid name the call channel, not the connection (RX_CHANNELMASK). */
    private static final int CHANNEL_MASK = 3;
    /** Histogram buckets: how far behind the highest serial a late packet was, 1, 2-3, 4-7, ..., >= 2^15. */
    private static final int BUCKETS = 16;

    private final Map<Long, Integer> highestSerial = new HashMap<>();
    private final long[] lateness = new long[BUCKETS];
    private long dataPackets;
    private long outOfOrder;
    private long maxLateness;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof DatagramPacket p) {
            observe(p.content());
        }
        ctx.fireChannelRead(msg);
    }

    private synchronized void observe(ByteBuf b) {
        if (b.readableBytes() < HEADER_BYTES) {
            return;
        }
        int at = b.readerIndex();
        if (b.getByte(at + OFFSET_TYPE) != TYPE_DATA) {
            return;
        }
        dataPackets++;
        long conn = (long) b.getInt(at + OFFSET_EPOCH) << 32 | (b.getInt(at + OFFSET_CID) & ~CHANNEL_MASK) & 0xffffffffL;
        int serial = b.getInt(at + OFFSET_SERIAL);
        Integer highest = highestSerial.get(conn);
        if (highest == null || serial - highest > 0) {
            highestSerial.put(conn, serial);
        } else if (serial - highest < 0) {
            outOfOrder++;
            long late = highest - serial;
            maxLateness = Math.max(maxLateness, late);
            lateness[Math.min(BUCKETS - 1, 63 - Long.numberOfLeadingZeros(late))]++;
        }
    }

    synchronized long dataPackets() {
        return dataPackets;
    }

    /** Data packets that arrived after a data packet sent later on the same connection. */
    synchronized long outOfOrder() {
        return outOfOrder;
    }

    @Override
    public synchronized String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(outOfOrder).append(" of ").append(dataPackets).append(" data packets out of order");
        if (outOfOrder > 0) {
            sb.append(", serials behind the highest seen:");
            for (int i = 0; i < BUCKETS; i++) {
                if (lateness[i] > 0) {
                    long lo = 1L << i;
                    sb.append(' ').append(i == BUCKETS - 1 ? ">=" + lo : lo == 1 ? "1" : lo + "-" + (2 * lo - 1))
                            .append(':').append(lateness[i]);
                }
            }
            sb.append(" (max ").append(maxLateness).append(')');
        }
        return sb.toString();
    }
}
