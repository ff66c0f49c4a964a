package afsdr.bench.storage;

import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import afsdr.nativeio.JnrPosix;
import afsdr.partition.NameiPartition;
import afsdr.partition.Volume;

/**
 * What making small files in runs saves (not a test): {@code files} new data files of 4 KiB in a
 * fresh volume, made one by one ({@link Volume#createDataFileUnsynced}: a locked link-table
 * read-modify-write per file) and in runs of 256 ({@link Volume#createDataFilesUnsynced}: one per
 * run), on the calling thread, nothing synced (as a restore makes them before its syncfs). Prints
 * the median wall and thread-CPU microseconds per file of each way. Run it on the file system to
 * measure (e.g. a loop-mounted ext4 image, as volume-bench uses):
 *
 * <pre>java -cp ... afsdr.bench.storage.SmallFileRunBench DIR [files] [rounds]</pre>
 */
public final class SmallFileRunBench {
    private static final int FILE = 4096;
    private static final int RUN = 256;

    private SmallFileRunBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "/var/tmp/afsdr-smallfile-bench").toAbsolutePath();
        int files = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("AlwaysAttach"), "");
        NameiPartition p = NameiPartition.open(JnrPosix.get(), dir, "/vicepa");
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        System.out.printf("dir %s, %d files of %d bytes per round, %d rounds, median us per file (wall / thread CPU)%n",
            dir, files, FILE, rounds);
        List<Double> oneWall = new ArrayList<>();
        List<Double> oneCpu = new ArrayList<>();
        List<Double> runWall = new ArrayList<>();
        List<Double> runCpu = new ArrayList<>();
        int id = 536870912;
        for (int r = 0; r < rounds + 1; r++) {
            // alternate the two ways so that both see the same background; round 0 warms up
            for (boolean runs : new boolean[] {false, true}) {
                id += 3;
                p.syncFilesystem();
                try (Volume v = p.createVolume(id, id, null)) {
                    long w0 = System.nanoTime();
                    long c0 = mx.getCurrentThreadCpuTime();
                    make(v, files, runs);
                    double wall = (System.nanoTime() - w0) / 1e3 / files;
                    double cpu = (mx.getCurrentThreadCpuTime() - c0) / 1e3 / files;
                    if (r > 0) {
                        (runs ? runWall : oneWall).add(wall);
                        (runs ? runCpu : oneCpu).add(cpu);
                    }
                }
                p.deleteVolume(id);
            }
        }
        System.out.printf("one by one: %.1f us wall, %.1f us CPU per file%n", median(oneWall), median(oneCpu));
        System.out.printf("runs of %d: %.1f us wall, %.1f us CPU per file%n", RUN, median(runWall), median(runCpu));
    }

    private static void make(Volume v, int files, boolean runs) throws Exception {
        byte[] content = new byte[FILE];
        if (!runs) {
            for (int i = 0; i < files; i++) {
                v.createDataFileUnsynced(2 + 2 * i, i + 1, 1, new ByteArrayInputStream(content), FILE);
            }
            return;
        }
        ByteBuffer data = ByteBuffer.allocateDirect(RUN * FILE);
        while (data.hasRemaining()) {
            data.put(content);
        }
        data.flip();
        int[] vnodes = new int[RUN];
        int[] uniqs = new int[RUN];
        int[] versions = new int[RUN];
        int[] lengths = new int[RUN];
        for (int start = 0; start < files; start += RUN) {
            int n = Math.min(RUN, files - start);
            for (int k = 0; k < n; k++) {
                vnodes[k] = 2 + 2 * (start + k);
                uniqs[k] = start + k + 1;
                versions[k] = 1;
                lengths[k] = FILE;
            }
            v.createDataFilesUnsynced(n, vnodes, uniqs, versions, lengths, data);
        }
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }
}
