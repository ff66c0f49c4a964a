package afsdr.rx.proto;

import afsdr.rx.security.RxNullSecurity;
import afsdr.rx.security.ServerSecurity;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * A bulk upload between two engines over a simulated link in virtual time: a fixed one-way delay,
 * a line rate (datagrams queue behind each other per direction) and seeded random loss of any
 * datagram either way. The application sides behave like the call streams: the writer keeps the
 * send queue full, the reader consumes everything as soon as it arrives and asks for the
 * consumption ack the way {@code NettyRxCall} does. Timers run every {@link #tickNanos}, like
 * the endpoint's timer. Everything is deterministic for a seed, so results are figures, not
 * timings.
 */
final class LossyLink {
    static final InetSocketAddress CLIENT_ADDR = new InetSocketAddress("127.0.0.1", 1000);
    static final InetSocketAddress SERVER_ADDR = new InetSocketAddress("127.0.0.1", 2000);
    /**
     * Addresses of a path off the host (TEST-NET-1, RFC 5737), for the rules that depend on it
     * (jumbogram size). Only names in this simulation: nothing is ever sent to them.
     */
    static final InetSocketAddress CLIENT_OFF_HOST = new InetSocketAddress("192.0.2.1", 1000);
    static final InetSocketAddress SERVER_OFF_HOST = new InetSocketAddress("192.0.2.2", 2000);
    private InetSocketAddress clientAddr = CLIENT_ADDR;
    private InetSocketAddress serverAddr = SERVER_ADDR;

    /** Simulates a path between two hosts instead of loopback. */
    LossyLink offHost() {
        clientAddr = CLIENT_OFF_HOST;
        serverAddr = SERVER_OFF_HOST;
        return this;
    }
    static final int SVC = 4;

    final RxEngine client;
    final RxEngine server;
    private final long oneWayNanos;
    private final double nanosPerByte;
    private final double loss;
    double duplicate;
    /** Delay between a datagram's arrival and the read batch that takes it. */
    long wakeupNanos = 30_000;
    /** Datagrams taken per read batch at most. */
    int readBatch = 64;
    double reorder;
    private final SplittableRandom rnd;
    final long tickNanos;
    long now = 1_000_000_000_000L;
    private long seqNo;
    private final long[] linkFree = new long[2];
    private final PriorityQueue<InFlight> queue = new PriorityQueue<>();
    private final Out toServer = new Out(true);
    private final Out toClient = new Out(false);
    final List<RxCallState> dispatched = new ArrayList<>();
    long datagrams;
    long dropped;

    private record InFlight(long at, long order, boolean toServer, ByteBuf datagram) implements Comparable<InFlight> {
        @Override
        public int compareTo(InFlight o) {
            return at != o.at ? Long.compare(at, o.at) : Long.compare(order, o.order);
        }
    }

    /**
     * @param oneWayMicros propagation delay each way
     * @param megabytesPerSecond line rate each way
     * @param loss probability that any datagram is lost, either way
     */
    LossyLink(RxConfig config, long oneWayMicros, double megabytesPerSecond, double loss, long seed) {
        client = new RxEngine(config, new RxStats(), "client", 0x12345678, 0x1000);
        server = new RxEngine(config, new RxStats(), "server", 0x7777, 0x2000);
        server.addService(SVC, Map.<Integer, ServerSecurity>of(0, RxNullSecurity.INSTANCE));
        this.oneWayNanos = oneWayMicros * 1000;
        this.nanosPerByte = 1000.0 / megabytesPerSecond;
        this.loss = loss;
        this.rnd = new SplittableRandom(seed);
        this.tickNanos = 5_000_000;
    }

    private final class Out implements RxOutput {
        final boolean toServer;

        Out(boolean fromClient) {
            this.toServer = fromClient;
        }

        @Override
        public ByteBufAllocator alloc() {
            return UnpooledByteBufAllocator.DEFAULT;
        }

        @Override
        public void transmit(InetSocketAddress peer, ByteBuf datagram) {
            datagrams++;
            int dir = toServer ? 0 : 1;
            long start = Math.max(now, linkFree[dir]);
            long done = start + (long) (datagram.readableBytes() * nanosPerByte);
            linkFree[dir] = done;
            if (rnd.nextDouble() < loss) {
                dropped++;
                datagram.release();
                return;
            }
            double r = rnd.nextDouble();
            if (r < duplicate) {
                queue.add(new InFlight(done + oneWayNanos, seqNo++, toServer, datagram.retainedDuplicate()));
            } else if (r < duplicate + reorder) {
                // overtaken by the next few datagrams
                queue.add(new InFlight(done + oneWayNanos + 5_000, seqNo++, toServer, datagram));
                return;
            }
            queue.add(new InFlight(done + oneWayNanos, seqNo++, toServer, datagram));
        }

        @Override
        public void dispatch(RxCallState call) {
            dispatched.add(call);
        }

        @Override
        public void wake(RxCallState call) {}
    }

    /** Result of {@link #upload}. */
    record Result(long bytes, long nanos, RxStats clientStats, long datagrams, long dropped) {
        double megabytesPerSecond() {
            return bytes / (nanos / 1e9) / 1e6;
        }

        @Override
        public String toString() {
            return String.format("%.1f MB/s virtual (%d bytes in %.3f s), resent %d of %d, RTO events %d, "
                            + "loss events %d, datagrams %d, dropped %d", megabytesPerSecond(), bytes, nanos / 1e9,
                    clientStats.dataPacketsReSent, clientStats.dataPacketsSent, clientStats.rtoEvents,
                    clientStats.lossEvents, datagrams, dropped);
        }
    }

    /**
     * The client sends {@code packets} full packets as one call's request; the server reads them.
     * Returns when the server has read the last byte, or throws after {@code limitSeconds} of
     * virtual time.
     */
    Result upload(int packets, double limitSeconds) {
        RxConnection conn = client.newClientConnection(serverAddr, SVC, RxNullSecurity.INSTANCE, now);
        RxCallState c = conn.newClientCall(now);
        int cap = c.userCapacity();
        long start = now;
        long limit = now + (long) (limitSeconds * 1e9);
        long nextTick = now + tickNanos;
        int queued = 0;
        long received = 0;
        byte[] sink = new byte[64 * 1024];
        RxCallState s = null;
        while (true) {
            // writer: keep the send queue full
            boolean wrote = false;
            while (queued < packets && c.canQueueSend()) {
                ByteBuf b = UnpooledByteBufAllocator.DEFAULT.directBuffer(c.packetHeadroom() + cap + c.packetTailroom());
                b.writerIndex(c.packetHeadroom() + cap);
                queued++;
                c.queueSend(b, cap, queued == packets);
                wrote = true;
            }
            if (queued == packets) {
                c.clientRequestDone();
            }
            if (wrote) {
                c.pump(now, toServer);
            }
            // reader: consume what arrived, ack as the stream does
            if (s == null && !dispatched.isEmpty()) {
                s = dispatched.get(0);
            }
            if (s != null) {
                int n;
                while ((n = s.readAvailable(sink, 0, sink.length, now)) > 0) {
                    received += n;
                }
                if (s.takeAckDue()) {
                    s.sendConsumptionAck(now, toClient);
                }
                if (s.inputEnded()) {
                    break;
                }
            }
            if (c.error() != 0) {
                throw new AssertionError("call failed with " + c.error() + ": " + c);
            }
            if (!c.lostCountConsistent()) {
                // the sender keeps a count of its lost packets instead of walking its window
                throw new AssertionError("lost count out of step with the packets' marks: " + c);
            }
            // next event: a delivery or a timer tick
            InFlight f = queue.peek();
            if (f != null && f.at + wakeupNanos <= nextTick) {
                // the receiving event loop wakes a little after the first datagram and reads
                // everything that arrived by then as one batch (recvmmsg), then sends its acks
                now = Math.max(now, f.at + wakeupNanos);
                int n = 0;
                while ((f = queue.peek()) != null && f.at <= now && n++ < readBatch) {
                    queue.poll();
                    try {
                        if (f.toServer) {
                            server.receive(f.datagram, clientAddr, now, toClient);
                        } else {
                            client.receive(f.datagram, serverAddr, now, toServer);
                        }
                    } finally {
                        f.datagram.release();
                    }
                }
                server.flushAcks(now, toClient);
                client.flushAcks(now, toServer);
            } else {
                now = nextTick;
                nextTick += tickNanos;
                client.tick(now, toServer);
                server.tick(now, toClient);
            }
            if (now > limit) {
                throw new AssertionError("not done after " + limitSeconds + " s virtual: " + c + " / " + s
                        + "; client stats rto " + client.stats().rtoEvents);
            }
        }
        long elapsed = now - start;
        while (!queue.isEmpty()) {
            queue.poll().datagram.release();
        }
        client.shutdown(now, toServer);
        server.shutdown(now, toClient);
        return new Result(received, elapsed, client.stats(), datagrams, dropped);
    }
}
