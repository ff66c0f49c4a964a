package afsdr.rx;

import java.io.IOException;

/**
 * A call failed with an Rx-level error code: the code of the peer's ABORT packet (application
 * codes such as VNOVOL 103 or VOLSERVOLBUSY, rxgen codes such as RXGEN_OPCODE -455), or a local
 * Rx failure (RX_CALL_DEAD -1, RX_CALL_TIMEOUT -3, RX_PROTOCOL_ERROR -5; rx.md §18).
 *
 * <p>A server handler throws this to make the framework abort the call with {@link #code()}.
 */
public class RxCallException extends IOException {
    private final int code;

    public RxCallException(int code, String message) {
        super(message + " (code " + code + ")");
        this.code = code;
    }

    public RxCallException(int code, String message, Throwable cause) {
        super(message + " (code " + code + ")", cause);
        this.code = code;
    }

    /** The error code as it travels in an ABORT packet body. */
    public int code() {
        return code;
    }
}
