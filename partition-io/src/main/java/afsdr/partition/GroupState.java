package afsdr.partition;

import java.util.HashMap;
import java.util.Map;

/**
 * What this JVM knows about one volume group of one partition: it is the group's monitor (every
 * link table row update and every clone, reclone and delete of the group synchronizes on it) and
 * it counts the <em>holds</em> on data files (vnode, tag).
 *
 * <p>A hold marks a window in which a link count is legitimately higher than the number of vnode
 * records naming the file, because this JVM is between two steps of an update:
 * <ul>
 * <li>the count was raised (GetFreeTag for a store in flight, or +1 for a clone or a staging
 * copy) and the record naming the file is not written yet;</li>
 * <li>a record stopped naming the file (rewritten, freed, truncated away, or its volume's header
 * removed) and the count has not been lowered yet.</li>
 * </ul>
 * Leaked-tag reclaim ({@link LinkTable#allocateTag}) lowers a count to the references it finds, so
 * it must leave every held tag alone. Holds are taken by {@link LinkTable#allocateTag},
 * {@link LinkTable#adjust} (+1) and {@link VnodeIndex#write}/{@link VnodeIndex#truncateSlots} (a
 * reference removed), and dropped by {@link LinkTable#adjust} (-1) and {@link VnodeIndex#write} (a
 * reference added). A hold that is never dropped (an update that failed half-way) only keeps that
 * tag out of reclaim until the JVM exits: a leak again, never a count below the references.
 *
 * <p>Holds that raise a count (GetFreeTag, +1) are taken under the group monitor, so none appears
 * while a reclaim (which holds the monitor) runs; holds for a removed reference are dropped only
 * by a count update, under the monitor too, so none of those disappears during a reclaim. That is
 * why a reclaim looks at the holds both before and after counting references.
 *
 * <p>The state is per JVM, not per {@link NameiPartition} instance, so two instances opened on the
 * same directory still exclude each other. Other processes are excluded only row by row by the
 * fcntl locks; their own in-flight tags are invisible here (see {@link LinkTable#allocateTag}).
 */
final class GroupState {
    /**
     * Guards {@link #holds} only. Not the group monitor: record writes take holds and must not
     * wait for a clone of the group to finish.
     */
    private final Object holdLock = new Object();
    private final Map<Long, Integer> holds = new HashMap<>();

    private static long key(int vnode, int tag) {
        return ((long) vnode << 3) | tag;
    }

    void hold(int vnode, int tag) {
        if (vnode == 0) {
            return; // row 0 counts link table users, never reclaimed
        }
        synchronized (holdLock) {
            holds.merge(key(vnode, tag), 1, Integer::sum);
        }
    }

    void hold(long ino) {
        if (ino != 0 && !NameiInode.isSpecial(ino)) {
            hold(NameiInode.vnode(ino), NameiInode.tag(ino));
        }
    }

    /** Drop one hold; a drop without a matching hold (e.g. a release after a JVM restart) is ignored. */
    void settle(int vnode, int tag) {
        synchronized (holdLock) {
            holds.computeIfPresent(key(vnode, tag), (k, n) -> n > 1 ? n - 1 : null);
        }
    }

    void settle(long ino) {
        if (ino != 0 && !NameiInode.isSpecial(ino)) {
            settle(NameiInode.vnode(ino), NameiInode.tag(ino));
        }
    }

    /** Bit t set when (vnode, t) is held. */
    int heldTags(int vnode) {
        int m = 0;
        synchronized (holdLock) {
            for (int t = 0; t < NameiInode.MAX_TAGS; t++) {
                if (holds.containsKey(key(vnode, t))) {
                    m |= 1 << t;
                }
            }
        }
        return m;
    }
}
