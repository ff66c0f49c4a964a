package afsdr.rx.netty;

import static org.junit.jupiter.api.Assertions.*;

import afsdr.rx.RxCall;
import afsdr.rx.RxClientConnection;
import afsdr.rx.packet.RxConstants;
import afsdr.rx.packet.RxHeader;
import afsdr.rx.security.RxNullSecurity;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * BUSY over real sockets: the client abandons a call whose ABORT never reaches the server (a
 * filter drops it), so the server's handler still runs when the next call arrives on that
 * channel. The server answers BUSY; the client notes it and puts its next call on another channel.
 */
class RxBusyChannelTest {
    static final int SERVICE = 4712;

    /** Drops every ABORT the server would receive. */
    static final class DropAborts extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof DatagramPacket p && p.content().readableBytes() > RxHeader.TYPE_OFFSET
                    && p.content().getUnsignedByte(p.content().readerIndex() + RxHeader.TYPE_OFFSET)
                        == RxConstants.RX_PACKET_TYPE_ABORT) {
                p.release();
                return;
            }
            ctx.fireChannelRead(msg);
        }
    }

    @Test
    @Timeout(60)
    void serverAnswersBusyAndClientMovesToAnotherChannel() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (RxEndpoint server = RxEndpoint.builder().bind(InetAddress.getByName("127.0.0.1"), 0)
                .inboundFilter(DropAborts::new).build();
             RxEndpoint client = RxEndpoint.builder().bind(InetAddress.getByName("127.0.0.1"), 0).build()) {
            server.addService(SERVICE, Map.of(0, RxNullSecurity.INSTANCE), call -> {
                int op = new DataInputStream(call.input()).readInt();
                if (op == 1 || op == 2) {
                    started.countDown();
                    release.await(50, TimeUnit.SECONDS); // a long-running RPC
                } else {
                    new DataOutputStream(call.output()).writeInt(op * 10);
                }
            });
            RxClientConnection conn = client.connect(server.localAddress(), SERVICE, RxNullSecurity.INSTANCE);
            RxCall c1 = conn.newCall();
            assertEquals(0, ((NettyRxCall) c1).st.channel());
            new DataOutputStream(c1.output()).writeInt(1);
            c1.output().flush();
            assertTrue(started.await(20, TimeUnit.SECONDS), "handler of call 1 started");
            c1.abort(RxConstants.RX_CALL_DEAD); // the ABORT is lost on the way

            RxCall c2 = conn.newCall();
            NettyRxCall n2 = (NettyRxCall) c2;
            assertEquals(0, n2.st.channel(), "nothing said channel 0 is busy yet");
            assertEquals(2, n2.st.callNumber());
            new DataOutputStream(c2.output()).writeInt(2);
            c2.output().flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!n2.st.connection().channelBusy(0)) {
                assertTrue(System.nanoTime() < deadline, "no BUSY for call 2 on the busy channel");
                Thread.sleep(5);
            }
            assertTrue(server.stats().busyPacketsSent >= 1);
            c2.abort(RxConstants.RX_CALL_DEAD);

            RxCall c3 = conn.newCall();
            assertEquals(1, ((NettyRxCall) c3).st.channel(), "the busy channel is avoided");
            new DataOutputStream(c3.output()).writeInt(3);
            assertEquals(30, new DataInputStream(c3.input()).readInt());
            conn.endCall(c3);
            release.countDown();
            conn.close();
        } finally {
            release.countDown();
        }
    }
}
