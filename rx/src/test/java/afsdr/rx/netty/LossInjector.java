package afsdr.rx.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Seeded loss, duplication and reordering of received datagrams, put in front of the Rx handler.
 * Decisions come from a seeded generator in arrival order, so a failing run can be replayed
 * with its seed (arrival order itself still depends on timing).
 */
final class LossInjector extends ChannelInboundHandlerAdapter {
    private final SplittableRandom rnd;
    private final double loss;
    private final double duplicate;
    private final double reorder;
    private DatagramPacket held;
    final AtomicLong dropped = new AtomicLong();
    final AtomicLong duplicated = new AtomicLong();
    final AtomicLong reordered = new AtomicLong();
    final AtomicLong seen = new AtomicLong();

    LossInjector(long seed, double loss, double duplicate, double reorder) {
        this.rnd = new SplittableRandom(seed);
        this.loss = loss;
        this.duplicate = duplicate;
        this.reorder = reorder;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket p)) {
            ctx.fireChannelRead(msg);
            return;
        }
        seen.incrementAndGet();
        double r = rnd.nextDouble();
        if (r < loss) {
            dropped.incrementAndGet();
            p.release();
            return;
        }
        if (r < loss + duplicate) {
            duplicated.incrementAndGet();
            ctx.fireChannelRead(p.retainedDuplicate());
        } else if (r < loss + duplicate + reorder && held == null) {
            // keep it back until the next datagram has gone up
            reordered.incrementAndGet();
            held = p;
            return;
        }
        ctx.fireChannelRead(p);
        if (held != null) {
            DatagramPacket h = held;
            held = null;
            ctx.fireChannelRead(h);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // a packet held back at the end of a batch goes up now, a batch late
        if (held != null) {
            DatagramPacket h = held;
            held = null;
            ctx.fireChannelRead(h);
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (held != null) {
            held.release();
            held = null;
        }
    }

    @Override
    public String toString() {
        return "seen " + seen + " dropped " + dropped + " duplicated " + duplicated + " reordered " + reordered;
    }
}
