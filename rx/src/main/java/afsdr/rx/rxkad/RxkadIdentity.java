package afsdr.rx.rxkad;

/**
 * Who an accepted rxkad ticket names (what {@code rxkad_GetServerInfo} reports), and until when
 * the connection may be used.
 *
 * @param kvno the response's kvno field (key version or ticket type)
 * @param expiration ticket end, unsigned Unix seconds ({@link TicketTimes#NEVERDATE} for never)
 */
public record RxkadIdentity(String name, String instance, String cell, int kvno, long expiration) {

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
