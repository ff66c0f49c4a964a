package afsdr.rx.rxkad;

import afsdr.rx.security.RxSecurityException;
import io.netty.buffer.ByteBuf;

/**
 * rxkad's per-DATA-packet protection for one connection (rxkad.md §7; OpenAFS
 * {@code rxkad_PreparePacket}, {@code rxkad_CheckPacket}, {@code ComputeSum},
 * {@code rxkad_DeriveXORInfo}, {@code rxkad_EncryptPacket}, {@code rxkad_DecryptPacket}).
 *
 * <p>Immutable once built from the session key and the connection's endpoint; holds the key
 * schedule, the IV (the session key itself) and {@code preSeq}, the checksum IV derived once per
 * connection. Everything else (level, call number, sequence) is an argument, so the same object
 * serves both directions and every call. Nothing is allocated per packet.
 *
 * <p>The body layout seen by {@link #prepare} and {@link #check}:
 * <pre>
 *  auth:  | (seq^call)&amp;0xffff | userLen(16) | user data ... | zero pad to &gt;= 8 bytes |
 *          \_______ first 8 bytes fcrypt-ECB encrypted ______/
 *  crypt: | (seq^call)&amp;0xffff | userLen(16) | 0 (32) | user data ... | zero pad to 8n |
 *          \_______________ all of it PCBC encrypted, IV = session key ______________/
 * </pre>
 */
public final class RxkadPacketCrypto {
    private final Fcrypt schedule;
    private final long iv;
    private final long preSeq;

    /**
     * @param sessionKey the 8-byte session key
     * @param cid the connection id (channel bits are ignored)
     */
    public RxkadPacketCrypto(byte[] sessionKey, int epoch, int cid, int securityIndex) {
        this.schedule = Fcrypt.keySchedule(sessionKey);
        this.iv = Fcrypt.bytesToLong(sessionKey, 0);
        this.preSeq = preSeq(schedule, iv, epoch, cid, securityIndex);
    }

    /**
     * {@code rxkad_DeriveXORInfo} (rxkad.md §7.1): PCBC-encrypt the 16-byte endpoint
     * {epoch, cid &amp; ~3, 0, securityIndex} and keep the second cipher block.
     *
     * @return preSeq as 8 big-endian bytes in a long
     */
    public static long preSeq(Fcrypt schedule, long iv, int epoch, int cid, int securityIndex) {
        long p0 = ((long) epoch << 32) | ((cid & ~3) & 0xffffffffL);
        long p1 = securityIndex & 0xffffffffL;
        long c0 = schedule.encryptBlock(p0 ^ iv);
        long x = p0 ^ c0;
        return schedule.encryptBlock(p1 ^ x);
    }

    /**
     * {@code ComputeSum} (rxkad.md §7.2): the 16-bit header checksum carried in the Rx header's
     * {@code spare} field. Never 0, because 0 means "no checksum" to the receiver.
     *
     * @param cid the packet's cid including the channel bits (the channel is covered)
     */
    public static int headerChecksum(Fcrypt schedule, long preSeq, int callNumber, int cid, int seq) {
        long w = ((long) callNumber << 32) | ((((cid & 3) << 30) | (seq & 0x3fffffff)) & 0xffffffffL);
        int sum = (int) (schedule.encryptBlock(w ^ preSeq) >>> 16) & 0xffff;
        return sum == 0 ? 1 : sum;
    }

    public long preSeq() {
        return preSeq;
    }

    /** {@link #headerChecksum(Fcrypt, long, int, int, int)} with this connection's key and preSeq. */
    public int headerChecksum(int callNumber, int cid, int seq) {
        return headerChecksum(schedule, preSeq, callNumber, cid, seq);
    }

    /**
     * Verifies a received header checksum.
     *
     * @throws RxSecurityException RXKADSEALEDINCON on mismatch (OpenAFS then aborts the whole
     *         connection)
     */
    public void checkHeaderChecksum(int spare, int callNumber, int cid, int seq) throws RxSecurityException {
        int expected = headerChecksum(callNumber, cid, seq);
        if (spare != expected) {
            throw new RxSecurityException(RxkadErrors.RXKADSEALEDINCON, String.format(
                    "rxkad header checksum 0x%04x, expected 0x%04x (call %d, seq %d, channel %d)",
                    spare, expected, callNumber, seq, cid & 3));
        }
    }

    /**
     * Seals an outgoing DATA body in place: writes the security header in front of the
     * {@code userLength} user bytes at {@code bodyOffset + level.headerSize()}, zero-pads, encrypts.
     * {@code buf} must have capacity for {@link RxkadLevel#maxTrailerSize()} bytes after the data.
     *
     * @return the body length to send
     * @throws RxSecurityException RXKADDATALEN when the length does not fit the 16-bit field
     */
    public int prepare(RxkadLevel level, int callNumber, int seq, ByteBuf buf, int bodyOffset, int userLength)
            throws RxSecurityException {
        if (userLength < 0 || userLength > 0xffff) {
            throw new RxSecurityException(RxkadErrors.RXKADDATALEN, "rxkad user data length " + userLength);
        }
        int word0 = (((seq ^ callNumber) & 0xffff) << 16) | userLength;
        switch (level) {
            case CLEAR:
                return userLength;
            case AUTH: {
                int len = Math.max(4 + userLength, 8);
                buf.setInt(bodyOffset, word0);
                buf.setZero(bodyOffset + 4 + userLength, len - 4 - userLength);
                buf.setLong(bodyOffset, schedule.encryptBlock(buf.getLong(bodyOffset)));
                return len;
            }
            case CRYPT: {
                int len = (8 + userLength + 7) & ~7;
                buf.setInt(bodyOffset, word0);
                buf.setInt(bodyOffset + 4, 0);
                buf.setZero(bodyOffset + 8 + userLength, len - 8 - userLength);
                Pcbc.crypt(schedule, iv, buf, bodyOffset, len, Fcrypt.ENCRYPT);
                return len;
            }
            default:
                throw new AssertionError(level);
        }
    }

    /**
     * Unseals a received DATA body in place.
     *
     * @return the user-data length; the data starts at {@code bodyOffset + level.headerSize()}
     * @throws RxSecurityException RXKADPACKETSHORT (body shorter than one cipher block),
     *         RXKADSEALEDINCON (sealed word does not match seq/call: wrong key or tampering),
     *         RXKADDATALEN (claimed length beyond the body, or a crypt body not in whole blocks)
     */
    public int check(RxkadLevel level, int callNumber, int seq, ByteBuf buf, int bodyOffset, int bodyLength)
            throws RxSecurityException {
        if (level == RxkadLevel.CLEAR) {
            return bodyLength;
        }
        if (bodyLength < 8) {
            throw new RxSecurityException(RxkadErrors.RXKADPACKETSHORT,
                    "rxkad " + level + " body of " + bodyLength + " bytes (call " + callNumber + ", seq " + seq + ")");
        }
        if (level == RxkadLevel.AUTH) {
            buf.setLong(bodyOffset, schedule.decryptBlock(buf.getLong(bodyOffset)));
        } else {
            // OpenAFS senders always pad to whole blocks; a ragged tail cannot be a packet of theirs
            if ((bodyLength & 7) != 0) {
                throw new RxSecurityException(RxkadErrors.RXKADDATALEN,
                        "rxkad crypt body of " + bodyLength + " bytes is not whole blocks (call " + callNumber
                                + ", seq " + seq + ")");
            }
            Pcbc.crypt(schedule, iv, buf, bodyOffset, bodyLength, Fcrypt.DECRYPT);
        }
        int word0 = buf.getInt(bodyOffset);
        if ((word0 >>> 16) != ((seq ^ callNumber) & 0xffff)) {
            throw new RxSecurityException(RxkadErrors.RXKADSEALEDINCON,
                    "rxkad sealed word mismatch (call " + callNumber + ", seq " + seq + ")");
        }
        int userLength = word0 & 0xffff;
        if (userLength > bodyLength - level.headerSize()) {
            throw new RxSecurityException(RxkadErrors.RXKADDATALEN, "rxkad claims " + userLength
                    + " user bytes in a " + bodyLength + "-byte body (call " + callNumber + ", seq " + seq + ")");
        }
        return userLength;
    }
}
