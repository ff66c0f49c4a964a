package afsdr.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The hold counts of {@link GroupState} against a plain map, through growth and removals. */
class GroupStateTest {
    @Test
    void holdCountsMatchAMapUnderRandomHoldsAndDrops() {
        for (long seed = 1; seed <= 20; seed++) {
            SplittableRandom rnd = new SplittableRandom(seed);
            GroupState.HoldCounts h = new GroupState.HoldCounts();
            Map<Long, Integer> ref = new HashMap<>();
            // few distinct keys (long probe runs, many removals) and many (growth)
            int keys = seed % 2 == 0 ? 40 : 5000;
            for (int op = 0; op < 20_000; op++) {
                long key = ((long) (1 + rnd.nextInt(keys)) << 3) | rnd.nextInt(5);
                int delta = rnd.nextInt(3) == 0 ? 1 : -1;
                if (rnd.nextInt(4) == 0) {
                    delta = 1;
                }
                h.add(key, delta);
                int n = ref.getOrDefault(key, 0) + delta;
                if (n > 0) {
                    ref.put(key, n);
                } else {
                    ref.remove(key);
                }
                if (op % 997 == 0) {
                    for (Map.Entry<Long, Integer> e : ref.entrySet()) {
                        assertEquals(e.getValue(), h.get(e.getKey()), "seed " + seed + " op " + op);
                    }
                }
                assertEquals(ref.getOrDefault(key, 0), h.get(key), "seed " + seed + " op " + op);
                assertEquals(ref.size(), h.size(), "seed " + seed + " op " + op);
            }
        }
    }

    @Test
    void heldTagsFollowHoldAndSettle() {
        GroupState g = new GroupState();
        g.hold(7, 0);
        g.hold(7, 3);
        g.hold(7, 3);
        g.hold(0, 1); // row 0 is never held
        assertEquals(0b1001, g.heldTags(7));
        assertEquals(0, g.heldTags(0));
        g.settle(7, 3);
        assertEquals(0b1001, g.heldTags(7));
        g.settle(7, 3);
        g.settle(7, 3); // a drop without a hold is ignored
        g.settle(0, 0);
        assertEquals(0b0001, g.heldTags(7));
        g.settle(7, 0);
        assertEquals(0, g.heldTags(7));
        assertEquals(0, g.heldCount());
    }
}
