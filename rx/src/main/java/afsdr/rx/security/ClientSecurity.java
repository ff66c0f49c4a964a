package afsdr.rx.security;

/** A client-side security class: makes the per-connection state for new client connections. */
public interface ClientSecurity {
    int securityIndex();

    ClientSecurityContext newClientContext(RxSecurityConnection connection);
}
