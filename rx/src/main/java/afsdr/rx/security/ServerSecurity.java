package afsdr.rx.security;

/**
 * A server-side security class registered for one security index of a service (the stock
 * volserver registers 0 rxnull and 2 rxkad; rx.md §19). One instance serves many connections;
 * {@link #newServerContext} makes the per-connection state.
 */
public interface ServerSecurity {
    int securityIndex();

    ServerSecurityContext newServerContext(RxSecurityConnection connection);
}
