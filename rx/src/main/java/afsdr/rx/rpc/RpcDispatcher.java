package afsdr.rx.rpc;

import afsdr.rx.RxCall;
import afsdr.rx.RxCallException;
import afsdr.rx.RxCallHandler;
import afsdr.rx.xdr.XdrException;
import afsdr.rx.xdr.XdrReader;
import afsdr.rx.xdr.XdrWriter;

import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Server side of an rxgen interface: what the generated {@code ExecuteRequest} does (rx.md §17).
 * Reads the opcode (none → abort {@code RXGEN_DECODE} -454), finds the procedure (none →
 * {@code RXGEN_OPCODE} -455), decodes the arguments (failure → {@code RXGEN_SS_UNMARSHAL} -453),
 * runs the handler, and writes the results (failure → {@code RXGEN_SS_MARSHAL} -452). A handler
 * that throws {@link RxCallException} aborts the call with its code and no reply data, after the
 * stubs' {@code hton_syserr_conv} (ENOSPC → VDISKFULL 108, EDQUOT → VOVERQUOTA 109). Any other
 * exception of a handler propagates to the Rx server, which aborts the call and logs it.
 *
 * <p>Aborts happen by throwing {@link RxCallException} out of {@link #handle}, as the
 * {@link RxCallHandler} contract asks. Immutable once built; one instance serves all calls.
 */
public final class RpcDispatcher implements RxCallHandler {
    private static final System.Logger LOG = System.getLogger(RpcDispatcher.class.getName());

    private record Binding<A, R>(RpcOp<A, R> op, RpcHandler<A, R> handler) {
    }

    private final RpcInterface iface;
    private final Map<Integer, Binding<?, ?>> bindings;

    private RpcDispatcher(RpcInterface iface, Map<Integer, Binding<?, ?>> bindings) {
        this.iface = iface;
        this.bindings = Map.copyOf(bindings);
    }

    /** Starts a dispatcher for {@code iface}; procedures left without a handler answer RXGEN_OPCODE. */
    public static Builder builder(RpcInterface iface) {
        return new Builder(iface);
    }

    /** Collects the handlers of a dispatcher. */
    public static final class Builder {
        private final RpcInterface iface;
        private final Map<Integer, Binding<?, ?>> bindings = new HashMap<>();

        private Builder(RpcInterface iface) {
            this.iface = Objects.requireNonNull(iface);
        }

        /** Serves {@code op}, which must be a procedure of the interface, with {@code handler}. */
        public <A, R> Builder on(RpcOp<A, R> op, RpcHandler<A, R> handler) {
            if (iface.op(op.opcode()) != op) {
                throw new IllegalArgumentException(op + " is not a procedure of " + iface.name());
            }
            if (bindings.put(op.opcode(), new Binding<>(op, Objects.requireNonNull(handler))) != null) {
                throw new IllegalArgumentException(op + " bound twice");
            }
            return this;
        }

        public RpcDispatcher build() {
            return new RpcDispatcher(iface, bindings);
        }
    }

    /** Linux {@code ENOSPC}. */
    static final int ENOSPC = 28;
    /** Linux {@code EDQUOT}. */
    static final int EDQUOT = 122;
    /** {@code VDISKFULL}, what ENOSPC becomes on the wire. */
    static final int VDISKFULL = 108;
    /** {@code VOVERQUOTA}, what EDQUOT becomes on the wire. */
    static final int VOVERQUOTA = 109;

    /**
     * The conversion rxgen server stubs apply to a procedure's error code
     * ({@code hton_syserr_conv}, rx.md §17): the two errno values clients must not misread as
     * local ones travel as the volume package's codes.
     */
    static int htonSyserrConv(int code) {
        return code == ENOSPC ? VDISKFULL : code == EDQUOT ? VOVERQUOTA : code;
    }

    /** The interface served. */
    public RpcInterface rpcInterface() {
        return iface;
    }

    @Override
    public void handle(RxCall call) throws Exception {
        InputStream in = call.input();
        byte[] op = in.readNBytes(4);
        if (op.length < 4) {
            throw new RxCallException(Rxgen.RXGEN_DECODE, iface.name() + ": request of " + op.length
                    + " bytes has no opcode");
        }
        int opcode = ((op[0] & 0xff) << 24) | ((op[1] & 0xff) << 16) | ((op[2] & 0xff) << 8) | (op[3] & 0xff);
        Binding<?, ?> b = bindings.get(opcode);
        if (b == null) {
            LOG.log(Level.DEBUG, () -> iface.name() + ": opcode " + opcode + " from " + call.connection().peer()
                    + (iface.op(opcode) == null ? " unknown" : " not served"));
            throw new RxCallException(Rxgen.RXGEN_OPCODE, iface.name() + ": no procedure " + opcode);
        }
        dispatch(call, b);
    }

    private <A, R> void dispatch(RxCall call, Binding<A, R> b) throws Exception {
        RpcOp<A, R> op = b.op();
        // A split request's raw bytes follow the arguments on the same stream: read no further.
        XdrReader r = op.split() == RpcOp.Split.REQUEST ? XdrReader.exact(call.input()) : XdrReader.of(call.input());
        A args;
        try {
            args = op.args().decode(r);
        } catch (XdrException e) {
            LOG.log(Level.DEBUG, () -> iface.name() + "." + op + " from " + call.connection().peer()
                    + ": bad arguments: " + e.getMessage());
            throw new RxCallException(Rxgen.RXGEN_SS_UNMARSHAL, iface.name() + "." + op + ": " + e.getMessage(), e);
        }
        R results;
        try {
            results = b.handler().handle(call, args);
        } catch (RxCallException e) {
            int wire = htonSyserrConv(e.code());
            if (wire != e.code()) {
                throw new RxCallException(wire, e.getMessage(), e);
            }
            throw e;
        }
        XdrWriter w = new XdrWriter(call.output());
        try {
            op.results().encode(w, results);
            w.flush();
        } catch (XdrException e) {
            LOG.log(Level.WARNING, () -> iface.name() + "." + op + ": cannot encode results: " + e.getMessage());
            throw new RxCallException(Rxgen.RXGEN_SS_MARSHAL, iface.name() + "." + op + ": " + e.getMessage(), e);
        }
    }
}
