package afsdr.volser.server;

import afsdr.partition.NameiPartition;
import afsdr.partition.Volume;
import afsdr.partition.VolumeDiskData;
import afsdr.partition.VolumeTree;
import afsdr.realcell.ExecResult;
import afsdr.realcell.Interop;
import afsdr.realcell.RealCell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Not a test: a benchmark that prints figures and asserts no time. Full {@code vos shadow} of one
 * volume (FILES x 1 MiB of pseudo-random data) in an auth cell whose volservers (stock and ours)
 * run with {@code -s2scrypt inherit}, so {@code vos -localauth} shadows at the rxkad clear level
 * and {@code vos -localauth -encrypt} at the crypt level, server to server included. For each
 * level it times, ROUNDS times each (median printed, all runs listed):
 * <ul>
 * <li>ours (j1) → stock fs2, against stock fs1 → stock fs2: ours and the stock server as the sender;</li>
 * <li>stock fs1 → ours (j1), against the same stock fs1 → stock fs2: ours and the stock server as
 * the receiver.</li>
 * </ul>
 * CPU is user+system time from /proc of the stock volserver processes and of this JVM (which runs
 * our volserver; nothing else of it is busy during a shadow). Enabled only with
 * {@code -Dafsdr.bench=true}:
 * <pre>bin/in-netns mvn -B -o -pl volser -am test -Dsurefire.excludedGroups= -Dafsdr.bench=true \
 *     -Dtest=ShadowCryptBenchmark -Dsurefire.failIfNoSpecifiedTests=false [-Dafsdr.bench.files=64]</pre>
 */
@Interop
@EnabledIfSystemProperty(named = "afsdr.bench", matches = "true")
class ShadowCryptBenchmark {
    static final int FILES = Integer.getInteger("afsdr.bench.files", 64);
    static final int ROUNDS = Integer.getInteger("afsdr.bench.rounds", 3);
    static final int SOURCE_ID = 1_990_000_301;
    static final long TICKS = 100; // USER_HZ of /proc/PID/stat

    RealCell cell;

    @Test
    void shadowClearAndCrypt() throws Exception {
        try (RealCell c = RealCell.start(RealCell.Options.defaults().withAuth(true)
                .withVolserverArgs("-s2scrypt", "inherit"))) {
            cell = c;
            Volserver ours = OursOnJ1.start(cell, "VolserLog.bench", "-s2scrypt", "inherit");
            try {
                run(ours);
            } finally {
                ours.close();
            }
        }
    }

    void run(Volserver ours) throws Exception {
        Path work = Files.createDirectories(cell.stateDir().resolve("bench"));
        NameiPartition a = ours.partitions().stream().filter(p -> p.name().equals("/vicepa")).findFirst()
            .orElseThrow();
        Random r = new Random(7);
        byte[] data = new byte[1 << 20];
        try (Volume v = VolumeTree.createVolumeWithRoot(a, SOURCE_ID, SOURCE_ID, "vb.src", VolumeDiskData.RW)) {
            VolumeTree t = new VolumeTree(v);
            for (int i = 0; i < FILES; i++) {
                r.nextBytes(data);
                t.createFile(VolumeTree.ROOT_VNODE, "f" + i, data);
            }
            t.flush();
        }
        Path dump = work.resolve("src.dump");
        vos("dump", "-id", Integer.toString(SOURCE_ID), "-server", host(RealCell.J1), "-partition", "a",
            "-file", dump.toString());
        vos("zap", "-server", host(RealCell.J1), "-partition", "a", "-id", Integer.toString(SOURCE_ID));
        vos("restore", host(RealCell.J1), "a", "vb.o", "-file", dump.toString());
        vos("restore", host(RealCell.FS1), "a", "vb.s", "-file", dump.toString());
        double mib = Files.size(dump) / (1024.0 * 1024.0);
        System.out.printf("%nshadow benchmark: volume of %d x 1 MiB, dump %.1f MiB, %d rounds, load %s%n", FILES, mib,
            ROUNDS, Files.readString(Path.of("/proc/loadavg")).trim());
        long self = ProcessHandle.current().pid();
        long fs1 = cell.stockPid(RealCell.FS1, "volserver");
        long fs2 = cell.stockPid(RealCell.FS2, "volserver");
        for (boolean crypt : new boolean[] {false, true}) {
            String level = crypt ? "crypt" : "clear";
            measure(level, "ours  j1  -> stock fs2 (ours sends)   ", "vb.o", RealCell.J1, RealCell.FS2, 1_990_000_311,
                mib, crypt, new long[] {self, fs2}, "ours", "fs2");
            measure(level, "stock fs1 -> stock fs2 (stock sends)  ", "vb.s", RealCell.FS1, RealCell.FS2, 1_990_000_312,
                mib, crypt, new long[] {fs1, fs2}, "fs1", "fs2");
            measure(level, "stock fs1 -> ours  j1  (ours receives)", "vb.s", RealCell.FS1, RealCell.J1, 1_990_000_313,
                mib, crypt, new long[] {fs1, self}, "fs1", "ours");
        }
        for (String v : List.of("vb.o", "vb.s")) {
            cell.vos("remove", "-id", v, "-localauth");
        }
    }

    void measure(String level, String what, String source, String from, String to, int toId, double mib,
                 boolean crypt, long[] pids, String... names) throws Exception {
        List<Double> secs = new ArrayList<>();
        List<double[]> cpus = new ArrayList<>();
        for (int i = 0; i < ROUNDS; i++) {
            cell.vos("zap", "-server", host(to), "-partition", "b", "-id", Integer.toString(toId), "-localauth");
            long[] before = Arrays.stream(pids).map(ShadowCryptBenchmark::cpuTicks).toArray();
            List<String> args = new ArrayList<>(List.of("shadow", "-id", source, "-fromserver", host(from),
                "-frompartition", "a", "-toserver", host(to), "-topartition", "b", "-toname", source + ".sh",
                "-toid", Integer.toString(toId), "-localauth"));
            if (crypt) {
                args.add("-encrypt");
            }
            long t0 = System.nanoTime();
            ExecResult r = cell.vos(args.toArray(String[]::new)).orFail();
            double s = (System.nanoTime() - t0) / 1e9;
            long[] after = Arrays.stream(pids).map(ShadowCryptBenchmark::cpuTicks).toArray();
            double[] cpu = new double[pids.length];
            for (int k = 0; k < pids.length; k++) {
                cpu[k] = (after[k] - before[k]) / (double) TICKS;
            }
            secs.add(s);
            cpus.add(cpu);
            if (r.stdout().isEmpty() && r.stderr().isEmpty()) {
                System.out.println("(vos printed nothing)");
            }
        }
        cell.vos("zap", "-server", host(to), "-partition", "b", "-id", Integer.toString(toId), "-localauth");
        List<Double> sorted = secs.stream().sorted().toList();
        double median = sorted.get(sorted.size() / 2);
        int mi = secs.indexOf(median);
        StringBuilder runs = new StringBuilder();
        for (int i = 0; i < secs.size(); i++) {
            runs.append(String.format(" %.2fs", secs.get(i)));
        }
        System.out.printf("%-5s %s: median %.2f s = %6.1f MiB/s; CPU-s in the median run: %s %.2f, %s %.2f; runs:%s%n",
            level, what, median, mib / median, names[0], cpus.get(mi)[0], names[1], cpus.get(mi)[1], runs);
    }

    /** utime + stime of a process, in clock ticks (/proc/PID/stat fields 14 and 15). */
    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read CPU time of pid " + pid, e);
        }
    }

    String host(String node) {
        return cell.host(node);
    }

    void vos(String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.add("-localauth");
        cell.vos(a.toArray(String[]::new)).orFail();
    }
}
