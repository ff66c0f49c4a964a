package afsdr.rx.rxkad;

import afsdr.rx.security.RxSecurityException;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;

/**
 * rxkad RESPONSE bodies (rxkad.md §4; {@code struct rxkad_v2ChallengeResponse},
 * {@code struct rxkad_oldChallengeResponse}). The server reads one in two steps: {@link #decode}
 * splits off the ticket without any key; the ticket yields the session key; {@link #open} then
 * decrypts and checks the sealed part.
 * <pre>
 *  v2: | version=2 | spare=0 | epoch | cid | cksum | securityIndex | callNumbers[4] |
 *      | incChallengeID | level | kvno | ticketLen | ticket ... |
 *              \__________ bytes 8..47 PCBC(session key, IV = key) __________/
 *  old: | incChallengeID | level | kvno | ticketLen | ticket ... |
 *         \__ fcrypt-ECB ___/
 * </pre>
 *
 * @param v2 which form
 * @param spare the v2 spare word as received (covered by the checksum; 0 from OpenAFS)
 * @param sealed the encrypted bytes (40 for v2, 8 for old)
 * @param kvno ticket type / key version (rxkad.md §6)
 * @param ticket the opaque ticket
 */
public record RxkadResponse(boolean v2, int spare, byte[] sealed, int kvno, byte[] ticket) {
    public static final int RXKAD_CHALLENGE_PROTOCOL_VERSION = RxkadChallenge.RXKAD_CHALLENGE_PROTOCOL_VERSION;
    /** Bytes before the ticket in a v2 response. */
    public static final int V2_HEADER_LENGTH = 56;
    /** Bytes before the ticket in an old response. */
    public static final int OLD_HEADER_LENGTH = 16;
    /** {@code MINKTCTICKETLEN}. */
    public static final int MINKTCTICKETLEN = 32;
    /** {@code MAXKTCTICKETLEN}. */
    public static final int MAXKTCTICKETLEN = 12000;
    /** Number of call channels ({@code RX_MAXCALLS}). */
    public static final int RX_MAXCALLS = 4;

    private static final int SEALED_OFFSET = 8;
    private static final int SEALED_V2_LENGTH = 40;
    private static final int CKSUM_OFFSET = 16;

    /**
     * The decrypted, checksum-verified content.
     *
     * <p>{@code epoch}, {@code cid}, {@code securityIndex} and {@code callNumbers} are what a v2
     * client claims; an old response carries none of them (zeros and null).
     */
    public record Opened(int epoch, int cid, int securityIndex, int[] callNumbers, int incChallengeId, int level) {
        /**
         * The checks of {@code rxkad_CheckResponse} after decryption (rxkad.md §4.3 steps 4–6).
         *
         * @param v2 whether the response was v2 (only v2 carries an endpoint and call numbers)
         * @param cid the real connection id (channel bits ignored)
         * @return the level the connection adopts
         */
        public RxkadLevel verify(boolean v2, int epoch, int cid, int securityIndex, int challengeId,
                RxkadLevel minLevel) throws RxSecurityException {
            if (v2) {
                if (this.epoch != epoch || this.cid != (cid & ~3) || this.securityIndex != securityIndex) {
                    throw new RxSecurityException(RxkadErrors.RXKADSEALEDINCON, String.format(
                            "rxkad response endpoint epoch %08x cid %08x index %d, connection is %08x %08x %d",
                            this.epoch, this.cid, this.securityIndex, epoch, cid & ~3, securityIndex));
                }
                for (int i = 0; i < RX_MAXCALLS; i++) {
                    if (callNumbers[i] < 0) {
                        throw new RxSecurityException(RxkadErrors.RXKADSEALEDINCON,
                                "rxkad response call number " + callNumbers[i] + " on channel " + i);
                    }
                }
            }
            if (incChallengeId != challengeId + 1) {
                throw new RxSecurityException(RxkadErrors.RXKADOUTOFSEQUENCE, String.format(
                        "rxkad response answers challenge %08x, ours is %08x", incChallengeId - 1, challengeId));
            }
            if (level < minLevel.wire() || level > RxkadLevel.CRYPT.wire()) {
                throw new RxSecurityException(RxkadErrors.RXKADLEVELFAIL,
                        "rxkad response level " + level + ", minimum " + minLevel.wire());
            }
            return RxkadLevel.fromWire(level);
        }
    }

    /**
     * {@code ComputeSum}'s sibling for responses (rxkad.md §4.1): over the 56-byte v2 header in
     * plaintext with the cksum field zero, ticket excluded.
     */
    public static int responseChecksum(byte[] header56) {
        int c = 1000003;
        for (int i = 0; i < V2_HEADER_LENGTH; i++) {
            c = (header56[i] & 0xff) + c * 0x10204081;
        }
        return c;
    }

    /**
     * Builds a v2 response (client side, {@code rxkad_GetResponse}).
     *
     * @param cid the connection id (channel bits are cleared here)
     * @param callNumbers the 4 per-channel call numbers (DALLY channels already +1 by the caller)
     */
    public static byte[] encodeV2(byte[] sessionKey, int epoch, int cid, int securityIndex, int[] callNumbers,
            int incChallengeId, int level, int kvno, byte[] ticket) {
        checkTicketLength(ticket.length);
        if (callNumbers.length != RX_MAXCALLS) {
            throw new IllegalArgumentException("need " + RX_MAXCALLS + " call numbers, got " + callNumbers.length);
        }
        ByteBuffer b = ByteBuffer.allocate(V2_HEADER_LENGTH + ticket.length);
        b.putInt(RXKAD_CHALLENGE_PROTOCOL_VERSION).putInt(0).putInt(epoch).putInt(cid & ~3).putInt(0).putInt(securityIndex);
        for (int n : callNumbers) {
            b.putInt(n);
        }
        b.putInt(incChallengeId).putInt(level).putInt(kvno).putInt(ticket.length).put(ticket);
        byte[] out = b.array();
        ByteBuffer.wrap(out).putInt(CKSUM_OFFSET, responseChecksum(out));
        Pcbc.crypt(Fcrypt.keySchedule(sessionKey), Fcrypt.bytesToLong(sessionKey, 0), out, SEALED_OFFSET,
                SEALED_V2_LENGTH, Fcrypt.ENCRYPT);
        return out;
    }

    /** Builds an old-form response (answer to an 8-byte challenge). */
    public static byte[] encodeOld(byte[] sessionKey, int incChallengeId, int level, int kvno, byte[] ticket) {
        checkTicketLength(ticket.length);
        byte[] out = ByteBuffer.allocate(OLD_HEADER_LENGTH + ticket.length).putInt(incChallengeId).putInt(level)
                .putInt(kvno).putInt(ticket.length).put(ticket).array();
        Fcrypt.keySchedule(sessionKey).ecb(out, 0, out, 0, Fcrypt.ENCRYPT);
        return out;
    }

    private static void checkTicketLength(int len) {
        if (len < MINKTCTICKETLEN || len > MAXKTCTICKETLEN) {
            throw new IllegalArgumentException("ticket length " + len + " outside [" + MINKTCTICKETLEN + ", "
                    + MAXKTCTICKETLEN + "]");
        }
    }

    /**
     * Splits the readable bytes of a RESPONSE body (not consumed). Lengths are checked before
     * anything is allocated.
     *
     * @param v2 whether the challenge we sent was v2 (the server knows which form to expect)
     * @throws RxSecurityException RXKADPACKETSHORT (body shorter than its header and ticket, or an
     *         old body of the wrong size), RXKADTICKETLEN (ticket length outside 32..12000),
     *         RXKADINCONSISTENCY (v2 version word not 2)
     */
    public static RxkadResponse decode(ByteBuf body, boolean v2) throws RxSecurityException {
        int len = body.readableBytes();
        int at = body.readerIndex();
        int header = v2 ? V2_HEADER_LENGTH : OLD_HEADER_LENGTH;
        if (len < header) {
            throw new RxSecurityException(RxkadErrors.RXKADPACKETSHORT,
                    "rxkad " + (v2 ? "v2" : "old") + " response of " + len + " bytes");
        }
        int kvno = body.getInt(at + header - 8);
        int ticketLen = body.getInt(at + header - 4);
        // OpenAFS compares the packet with the claimed length first, so a claim beyond the packet
        // is RXKADPACKETSHORT even when it is also beyond MAXKTCTICKETLEN. It adds the signed
        // claim to a size_t, so a negative claim wraps: 64-bit unsigned arithmetic here too.
        long need = header + (long) ticketLen;
        if (v2 ? Long.compareUnsigned(len, need) < 0 : len != need) {
            throw new RxSecurityException(RxkadErrors.RXKADPACKETSHORT, "rxkad " + (v2 ? "v2" : "old")
                    + " response of " + len + " bytes for a " + ticketLen + "-byte ticket");
        }
        if (ticketLen < MINKTCTICKETLEN || ticketLen > MAXKTCTICKETLEN) {
            throw new RxSecurityException(RxkadErrors.RXKADTICKETLEN, "rxkad ticket length " + ticketLen);
        }
        if (v2 && body.getInt(at) != RXKAD_CHALLENGE_PROTOCOL_VERSION) {
            throw new RxSecurityException(RxkadErrors.RXKADINCONSISTENCY,
                    "rxkad response version " + body.getInt(at));
        }
        byte[] sealed = new byte[v2 ? SEALED_V2_LENGTH : 8];
        body.getBytes(at + (v2 ? SEALED_OFFSET : 0), sealed);
        byte[] ticket = new byte[ticketLen];
        body.getBytes(at + header, ticket);
        return new RxkadResponse(v2, v2 ? body.getInt(at + 4) : 0, sealed, kvno, ticket);
    }

    /**
     * Decrypts the sealed part with the session key from the ticket and, for v2, verifies the
     * checksum.
     *
     * @throws RxSecurityException RXKADSEALEDINCON when the checksum does not match (wrong key or
     *         tampering)
     */
    public Opened open(byte[] sessionKey) throws RxSecurityException {
        Fcrypt ks = Fcrypt.keySchedule(sessionKey);
        byte[] plain = sealed.clone();
        if (!v2) {
            ks.ecb(plain, 0, plain, 0, Fcrypt.DECRYPT);
            ByteBuffer p = ByteBuffer.wrap(plain);
            return new Opened(0, 0, 0, null, p.getInt(0), p.getInt(4));
        }
        Pcbc.crypt(ks, Fcrypt.bytesToLong(sessionKey, 0), plain, 0, SEALED_V2_LENGTH, Fcrypt.DECRYPT);
        ByteBuffer header = ByteBuffer.allocate(V2_HEADER_LENGTH);
        header.putInt(RXKAD_CHALLENGE_PROTOCOL_VERSION).putInt(spare).put(plain).putInt(kvno).putInt(ticket.length);
        byte[] h = header.array();
        int cksum = ByteBuffer.wrap(h).getInt(CKSUM_OFFSET);
        ByteBuffer.wrap(h).putInt(CKSUM_OFFSET, 0);
        if (cksum != responseChecksum(h)) {
            throw new RxSecurityException(RxkadErrors.RXKADSEALEDINCON, "rxkad response checksum mismatch");
        }
        ByteBuffer p = ByteBuffer.wrap(plain);
        int[] calls = new int[RX_MAXCALLS];
        for (int i = 0; i < RX_MAXCALLS; i++) {
            calls[i] = p.getInt(16 + 4 * i);
        }
        return new Opened(p.getInt(0), p.getInt(4), p.getInt(12), calls, p.getInt(32), p.getInt(36));
    }
}
