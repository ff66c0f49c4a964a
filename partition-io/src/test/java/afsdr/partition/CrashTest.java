package afsdr.partition;

import afsdr.realcell.RealDiskTempDirs;
import afsdr.realcell.SalvageLog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer JVM ({@link CrashWriter}) killed with SIGKILL at seeded random moments: after each kill
 * the volumes it did not touch are unchanged and the one it wrote still opens and reads
 * consistently (every name resolves, uniquifiers/parents/link counts agree, data lengths match).
 */
class CrashTest {
    private static final int WRITTEN = 536870912;
    private static final int[] UNTOUCHED = {536870950, 536870960};

    @TempDir(factory = RealDiskTempDirs.class)
    Path tmp;

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Runs the rounds; returns the untouched volumes' expected content for further checks. */
    private Map<Integer, TestVolumes> rounds(Path pdir, int rounds, long seed) throws Exception {
        NameiPartition part = TestVolumes.partition(pdir);
        Map<Integer, TestVolumes> untouched = new java.util.HashMap<>();
        for (int u : UNTOUCHED) {
            TestVolumes tv = new TestVolumes();
            tv.fill(part, u, "t.untouched" + u, 20, u).close();
            untouched.put(u, tv);
        }
        VolumeTree.createVolumeWithRoot(part, WRITTEN, WRITTEN, "t.crash", VolumeDiskData.RW).close();
        Random r = new Random(seed);
        for (int round = 0; round < rounds; round++) {
            long childSeed = r.nextLong();
            long delayMs = 30 + r.nextInt(1000);
            List<String> cmd = new ArrayList<>(List.of(javaBin(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), CrashWriter.class.getName(), pdir.toString(),
                Integer.toString(WRITTEN), Long.toString(childSeed)));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                String first = out.readLine();
                assertEquals("ready", first, "writer did not start (seed " + seed + ", round " + round + ")");
                Thread.sleep(delayMs);
                if (!p.isAlive()) {
                    // safe to drain: the writer has exited
                    String rest = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    throw new AssertionError("writer died by itself (seed " + seed + ", round " + round + "):\n" + rest);
                }
            } finally {
                p.destroyForcibly(); // SIGKILL
                assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            }
            String where = "seed " + seed + ", round " + round + ", killed after " + delayMs + " ms";
            try (Volume v = part.openVolume(WRITTEN)) {
                VolumeReader got = VolumeReader.read(v);
                assertTrue(got.dirs.containsKey(""), where);
            } catch (Exception e) {
                throw new AssertionError("written volume not attachable: " + where, e);
            }
            if (part.volumeExists(WRITTEN + 1)) {
                try (Volume c = part.openVolume(WRITTEN + 1)) {
                    VolumeReader.read(c);
                } catch (Exception e) {
                    throw new AssertionError("published clone not readable: " + where, e);
                }
            }
            for (int u : UNTOUCHED) {
                try (Volume v = part.openVolume(u)) {
                    VolumeReader got = VolumeReader.read(v);
                    TestVolumes want = untouched.get(u);
                    assertEquals(want.files.keySet(), got.files.keySet(), where);
                    for (var e : want.files.entrySet()) {
                        assertArrayEquals(e.getValue(), got.files.get(e.getKey()), where + " " + e.getKey());
                    }
                    assertEquals(want.links, got.links, where);
                    assertEquals(want.dirs, got.dirs, where);
                }
            }
        }
        return untouched;
    }

    @Test
    void killedWriterLeavesEveryVolumeAttachable() throws Exception {
        long seed = Long.getLong("afsdr.crash.seed", System.nanoTime());
        System.out.println("CrashTest seed " + seed);
        Path pdir = tmp.resolve("vicepa");
        rounds(pdir, Integer.getInteger("afsdr.crash.rounds", 8), seed);
        // A restarted server must be able to update every file of the crashed volume, more times
        // than a row has tags: tags leaked by the killed writers are reclaimed, not left to fill
        // the row (which made every further store of that vnode fail with ENOSPC).
        NameiPartition part = NameiPartition.open(afsdr.nativeio.JnrPosix.get(), pdir, "/vicepa");
        try (Volume v = part.openVolume(WRITTEN)) {
            List<Integer> files = new ArrayList<>();
            v.index(VnodeClass.SMALL).forEach((vn, rec) -> {
                if (rec.type() == VnodeDiskObject.TYPE_FILE) {
                    files.add(vn);
                }
            });
            for (int vn : files) {
                for (int i = 0; i <= NameiInode.MAX_TAGS; i++) {
                    byte[] data = ("rewrite " + i + " of vnode " + vn).getBytes(StandardCharsets.US_ASCII);
                    VnodeDiskObject rec = v.readVnode(vn).copy().dataVersion(v.readVnode(vn).dataVersion() + 1);
                    v.storeVnode(vn, rec, data);
                    assertArrayEquals(data, v.readData(vn, v.readVnode(vn)), "seed " + seed + ", vnode " + vn);
                }
            }
        }
    }

    @Test
    @Tag("interop")
    void stockSalvagerFindsUntouchedVolumesCleanAfterCrashes() throws Exception {
        assumeTrue(StockTools.available(), "stock OpenAFS tools installed");
        long seed = Long.getLong("afsdr.crash.seed", System.nanoTime());
        System.out.println("CrashTest (salvager) seed " + seed);
        Path pdir = tmp.resolve("vicepa");
        Path scratch = tmp.resolve("scratch");
        rounds(pdir, 5, seed);
        StockTools.Result sv = StockTools.run(pdir, scratch, "/usr/lib/openafs/salvager", "-partition", "/vicepa",
            "-nowrite", "-force");
        assertEquals(0, sv.exitCode(), sv.output());
        String log = StockTools.salvageLog(scratch);
        NameiPartition part = NameiPartition.open(afsdr.nativeio.JnrPosix.get(), pdir, "/vicepa");
        for (int u : UNTOUCHED) {
            // the section of the log about this volume group: from its SALVAGING line to the next one
            int from = log.indexOf("SALVAGING VOLUME " + u + "(READONLY mode)");
            assertTrue(from >= 0, log);
            int to = log.indexOf("SALVAGING VOLUME ", from + 10);
            String section = log.substring(log.lastIndexOf('\n', from) + 1, to < 0 ? log.length() : log.lastIndexOf('\n', to) + 1);
            assertEquals(List.of(), SalvageLog.complaints(section), log);
            try (Volume v = part.openVolume(u)) {
                VolumeDiskData d = v.readDiskData();
                assertTrue(section.contains("It would have Salvaged t.untouched" + u + " (" + u + "): " + d.filecount()
                    + " files, " + d.diskused() + " blocks"), log);
            }
        }
    }
}
