package afsdr.rx.proto;

import afsdr.rx.packet.RxHeader;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * Everything the state machine asks of the world. The Netty endpoint implements it with a
 * channel; unit tests implement it with lists. Called on the event loop only.
 */
public interface RxOutput {
    ByteBufAllocator alloc();

    /** Sends one datagram (ownership passes) to {@code peer}. */
    void transmit(InetSocketAddress peer, ByteBuf datagram);

    /**
     * Sends consecutive datagrams of {@code segmentSize} bytes (the last may be shorter), laid
     * end to end in {@code datagrams}; ownership passes. Transports with UDP segmentation offload
     * send them with one system call; this default sends them one by one.
     */
    default void transmitSegments(InetSocketAddress peer, ByteBuf datagrams, int segmentSize) {
        try {
            int end = datagrams.writerIndex();
            for (int off = datagrams.readerIndex(); off < end; off += segmentSize) {
                transmit(peer, datagrams.retainedSlice(off, Math.min(segmentSize, end - off)));
            }
        } finally {
            datagrams.release();
        }
    }

    /** A server call became ACTIVE: run the service's handler for it on a worker. */
    void dispatch(RxCallState call);

    /** Something app threads may wait for changed on {@code call} (caller holds the call's lock). */
    void wake(RxCallState call);

    /**
     * The wall-clock time in Unix seconds, for the security checks that judge ticket lifetimes (the
     * state machine's {@code now} is a monotonic clock with no fixed origin). Tests override it.
     */
    default long wallClockSeconds() {
        return System.currentTimeMillis() / 1000;
    }

    /** A debug/trace hook for every packet we drop, with the reason; may do nothing. */
    default void dropped(RxHeader header, String reason) {}
}
