package afsdr.bench.volume;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time of a process from {@code /proc/<pid>/stat} (utime + stime, fields 14 and 15, in clock
 * ticks of {@code getconf CLK_TCK}), and the process that holds a given bound UDP socket (how the
 * benchmark finds the stock volservers, whose PIDs the cell harness keeps to itself).
 */
final class ProcStat {
    private static final long CLK_TCK = clockTicks();

    private ProcStat() {
    }

    /** utime + stime of {@code pid} in seconds. */
    static double cpuSeconds(long pid) throws IOException {
        double[] us = userSystemSeconds(pid);
        return us[0] + us[1];
    }

    /** {utime, stime} of {@code pid} in seconds. */
    static double[] userSystemSeconds(long pid) throws IOException {
        String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // the command name (field 2) is in parentheses and may contain spaces: count from the last ')'
        String[] f = s.substring(s.lastIndexOf(')') + 2).trim().split(" ");
        // f[0] is field 3 (state), so field n is f[n - 3]
        long utime = Long.parseLong(f[14 - 3]);
        long stime = Long.parseLong(f[15 - 3]);
        return new double[] {utime / (double) CLK_TCK, stime / (double) CLK_TCK};
    }

    /**
     * The whole machine's CPU time from the first line of /proc/stat, in seconds summed over all
     * CPUs: {busy (user, nice, system, irq, softirq), idle, iowait, steal}. Busy includes what no
     * volserver's own figure holds: kernel threads (the loop device's copies into its image file,
     * writeback), vos, the benchmark itself.
     */
    static double[] machineSeconds() throws IOException {
        String first = Files.readAllLines(Path.of("/proc/stat")).get(0);
        String[] f = first.trim().split("\\s+");
        // cpu user nice system idle iowait irq softirq steal ...
        long busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
            + Long.parseLong(f[7]);
        return new double[] {busy / (double) CLK_TCK, Long.parseLong(f[4]) / (double) CLK_TCK,
            Long.parseLong(f[5]) / (double) CLK_TCK, Long.parseLong(f[8]) / (double) CLK_TCK};
    }

    /**
     * CPU seconds (utime + stime) of every thread of {@code pid}, keyed by "name/tid" (the thread
     * name from /proc/PID/task/TID/stat, as the JVM sets it for its threads, 15 characters at most).
     */
    static Map<String, Double> threadSeconds(long pid) throws IOException {
        Map<String, Double> m = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : tasks) {
                String s;
                try {
                    s = Files.readString(t.resolve("stat"));
                } catch (IOException gone) {
                    continue; // thread ended meanwhile
                }
                String name = s.substring(s.indexOf('(') + 1, s.lastIndexOf(')'));
                String[] f = s.substring(s.lastIndexOf(')') + 2).trim().split(" ");
                double sec = (Long.parseLong(f[14 - 3]) + Long.parseLong(f[15 - 3])) / (double) CLK_TCK;
                m.put(name + "/" + t.getFileName(), sec);
            }
        }
        return m;
    }

    /**
     * Seconds every thread of {@code pid} spent runnable but waiting for a CPU (second field of
     * /proc/PID/task/TID/schedstat), keyed like {@link #threadSeconds}: on this shared machine the
     * part of a command's wall time its threads lost to other processes rather than to their own
     * waits (sleeping on a socket or a sync is not counted there).
     */
    static Map<String, Double> threadRunqueueSeconds(long pid) throws IOException {
        Map<String, Double> m = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : tasks) {
                String stat;
                String sched;
                try {
                    stat = Files.readString(t.resolve("stat"));
                    sched = Files.readString(t.resolve("schedstat"));
                } catch (IOException gone) {
                    continue;
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                String[] f = sched.trim().split(" ");
                m.put(name + "/" + t.getFileName(), Long.parseLong(f[1]) / 1e9);
            }
        }
        return m;
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return Long.parseLong(out);
        } catch (IOException | NumberFormatException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }

    /** The PID whose descriptors include the UDP socket bound to {@code addr:port}, or -1. */
    static long pidOfUdpSocket(InetAddress addr, int port) throws IOException {
        byte[] a = addr.getAddress();
        // /proc/net/udp prints the address as the 32-bit value in host (little-endian) order
        String v4 = String.format("%02X%02X%02X%02X:%04X", a[3], a[2], a[1], a[0], port);
        // a JVM binds a dual-stack IPv6 socket: the address then shows as ::ffff:a.b.c.d in udp6
        String v6 = "0000000000000000FFFF0000" + v4;
        String inode = null;
        for (String table : new String[] {"/proc/net/udp", "/proc/net/udp6"}) {
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f[1].equals(v4) || f[1].equals(v6)) {
                    inode = f[9];
                }
            }
        }
        if (inode == null) {
            return -1;
        }
        String want = "socket:[" + inode + "]";
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(p.resolve("fd"))) {
                    for (Path fd : fds) {
                        try {
                            if (Files.readSymbolicLink(fd).toString().equals(want)) {
                                return Long.parseLong(p.getFileName().toString());
                            }
                        } catch (IOException gone) {
                            // descriptor closed meanwhile
                        }
                    }
                } catch (IOException gone) {
                    // process ended meanwhile
                }
            }
        }
        return -1;
    }
}
