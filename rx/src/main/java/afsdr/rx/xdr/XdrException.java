package afsdr.rx.xdr;

import java.io.IOException;

/**
 * XDR data could not be encoded or decoded: a length or count above its declared maximum, a
 * count the remaining bytes cannot hold, or a stream that ended early.
 *
 * <p>The RPC layer turns this into the rxgen code of the side it happened on (rx.md §18): a decode
 * failure is {@code RXGEN_SS_UNMARSHAL} (-453) on a server and {@code RXGEN_CC_UNMARSHAL} (-451)
 * on a client; an encode failure is {@code RXGEN_SS_MARSHAL} (-452) or {@code RXGEN_CC_MARSHAL}
 * (-450). It is an {@link IOException} so codecs can throw it next to the stream's own errors,
 * but it is never an Rx transport failure.
 */
public class XdrException extends IOException {
    private final boolean decoding;

    private XdrException(String message, boolean decoding) {
        super(message);
        this.decoding = decoding;
    }

    /** A failure while reading XDR data. */
    public static XdrException decode(String message) {
        return new XdrException(message, true);
    }

    /** A value that cannot be represented in its declared XDR type. */
    public static XdrException encode(String message) {
        return new XdrException(message, false);
    }

    /** {@code true} for a decode (unmarshal) failure, {@code false} for an encode (marshal) one. */
    public boolean isDecode() {
        return decoding;
    }
}
