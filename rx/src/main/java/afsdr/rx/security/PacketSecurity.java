package afsdr.rx.security;

import afsdr.rx.packet.RxHeader;
import io.netty.buffer.ByteBuf;

/**
 * Per-packet protection of one connection, both directions (RXS_PreparePacket / RXS_CheckPacket
 * of the OpenAFS security object). Called on the event loop only: implementations need no locks
 * but must not block.
 *
 * <p>Sizes may change once a connection is authenticated (rxkad switches level), so callers ask
 * for them when they build a packet, not once.
 */
public interface PacketSecurity {

    /** Bytes in front of the user data in every DATA packet (rxkad: auth 4, crypt 8). */
    int headerSize();

    /** Most bytes the class may append after the user data (padding to the cipher block). */
    int maxTrailerSize();

    /**
     * Protects an outgoing DATA packet once, before its first transmission. The packet's
     * security header area is {@code buf[bodyOffset, bodyOffset + headerSize())}, followed by
     * {@code userLength} user bytes; {@code buf} has {@link #maxTrailerSize()} writable bytes
     * after them. The class may set {@code header.spare} (rxkad's header checksum) — it is then
     * re-sent unchanged on retransmissions, whose serial changes (rxkad does not cover the serial).
     *
     * @return the body length to send (security header + user data + trailer)
     */
    int preparePacket(RxHeader header, ByteBuf buf, int bodyOffset, int userLength) throws RxSecurityException;

    /**
     * Verifies (and decrypts in place) an incoming DATA packet whose body is
     * {@code buf[bodyOffset, bodyOffset + bodyLength)}.
     *
     * @param nowSeconds the current wall-clock time in Unix seconds, given by the caller (classes
     *        read no clock; rxkad compares it with the ticket's end)
     * @return the user-data length; the user data starts {@link #headerSize()} bytes into the body
     * @throws RxSecurityException the packet is forged, altered or out of date: as in OpenAFS
     *         (rxi_ReadProc), the whole connection is aborted with the code, since a bad packet
     *         may be an attempt to hijack it
     */
    int checkPacket(RxHeader header, ByteBuf buf, int bodyOffset, int bodyLength, long nowSeconds)
            throws RxSecurityException;
}
