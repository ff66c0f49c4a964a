package afsdr.rx.packet;

import static afsdr.rx.packet.RxConstants.*;
import static org.junit.jupiter.api.Assertions.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RxCodecTest {

    static RxHeader header(int type, int flags) {
        return new RxHeader().set(0x80001234, 0x4008 | 2, 7, 3, 99, type, flags, 2, 52);
    }

    @Test
    void headerWireOrderPutsSpareBeforeServiceId() {
        RxHeader h = header(RX_PACKET_TYPE_DATA, RX_CLIENT_INITIATED | RX_LAST_PACKET);
        h.spare = 0xbeef;
        h.userStatus = 0x11;
        ByteBuf b = Unpooled.buffer();
        h.writeTo(b);
        assertEquals(RX_HEADER_SIZE, b.readableBytes());
        assertEquals(0x80001234, b.getInt(RxHeader.EPOCH_OFFSET));
        assertEquals(0x400a, b.getInt(RxHeader.CID_OFFSET));
        assertEquals(7, b.getInt(RxHeader.CALL_NUMBER_OFFSET));
        assertEquals(3, b.getInt(RxHeader.SEQ_OFFSET));
        assertEquals(99, b.getInt(RxHeader.SERIAL_OFFSET));
        assertEquals(1, b.getByte(20));
        assertEquals(5, b.getByte(21));
        assertEquals(0x11, b.getByte(22));
        assertEquals(2, b.getByte(23));
        // the 7th word is (spare << 16) | serviceId
        assertEquals((0xbeef << 16) | 52, b.getInt(24));
        RxHeader back = new RxHeader().read(b, 0);
        assertEquals(h.toString(), back.toString());
        assertEquals(0xbeef, back.spare);
        assertEquals(52, back.serviceId);
        assertEquals(2, back.channel());
        assertEquals(0x4008, back.connectionId());
    }

    @Test
    void ackRoundTripWithFullTrailer() throws Exception {
        byte[] acks = {1, 0, 1, 1};
        ByteBuf b = Unpooled.buffer();
        RxAck.encode(b, 10, 13, 77, RX_ACK_OUT_OF_SEQUENCE, acks, 4, 1444, 1444, 255, 1);
        assertEquals(RxAck.encodedSize(4), b.readableBytes());
        assertEquals(4 + 37, b.readableBytes());
        // pad bytes are zero, trailer at unaligned offset 21 + nAcks
        assertEquals(0, b.getByte(18 + 4));
        assertEquals(0, b.getByte(18 + 4 + 1));
        assertEquals(0, b.getByte(18 + 4 + 2));
        assertEquals(1444, b.getInt(21 + 4));
        RxAck a = RxAck.decode(b, 0, b.readableBytes());
        assertEquals(10, a.firstPacket());
        assertEquals(13, a.previousPacket());
        assertEquals(77, a.serial());
        assertEquals(RX_ACK_OUT_OF_SEQUENCE, a.reason());
        assertArrayEquals(acks, a.acks());
        assertEquals(4, a.trailerWords());
        assertEquals(255, a.rwind());
        assertEquals(1, a.maxDgramPackets());
        assertTrue(a.isSoftAcked(10));
        assertFalse(a.isSoftAcked(11));
        assertTrue(a.isSoftAcked(13));
        assertFalse(a.isSoftAcked(14));
        assertFalse(a.isSoftAcked(9));
    }

    @Test
    void ackTrailerVersionsByLength() throws Exception {
        ByteBuf b = Unpooled.buffer();
        RxAck.encode(b, 1, 1, 0, RX_ACK_IDLE, new byte[0], 0, 1444, 1400, 32, 4);
        int full = b.readableBytes();
        assertEquals(0, RxAck.decode(b, 0, 18).trailerWords()); // 3.3 and older: no trailer
        assertEquals(0, RxAck.decode(b, 0, 21 + 7).trailerWords()); // not even 2 words
        RxAck two = RxAck.decode(b, 0, 21 + 8);
        assertEquals(2, two.trailerWords());
        assertEquals(1400, two.ifMTU());
        RxAck three = RxAck.decode(b, 0, 21 + 12);
        assertEquals(3, three.trailerWords());
        assertEquals(32, three.rwind());
        assertEquals(4, RxAck.decode(b, 0, full).trailerWords());
        // MTU-probe padding after a full trailer is tolerated
        b.writeZero(100);
        RxAck padded = RxAck.decode(b, 0, b.readableBytes());
        assertEquals(4, padded.trailerWords());
        assertEquals(4, padded.maxDgramPackets());
    }

    @Test
    void ackCountClippedToBytesPresent() throws Exception {
        ByteBuf b = Unpooled.buffer();
        b.writeZero(16);
        b.writeByte(RX_ACK_REQUESTED);
        b.writeByte(255); // claims 255 entries
        b.writeBytes(new byte[] {1, 1, 0});
        RxAck a = RxAck.decode(b, 0, b.readableBytes());
        assertEquals(3, a.nAcks());
        assertEquals(0, a.trailerWords());
    }

    @Test
    void shortAckRejected() {
        ByteBuf b = Unpooled.buffer().writeZero(17);
        assertThrows(RxMalformedPacketException.class, () -> RxAck.decode(b, 0, 17));
    }

    @Test
    void ackEncodeRefusesMoreThan255Entries() {
        assertThrows(IllegalArgumentException.class,
                () -> RxAck.encode(Unpooled.buffer(), 1, 1, 0, 1, new byte[300], 256, 1444, 1444, 32, 1));
    }

    static ByteBuf jumbogram(int members, int lastLength) {
        ByteBuf b = Unpooled.buffer();
        RxHeader h = header(RX_PACKET_TYPE_DATA, RX_CLIENT_INITIATED | RX_JUMBO_PACKET);
        h.seq = 5;
        h.serial = 40;
        h.writeTo(b);
        for (int i = 0; i < members; i++) {
            boolean last = i == members - 1;
            int len = last ? lastLength : RX_JUMBOBUFFERSIZE;
            for (int k = 0; k < len; k++) {
                b.writeByte(i);
            }
            if (!last) {
                int flags = RX_CLIENT_INITIATED | (i + 1 < members - 1 ? RX_JUMBO_PACKET : RX_LAST_PACKET);
                b.writeInt((flags << 24) | (0x100 + i));
            }
        }
        return b;
    }

    @Test
    void jumbogramSplitsIntoConsecutivePackets() throws Exception {
        ByteBuf b = jumbogram(3, 100);
        List<RxPacket> out = new ArrayList<>();
        RxPacketDecoder.split(b, out);
        assertEquals(3, out.size());
        for (int i = 0; i < 3; i++) {
            RxPacket p = out.get(i);
            assertEquals(5 + i, p.header.seq);
            assertEquals(40 + i, p.header.serial);
            assertEquals(i < 2 ? RX_JUMBOBUFFERSIZE : 100, p.bodyLength);
            assertEquals(i, p.datagram.getByte(p.bodyOffset));
            assertEquals(i, p.datagram.getByte(p.bodyOffset + p.bodyLength - 1));
            assertEquals(52, p.header.serviceId);
            assertEquals(7, p.header.callNumber);
        }
        assertTrue(out.get(0).header.hasFlag(RX_JUMBO_PACKET));
        assertTrue(out.get(1).header.hasFlag(RX_JUMBO_PACKET));
        assertEquals(0x100, out.get(1).header.spare);
        assertTrue(out.get(2).header.hasFlag(RX_LAST_PACKET));
        assertFalse(out.get(2).header.hasFlag(RX_JUMBO_PACKET));
    }

    @Test
    void jumbogramWithBogusLengthRejected() {
        ByteBuf ok = jumbogram(2, 10);
        // cut into the first member: announces a successor that is not there
        ByteBuf cut = ok.copy(0, RX_HEADER_SIZE + RX_JUMBOBUFFERSIZE + 2);
        assertThrows(RxMalformedPacketException.class, () -> RxPacketDecoder.split(cut, new ArrayList<>()));
        ByteBuf tiny = ok.copy(0, RX_HEADER_SIZE + 10);
        assertThrows(RxMalformedPacketException.class, () -> RxPacketDecoder.split(tiny, new ArrayList<>()));
    }

    @Test
    void jumboFlagOnNonDataIsNotAJumbogram() throws Exception {
        ByteBuf b = Unpooled.buffer();
        header(RX_PACKET_TYPE_ACK, RX_SLOW_START_OK).writeTo(b);
        b.writeZero(40);
        List<RxPacket> out = new ArrayList<>();
        RxPacketDecoder.split(b, out);
        assertEquals(1, out.size());
        assertEquals(40, out.get(0).bodyLength);
    }

    @Test
    void truncatedHeadersRejected() {
        for (int n = 0; n < RX_HEADER_SIZE; n++) {
            ByteBuf b = Unpooled.buffer().writeZero(n);
            assertThrows(RxMalformedPacketException.class, () -> RxPacketDecoder.split(b, new ArrayList<>()));
        }
    }

    @Test
    void shortAbortRejected() throws Exception {
        for (int n = 0; n < 4; n++) {
            ByteBuf b = Unpooled.buffer();
            header(RX_PACKET_TYPE_ABORT, 0).writeTo(b);
            b.writeZero(n);
            List<RxPacket> out = new ArrayList<>();
            RxPacketDecoder.split(b, out);
            assertThrows(RxMalformedPacketException.class, () -> RxPacketDecoder.abortCode(out.get(0)));
        }
        ByteBuf b = RxPacketEncoder.abort(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, header(RX_PACKET_TYPE_ABORT, 0), -455);
        List<RxPacket> out = new ArrayList<>();
        RxPacketDecoder.split(b, out);
        assertEquals(-455, RxPacketDecoder.abortCode(out.get(0)));
        assertTrue(b.release());
    }

    @Test
    void versionBodyIs65NulPaddedBytes() {
        byte[] v = RxPacketEncoder.versionBody("OpenAFS-compatible");
        assertEquals(65, v.length);
        assertEquals('O', v[0]);
        assertEquals(0, v[64]);
        byte[] longOne = RxPacketEncoder.versionBody("x".repeat(200));
        assertEquals(65, longOne.length);
        assertEquals(0, longOne[64]);
    }
}
