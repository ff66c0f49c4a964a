package afsdr.partition.dir;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;

import org.junit.jupiter.api.Test;

/** Seeded random corruption of real directories: only DirectoryException, never anything else. */
class AfsDirectoryFuzzTest {
    @Test
    void mutatedDirectoriesFailCleanly() throws Exception {
        long seed = Long.getLong("afsdr.fuzz.seed", System.nanoTime());
        Random r = new Random(seed);
        AfsDirectory base = AfsDirectory.makeDir(1, 1, 1, 1);
        for (int i = 0; i < 300; i++) {
            base.create("entry-" + i + "-" + "q".repeat(r.nextInt(60)), 2 * i + 2, i + 3);
        }
        byte[] good = base.toBytes();
        for (int iter = 0; iter < 3000; iter++) {
            byte[] b = good.clone();
            int n = 1 + r.nextInt(8);
            for (int k = 0; k < n; k++) {
                // bias towards the header, hash table and entry link fields
                int off = r.nextInt(3) == 0 ? r.nextInt(416) : r.nextInt(b.length);
                b[off] = (byte) r.nextInt(256);
            }
            try {
                AfsDirectory d = AfsDirectory.parse(b, "fuzz");
                d.entries();
                d.lookup("entry-7-");
                d.create("fresh-" + iter, 9, 9);
                d.delete("entry-3-" + "q");
                d.delete("fresh-" + iter);
                AfsDirectory.parse(d.toBytes(), "fuzz-again").entries();
            } catch (DirectoryException e) {
                // expected for corrupt input
            } catch (RuntimeException e) {
                fail("seed " + seed + " iteration " + iter + ": " + e, e);
            }
        }
    }
}
