package afsdr.rx.rpc;

import afsdr.rx.RxCall;
import afsdr.rx.RxCallException;
import afsdr.rx.RxClientConnection;
import afsdr.rx.xdr.XdrException;
import afsdr.rx.xdr.XdrReader;
import afsdr.rx.xdr.XdrWriter;

import java.io.IOException;

/**
 * Client side of rxgen calls over an {@link RxClientConnection}: what the generated client stub
 * does (rx.md §17). The request is the opcode and the arguments; the reply is the results or an
 * ABORT, whose code comes back as {@link RpcException#code()}.
 */
public final class RpcClient {
    /** {@code RX_USER_ABORT}: the code we abort with when the caller's own raw transfer fails. */
    static final int RX_USER_ABORT = -6;

    private RpcClient() {
    }

    /** The caller's part of a split call: raw bytes to write or read on the call's streams. */
    @FunctionalInterface
    public interface RawTransfer {
        void transfer(RxCall call) throws IOException, InterruptedException;
    }

    /**
     * Calls an ordinary procedure and returns its results.
     *
     * @throws RpcException the server's abort code, RXGEN_CC_MARSHAL (-450) if the arguments
     *                      cannot be encoded, RXGEN_CC_UNMARSHAL (-451) if the results cannot be
     *                      decoded, or the Rx code of a transport failure
     */
    public static <A, R> R call(RxClientConnection conn, RpcOp<A, R> op, A args)
            throws RpcException, InterruptedException {
        if (op.split() != RpcOp.Split.NONE) {
            throw new IllegalArgumentException(op + " is a split call; use callSplit");
        }
        return run(conn, op, args, null);
    }

    /**
     * Calls a split procedure. {@code raw} runs after the arguments have been handed to the call's
     * output: for {@link RpcOp.Split#REQUEST} it writes the raw request bytes to
     * {@code call.output()} (the request ends when the results are read); for
     * {@link RpcOp.Split#REPLY} it reads the raw reply bytes from {@code call.input()}, exactly
     * up to where the results begin (to end of stream when there are none). Then the results are
     * decoded. Any failure of {@code raw} aborts the call with RX_USER_ABORT (-6), unless the call
     * had already failed; it is reported with the code of the {@link RxCallException} it threw
     * (this call's, or another call's it was relaying), else with RX_USER_ABORT.
     */
    public static <A, R> R callSplit(RxClientConnection conn, RpcOp<A, R> op, A args, RawTransfer raw)
            throws RpcException, InterruptedException {
        if (op.split() == RpcOp.Split.NONE) {
            throw new IllegalArgumentException(op + " is not a split call; use call");
        }
        return run(conn, op, args, raw);
    }

    private static <A, R> R run(RxClientConnection conn, RpcOp<A, R> op, A args, RawTransfer raw)
            throws RpcException, InterruptedException {
        String where = op + " to " + conn.peer();
        RxCall call;
        try {
            call = conn.newCall();
        } catch (RxCallException e) {
            throw new RpcException(e.code(), where, "cannot start call", e);
        }
        RpcException failure = null;
        R result = null;
        boolean rawPhase = false;
        try {
            XdrWriter w = new XdrWriter(call.output());
            w.writeInt(op.opcode());
            op.args().encode(w, args);
            w.flush();
            if (raw != null) {
                rawPhase = true;
                raw.transfer(call);
                rawPhase = false;
            }
            result = op.results().decode(XdrReader.of(call.input()));
        } catch (InterruptedException e) {
            call.abort(RX_USER_ABORT);
            throw e;
        } catch (IOException e) {
            if (rawPhase) {
                // The caller's side of the transfer failed: a file it reads, a sink it writes, or
                // another call it relays. Abort this call so the peer does not take a truncated
                // stream for a complete one (a no-op if this call already failed).
                call.abort(RX_USER_ABORT);
                int code = e instanceof RxCallException r ? r.code() : RX_USER_ABORT;
                failure = new RpcException(code, where, "raw transfer failed", e);
            } else if (e instanceof XdrException x) {
                int code = x.isDecode() ? Rxgen.RXGEN_CC_UNMARSHAL : Rxgen.RXGEN_CC_MARSHAL;
                call.abort(code);
                failure = new RpcException(code, where, x.isDecode() ? "cannot decode results" : "cannot encode arguments", e);
            } else if (e instanceof RxCallException r) {
                failure = new RpcException(r.code(), where, "call failed", e);
            } else {
                call.abort(RX_USER_ABORT);
                failure = new RpcException(RX_USER_ABORT, where, "call stream failed", e);
            }
        } finally {
            try {
                conn.endCall(call);
            } catch (RxCallException e) {
                if (failure == null) {
                    failure = new RpcException(e.code(), where, "call failed", e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return result;
    }
}
