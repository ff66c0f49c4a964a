package afsdr.partition;

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
    private final HoldCounts holds = new HoldCounts();

    private static long key(int vnode, int tag) {
        return ((long) vnode << 3) | tag;
    }

    void hold(int vnode, int tag) {
        if (vnode == 0) {
            return; // row 0 counts link table users, never reclaimed
        }
        synchronized (holdLock) {
            holds.add(key(vnode, tag), 1);
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
            holds.add(key(vnode, tag), -1);
        }
    }

    void settle(long ino) {
        if (ino != 0 && !NameiInode.isSpecial(ino)) {
            settle(NameiInode.vnode(ino), NameiInode.tag(ino));
        }
    }

    /** Holds currently counted (tests). */
    int heldCount() {
        synchronized (holdLock) {
            return holds.size();
        }
    }

    /** Bit t set when (vnode, t) is held. */
    int heldTags(int vnode) {
        int m = 0;
        synchronized (holdLock) {
            for (int t = 0; t < NameiInode.MAX_TAGS; t++) {
                if (holds.get(key(vnode, t)) > 0) {
                    m |= 1 << t;
                }
            }
        }
        return m;
    }

    /**
     * Counts per (vnode, tag) key, in open addressing with linear probing and backward-shift
     * deletion. A restore takes and drops one hold per data file: a HashMap of boxed Long and
     * Integer allocated three objects per file and was 1-2 % of a 50 000-file restore's CPU.
     * Keys are never 0 (vnode 0 is never held), so 0 marks a free slot. Not thread-safe: the
     * caller holds {@code holdLock}.
     */
    static final class HoldCounts {
        private long[] keys = new long[64];
        private int[] counts = new int[64];
        private int size;

        int size() {
            return size;
        }

        int get(long key) {
            int mask = keys.length - 1;
            for (int i = slot(key, mask); keys[i] != 0; i = (i + 1) & mask) {
                if (keys[i] == key) {
                    return counts[i];
                }
            }
            return 0;
        }

        /** Adds {@code delta}; a key whose count reaches 0 or below is removed (a drop without a hold is ignored). */
        void add(long key, int delta) {
            int mask = keys.length - 1;
            int i = slot(key, mask);
            for (; keys[i] != 0; i = (i + 1) & mask) {
                if (keys[i] == key) {
                    int n = counts[i] + delta;
                    if (n > 0) {
                        counts[i] = n;
                    } else {
                        remove(i);
                    }
                    return;
                }
            }
            if (delta <= 0) {
                return;
            }
            keys[i] = key;
            counts[i] = delta;
            if (++size * 2 > keys.length) {
                grow();
            }
        }

        private void remove(int hole) {
            int mask = keys.length - 1;
            keys[hole] = 0;
            counts[hole] = 0;
            size--;
            // shift back the entries of the probe run after the hole that may move into it
            for (int i = (hole + 1) & mask; keys[i] != 0; i = (i + 1) & mask) {
                int home = slot(keys[i], mask);
                boolean between = hole <= i ? home > hole && home <= i : home > hole || home <= i;
                if (!between) {
                    keys[hole] = keys[i];
                    counts[hole] = counts[i];
                    keys[i] = 0;
                    counts[i] = 0;
                    hole = i;
                }
            }
        }

        private void grow() {
            long[] k = keys;
            int[] c = counts;
            keys = new long[k.length * 2];
            counts = new int[k.length * 2];
            int mask = keys.length - 1;
            for (int j = 0; j < k.length; j++) {
                if (k[j] != 0) {
                    int i = slot(k[j], mask);
                    while (keys[i] != 0) {
                        i = (i + 1) & mask;
                    }
                    keys[i] = k[j];
                    counts[i] = c[j];
                }
            }
        }

        private static int slot(long key, int mask) {
            long h = key * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 32)) & mask;
        }
    }
}
