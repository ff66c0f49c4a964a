package afsdr.volser.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import afsdr.partition.NameiPartition;
import afsdr.realcell.RealDiskTempDirs;
import afsdr.partition.Volume;
import afsdr.partition.VolumeDiskData;
import afsdr.partition.VolumeTree;
import afsdr.volser.wire.RestoreCookie;

/**
 * A restoring JVM killed with SIGKILL at seeded random moments: after {@link VolumeRestorer#recover}
 * the target holds exactly its old content or exactly the dump's, never a mix, and no staging
 * volume or journal is left.
 */
class RestoreCrashTest {
    static final int VID = 536870912;

    @TempDir(factory = RealDiskTempDirs.class)
    Path tmp;

    static Process child(Path pdir, Path dump) throws java.io.IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp",
            System.getProperty("java.class.path"), RestoreCrashChild.class.getName(), pdir.toString(),
            Integer.toUnsignedString(VID), dump.toString()).redirectErrorStream(true).start();
    }

    /** How long an uninterrupted restore of {@code dump} takes in a child (machine load varies a lot). */
    static long calibrate(Path pdir, Path dump) throws Exception {
        Process cal = child(pdir, dump);
        BufferedReader calOut = new BufferedReader(new InputStreamReader(cal.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", calOut.readLine());
        long t0 = System.nanoTime();
        String last = calOut.readLine();
        long fullMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(cal.waitFor(120, TimeUnit.SECONDS) && "done".equals(last), last);
        System.out.println("uninterrupted restore in a child: " + fullMs + " ms");
        return fullMs;
    }

    /**
     * A child restoring {@code dump} killed with SIGKILL {@code delayMs} after it is ready, then
     * {@link VolumeRestorer#recover}; checks no journal is left. Returns the journal phase the kill left.
     */
    static String killAndRecover(NameiPartition p, Path pdir, Path dump, long delayMs, String where) throws Exception {
        Process child = child(pdir, dump);
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8));
            assertEquals("ready", out.readLine(), where);
            Thread.sleep(delayMs);
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), where);
        }
        String phase = RestoreJournal.read(p, VID).map(e -> e.phase().toString()).orElse("no journal");
        VolumeRestorer.recover(p);
        try (Stream<Path> j = Files.list(pdir)) {
            assertEquals(List.of(), j.filter(f -> f.getFileName().toString().startsWith(".afsdr")).toList(), where);
        }
        return phase;
    }

    /** The seed from -Ddump.crash.seed or the clock, printed for a rerun. */
    private static long seed(String what) {
        long seed = Long.getLong("dump.crash.seed", System.nanoTime());
        System.out.println(what + " seed " + seed + " (rerun with -Ddump.crash.seed=" + seed + ")");
        return seed;
    }

    @Test
    void killedRestoreIsAllOrNothingAfterRecovery() throws Exception {
        long seed = seed("RestoreCrashTest");
        Random rnd = new Random(seed);
        NameiPartition srcp = DumpTestSupport.partition(tmp.resolve("src"));
        Path[] dumps = {tmp.resolve("s0.dump"), tmp.resolve("s1.dump")};
        try (Volume src = DumpTestSupport.build(srcp, VID, "t.crash", 3, 30, 3_000_000)) {
            Files.write(dumps[0], VolumeDumpRestoreTest.dump(src, 0, true));
            VolumeTree t = new VolumeTree(src);
            for (int i = 0; i < 30; i += 3) {
                t.remove(1, "small" + i);
            }
            for (int i = 0; i < 20; i++) {
                t.createFile(1, "later" + i, new byte[1000 + i]);
            }
            t.flush();
            DumpTestSupport.rewrite(src, t.lookup(1, "big.bin").orElseThrow().vnode(), new byte[2_500_000]);
            Files.write(dumps[1], VolumeDumpRestoreTest.dump(src, 0, true));
        }
        // the two states, as a clean restore makes them
        NameiPartition ref = DumpTestSupport.partition(tmp.resolve("ref"));
        List<Map<Integer, String>> states = new ArrayList<>();
        ref.createVolume(VID, VID, d -> d.name("t.crash")).close();
        for (Path d : dumps) {
            VolumeRestorer.restore(ref, VID, new RestoreCookie("t.crash", 0, 0, 0), false,
                new ByteArrayInputStream(Files.readAllBytes(d)));
            try (Volume v = ref.openVolume(VID)) {
                states.add(DumpTestSupport.describe(v));
            }
        }
        assertTrue(!states.get(0).equals(states.get(1)));

        Path pdir = tmp.resolve("vicepa");
        NameiPartition p = DumpTestSupport.partition(pdir);
        p.createVolume(VID, VID, d -> d.name("t.crash")).close();
        VolumeRestorer.restore(p, VID, new RestoreCookie("t.crash", 0, 0, 0), false,
            new ByteArrayInputStream(Files.readAllBytes(dumps[0])));
        long fullMs = calibrate(pdir, dumps[1]);
        VolumeRestorer.restore(p, VID, new RestoreCookie("t.crash", 0, 0, 0), false,
            new ByteArrayInputStream(Files.readAllBytes(dumps[0])));
        int state = 0;
        int rounds = Integer.getInteger("dump.crash.rounds", 6);
        int completed = 0;
        for (int round = 0; round < rounds; round++) {
            int target = 1 - state;
            long delay = (long) (fullMs * (0.1 + rnd.nextDouble()));
            String where = "seed " + seed + " round " + round + " (restoring state " + target + ", kill after "
                + delay + " ms)";
            String phase = killAndRecover(p, pdir, dumps[target], delay, where);
            assertEquals(List.of(VID), p.listVolumeIds(), where + ": staging volume left");
            Map<Integer, String> now;
            try (Volume v = p.openVolume(VID)) {
                now = DumpTestSupport.describe(v);
                VolumeDiskData d = v.readDiskData();
                assertEquals(0, d.destroyMe(), where);
            }
            if (now.equals(states.get(target))) {
                state = target;
                completed++;
            } else {
                assertEquals(states.get(state), now, where + ": neither the old nor the new content");
            }
            System.out.println(where + ": journal " + phase + ", after recovery " + (state == target ? "new" : "old")
                + " content");
        }
        System.out.println(completed + " of " + rounds + " killed restores had committed");
    }

    /**
     * The same kills during restores into a new, empty volume (the FRESH path: the stream goes to the
     * target itself, its journal record written without syncs, the record's removal the commit
     * point): after recovery the volume is either exactly the empty one it was, volume info
     * included, or exactly the dump's.
     */
    @Test
    void killedRestoreIntoANewVolumeIsAllOrNothingAfterRecovery() throws Exception {
        long seed = seed("RestoreCrashTest (new volume)");
        Random rnd = new Random(seed);
        NameiPartition srcp = DumpTestSupport.partition(tmp.resolve("src"));
        Path dump = tmp.resolve("s.dump");
        try (Volume src = DumpTestSupport.build(srcp, VID, "t.crash", 5, 30, 3_000_000)) {
            Files.write(dump, VolumeDumpRestoreTest.dump(src, 0, true));
        }
        NameiPartition ref = DumpTestSupport.partition(tmp.resolve("ref"));
        ref.createVolume(VID, VID, d -> d.name("t.crash")).close();
        VolumeRestorer.restore(ref, VID, new RestoreCookie("t.crash", 0, 0, 0), false,
            new ByteArrayInputStream(Files.readAllBytes(dump)));
        Map<Integer, String> full;
        try (Volume v = ref.openVolume(VID)) {
            full = DumpTestSupport.describe(v);
        }
        Path pdir = tmp.resolve("vicepa");
        NameiPartition p = DumpTestSupport.partition(pdir);
        p.createVolume(VID, VID, d -> d.name("t.crash")).close();
        long fullMs = calibrate(pdir, dump);
        int rounds = Integer.getInteger("dump.crash.rounds", 6);
        int completed = 0;
        for (int round = 0; round < rounds; round++) {
            p.deleteVolume(VID);
            p.createVolume(VID, VID, d -> d.name("t.crash")).close();
            byte[] emptyInfo;
            Map<Integer, String> empty;
            try (Volume v = p.openVolume(VID)) {
                emptyInfo = v.readDiskData().encode();
                empty = DumpTestSupport.describe(v);
            }
            long delay = (long) (fullMs * (0.1 + rnd.nextDouble()));
            String where = "seed " + seed + " round " + round + " (kill after " + delay + " ms)";
            String phase = killAndRecover(p, pdir, dump, delay, where);
            boolean committed;
            try (Volume v = p.openVolume(VID)) {
                Map<Integer, String> now = DumpTestSupport.describe(v);
                committed = now.equals(full);
                if (committed) {
                    completed++;
                } else {
                    assertEquals(empty, now, where + ": neither the empty volume nor the dump's content");
                    assertTrue(java.util.Arrays.equals(emptyInfo, v.readDiskData().encode()),
                        where + ": the volume info of the empty volume was not put back");
                }
            }
            System.out.println(where + ": journal " + phase + ", after recovery " + (committed ? "the dump's" : "empty")
                + " content");
        }
        System.out.println(completed + " of " + rounds + " killed restores into a new volume had committed");
    }
}
