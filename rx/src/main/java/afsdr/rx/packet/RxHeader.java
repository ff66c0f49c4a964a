package afsdr.rx.packet;

import io.netty.buffer.ByteBuf;

/**
 * The 28-byte header that starts every Rx packet ({@code struct rx_header}, rx_packet.h; rx.md §2).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                             epoch                             |  0
 * +---------------------------------------------------------------+
 * |                  cid (connection id | channel)                |  4
 * +---------------------------------------------------------------+
 * |                          callNumber                           |  8
 * +---------------------------------------------------------------+
 * |                              seq                              | 12
 * +---------------------------------------------------------------+
 * |                            serial                             | 16
 * +---------------+---------------+---------------+---------------+
 * |     type      |     flags     |  userStatus   | securityIndex | 20
 * +---------------+---------------+---------------+---------------+
 * |     spare (rxkad header checksum) |          serviceId        | 24
 * +-------------------------------+-------------------------------+
 * </pre>
 *
 * <p>QUIRK: OpenAFS declares {@code serviceId} before {@code spare} in the C struct, but the wire
 * order is the one drawn above: the 7th word is {@code (spare << 16) | serviceId}.
 *
 * <p>This is a mutable value: the event loop decodes into one instance per datagram instead of
 * allocating, so copy it ({@link #copy()}) before keeping it. All fields are raw wire values;
 * the unsigned 8/16-bit fields are held as non-negative ints.
 */
public final class RxHeader {
    public static final int EPOCH_OFFSET = 0;
    public static final int CID_OFFSET = 4;
    public static final int CALL_NUMBER_OFFSET = 8;
    public static final int SEQ_OFFSET = 12;
    public static final int SERIAL_OFFSET = 16;
    public static final int TYPE_OFFSET = 20;
    public static final int FLAGS_OFFSET = 21;
    public static final int USER_STATUS_OFFSET = 22;
    public static final int SECURITY_INDEX_OFFSET = 23;
    public static final int SPARE_OFFSET = 24;
    public static final int SERVICE_ID_OFFSET = 26;
    public static final int LENGTH = RxConstants.RX_HEADER_SIZE;

    public int epoch;
    public int cid;
    public int callNumber;
    public int seq;
    public int serial;
    public int type;
    public int flags;
    public int userStatus;
    public int securityIndex;
    /** The 16-bit {@code spare} word; rxkad's header checksum. */
    public int spare;
    public int serviceId;

    public RxHeader() {}

    public RxHeader set(int epoch, int cid, int callNumber, int seq, int serial, int type, int flags,
                        int securityIndex, int serviceId) {
        this.epoch = epoch;
        this.cid = cid;
        this.callNumber = callNumber;
        this.seq = seq;
        this.serial = serial;
        this.type = type;
        this.flags = flags;
        this.userStatus = 0;
        this.securityIndex = securityIndex;
        this.spare = 0;
        this.serviceId = serviceId;
        return this;
    }

    /**
     * Reads the header at {@code index} without moving the reader index. The caller checked that
     * 28 bytes are readable there (see {@link RxPacketDecoder}).
     */
    public RxHeader read(ByteBuf buf, int index) {
        epoch = buf.getInt(index + EPOCH_OFFSET);
        cid = buf.getInt(index + CID_OFFSET);
        callNumber = buf.getInt(index + CALL_NUMBER_OFFSET);
        seq = buf.getInt(index + SEQ_OFFSET);
        serial = buf.getInt(index + SERIAL_OFFSET);
        type = buf.getUnsignedByte(index + TYPE_OFFSET);
        flags = buf.getUnsignedByte(index + FLAGS_OFFSET);
        userStatus = buf.getUnsignedByte(index + USER_STATUS_OFFSET);
        securityIndex = buf.getUnsignedByte(index + SECURITY_INDEX_OFFSET);
        spare = buf.getUnsignedShort(index + SPARE_OFFSET);
        serviceId = buf.getUnsignedShort(index + SERVICE_ID_OFFSET);
        return this;
    }

    /** Writes the header at {@code index} without moving the writer index. */
    public void write(ByteBuf buf, int index) {
        buf.setInt(index + EPOCH_OFFSET, epoch);
        buf.setInt(index + CID_OFFSET, cid);
        buf.setInt(index + CALL_NUMBER_OFFSET, callNumber);
        buf.setInt(index + SEQ_OFFSET, seq);
        buf.setInt(index + SERIAL_OFFSET, serial);
        buf.setByte(index + TYPE_OFFSET, type);
        buf.setByte(index + FLAGS_OFFSET, flags);
        buf.setByte(index + USER_STATUS_OFFSET, userStatus);
        buf.setByte(index + SECURITY_INDEX_OFFSET, securityIndex);
        buf.setShort(index + SPARE_OFFSET, spare);
        buf.setShort(index + SERVICE_ID_OFFSET, serviceId);
    }

    /** Appends the header at the writer index. */
    public void writeTo(ByteBuf buf) {
        buf.ensureWritable(LENGTH);
        write(buf, buf.writerIndex());
        buf.writerIndex(buf.writerIndex() + LENGTH);
    }

    public int channel() {
        return cid & RxConstants.RX_CHANNELMASK;
    }

    public int connectionId() {
        return cid & RxConstants.RX_CIDMASK;
    }

    public boolean hasFlag(int flag) {
        return (flags & flag) != 0;
    }

    public boolean clientInitiated() {
        return (flags & RxConstants.RX_CLIENT_INITIATED) != 0;
    }

    public RxHeader copy() {
        RxHeader h = new RxHeader();
        h.copyFrom(this);
        return h;
    }

    public void copyFrom(RxHeader o) {
        epoch = o.epoch;
        cid = o.cid;
        callNumber = o.callNumber;
        seq = o.seq;
        serial = o.serial;
        type = o.type;
        flags = o.flags;
        userStatus = o.userStatus;
        securityIndex = o.securityIndex;
        spare = o.spare;
        serviceId = o.serviceId;
    }

    @Override
    public String toString() {
        return RxConstants.typeName(type) + "[epoch=" + Integer.toUnsignedString(epoch) + " cid="
                + Integer.toHexString(cid) + " call=" + callNumber + " seq=" + seq + " serial=" + serial
                + " flags=0x" + Integer.toHexString(flags) + " sec=" + securityIndex + " svc=" + serviceId
                + (spare != 0 ? " spare=" + spare : "") + "]";
    }
}
