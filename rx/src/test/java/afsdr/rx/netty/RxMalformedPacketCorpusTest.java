package afsdr.rx.netty;

import static afsdr.rx.packet.RxConstants.*;
import static org.junit.jupiter.api.Assertions.*;

import afsdr.rx.packet.RxHeader;
import afsdr.rx.proto.RxCallState;
import afsdr.rx.proto.RxConfig;
import afsdr.rx.proto.RxEngine;
import afsdr.rx.proto.RxStats;
import afsdr.rx.security.RxNullSecurity;
import afsdr.rx.security.ServerSecurity;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ResourceLeakDetector;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A corpus of malformed and unexpected datagrams pushed through the real receive handler on an
 * EmbeddedChannel: each is dropped (or answered the way OpenAFS answers it), no exception
 * escapes the pipeline, every buffer is released, and the server keeps serving afterwards.
 */
class RxMalformedPacketCorpusTest {
    static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 4000);
    static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 7005);
    static final int SVC = 4;
    static final int EPOCH = 0x80000abc;
    static final int CID = 0x1000;

    /** A fixture: name, bytes, and how many datagrams the server may send in reply. */
    record Fixture(String name, byte[] bytes, int replies) {}

    static byte[] packet(int epoch, int cid, int call, int seq, int type, int flags, int sec, int svc, byte[] body) {
        ByteBuf b = Unpooled.buffer();
        new RxHeader().set(epoch, cid, call, seq, 1, type, flags, sec, svc).writeTo(b);
        b.writeBytes(body);
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        return out;
    }

    static byte[] client(int call, int seq, int type, int flags, byte[] body) {
        return packet(EPOCH, CID, call, seq, type, flags | RX_CLIENT_INITIATED, 0, SVC, body);
    }

    static byte[] ackBody(int nAcksClaimed, int bytesOfAcks, int trailerBytes, int firstPacket) {
        ByteBuf b = Unpooled.buffer();
        b.writeShort(0).writeShort(0).writeInt(firstPacket).writeInt(1).writeInt(0);
        b.writeByte(RX_ACK_REQUESTED).writeByte(nAcksClaimed);
        b.writeZero(bytesOfAcks);
        b.writeZero(trailerBytes);
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        return out;
    }

    static List<Fixture> corpus() {
        List<Fixture> f = new ArrayList<>();
        f.add(new Fixture("empty datagram", new byte[0], 0));
        f.add(new Fixture("one byte", new byte[] {1}, 0));
        f.add(new Fixture("truncated header (27 bytes)", new byte[27], 0));
        byte[] full = client(1, 1, RX_PACKET_TYPE_DATA, 0, new byte[0]);
        f.add(new Fixture("header cut in the service id", java.util.Arrays.copyOf(full, 26), 0));
        // bad ACKs on the live connection of call 1
        f.add(new Fixture("ACK body shorter than 18 bytes", client(1, 0, RX_PACKET_TYPE_ACK, 0, new byte[10]), 0));
        f.add(new Fixture("ACK claims 255 acks, carries 2", client(1, 0, RX_PACKET_TYPE_ACK, 0, ackBody(255, 2, 0, 1)), 0));
        f.add(new Fixture("ACK with a 5-byte trailer", client(1, 0, RX_PACKET_TYPE_ACK, 0, ackBody(0, 0, 3 + 5, 1)), 0));
        f.add(new Fixture("ACK acknowledging packets never sent",
                client(1, 0, RX_PACKET_TYPE_ACK, 0, ackBody(3, 3, 3 + 16, 1_000_000)), 0));
        byte[] zeroTrailer = ackBody(0, 0, 3 + 16, 1);
        f.add(new Fixture("ACK with rwind 0 and MTU 0", client(1, 0, RX_PACKET_TYPE_ACK, 0, zeroTrailer), 0));
        // jumbogram lies
        f.add(new Fixture("jumbogram announcing a successor that is missing",
                client(1, 2, RX_PACKET_TYPE_DATA, RX_JUMBO_PACKET, new byte[100]), 0));
        byte[] oneAndABit = new byte[RX_JUMBOBUFFERSIZE + 3];
        f.add(new Fixture("jumbogram cut inside the jumbo header",
                client(1, 2, RX_PACKET_TYPE_DATA, RX_JUMBO_PACKET, oneAndABit), 0));
        // types nobody should send
        for (int t : new int[] {0, 9, 10, 11, 12, 14, 200, 255}) {
            f.add(new Fixture("packet type " + t, client(1, 0, t, 0, new byte[8]), 0));
        }
        // not for any connection of ours
        f.add(new Fixture("server-to-client DATA for a cid we never used",
                packet(EPOCH, 0x7700, 1, 1, RX_PACKET_TYPE_DATA, 0, 0, SVC, new byte[4]), 0));
        f.add(new Fixture("server-to-client ACK with a foreign epoch",
                packet(0x12345, 0x7700, 1, 0, RX_PACKET_TYPE_ACK, 0, 0, SVC, ackBody(0, 0, 19, 1)), 0));
        // short aborts
        for (int n = 0; n < 4; n++) {
            f.add(new Fixture("call ABORT with " + n + " body bytes", client(1, 0, RX_PACKET_TYPE_ABORT, 0, new byte[n]), 0));
            f.add(new Fixture("connection ABORT with " + n + " body bytes",
                    client(0, 0, RX_PACKET_TYPE_ABORT, 0, new byte[n]), 0));
        }
        // connection-less queries
        f.add(new Fixture("DEBUG request shorter than rx_debugIn", client(0, 0, RX_PACKET_TYPE_DEBUG, 0, new byte[5]), 0));
        f.add(new Fixture("NAT keepalive (VERSION without CLIENT_INITIATED)",
                packet(RX_DEBUG_EPOCH, 0, 0, 0, RX_PACKET_TYPE_VERSION, RX_LAST_PACKET, 0, 0, new byte[1]), 0));
        f.add(new Fixture("DEBUG answer (no CLIENT_INITIATED)",
                packet(RX_DEBUG_EPOCH, 0, 0, 0, RX_PACKET_TYPE_DEBUG, 0, 0, 0, new byte[8]), 0));
        // calls that must not start
        f.add(new Fixture("DATA with seq 0 on a new call", client(5, 0, RX_PACKET_TYPE_DATA, 0, new byte[4]), 0));
        f.add(new Fixture("DATA with seq 10000 on a new call", client(6, 10000, RX_PACKET_TYPE_DATA, 0, new byte[4]), 0));
        f.add(new Fixture("DATA with call number 0", client(0, 1, RX_PACKET_TYPE_DATA, 0, new byte[4]), 0));
        f.add(new Fixture("ACK for a call that never existed", client(9, 0, RX_PACKET_TYPE_ACK, 0, ackBody(0, 0, 19, 1)), 0));
        f.add(new Fixture("unsolicited RESPONSE", client(0, 0, RX_PACKET_TYPE_RESPONSE, 0, new byte[40]), 0));
        f.add(new Fixture("CHALLENGE sent to a server connection", client(0, 0, RX_PACKET_TYPE_CHALLENGE, 0, new byte[16]), 0));
        f.add(new Fixture("stale call number", client(0x7fffffff, 1, RX_PACKET_TYPE_ACK, 0, ackBody(0, 0, 19, 1)), 0));
        f.add(new Fixture("DATA beyond the receive window of call 1",
                client(1, 1 + RX_MAX_WINDOW + 5, RX_PACKET_TYPE_DATA, 0, new byte[4]), 1));
        f.add(new Fixture("DATA with a different security index on the connection",
                packet(EPOCH, CID, 1, 2, RX_PACKET_TYPE_DATA, RX_CLIENT_INITIATED, 2, SVC, new byte[4]), 0));
        // unknown service and security index: the raw ABORT -2 of rxi_SendRawAbort
        f.add(new Fixture("DATA for an unknown service",
                packet(EPOCH, CID + 4, 1, 1, RX_PACKET_TYPE_DATA, RX_CLIENT_INITIATED, 0, 999, new byte[4]), 1));
        f.add(new Fixture("DATA for an unknown security index",
                packet(EPOCH, CID + 8, 1, 1, RX_PACKET_TYPE_DATA, RX_CLIENT_INITIATED, 1, SVC, new byte[4]), 1));
        f.add(new Fixture("ABORT for an unknown service (never answered)",
                packet(EPOCH, CID + 12, 1, 0, RX_PACKET_TYPE_ABORT, RX_CLIENT_INITIATED, 0, 999, new byte[] {0, 0, 0, 1}), 0));
        return f;
    }

    @Test
    void everyMalformedDatagramIsDroppedWithoutLeaksAndServingGoesOn() {
        ResourceLeakDetector.Level old = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        try {
            run();
        } finally {
            ResourceLeakDetector.setLevel(old);
        }
    }

    private void run() {
        RxEngine engine = new RxEngine(RxConfig.defaults(), new RxStats(), "corpus", 1, 4);
        engine.addService(SVC, Map.<Integer, ServerSecurity>of(0, RxNullSecurity.INSTANCE));
        List<RxCallState> dispatched = new ArrayList<>();
        System.Logger log = System.getLogger(getClass().getName());
        ChannelOutput out = new ChannelOutput(dispatched::add, log);
        EmbeddedChannel ch = new EmbeddedChannel();
        out.bind(ch);
        ch.pipeline().addLast(new RxDatagramHandler(engine, out, log));

        // call 1 is live (first request packet, not the last), so bad packets can aim at it
        ByteBuf first = Unpooled.directBuffer().writeBytes(client(1, 1, RX_PACKET_TYPE_DATA, 0, new byte[] {0, 0, 0, 127}));
        ch.writeInbound(new DatagramPacket(first, LOCAL, PEER));
        assertEquals(1, dispatched.size());
        drain(ch);

        for (Fixture f : corpus()) {
            ByteBuf b = Unpooled.directBuffer(Math.max(1, f.bytes().length)).writeBytes(f.bytes());
            ch.writeInbound(new DatagramPacket(b, LOCAL, PEER));
            assertDoesNotThrow(ch::checkException, f.name());
            assertEquals(0, b.refCnt(), "buffer of '" + f.name() + "' not released");
            List<DatagramPacket> replies = drain(ch);
            assertTrue(replies.size() <= f.replies(), "'" + f.name() + "' got " + replies.size() + " replies");
            for (DatagramPacket r : replies) {
                if (f.name().contains("ABORT")) {
                    assertNotEquals(RX_PACKET_TYPE_ABORT, r.content().getByte(RxHeader.TYPE_OFFSET),
                            "never answer an ABORT with one: " + f.name());
                }
                r.release();
            }
        }
        assertTrue(engine.stats().bogusPacketOnRead > 10, "bogus reads counted: " + engine.stats().bogusPacketOnRead);

        // the server still serves: the live call continues and a new call starts
        assertEquals(0, dispatched.get(0).error());
        ch.writeInbound(new DatagramPacket(Unpooled.directBuffer().writeBytes(
                client(1, 2, RX_PACKET_TYPE_DATA, RX_LAST_PACKET | RX_REQUEST_ACK, new byte[] {1, 2})), LOCAL, PEER));
        List<DatagramPacket> acks = drain(ch);
        assertEquals(1, acks.size());
        assertEquals(RX_PACKET_TYPE_ACK, acks.get(0).content().getByte(RxHeader.TYPE_OFFSET));
        acks.forEach(DatagramPacket::release);
        // (channel 0 still runs call 1, so the new call takes channel 1)
        ch.writeInbound(new DatagramPacket(Unpooled.directBuffer().writeBytes(packet(EPOCH, CID | 1, 1, 1,
                RX_PACKET_TYPE_DATA, RX_CLIENT_INITIATED | RX_LAST_PACKET, 0, SVC, new byte[] {0, 0, 0, 127})), LOCAL, PEER));
        assertEquals(2, dispatched.size());
        drain(ch).forEach(DatagramPacket::release);
        ByteBuf v = Unpooled.directBuffer().writeBytes(packet(RX_DEBUG_EPOCH, 0, 100, 0, RX_PACKET_TYPE_VERSION,
                RX_CLIENT_INITIATED | RX_LAST_PACKET, 0, 0, new byte[1]));
        ch.writeInbound(new DatagramPacket(v, LOCAL, PEER));
        List<DatagramPacket> version = drain(ch);
        assertEquals(1, version.size());
        assertEquals(RX_HEADER_SIZE + RX_VERSION_STRING_SIZE, version.get(0).content().readableBytes());
        assertEquals(100, version.get(0).content().getInt(RxHeader.CALL_NUMBER_OFFSET));
        version.forEach(DatagramPacket::release);

        // teardown releases what the calls still hold
        engine.shutdown(System.nanoTime(), out);
        drain(ch).forEach(DatagramPacket::release);
        assertFalse(ch.finish());
    }

    private static List<DatagramPacket> drain(EmbeddedChannel ch) {
        List<DatagramPacket> r = new ArrayList<>();
        Object o;
        while ((o = ch.readOutbound()) != null) {
            r.add((DatagramPacket) o);
        }
        return r;
    }
}
