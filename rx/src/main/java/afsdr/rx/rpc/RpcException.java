package afsdr.rx.rpc;

import afsdr.rx.RxCallException;

/**
 * A remote procedure call failed with {@link #code()}: the server's abort code (an application
 * code such as VL_NOENT, or an rxgen code), an rxgen code raised here (RXGEN_CC_MARSHAL,
 * RXGEN_CC_UNMARSHAL), or an Rx transport code (RX_CALL_DEAD...). Carries the procedure for
 * context.
 */
public class RpcException extends RxCallException {
    private final String procedure;

    public RpcException(int code, String procedure, String message, Throwable cause) {
        super(code, procedure + ": " + message, cause);
        this.procedure = procedure;
    }

    /** {@code package.name(opcode)} of the failed call, e.g. {@code VL.GetEntryByNameN(519)}. */
    public String procedure() {
        return procedure;
    }

    /** {@code true} for a negative code: an Rx or rxgen failure rather than an application error. */
    public boolean isTransportOrRxgen() {
        return code() < 0;
    }
}
