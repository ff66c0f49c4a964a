package afsdr.rx.netty;

import afsdr.rx.packet.RxHeader;
import afsdr.rx.proto.RxCallState;
import afsdr.rx.proto.RxOutput;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;
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
    /**
     * Peers to which a segmentation-offload send failed. The kernel checks each segment against
     * the route's MTU, which we cannot see: a path below 1500 bytes (a tunnel, a VPN) refuses
     * even 1444-byte segments, where a plain datagram would have been fragmented and delivered.
     * The refused batch is lost like any dropped datagram (Rx resends it); from then on this
     * peer gets plain datagrams. Event loop only, so no locking.
     */
    private final Set<InetAddress> segmentationRefused = new HashSet<>();

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
                || segmentSize > GSO_MAX_SEGMENT_OFF_HOST && !peer.getAddress().isLoopbackAddress()
                || segmentationRefused.contains(peer.getAddress())) {
            RxOutput.super.transmitSegments(peer, datagrams, segmentSize);
            return;
        }
        pending = true;
        channel.write(new io.netty.channel.epoll.SegmentedDatagramPacket(datagrams, segmentSize, peer),
                channel.newPromise().addListener(sent -> {
                    if (!sent.isSuccess() && segmentationRefused.add(peer.getAddress())) {
                        log.log(System.Logger.Level.WARNING, "segmentation offload to " + peer.getAddress().getHostAddress()
                            + " refused (" + sent.cause() + "); sending it plain datagrams from now on");
                    }
                }));
    }

    /** Whether segmentation-offload sends to {@code peer} failed once (visible to tests). */
    boolean segmentationRefused(InetAddress peer) {
        return segmentationRefused.contains(peer);
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
