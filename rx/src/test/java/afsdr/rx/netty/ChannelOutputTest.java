package afsdr.rx.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.SegmentedDatagramPacket;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * Segmentation offload against a path whose MTU is below the segment size: the kernel fails the
 * send (EINVAL). Simulated by a channel that fails every segmented write; nothing leaves the JVM
 * (192.0.2.0/24 is TEST-NET and the EmbeddedChannel has no socket).
 */
class ChannelOutputTest {
    private static final InetSocketAddress OFF_HOST = new InetSocketAddress("192.0.2.7", 7005);
    private static final int SEGMENT = 1444;

    /** Fails segmented writes the way epoll reports a refused sendmsg; passes plain datagrams on. */
    private static final class SmallMtuPath extends ChannelOutboundHandlerAdapter {
        int refused;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof SegmentedDatagramPacket p) {
                refused++;
                p.release();
                promise.setFailure(new IOException("sendmsg(..) failed: Invalid argument"));
            } else {
                ctx.write(msg, promise);
            }
        }
    }

    @Test
    void aPeerThatRefusesOffloadGetsPlainDatagramsAfterwards() {
        SmallMtuPath path = new SmallMtuPath();
        EmbeddedChannel ch = new EmbeddedChannel(path);
        ChannelOutput out = new ChannelOutput(call -> { }, System.getLogger("test"));
        out.bind(ch);
        out.enableSegmentationOffload(true);

        out.transmitSegments(OFF_HOST, batch(3), SEGMENT);
        ch.flush();
        assertEquals(1, path.refused, "the first batch went out as one segmented send");
        assertNull(ch.readOutbound(), "a refused batch is lost like a dropped datagram");
        assertTrue(out.segmentationRefused(OFF_HOST.getAddress()));

        ByteBuf second = batch(3);
        out.transmitSegments(OFF_HOST, second, SEGMENT);
        ch.flush();
        assertEquals(1, path.refused, "no second offload attempt to that peer");
        for (int i = 0; i < 3; i++) {
            DatagramPacket d = assertInstanceOf(DatagramPacket.class, ch.readOutbound());
            assertEquals(SEGMENT, d.content().readableBytes());
            assertEquals(i, d.content().getByte(0), "datagrams in order");
            assertEquals(OFF_HOST, d.recipient());
            d.release();
        }
        assertNull(ch.readOutbound());
        assertEquals(0, second.refCnt(), "the batch buffer is released once its slices are sent");
        assertFalse(out.segmentationRefused(new InetSocketAddress("192.0.2.8", 7005).getAddress()),
            "other peers keep offload");
        assertFalse(ch.finish());
    }

    /** {@code n} segments of {@link #SEGMENT} bytes, the first byte of each its index. */
    private static ByteBuf batch(int n) {
        ByteBuf b = Unpooled.buffer(n * SEGMENT);
        for (int i = 0; i < n; i++) {
            b.writeByte(i);
            b.writeZero(SEGMENT - 1);
        }
        return b;
    }
}
