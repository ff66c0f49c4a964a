package afsdr.rx.security;

import io.netty.buffer.ByteBuf;

/** Client-side security state of one connection: answers CHALLENGEs and protects packets. */
public interface ClientSecurityContext extends PacketSecurity {

    /**
     * Builds the RESPONSE body for a CHALLENGE body (RXS_GetResponse).
     *
     * @param callNumbers the connection's current call number per channel (rxkad encrypts them
     *        into its response; rxkad.md §4.1)
     * @throws RxSecurityException the challenge is unacceptable (e.g. RXKADLEVELFAIL); the
     *         connection fails with the code
     */
    byte[] respond(ByteBuf challenge, int[] callNumbers) throws RxSecurityException;
}
