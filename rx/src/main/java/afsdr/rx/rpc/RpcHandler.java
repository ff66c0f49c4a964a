package afsdr.rx.rpc;

import afsdr.rx.RxCall;

/**
 * Server implementation of one procedure. Throw {@link afsdr.rx.RxCallException} to abort the
 * call with its code (no reply data is sent); return the results otherwise.
 *
 * <p>For a split procedure, the handler reads the request's remaining raw bytes from
 * {@code call.input()} ({@link RpcOp.Split#REQUEST}), or writes the raw reply bytes to
 * {@code call.output()} before returning ({@link RpcOp.Split#REPLY}); the results are written
 * after them. {@code call.connection()} tells who is calling (security index, identity).
 */
@FunctionalInterface
public interface RpcHandler<A, R> {
    R handle(RxCall call, A args) throws Exception;
}
