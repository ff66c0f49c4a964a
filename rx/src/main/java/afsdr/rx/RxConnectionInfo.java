package afsdr.rx;

import java.net.InetSocketAddress;

/** What a call handler may learn about the connection a call arrived on. */
public interface RxConnectionInfo {
    /** Where the peer's packets come from (the address the replies go to). */
    InetSocketAddress peer();

    /**
     * The connection's Rx epoch (rx.md §3): chosen once per process by the peer that made the
     * connection, so together with {@link #peer()} it tells one client process from another that
     * later got the same UDP port.
     */
    int epoch();

    /** The connection's security index (0 rxnull, 2 rxkad; rx.md §2). */
    int securityIndex();

    /** The Rx service id the connection addresses (4 VOLSER, 52 VL). */
    int serviceId();

    /**
     * The authenticated identity of the peer as the security class established it, or
     * {@code null} for an unauthenticated (rxnull) connection. rxkad fills this in later.
     */
    Object securityIdentity();
}
