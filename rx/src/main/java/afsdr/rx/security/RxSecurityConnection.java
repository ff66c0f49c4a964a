package afsdr.rx.security;

/**
 * What a security class may know about the connection it protects (rxkad mixes epoch, cid and the
 * security index into its checksums and its response; rxkad.md §4, §7).
 */
public interface RxSecurityConnection {
    int epoch();

    /** The connection id without channel bits. */
    int cid();

    int securityIndex();

    int serviceId();

    boolean isServer();
}
