package afsdr.bench.rx;

import afsdr.rx.packet.RxAck;
import afsdr.rx.packet.RxConstants;
import afsdr.rx.packet.RxHeader;
import afsdr.rx.packet.RxMalformedPacketException;
import afsdr.rx.packet.RxPacket;
import afsdr.rx.packet.RxPacketDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Rx packet codec in isolation: header read/write, ACK decode/encode, jumbogram split.
 * Run: {@code java -cp ... org.openjdk.jmh.Main afsdr.bench.rx.RxCodecBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RxCodecBenchmark {
    private ByteBuf header;
    private ByteBuf ack;
    private ByteBuf ackOut;
    private ByteBuf jumbo;
    private final RxHeader h = new RxHeader();
    private final RxPacket[] packets = RxPacketDecoder.newPacketArray();
    private final byte[] acks = new byte[64];

    @Setup
    public void setup() {
        PooledByteBufAllocator a = PooledByteBufAllocator.DEFAULT;
        header = a.directBuffer(64);
        new RxHeader().set(0x80001234, 0x4000, 7, 3, 99, RxConstants.RX_PACKET_TYPE_DATA, 5, 0, 4).writeTo(header);
        ack = a.directBuffer(512);
        for (int i = 0; i < acks.length; i++) {
            acks[i] = (byte) (i % 7 == 0 ? 0 : 1);
        }
        RxAck.encode(ack, 100, 163, 4242, RxConstants.RX_ACK_OUT_OF_SEQUENCE, acks, acks.length, 1444, 1444, 255, 1);
        ackOut = a.directBuffer(512);
        jumbo = a.directBuffer(RxConstants.RX_MAX_JUMBO_DATAGRAM);
        RxHeader jh = new RxHeader().set(0x80001234, 0x4000, 7, 1, 1, RxConstants.RX_PACKET_TYPE_DATA,
                RxConstants.RX_JUMBO_PACKET, 0, 4);
        jh.writeTo(jumbo);
        for (int i = 0; i < RxConstants.RX_MAX_DGRAM_PACKETS; i++) {
            jumbo.writeZero(RxConstants.RX_JUMBOBUFFERSIZE);
            if (i < RxConstants.RX_MAX_DGRAM_PACKETS - 1) {
                int f = i < RxConstants.RX_MAX_DGRAM_PACKETS - 2 ? RxConstants.RX_JUMBO_PACKET : RxConstants.RX_LAST_PACKET;
                jumbo.writeInt(f << 24);
            }
        }
    }

    @TearDown
    public void tearDown() {
        header.release();
        ack.release();
        ackOut.release();
        jumbo.release();
    }

    @Benchmark
    public int headerRead() {
        return h.read(header, 0).serial;
    }

    @Benchmark
    public ByteBuf headerWrite() {
        h.serial++;
        h.write(header, 0);
        return header;
    }

    @Benchmark
    public int ackDecode() throws RxMalformedPacketException {
        return RxAck.decode(ack, 0, ack.readableBytes()).nAcks();
    }

    @Benchmark
    public int ackEncode() {
        ackOut.clear();
        RxAck.encode(ackOut, 100, 163, 4242, RxConstants.RX_ACK_OUT_OF_SEQUENCE, acks, acks.length, 1444, 1444, 255, 1);
        return ackOut.readableBytes();
    }

    @Benchmark
    public int jumbogramSplit() throws RxMalformedPacketException {
        return RxPacketDecoder.split(jumbo, packets);
    }
}
