package afsdr.rx.security;

import io.netty.buffer.ByteBuf;

/**
 * Server-side security state of one connection: the challenge/response handshake of rx.md §12
 * plus per-packet protection.
 */
public interface ServerSecurityContext extends PacketSecurity {

    /**
     * Whether calls may run (RXS_CheckAuthentication == 0). rxnull: always. rxkad: once a
     * response has been accepted. While false, new calls wait in PRECALL and the connection
     * sends CHALLENGEs.
     */
    boolean isAuthenticated();

    /**
     * The CHALLENGE body to send now (RXS_GetChallenge). The first call picks the challenge
     * (RXS_CreateChallenge: rxkad draws its random challenge id); later calls, for the
     * retransmissions every RX_CHALLENGE_TIMEOUT, return the same challenge.
     */
    byte[] challenge();

    /**
     * Checks a RESPONSE body (RXS_CheckResponse). On success the context is authenticated.
     *
     * @param nowSeconds the current wall-clock time in Unix seconds, given by the caller (ticket
     *        validity is judged against it; classes read no clock)
     * @return what the server must adopt: the identity and, for rxkad, the client's call-number
     *         vector (null to keep ours)
     * @throws RxSecurityException bad response; the connection is aborted with its code
     */
    Accepted checkResponse(ByteBuf body, long nowSeconds) throws RxSecurityException;

    /** The authenticated identity, or null (rxnull, or not yet authenticated). */
    Object identity();

    /**
     * Outcome of an accepted response.
     *
     * @param identity the client's identity (rxkad: name, instance, cell and key data)
     * @param callNumbers the four per-channel call numbers the client claims (rxkad's
     *        enc.callNumbers), or null
     */
    record Accepted(Object identity, int[] callNumbers) {}
}
