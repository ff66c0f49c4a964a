package afsdr.rx.proto;

import afsdr.rx.packet.RxAck;
import afsdr.rx.packet.RxConstants;
import afsdr.rx.packet.RxHeader;
import afsdr.rx.packet.RxPacket;
import afsdr.rx.packet.RxPacketDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Two engines (client and server) joined by an in-memory wire and a fake clock: the state
 * machine under test without sockets or threads. Every datagram is logged with its decoded
 * header; a drop predicate simulates loss.
 */
final class Wire {
    static final InetSocketAddress CLIENT_ADDR = new InetSocketAddress("127.0.0.1", 1000);
    static final InetSocketAddress SERVER_ADDR = new InetSocketAddress("127.0.0.1", 2000);

    record Sent(boolean toServer, long at, RxHeader header, byte[] body) {
        RxAck ack() throws Exception {
            return RxAck.decode(Unpooled.wrappedBuffer(body), 0, body.length);
        }

        int abortCode() {
            return Unpooled.wrappedBuffer(body).getInt(0);
        }
    }

    static final long START = 1_000_000_000_000L;
    long now = START;
    final RxEngine client;
    final RxEngine server;
    final Side clientOut = new Side(true);
    final Side serverOut = new Side(false);
    final List<Sent> log = new ArrayList<>();
    final List<RxCallState> dispatched = new ArrayList<>();
    final List<ByteBuf> created = new ArrayList<>();
    /** How often the state machine asked to wake each call's application thread. */
    final java.util.Map<RxCallState, Integer> wakes = new java.util.HashMap<>();
    Predicate<Sent> drop = s -> false;
    /** Applied to every datagram the client sends, before it is logged (e.g. to imitate a stock client's flags). */
    java.util.function.Consumer<ByteBuf> rewriteToServer = d -> { };
    /** Datagrams it matches are held back (late, not lost) until {@link #releaseHeld()}. */
    Predicate<Sent> hold = s -> false;
    private final ArrayDeque<Object[]> held = new ArrayDeque<>();
    private final ArrayDeque<Object[]> queue = new ArrayDeque<>();

    Wire(RxConfig config) {
        client = new RxEngine(config, new RxStats(), "client", 0x12345678, 0x1000);
        server = new RxEngine(config, new RxStats(), "server-version", 0x7777, 0x2000);
    }

    final class Side implements RxOutput {
        final boolean fromClient;

        Side(boolean fromClient) {
            this.fromClient = fromClient;
        }

        @Override
        public ByteBufAllocator alloc() {
            return UnpooledByteBufAllocator.DEFAULT;
        }

        @Override
        public void transmit(InetSocketAddress peer, ByteBuf datagram) {
            if (fromClient) {
                rewriteToServer.accept(datagram);
            }
            RxPacket[] ps = RxPacketDecoder.newPacketArray();
            int n;
            try {
                n = RxPacketDecoder.split(datagram.duplicate(), ps);
            } catch (Exception e) {
                throw new AssertionError("engine sent a malformed datagram", e);
            }
            Sent first = null;
            for (int i = 0; i < n; i++) {
                byte[] body = new byte[ps[i].bodyLength];
                ps[i].datagram.getBytes(ps[i].bodyOffset, body);
                Sent s = new Sent(fromClient, now, ps[i].header.copy(), body);
                log.add(s);
                if (first == null) {
                    first = s;
                }
            }
            if (drop.test(first)) {
                datagram.release();
                return;
            }
            if (hold.test(first)) {
                held.add(new Object[] {fromClient, datagram});
                return;
            }
            queue.add(new Object[] {fromClient, datagram});
        }

        @Override
        public void dispatch(RxCallState call) {
            dispatched.add(call);
        }

        @Override
        public void wake(RxCallState call) {
            wakes.merge(call, 1, Integer::sum);
        }

        /** A wall clock that moves with the simulated one, from a fixed Unix time. */
        @Override
        public long wallClockSeconds() {
            return WALL_START + (now - START) / 1_000_000_000L;
        }
    }

    /** The Unix time {@link Side#wallClockSeconds()} reports at the start of a test. */
    static final long WALL_START = 1_795_593_000L;

    /** Puts the held datagrams, in their order, back on the wire (delivered by the next {@link #deliver()}). */
    void releaseHeld() {
        queue.addAll(held);
        held.clear();
    }

    /** Delivers queued datagrams (and what they provoke) until the wire is quiet. */
    void deliver() {
        while (!queue.isEmpty()) {
            Object[] q = queue.poll();
            boolean fromClient = (Boolean) q[0];
            ByteBuf d = (ByteBuf) q[1];
            try {
                if (fromClient) {
                    server.receive(d, CLIENT_ADDR, now, serverOut);
                } else {
                    client.receive(d, SERVER_ADDR, now, clientOut);
                }
            } finally {
                d.release();
            }
            if (queue.isEmpty()) {
                server.flushAcks(now, serverOut);
                client.flushAcks(now, clientOut);
            }
        }
    }

    /** Moves the clock forward in steps of {@code stepMillis}, running timers and delivering. */
    void advance(long millis, long stepMillis) {
        long end = now + millis * 1_000_000L;
        while (now < end) {
            now = Math.min(end, now + stepMillis * 1_000_000L);
            client.tick(now, clientOut);
            server.tick(now, serverOut);
            deliver();
        }
    }

    /** A packet buffer with header room, as the call streams make them. */
    ByteBuf packet(RxCallState c, byte[] data) {
        ByteBuf b = Unpooled.directBuffer(c.packetHeadroom() + data.length + c.packetTailroom());
        b.writerIndex(c.packetHeadroom());
        b.writeBytes(data);
        created.add(b);
        return b;
    }

    void send(RxCallState c, byte[] data, boolean last) {
        if (!c.queueSend(packet(c, data), data.length, last)) {
            throw new AssertionError("call refused data: " + c);
        }
        if (last) {
            c.clientRequestDone();
            c.serverReplyQueued();
        }
        c.pump(now, c.isClient() ? clientOut : serverOut);
    }

    byte[] readAll(RxCallState c) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] b = new byte[4096];
        int n;
        while ((n = c.readAvailable(b, 0, b.length, now)) > 0) {
            out.write(b, 0, n);
        }
        if (c.takeAckDue()) {
            c.sendConsumptionAck(now, c.isClient() ? clientOut : serverOut);
        }
        return out.toByteArray();
    }

    List<Sent> sent(boolean toServer, int type) {
        List<Sent> r = new ArrayList<>();
        for (Sent s : log) {
            if (s.toServer == toServer && s.header.type == type) {
                r.add(s);
            }
        }
        return r;
    }

    /** Every buffer the test queued was released by the state machine. */
    void assertNoLeaks() {
        for (ByteBuf b : created) {
            if (b.refCnt() != 0) {
                throw new AssertionError("packet buffer still referenced: " + b);
            }
        }
    }

    static int type(Sent s) {
        return s.header.type;
    }

    static boolean has(Sent s, int flag) {
        return (s.header.flags & flag) != 0;
    }

    static final int DATA = RxConstants.RX_PACKET_TYPE_DATA;
    static final int ACK = RxConstants.RX_PACKET_TYPE_ACK;
}
