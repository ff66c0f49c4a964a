package afsdr.volser.server;

import afsdr.rx.RxConnectionInfo;
import java.net.InetSocketAddress;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What recent vos processes told us about the shadow they are running, remembered per vos process
 * ({@link Client}: the Rx peer address and port of its calls, and its Rx epoch).
 * The VOLSER protocol has no shadow flag — vos shadow's Restore carries the same flags and cookie
 * form as vos copy's (realcell captures shadow-full/copy) — so the shadow is recognised by the
 * calls that only vos shadow makes (vos-flows.md §2.1–2.2):
 * <ul>
 * <li>a <b>probe</b>: {@code ListOneVolume(topart, tovolid)} on the target server just before the
 * target's {@code TransCreate}/{@code CreateVolume} (copy, move, release and restore never probe
 * the target); on a server that is both source and target vos probes the source the same way, so
 * the same (partition, volume) probed twice by one vos names a shadow onto its own source;</li>
 * <li>a <b>temporary clone</b>: {@code Clone(..., "copy-clone-temp")} of the source; a target
 * {@code TransCreate(volid, part, ITOffline)} by the same vos on the same partition for the
 * volume that clone was made from is the target being the source itself.</li>
 * </ul>
 * Pure bookkeeping: the caller passes the time; entries older than {@link #WINDOW} seconds are
 * ignored and the tables are bounded ({@link #MAX_ENTRIES}, oldest dropped first).
 */
final class ShadowIntents {
    /** How long a probe or clone is remembered (s): a vos shadow makes its target calls within it. */
    static final int WINDOW = 600;
    /**
     * The self-shadow sign needs the two probes close together (s): vos shadow makes them within
     * milliseconds of each other (source size, then target size), while a long-lived admin tool
     * that happens to list one volume twice rarely does so this quickly.
     */
    static final int PAIR_WINDOW = 10;
    /**
     * ... and the guarded call soon after the second probe (s): vos shadow's first TransCreate
     * follows its probes after only a VLDB lookup.
     */
    static final int GUARD_WINDOW = 60;
    /** Bound on each table, so that a flood of listings cannot grow the server's memory. */
    static final int MAX_ENTRIES = 4096;
    /** The name UV_CopyVolume2 gives the temporary clone of the source (shadow and copy). */
    static final String COPY_CLONE_NAME = "copy-clone-temp";

    /**
     * One vos process as its calls show it. Each vos has its own UDP socket, but a short-lived vos
     * can be followed within seconds by another that the kernel gives the same ephemeral port; the
     * Rx epoch, which an OpenAFS client picks once per process at rx_Init, tells the two apart.
     */
    record Client(InetSocketAddress address, int epoch) {
        static Client of(RxConnectionInfo conn) {
            return new Client(conn.peer(), conn.epoch());
        }
    }

    private record Key(Client client, int partId, int volumeId) {
    }

    private static final class Seen {
        int count;
        int prev;
        int last;
    }

    private final Map<Key, Seen> probes = new LinkedHashMap<>();
    /** (client, partition, source volume) to the temporary clone's id. */
    private final Map<Key, int[]> clones = new LinkedHashMap<>();

    synchronized void probed(Client client, int partId, int volumeId, int now) {
        Key k = new Key(client, partId, volumeId);
        Seen s = probes.remove(k);
        if (s == null || now - s.last > WINDOW) {
            s = new Seen();
        }
        s.count++;
        s.prev = s.last;
        s.last = now;
        probes.put(k, s);
        trim(probes);
    }

    /** How many times this vos probed (partition, volume) within the window. */
    synchronized int probes(Client client, int partId, int volumeId, int now) {
        Seen s = probes.get(new Key(client, partId, volumeId));
        return s == null || now - s.last > WINDOW ? 0 : s.count;
    }

    /**
     * Whether this vos probed (partition, volume) twice in quick succession, the second time at
     * most {@link #GUARD_WINDOW} seconds ago: the pattern of vos shadow naming one volume as both
     * its source and its target.
     */
    synchronized boolean probedAsSourceAndTarget(Client client, int partId, int volumeId, int now) {
        Seen s = probes.get(new Key(client, partId, volumeId));
        return s != null && s.count >= 2 && s.last - s.prev <= PAIR_WINDOW && now - s.last <= GUARD_WINDOW;
    }

    /** Records a clone; only UV_CopyVolume2's temporary clone is of interest. */
    synchronized void cloned(Client client, int partId, int sourceId, int cloneId, String name, int now) {
        if (!COPY_CLONE_NAME.equals(name)) {
            return;
        }
        Key k = new Key(client, partId, sourceId);
        clones.remove(k);
        clones.put(k, new int[] {cloneId, now});
        trim(clones);
    }

    /** The temporary clone this vos made of (partition, source) within the window, or 0. */
    synchronized int tempClone(Client client, int partId, int sourceId, int now) {
        int[] c = clones.get(new Key(client, partId, sourceId));
        return c == null || now - c[1] > WINDOW ? 0 : c[0];
    }

    private static <V> void trim(Map<Key, V> m) {
        Iterator<Key> it = m.keySet().iterator();
        while (m.size() > MAX_ENTRIES && it.hasNext()) {
            it.next();
            it.remove();
        }
    }
}
