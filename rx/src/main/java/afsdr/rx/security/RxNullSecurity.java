package afsdr.rx.security;

import afsdr.rx.packet.RxConstants;
import afsdr.rx.packet.RxHeader;
import io.netty.buffer.ByteBuf;

/**
 * The rxnull security class, index 0 (src/rx/rx_null.c; rx.md §19): no challenge, no checksum, no
 * overhead, no identity. Stateless, so one context serves every connection.
 */
public final class RxNullSecurity implements ServerSecurity, ClientSecurity {
    public static final RxNullSecurity INSTANCE = new RxNullSecurity();

    private static final Context CONTEXT = new Context();

    private RxNullSecurity() {}

    @Override
    public int securityIndex() {
        return RxConstants.RX_SECIDX_NULL;
    }

    @Override
    public ServerSecurityContext newServerContext(RxSecurityConnection connection) {
        return CONTEXT;
    }

    @Override
    public ClientSecurityContext newClientContext(RxSecurityConnection connection) {
        return CONTEXT;
    }

    private static final class Context implements ServerSecurityContext, ClientSecurityContext {
        @Override
        public int headerSize() {
            return 0;
        }

        @Override
        public int maxTrailerSize() {
            return 0;
        }

        @Override
        public int preparePacket(RxHeader header, ByteBuf buf, int bodyOffset, int userLength) {
            return userLength;
        }

        @Override
        public int checkPacket(RxHeader header, ByteBuf buf, int bodyOffset, int bodyLength, long nowSeconds) {
            return bodyLength;
        }

        @Override
        public boolean isAuthenticated() {
            return true;
        }

        @Override
        public byte[] challenge() {
            throw new IllegalStateException("rxnull never challenges");
        }

        @Override
        public Accepted checkResponse(ByteBuf body, long nowSeconds) throws RxSecurityException {
            // rx.md §12.4: a response on a connection that was never challenged is ignored; the
            // state machine never calls us then, so reaching this is a protocol misuse
            throw new RxSecurityException(RxConstants.RX_INVALID_OPERATION, "rxnull takes no response");
        }

        @Override
        public Object identity() {
            return null;
        }

        @Override
        public byte[] respond(ByteBuf challenge, int[] callNumbers) throws RxSecurityException {
            throw new RxSecurityException(RxConstants.RX_INVALID_OPERATION, "rxnull cannot answer a challenge");
        }
    }
}
