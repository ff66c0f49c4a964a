package afsdr.rx;

/**
 * Serves the calls of one Rx service. Runs on a worker thread, never on an event loop, so it may
 * block on its call's streams and do disk I/O. Returning normally ends the reply; throwing
 * {@link RxCallException} aborts the call with its code; any other exception aborts it with
 * {@code RX_INVALID_OPERATION}-class failure chosen by the server (and is logged).
 */
@FunctionalInterface
public interface RxCallHandler {
    void handle(RxCall call) throws Exception;
}
