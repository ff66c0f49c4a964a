package afsdr.bench.volume;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import afsdr.realcell.ExecResult;
import afsdr.realcell.RealCell;

/**
 * Side-by-side volume transfer benchmark (issue 4): in one real cell, with the stock
 * fileserver+volserver pairs fs1 and fs2 and two of our volservers (j1 = 127.1.0.4 and a second one,
 * "j2" = 127.1.0.5, started as separate JVMs so that their CPU time is their own), it times with the
 * stock {@code vos}:
 * <ul>
 * <li>{@code vos shadow} (full, fresh target each time) stock→stock (fs1→fs2), stock→ours (fs1→j1),
 * ours→stock (j1→fs2) and ours→ours (j1→j2);</li>
 * <li>not in the default ops: {@code refresh}, {@code vos shadow -incremental} of the unchanged
 * source onto its existing shadow (made once, untimed), for the same pairs: a DR site's nightly
 * pass over volumes that mostly did not change;</li>
 * <li>{@code vos dump} (to /dev/null) from fs1 and from j1;</li>
 * <li>{@code vos restore} (new volume) to fs1 and to j1;</li>
 * </ul>
 * for each data set (default: 200 MiB in 200 files, and 50 000 files of 4 KiB), each repeated
 * {@code --reps} times (median reported). CPU seconds of the sending and receiving volserver come
 * from /proc/PID/stat. The source volumes are written as dump streams by {@link BenchDump} and
 * loaded with stock {@code vos restore}.
 *
 * <p>{@code AFSDR_BENCH_STRACE=DIR} records a timeline: every timed {@code vos} runs under
 * {@code strace -f -tt} of its Rx and sync calls (DIR/NNN-op.vos, NNN counting the timed commands)
 * and our two servers under {@code strace -f --seccomp-bpf -tt} of their sync, rename and open calls
 * only (DIR/ours-jN.strace; their packets are not traced, which would slow them several-fold).
 * {@code AFSDR_BENCH_STRACE_FILTER} and {@code AFSDR_BENCH_STRACE_SERVER_FILTER} replace those two
 * {@code -e} expressions (e.g. {@code trace=all} for vos; every traced call slows the process).
 *
 * <p>Must run inside a fresh network namespace as root (benchmarks/bin/volume-bench does that
 * through bin/in-netns). Not a test: it prints figures and asserts nothing.
 */
public final class VolumeBench {
    static final int VOLSER_PORT = 7005;
    static final List<String> SHADOW_PAIRS = List.of("stock->stock", "stock->ours", "ours->stock", "ours->ours");

    record DataSet(String key, String label, int files, int fileSize, int dirs) {
        long bytes() {
            return (long) files * fileSize;
        }

        double mib() {
            return bytes() / 1048576.0;
        }
    }

    /** A volserver of the benchmark: where it listens and which process it is. */
    record Server(String label, String address, long pid, boolean ours) {
    }

    /** One timed command. */
    record Sample(double wall, double senderCpu, double receiverCpu, double senderSys, double receiverSys) {
    }

    private final RealCell cell;
    private final Path work;
    private final int reps;
    /**
     * Untimed rounds of every row before the timed ones (runs numbered 1-warmup..0). Our servers
     * are fresh JVMs: their first operations also pay for JIT compilation (1-2.5 CPU-s in the first
     * shadow), which a volserver running for months pays once; the stock servers get the same
     * rounds. The first round's figures are reported too ("first run after start").
     */
    private final int warmup;
    private final Map<String, Sample> firstRuns = new LinkedHashMap<>();
    /** The shadow rows to run (all four by default). */
    private final List<String> pairs;
    private final Map<String, Server> servers = new LinkedHashMap<>();
    private final Map<String, List<Sample>> results = new LinkedHashMap<>();
    private final StringBuilder log = new StringBuilder();
    /** Where the timeline traces go ({@code AFSDR_BENCH_STRACE}), or null. */
    private final Path straceDir = System.getenv("AFSDR_BENCH_STRACE") == null ? null
        : Path.of(System.getenv("AFSDR_BENCH_STRACE"));
    private int traced;

    private VolumeBench(RealCell cell, Path work, int reps, int warmup, List<String> pairs) {
        this.cell = cell;
        this.work = work;
        this.reps = reps;
        this.warmup = warmup;
        this.pairs = pairs;
    }

    public static void main(String[] args) throws Exception {
        int reps = 3;
        int warmup = 1;
        List<String> sets = List.of("big", "small");
        List<String> ops = List.of("shadow", "dump", "restore");
        List<String> pairs = SHADOW_PAIRS;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--sets" -> sets = Arrays.asList(args[++i].split(","));
                case "--ops" -> ops = Arrays.asList(args[++i].split(","));
                // e.g. "stock->ours" alone, to profile one server's part of one row
                case "--pairs" -> pairs = Arrays.asList(args[++i].split(","));
                default -> {
                    System.err.println("usage: VolumeBench [--reps N] [--warmup N] [--sets big,small,tiny] [--ops shadow,refresh,dump,restore]"
                        + " [--pairs stock->stock,stock->ours,ours->stock,ours->ours]");
                    System.exit(2);
                }
            }
        }
        if (ops.contains("refresh") && ops.contains("shadow")) {
            // shadow zaps its targets after every run, and refresh's are the same volumes
            System.err.println("VolumeBench: --ops refresh shares its target volumes with shadow; run it on its own");
            System.exit(2);
        }
        Map<String, DataSet> all = new LinkedHashMap<>();
        all.put("big", new DataSet("big", "200 MiB in 200 files", 200, 1 << 20, 1));
        all.put("small", new DataSet("small", "50000 files of 4 KiB", 50_000, 4096, 50));
        // not in the default sets: what a command costs apart from the data (RPCs, syncs, clean-up)
        all.put("tiny", new DataSet("tiny", "1 file of 4 KiB", 1, 4096, 1));
        String load0 = Files.readString(Path.of("/proc/loadavg")).trim();
        Instant t0 = Instant.now();
        try (RealCell cell = RealCell.start(RealCell.Options.defaults())) {
            Path work = Files.createDirectories(cell.stateDir().resolve("bench"));
            VolumeBench b = new VolumeBench(cell, work, reps, warmup, pairs);
            b.startServers();
            for (String s : sets) {
                DataSet d = all.get(s);
                if (d == null) {
                    throw new IllegalArgumentException("unknown data set " + s + " (big, small, tiny)");
                }
                b.run(d, ops);
            }
            String load1 = Files.readString(Path.of("/proc/loadavg")).trim();
            b.report(all, sets, ops, pairs, load0, load1, Duration.between(t0, Instant.now()));
        }
    }

    // ------------------------------------------------------------------ servers

    private void startServers() throws Exception {
        servers.put("fs1", new Server("stock fs1", cell.addressString(RealCell.FS1), stockPid(RealCell.FS1), false));
        servers.put("fs2", new Server("stock fs2", cell.addressString(RealCell.FS2), stockPid(RealCell.FS2), false));
        Path j1Root = cell.partitionDir(RealCell.J1, "a").getParent();
        Files.writeString(cell.partitionDir(RealCell.J1, "a").resolve("AlwaysAttach"), "");
        servers.put("j1", startOurs("ours j1", cell.addressString(RealCell.J1), cell.localDir(RealCell.J1), j1Root,
            "ours-j1"));
        // the second server of ours: the cell's node j2, with its own local folder (NetInfo) and partition
        servers.put("j2", startOurs("ours j2", cell.addressString(RealCell.J2), cell.localDir(RealCell.J2),
            cell.partitionDir(RealCell.J2, "a").getParent(), "ours-j2"));
        for (Server s : servers.values()) {
            note("server %-10s %-10s pid %d", s.label, s.address, s.pid);
        }
    }

    private long stockPid(String node) throws IOException {
        long pid = ProcStat.pidOfUdpSocket(cell.address(node), VOLSER_PORT);
        if (pid < 0) {
            throw new IllegalStateException("no process bound to " + cell.addressString(node) + ":7005");
        }
        return pid;
    }

    private Server startOurs(String label, String address, Path localDir, Path partRoot, String name)
            throws Exception {
        List<String> cmd = new ArrayList<>();
        if (straceDir != null) {
            cmd.addAll(List.of("strace", "-f", "--seccomp-bpf", "-tt", "-e",
                System.getenv().getOrDefault("AFSDR_BENCH_STRACE_SERVER_FILTER",
                    "trace=syncfs,fsync,fdatasync,rename,renameat,renameat2,openat"), "-o",
                straceDir.resolve(name + ".strace").toString()));
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // "%n" in the options becomes the server's name (e.g. a JFR file per server)
        // the options bin/volserver starts the server with, unless AFSDR_JAVA_OPTS says otherwise
        String opts = System.getenv("AFSDR_JAVA_OPTS");
        if (opts == null) {
            opts = Files.readString(Path.of("bin", "volserver.jvm-options")).trim();
        }
        opts = opts.replace("%n", name);
        if (!opts.isBlank()) {
            cmd.addAll(Arrays.asList(opts.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "afsdr.volser.server.Volserver",
            "-rxbind", "-log", "-config", cell.serverConfigDir().toString(), "-local-dir", localDir.toString(),
            "-partition-root", partRoot.toString(),
            "-logfile", cell.logDir(RealCell.J1).resolve("VolserLog." + name).toString()));
        // e.g. "-jumbo": extra options of our two servers (the stock ones run with their defaults)
        String extra = System.getenv().getOrDefault("AFSDR_VOLSER_ARGS", "");
        if (!extra.isBlank()) {
            cmd.addAll(Arrays.asList(extra.trim().split("\\s+")));
        }
        Process p = cell.startDaemon(RealCell.J1, name, cmd.toArray(String[]::new));
        InetAddress a = InetAddress.getByName(address);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long pid;
        // under strace the server is a child of the process started
        while (!isServer(p, pid = ProcStat.pidOfUdpSocket(a, VOLSER_PORT))) {
            if (!p.isAlive()) {
                throw new IllegalStateException(label + " exited with " + p.exitValue() + "; see "
                    + cell.logDir(RealCell.J1).resolve(name + ".out"));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(label + " did not bind " + address + ":7005 within 60 s");
            }
            Thread.sleep(100);
        }
        // ready when it answers vos (listpart goes through the whole VOLSER path)
        for (int i = 0; ; i++) {
            ExecResult r = cell.vos("listpart", address, "-noauth");
            if (r.ok()) {
                break;
            }
            if (i == 50) {
                throw new IllegalStateException(label + " does not answer: " + r);
            }
            Thread.sleep(200);
        }
        return new Server(label, address, pid, true);
    }

    // ------------------------------------------------------------------ runs

    private void run(DataSet d, List<String> ops) throws Exception {
        Path dump = work.resolve(d.key + ".dump");
        long g0 = System.nanoTime();
        BenchDump.Written w = BenchDump.write(dump, 1_990_100_001, "bench." + d.key, d.files, d.fileSize, d.dirs,
            d.key.hashCode());
        note("%s: dump stream of %d bytes (%d files, %d data bytes) written in %.1f s", d.label, w.streamBytes(),
            w.files(), w.dataBytes(), (System.nanoTime() - g0) / 1e9);
        // source volumes (names of equal length, so that both dumps have the same size)
        String srcS = "bs." + d.key + ".s";
        String srcO = "bs." + d.key + ".o";
        vosOk(Duration.ofMinutes(30), "restore", "-server", addr("fs1"), "-partition", "a", "-name", srcS,
            "-file", dump.toString(), "-noauth");
        vosOk(Duration.ofMinutes(30), "restore", "-server", addr("j1"), "-partition", "a", "-name", srcO,
            "-file", dump.toString(), "-noauth");
        String idS = volumeId(srcS);
        String idO = volumeId(srcO);
        for (int rep = 1 - warmup; rep <= reps; rep++) {
            if (ops.contains("shadow")) {
                for (String pair : pairs) {
                    switch (pair) {
                        case "stock->stock" -> shadow(d, rep, pair, srcS, idS, "fs1", "fs2");
                        case "stock->ours" -> shadow(d, rep, pair, srcS, idS, "fs1", "j1");
                        case "ours->stock" -> shadow(d, rep, pair, srcO, idO, "j1", "fs2");
                        case "ours->ours" -> shadow(d, rep, pair, srcO, idO, "j1", "j2");
                        default -> throw new IllegalArgumentException("unknown pair " + pair + " " + SHADOW_PAIRS);
                    }
                }
            }
            if (ops.contains("refresh")) {
                for (String pair : pairs) {
                    switch (pair) {
                        case "stock->stock" -> refresh(d, rep, pair, srcS, "fs1", "fs2");
                        case "stock->ours" -> refresh(d, rep, pair, srcS, "fs1", "j1");
                        case "ours->stock" -> refresh(d, rep, pair, srcO, "j1", "fs2");
                        case "ours->ours" -> refresh(d, rep, pair, srcO, "j1", "j2");
                        default -> throw new IllegalArgumentException("unknown pair " + pair + " " + SHADOW_PAIRS);
                    }
                }
            }
            if (ops.contains("dump")) {
                dump(d, rep, "stock", srcS, "fs1");
                dump(d, rep, "ours", srcO, "j1");
            }
            if (ops.contains("restore")) {
                restore(d, rep, "stock", dump, "fs1");
                restore(d, rep, "ours", dump, "j1");
            }
        }
        for (String[] target : refreshTargets) {
            vosOk(Duration.ofMinutes(10), "zap", "-server", addr(target[0]), "-partition", "a", "-id", target[1],
                "-noauth");
        }
        refreshTargets.clear();
        vosOk(Duration.ofMinutes(10), "remove", "-server", addr("fs1"), "-partition", "a", "-id", srcS, "-noauth");
        vosOk(Duration.ofMinutes(10), "remove", "-server", addr("j1"), "-partition", "a", "-id", srcO, "-noauth");
        Files.delete(dump);
    }

    private void shadow(DataSet d, int rep, String pair, String src, String id, String from, String to)
            throws IOException {
        Sample s = timed(servers.get(from), servers.get(to), "shadow", "-id", src, "-fromserver", addr(from),
            "-frompartition", "a", "-toserver", addr(to), "-topartition", "a", "-noauth");
        record(d, "shadow " + pair, rep, s);
        vosOk(Duration.ofMinutes(10), "zap", "-server", addr(to), "-partition", "a", "-id", id, "-noauth");
    }

    /** Shadows made for {@code refresh} rows: {server, volume id}, zapped after the data set. */
    private final List<String[]> refreshTargets = new ArrayList<>();

    private void refresh(DataSet d, int rep, String pair, String src, String from, String to) throws IOException {
        String id = volumeId(src);
        if (refreshTargets.stream().noneMatch(t -> t[0].equals(to) && t[1].equals(id))) {
            vosOk(Duration.ofMinutes(30), "shadow", "-id", src, "-fromserver", addr(from), "-frompartition", "a",
                "-toserver", addr(to), "-topartition", "a", "-noauth");
            refreshTargets.add(new String[] {to, id});
        }
        Sample s = timed(servers.get(from), servers.get(to), "shadow", "-id", src, "-fromserver", addr(from),
            "-frompartition", "a", "-toserver", addr(to), "-topartition", "a", "-incremental", "-noauth");
        record(d, "refresh " + pair, rep, s);
    }

    private void dump(DataSet d, int rep, String who, String src, String server) throws IOException {
        Server sv = servers.get(server);
        Path out = work.resolve("out.dump");
        // to a file: `vos dump -file /dev/null` is refused (realcell notes G11)
        Sample s = timed(sv, null, "dump", "-id", src, "-server", addr(server), "-partition", "a", "-file",
            out.toString(), "-noauth");
        Files.deleteIfExists(out);
        record(d, "dump " + who, rep, s);
    }

    private void restore(DataSet d, int rep, String who, Path dump, String server) throws IOException {
        Server sv = servers.get(server);
        String name = "br." + d.key + "." + (rep + warmup);
        Sample s = timed(null, sv, "restore", "-server", addr(server), "-partition", "a", "-name", name, "-file",
            dump.toString(), "-noauth");
        record(d, "restore " + who, rep, s);
        vosOk(Duration.ofMinutes(10), "remove", "-server", addr(server), "-partition", "a", "-id", name, "-noauth");
    }

    private Sample timed(Server sender, Server receiver, String... vosArgs) throws IOException {
        if (syncBefore) {
            flushDirtyData();
        }
        double[] none = {Double.NaN, Double.NaN};
        Map<String, Double> st0 = sender != null ? ProcStat.threadSeconds(sender.pid) : null;
        Map<String, Double> rt0 = receiver != null ? ProcStat.threadSeconds(receiver.pid) : null;
        Map<String, Double> sq0 = st0 != null ? ProcStat.threadRunqueueSeconds(sender.pid) : null;
        Map<String, Double> rq0 = rt0 != null ? ProcStat.threadRunqueueSeconds(receiver.pid) : null;
        long[] sx0 = sender != null ? rxStats(sender) : null;
        long[] rx0 = receiver != null ? rxStats(receiver) : null;
        double[] s0 = sender != null ? ProcStat.userSystemSeconds(sender.pid) : none;
        double[] r0 = receiver != null ? ProcStat.userSystemSeconds(receiver.pid) : none;
        double[] m0 = ProcStat.machineSeconds();
        String[] cmd = vosArgs;
        if (straceDir != null) {
            String out = straceDir.resolve(String.format(Locale.ROOT, "%03d-%s.vos", ++traced, vosArgs[0]))
                .toString();
            note("         timeline: %s", out);
            cmd = concat(new String[] {"strace", "-f", "-tt", "-e",
                System.getenv().getOrDefault("AFSDR_BENCH_STRACE_FILTER", "trace=sendmsg,recvmsg,sendmmsg,recvmmsg,sendto,recvfrom,syncfs,fsync,fdatasync"), "-o", out, "vos"},
                vosArgs);
        }
        long t0 = System.nanoTime();
        if (straceDir != null) {
            ExecResult r = cell.run(Duration.ofMinutes(60), RealCell.CLIENT, cmd);
            if (!r.ok()) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed: " + r);
            }
        } else {
            vosOk(Duration.ofMinutes(60), vosArgs);
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        double[] m1 = ProcStat.machineSeconds();
        note("         machine: busy %.2f CPU-s (kernel threads, vos and the bench included), idle %.2f, iowait %.2f,"
            + " steal %.2f", m1[0] - m0[0], m1[1] - m0[1], m1[2] - m0[2], m1[3] - m0[3]);
        double[] s1 = sender != null ? ProcStat.userSystemSeconds(sender.pid) : none;
        double[] r1 = receiver != null ? ProcStat.userSystemSeconds(receiver.pid) : none;
        if (sx0 != null) {
            rxLine("sender " + sender.label, sx0, rxStats(sender));
        }
        if (rx0 != null) {
            rxLine("receiver " + receiver.label, rx0, rxStats(receiver));
        }
        if (st0 != null) {
            threads("sender " + sender.label, st0, ProcStat.threadSeconds(sender.pid));
            threads("sender " + sender.label + " run-queue wait", sq0, ProcStat.threadRunqueueSeconds(sender.pid));
        }
        if (rt0 != null) {
            threads("receiver " + receiver.label, rt0, ProcStat.threadSeconds(receiver.pid));
            threads("receiver " + receiver.label + " run-queue wait", rq0,
                ProcStat.threadRunqueueSeconds(receiver.pid));
        }
        return new Sample(wall, s1[0] + s1[1] - s0[0] - s0[1], r1[0] + r1[1] - r0[0] - r0[1], s1[1] - s0[1],
            r1[1] - r0[1]);
    }

    private static final java.util.regex.Pattern RX_READ = java.util.regex.Pattern.compile(
        "other read counters: data (\\d+), ack (\\d+)");
    private static final java.util.regex.Pattern RX_SENT = java.util.regex.Pattern.compile(
        "other send counters: ack (\\d+), data (\\d+) \\(not resends\\), resends (\\d+)");

    /**
     * A volserver's Rx counters from stock {@code rxdebug -rxstats} (ours answers it too): DATA
     * read, ACK read, ACK sent, DATA sent, DATA resent; null when rxdebug fails. Read outside the
     * timed command.
     */
    private long[] rxStats(Server s) {
        ExecResult r = cell.run(Duration.ofSeconds(20), RealCell.CLIENT, "rxdebug", s.address,
            String.valueOf(VOLSER_PORT), "-rxstats", "-noconns");
        java.util.regex.Matcher a = RX_READ.matcher(r.stdout());
        java.util.regex.Matcher b = RX_SENT.matcher(r.stdout());
        if (!r.ok() || !a.find() || !b.find()) {
            return null;
        }
        return new long[] {Long.parseLong(a.group(1)), Long.parseLong(a.group(2)), Long.parseLong(b.group(1)),
            Long.parseLong(b.group(2)), Long.parseLong(b.group(3))};
    }

    /** How many DATA and ACK packets a server read and sent over a command. */
    private void rxLine(String who, long[] before, long[] after) {
        if (after == null) {
            return;
        }
        note("         %s rx: DATA read %d, ACK sent %d, DATA sent %d (+%d resent), ACK read %d", who,
            after[0] - before[0], after[2] - before[2], after[3] - before[3], after[4] - before[4],
            after[1] - before[1]);
    }

    /**
     * Whether every timed command starts with no dirty data in the page cache
     * ({@code AFSDR_BENCH_SYNC=0} turns it off). All servers share one file system, and the stock
     * volservers sync none of the files they write, so a command of ours that ends with a syncfs
     * (our restores do) also flushed whatever the previous command's stock receiver had left
     * dirty: up to 200 MiB, in our command's time and partly on our CPU.
     */
    private final boolean syncBefore = !"0".equals(System.getenv("AFSDR_BENCH_SYNC"));

    /** sync(1), outside the timed window. */
    private static void flushDirtyData() throws IOException {
        try {
            Process p = new ProcessBuilder("sync").inheritIO().start();
            if (p.waitFor() != 0) {
                throw new IOException("sync exited with " + p.exitValue());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted in sync", e);
        }
    }

    /** The threads of a volserver (ours or stock) that used the most over a command (where its time went). */
    private void threads(String who, Map<String, Double> before, Map<String, Double> after) {
        List<Map.Entry<String, Double>> d = new ArrayList<>();
        for (Map.Entry<String, Double> e : after.entrySet()) {
            double v = e.getValue() - before.getOrDefault(e.getKey(), 0.0);
            if (v >= 0.05) {
                d.add(Map.entry(e.getKey(), v));
            }
        }
        d.sort((a, b) -> Double.compare(b.getValue(), a.getValue()));
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Double> e : d.subList(0, Math.min(6, d.size()))) {
            sb.append(String.format(Locale.ROOT, " %s %.2f", e.getKey().replaceAll("/\\d+$", ""), e.getValue()));
        }
        note("         %s threads (s):%s", who, sb);
    }

    private void record(DataSet d, String what, int rep, Sample s) {
        if (rep == 1 - warmup) {
            firstRuns.put(d.key + "|" + what, s);
        }
        if (rep > 0) {
            results.computeIfAbsent(d.key + "|" + what, k -> new ArrayList<>()).add(s);
        }
        note("%-6s %-20s run %d: %7.2f s  %7.1f MiB/s  sender %6.2f CPU-s (%.2f sys)  receiver %6.2f CPU-s (%.2f sys)",
            d.key, what, rep, s.wall, d.mib() / s.wall, s.senderCpu, s.senderSys, s.receiverCpu, s.receiverSys);
    }

    private boolean isServer(Process started, long pid) {
        return pid >= 0 && (straceDir == null ? pid == started.pid()
            : started.descendants().anyMatch(h -> h.pid() == pid));
    }

    private static String[] concat(String[] a, String[] b) {
        String[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private String addr(String server) {
        return servers.get(server).address;
    }

    private ExecResult vosOk(Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("vos");
        cmd.addAll(Arrays.asList(args));
        ExecResult r = cell.run(timeout, RealCell.CLIENT, cmd.toArray(String[]::new));
        if (!r.ok()) {
            throw new IllegalStateException("vos " + String.join(" ", args) + " failed: " + r);
        }
        return r;
    }

    private String volumeId(String name) {
        ExecResult r = vosOk(Duration.ofMinutes(1), "listvldb", "-name", name, "-noauth");
        Matcher m = Pattern.compile("RWrite:\\s*(\\d+)").matcher(r.stdout());
        if (!m.find()) {
            throw new IllegalStateException("no RW id for " + name + " in: " + r.stdout());
        }
        return m.group(1);
    }

    private void note(String fmt, Object... args) {
        String line = String.format(Locale.ROOT, fmt, args);
        System.out.println(line);
        System.out.flush();
        log.append(line).append('\n');
    }

    // ------------------------------------------------------------------ report

    private static double medianOf(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static Sample median(List<Sample> v) {
        return new Sample(medianOf(v.stream().map(Sample::wall).toList()),
            medianOf(v.stream().map(Sample::senderCpu).toList()), medianOf(v.stream().map(Sample::receiverCpu).toList()),
            medianOf(v.stream().map(Sample::senderSys).toList()), medianOf(v.stream().map(Sample::receiverSys).toList()));
    }

    private static String cpu(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String perMiB(double v, double mib) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v / mib);
    }

    private static void table(StringBuilder t, Map<String, DataSet> all, Map<String, List<Sample>> rows) {
        t.append("| data set | operation | wall s | MiB/s | files/s | sender CPU s | receiver CPU s "
            + "| sender CPU s/MiB | receiver CPU s/MiB |\n");
        t.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<String, List<Sample>> e : rows.entrySet()) {
            String[] k = e.getKey().split("\\|");
            DataSet d = all.get(k[0]);
            Sample m = median(e.getValue());
            t.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %.1f | %.0f | %s | %s | %s | %s |%n", d.label,
                k[1], m.wall, d.mib() / m.wall, d.files / m.wall, cpu(m.senderCpu), cpu(m.receiverCpu),
                perMiB(m.senderCpu, d.mib()), perMiB(m.receiverCpu, d.mib())));
        }
    }

    private void report(Map<String, DataSet> all, List<String> sets, List<String> ops, List<String> pairs, String load0, String load1,
                        Duration total) {
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "%nvolume benchmark: median of %d after %d untimed round(s) of every row, "
            + "loadavg at start %s, at end %s, total %d s%n", reps, warmup, load0, load1, total.toSeconds()));
        Map<String, List<Sample>> medians = new LinkedHashMap<>(results);
        table(t, all, medians);
        if (warmup > 0) {
            t.append(String.format(Locale.ROOT, "%nfirst run after the servers started (warm-up round 1, one run each):%n"));
            Map<String, List<Sample>> first = new LinkedHashMap<>();
            firstRuns.forEach((k, v) -> first.put(k, List.of(v)));
            table(t, all, first);
        }
        if (ops.contains("shadow") && pairs.containsAll(List.of("stock->stock", "stock->ours", "ours->ours"))) {
            t.append("\ntargets (issue 4): stock->ours >= 1.5x stock->stock throughput at <= 0.5x the receiver's "
                + "CPU/MiB; ours->ours >= 4x stock->stock\n");
            for (String s : sets) {
                Sample ss = median(results.get(s + "|shadow stock->stock"));
                Sample so = median(results.get(s + "|shadow stock->ours"));
                Sample oo = median(results.get(s + "|shadow ours->ours"));
                t.append(String.format(Locale.ROOT, "%-6s stock->ours: %.2fx throughput, %.2fx receiver CPU/MiB;  "
                    + "ours->ours: %.2fx throughput%n", s, ss.wall / so.wall, so.receiverCpu / ss.receiverCpu,
                    ss.wall / oo.wall));
            }
        }
        System.out.print(t);
        try {
            Files.writeString(Path.of(System.getProperty("afsdr.bench.out", "/dev/null")), log + t.toString());
        } catch (IOException e) {
            System.err.println("cannot write the report file: " + e);
        }
    }
}
