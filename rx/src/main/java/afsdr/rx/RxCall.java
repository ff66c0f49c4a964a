package afsdr.rx;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * One Rx call as the application sees it, on either side of a connection.
 *
 * <p>The payload of each direction is one byte stream (rx.md §17): packet boundaries are invisible
 * here. The client writes its request to {@link #output()}, then reads the reply from
 * {@link #input()}; its first read ends the request direction (the last request packet goes out
 * with {@code LAST_PACKET}). The server reads the request from {@link #input()} and writes its
 * reply to {@link #output()}; a server handler that returns normally ends the reply with
 * {@code LAST_PACKET}, even when it wrote nothing (rx.md §6 step 3).
 *
 * <p>Split calls (AFSVolDump, AFSVolRestore, AFSVolForward's restore) use the same streams: after
 * the XDR arguments the remaining request bytes, or the reply bytes before the XDR results, are
 * the raw dump stream.
 *
 * <p>Errors surface as {@link RxCallException} from the streams' methods: a peer's ABORT carries the
 * peer's code; local failures carry the Rx codes of rx.md §18 ({@code RX_CALL_DEAD} etc.).
 * Implementations are not thread-safe: one application thread drives a call.
 */
public interface RxCall {

    /**
     * The peer's bytes for this call. {@code read} returns -1 once the peer's last packet has been
     * consumed, and throws {@link RxCallException} when the call was aborted.
     */
    InputStream input();

    /**
     * Our bytes for this call. {@code write} blocks while the send window and the bounded send
     * queue are full (back-pressure); {@code flush} hands every queued byte to the transmitter
     * without ending the direction.
     */
    OutputStream output();

    /**
     * Aborts the call: an ABORT packet with {@code code} goes to the peer, and every later use of
     * the streams throws {@link RxCallException} with that code. Idempotent.
     */
    void abort(int code);

    /** The connection this call runs on. */
    RxConnectionInfo connection();
}
