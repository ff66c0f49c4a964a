package afsdr.rx.packet;

import io.netty.buffer.ByteBuf;

/**
 * The body of an ACK packet ({@code struct rx_ackPacket}, rx.h; built by rxi_SendAck, parsed by
 * rxi_ReceiveAckPacket; rx.md §7).
 *
 * <pre>
 *  0               1               2               3
 * +-------------------------------+-------------------------------+
 * |   bufferSpace (0, ignored)    |     maxSkew (0, ignored)      |  0
 * +-------------------------------+-------------------------------+
 * |   firstPacket: lowest seq the receiving application has not   |  4
 * |   consumed; every seq below it is hard-acknowledged           |
 * +---------------------------------------------------------------+
 * |   previousPacket: last seq received                           |  8
 * +---------------------------------------------------------------+
 * |   serial of the packet that provoked this ack (0: none)       | 12
 * +---------------+---------------+-------------------------------+
 * |    reason     |     nAcks     |  acks[nAcks]: 0 NACK / 1 ACK  | 16
 * +---------------+---------------+   for firstPacket + i ...     |
 * |  ...  | pad: 3 zero bytes     |                               | 18 + nAcks
 * +-------+-----------------------+-------------------------------+
 * | maxMTU (4) | ifMTU (4) | rwind (4) | maxDgramPackets (4)      | 21 + nAcks (unaligned!)
 * +---------------------------------------------------------------+
 * </pre>
 *
 * <p>The trailer is versioned by length: 2 words (AFS 3.3), 3 words (3.4a), 4 words (3.5); a
 * missing word is reported as 0 here and the state machine applies the defaults of rx.md §7.
 *
 * @param acks one byte per seq from {@code firstPacket}; length = nAcks (≤ {@link RxConstants#RX_MAXACKS})
 * @param trailerWords how many trailer words were present (0, 2, 3 or 4)
 */
public record RxAck(int bufferSpace, int maxSkew, int firstPacket, int previousPacket, int serial,
                    int reason, byte[] acks, int maxMTU, int ifMTU, int rwind, int maxDgramPackets,
                    int trailerWords) {

    public static final int BUFFER_SPACE_OFFSET = 0;
    public static final int MAX_SKEW_OFFSET = 2;
    public static final int FIRST_PACKET_OFFSET = 4;
    public static final int PREVIOUS_PACKET_OFFSET = 8;
    public static final int SERIAL_OFFSET = 12;
    public static final int REASON_OFFSET = 16;
    public static final int NACKS_OFFSET = 17;
    public static final int ACKS_OFFSET = 18;
    /** The fixed part before acks[]. */
    public static final int FIXED_SIZE = 18;
    /** The zero pad between acks[] and the trailer (rx_AckDataSize(n) = n + 21). */
    public static final int PAD_SIZE = 3;
    /** The 3.5 trailer: maxMTU, ifMTU, rwind, maxDgramPackets. */
    public static final int TRAILER_SIZE = 16;

    /** Size of an ack body with {@code nAcks} entries and the full trailer: n + 37. */
    public static int encodedSize(int nAcks) {
        return FIXED_SIZE + nAcks + PAD_SIZE + TRAILER_SIZE;
    }

    public int nAcks() {
        return acks.length;
    }

    /** Whether the entry for {@code seq} says ACK; seqs outside the bitmap are not acknowledged. */
    public boolean isSoftAcked(int seq) {
        long i = (long) seq - firstPacket;
        return i >= 0 && i < acks.length && acks[(int) i] == RxConstants.RX_ACK_TYPE_ACK;
    }

    /**
     * Decodes an ACK body of {@code length} bytes at {@code index}. nAcks is clipped to the bytes
     * present (rxi_ReceiveAckPacket does the same); a body shorter than 18 bytes is malformed.
     * Trailer values are returned raw; see {@code RxPeer.applyAckTrailer} for their validation.
     */
    public static RxAck decode(ByteBuf buf, int index, int length) throws RxMalformedPacketException {
        if (length < FIXED_SIZE) {
            throw new RxMalformedPacketException("ACK body of " + length + " bytes, need " + FIXED_SIZE);
        }
        int nAcks = buf.getUnsignedByte(index + NACKS_OFFSET);
        if (nAcks > length - FIXED_SIZE) {
            nAcks = length - FIXED_SIZE;
        }
        byte[] acks = new byte[nAcks];
        buf.getBytes(index + ACKS_OFFSET, acks);
        int trailer = index + FIXED_SIZE + nAcks + PAD_SIZE;
        int trailerBytes = length - (FIXED_SIZE + nAcks + PAD_SIZE);
        int maxMTU = 0, ifMTU = 0, rwind = 0, maxDgram = 0, words = 0;
        if (trailerBytes >= 8) {
            maxMTU = buf.getInt(trailer);
            ifMTU = buf.getInt(trailer + 4);
            words = 2;
            // a 3-word trailer is only trusted at exactly that length (AFS 3.4a); longer bodies
            // without a fourth word do not exist, shorter extra bytes are MTU-probe padding
            if (trailerBytes == 12 || trailerBytes >= 16) {
                rwind = buf.getInt(trailer + 8);
                words = 3;
            }
            if (trailerBytes >= 16) {
                maxDgram = buf.getInt(trailer + 12);
                words = 4;
            }
        }
        return new RxAck(buf.getUnsignedShort(index + BUFFER_SPACE_OFFSET),
                buf.getUnsignedShort(index + MAX_SKEW_OFFSET), buf.getInt(index + FIRST_PACKET_OFFSET),
                buf.getInt(index + PREVIOUS_PACKET_OFFSET), buf.getInt(index + SERIAL_OFFSET),
                buf.getUnsignedByte(index + REASON_OFFSET), acks, maxMTU, ifMTU, rwind, maxDgram, words);
    }

    /**
     * Appends an ACK body with the full trailer. {@code acks} supplies the first {@code nAcks}
     * entries (0/1); every byte written is defined (pad bytes are zero).
     */
    public static void encode(ByteBuf out, int firstPacket, int previousPacket, int serial, int reason,
                              byte[] acks, int nAcks, int maxMTU, int ifMTU, int rwind, int maxDgramPackets) {
        if (nAcks < 0 || nAcks > RxConstants.RX_MAXACKS || nAcks > acks.length) {
            throw new IllegalArgumentException("nAcks " + nAcks);
        }
        out.ensureWritable(encodedSize(nAcks));
        out.writeShort(0); // bufferSpace
        out.writeShort(0); // maxSkew
        out.writeInt(firstPacket);
        out.writeInt(previousPacket);
        out.writeInt(serial);
        out.writeByte(reason);
        out.writeByte(nAcks);
        out.writeBytes(acks, 0, nAcks);
        out.writeZero(PAD_SIZE);
        out.writeInt(maxMTU);
        out.writeInt(ifMTU);
        out.writeInt(rwind);
        out.writeInt(maxDgramPackets);
    }

    public void encode(ByteBuf out) {
        encode(out, firstPacket, previousPacket, serial, reason, acks, acks.length, maxMTU, ifMTU, rwind,
                maxDgramPackets);
    }
}
