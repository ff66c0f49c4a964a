package afsdr.rx.rxkad;

import afsdr.rx.security.RxSecurityException;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;

/**
 * An rxkad CHALLENGE body (rxkad.md §3; {@code struct rxkad_v2Challenge} /
 * {@code struct rxkad_oldChallenge}).
 * <pre>
 *  v2  (16 bytes): | version = 2 | challengeID | level | spare = 0 |
 *  old  (8 bytes): | challengeID | level |
 * </pre>
 *
 * @param v2 which form; the OpenAFS server sends v2 once it has seen a checksummed DATA packet
 * @param challengeId the server's random per-connection challenge
 * @param level the server's minimum level (raw wire value; not validated here, the client compares)
 */
public record RxkadChallenge(boolean v2, int challengeId, int level) {
    /** {@code RXKAD_CHALLENGE_PROTOCOL_VERSION}. */
    public static final int RXKAD_CHALLENGE_PROTOCOL_VERSION = 2;
    public static final int V2_LENGTH = 16;
    public static final int OLD_LENGTH = 8;

    public byte[] encode() {
        if (v2) {
            return ByteBuffer.allocate(V2_LENGTH).putInt(RXKAD_CHALLENGE_PROTOCOL_VERSION).putInt(challengeId)
                    .putInt(level).putInt(0).array();
        }
        return ByteBuffer.allocate(OLD_LENGTH).putInt(challengeId).putInt(level).array();
    }

    /**
     * Decodes the readable bytes of {@code body} (not consumed). Like the OpenAFS client, a body
     * longer than the old form is taken as v2; the version word is not otherwise checked.
     *
     * @throws RxSecurityException RXKADPACKETSHORT when the body is shorter than its form
     */
    public static RxkadChallenge decode(ByteBuf body) throws RxSecurityException {
        int len = body.readableBytes();
        int at = body.readerIndex();
        if (len > OLD_LENGTH) {
            if (len < V2_LENGTH) {
                throw new RxSecurityException(RxkadErrors.RXKADPACKETSHORT, "rxkad v2 challenge of " + len + " bytes");
            }
            return new RxkadChallenge(true, body.getInt(at + 4), body.getInt(at + 8));
        }
        if (len < OLD_LENGTH) {
            throw new RxSecurityException(RxkadErrors.RXKADPACKETSHORT, "rxkad challenge of " + len + " bytes");
        }
        return new RxkadChallenge(false, body.getInt(at), body.getInt(at + 4));
    }
}
