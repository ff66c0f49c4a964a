package afsdr.rx.rxkad;

/**
 * Who an accepted rxkad ticket names (what {@code rxkad_GetServerInfo} reports), and until when
 * the connection may be used.
 *
 * @param kvno the response's kvno field (key version or ticket type)
 * @param expiration ticket end, unsigned Unix seconds ({@link TicketTimes#NEVERDATE} for never)
 * @param level the level the connection runs at once the response is accepted; null while only
 *        the ticket is known. A volserver with {@code -s2scrypt inherit} encrypts its own calls
 *        when the call that caused them came in at {@link RxkadLevel#CRYPT}.
 */
public record RxkadIdentity(String name, String instance, String cell, int kvno, long expiration, RxkadLevel level) {

    /** What a ticket says, before a response has fixed the connection's level. */
    public RxkadIdentity(String name, String instance, String cell, int kvno, long expiration) {
        this(name, instance, cell, kvno, expiration, null);
    }

    public RxkadIdentity withLevel(RxkadLevel agreed) {
        return new RxkadIdentity(name, instance, cell, kvno, expiration, agreed);
    }

    /**
     * The localauth superuser of rxkad.md §9: {@code afs} with empty instance and cell, which
     * {@code afsconf_SuperUser} accepts without a UserList entry.
     */
    public boolean isLocalAuthSuperUser() {
        return "afs".equals(name) && instance.isEmpty() && cell.isEmpty();
    }

    @Override
    public String toString() {
        return name + (instance.isEmpty() ? "" : "." + instance) + (cell.isEmpty() ? "" : "@" + cell);
    }
}
