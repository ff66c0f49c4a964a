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

    /** A server call became ACTIVE: run the service's handler for it on a worker. */
    void dispatch(RxCallState call);

    /** Something app threads may wait for changed on {@code call} (caller holds the call's lock). */
    void wake(RxCallState call);

    /** A debug/trace hook for every packet we drop, with the reason; may do nothing. */
    default void dropped(RxHeader header, String reason) {}
}
