package afsdr.rx;

/**
 * The client side of one Rx connection (epoch, cid, security class, service) to one peer.
 * Up to four calls run at once, one per channel (rx.md §3.2); {@link #newCall()} waits for a free
 * channel.
 */
public interface RxClientConnection extends AutoCloseable, RxConnectionInfo {

    /** Starts a new call on a free channel. The caller writes the request, then reads the reply. */
    RxCall newCall() throws RxCallException, InterruptedException;

    /**
     * Ends a client call: consumes any reply bytes left, waits for the end of the call and
     * returns; throws the call's {@link RxCallException} if it failed or was aborted.
     */
    void endCall(RxCall call) throws RxCallException, InterruptedException;

    /** Seconds without any packet from the peer after which an active call fails with RX_CALL_DEAD. */
    void setDeadTimeSeconds(int seconds);

    @Override
    void close();
}
