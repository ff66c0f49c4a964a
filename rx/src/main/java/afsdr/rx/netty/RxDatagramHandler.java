package afsdr.rx.netty;

import afsdr.rx.proto.RxEngine;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of an Rx pipeline: each datagram goes into the engine and is released right
 * after (the engine retains what it queues); acks made due by a read batch go out, and
 * everything written is flushed, at the end of the batch.
 */
final class RxDatagramHandler extends ChannelInboundHandlerAdapter {
    private final RxEngine engine;
    private final ChannelOutput output;
    private final System.Logger log;

    RxDatagramHandler(RxEngine engine, ChannelOutput output, System.Logger log) {
        this.engine = engine;
        this.output = output;
        this.log = log;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket p)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            engine.receive(p.content(), p.sender(), System.nanoTime(), output);
        } catch (RuntimeException | AssertionError e) {
            // a bug, not bad input (the engine drops that): keep serving, but say so
            log.log(System.Logger.Level.ERROR, "Rx receive failed for a packet from " + p.sender(), e);
        } finally {
            p.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        try {
            engine.flushAcks(System.nanoTime(), output);
        } finally {
            output.flush();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // ICMP errors and the like surface here; a datagram socket keeps working after them
        log.log(System.Logger.Level.DEBUG, "Rx socket error", cause);
    }
}
