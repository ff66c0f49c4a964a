package afsdr.rx.netty;

import afsdr.rx.packet.RxHeader;
import afsdr.rx.proto.RxCallState;
import afsdr.rx.proto.RxOutput;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * The engine's view of a datagram channel: writes without flushing (one flush per event-loop
 * turn lets epoll batch the datagrams into one sendmmsg), wakes application threads, hands new
 * server calls to a dispatcher. Used on the event loop only.
 */
final class ChannelOutput implements RxOutput {
    private final Consumer<RxCallState> dispatcher;
    private final System.Logger log;
    private Channel channel;
    private boolean pending;

    ChannelOutput(Consumer<RxCallState> dispatcher, System.Logger log) {
        this.dispatcher = dispatcher;
        this.log = log;
    }

    private boolean gso;
    /**
     * Largest segment sent with segmentation offload to a peer off this host: the kernel refuses
     * (EINVAL) segments larger than the path MTU allows, where IP fragmentation would have sent
     * a plain datagram of that size (a jumbogram over an Ethernet path). 1472 = 1500 - IP - UDP.
     * Loopback's MTU is 64 KiB, so jumbograms to a peer on this host go in batches too.
     */
    private static final int GSO_MAX_SEGMENT_OFF_HOST = 1472;

    void bind(Channel channel) {
        this.channel = channel;
    }

    /** Sends batches of equal-sized datagrams with UDP GSO (epoll, kernel support checked by the caller). */
    void enableSegmentationOffload(boolean on) {
        this.gso = on;
    }

    @Override
    public ByteBufAllocator alloc() {
        return channel.alloc();
    }

    @Override
    public void transmit(InetSocketAddress peer, ByteBuf datagram) {
        pending = true;
        channel.write(new DatagramPacket(datagram, peer), channel.voidPromise());
    }

    @Override
    public void transmitSegments(InetSocketAddress peer, ByteBuf datagrams, int segmentSize) {
        if (!gso || datagrams.readableBytes() <= segmentSize
                || segmentSize > GSO_MAX_SEGMENT_OFF_HOST && !peer.getAddress().isLoopbackAddress()) {
            RxOutput.super.transmitSegments(peer, datagrams, segmentSize);
            return;
        }
        pending = true;
        channel.write(new io.netty.channel.epoll.SegmentedDatagramPacket(datagrams, segmentSize, peer),
                channel.voidPromise());
    }

    @Override
    public void dispatch(RxCallState call) {
        dispatcher.accept(call);
    }

    @Override
    public void wake(RxCallState call) {
        if (call.waiters > 0) {
            call.notifyAll();
        }
        if (call.isClient() && call.finished() && call.connection().attachment instanceof NettyClientConnection c) {
            c.channelFreed();
        }
    }

    @Override
    public void dropped(RxHeader header, String reason) {
        if (log.isLoggable(System.Logger.Level.TRACE)) {
            log.log(System.Logger.Level.TRACE, "dropped " + header + ": " + reason);
        }
    }

    void flush() {
        if (pending) {
            pending = false;
            channel.flush();
        }
    }
}
