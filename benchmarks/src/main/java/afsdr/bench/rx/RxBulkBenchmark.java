package afsdr.bench.rx;

import afsdr.rx.RxCall;
import afsdr.rx.RxClientConnection;
import afsdr.rx.netty.RxEndpoint;
import afsdr.rx.proto.RxConfig;
import afsdr.rx.security.RxNullSecurity;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One bulk Rx call Java to Java on loopback, both endpoints in this process: prints MB/s and
 * process CPU seconds per GiB, with and without jumbograms. Not a test; run it on a quiet machine:
 *
 * <pre>java -cp ... afsdr.bench.rx.RxBulkBenchmark [bytes] [rounds]</pre>
 *
 * Both sides run in one JVM, so the CPU figure covers sender and receiver together.
 */
public final class RxBulkBenchmark {
    static final int SERVICE = 4711;
    static final int CHUNK = 256 * 1024;

    public static void main(String[] args) throws Exception {
        long bytes = args.length > 0 ? Long.parseLong(args[0]) : 1L << 30;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        String only = args.length > 2 ? args[2] : "all";
        System.out.println("load average before: " + Files.readString(Path.of("/proc/loadavg")).trim());
        // JIT warm-up of every path first: measured cold, the first direction cost twice the CPU
        // of the second (5.9 vs 15.7 CPU-s/GiB at 512 MiB), which read as an upload/download gap
        long warmUp = Long.getLong("bench.warmUpBytes", 256L << 20);
        for (int pass = 0; pass < 2; pass++) {
            boolean measure = pass == 1;
            if (!measure && warmUp <= 0) {
                continue;
            }
            for (boolean jumbo : new boolean[] {false, true}) {
                if (only.equals("jumbo") && !jumbo || only.equals("plain") && jumbo) {
                    continue;
                }
                for (String dir : System.getProperty("bench.dirs", "upload,download").split(",")) {
                    for (int r = 0; r < (measure ? rounds : 1); r++) {
                        run(measure ? bytes : warmUp, jumbo, dir, measure);
                    }
                }
            }
        }
        System.out.println("load average after: " + Files.readString(Path.of("/proc/loadavg")).trim());
    }

    static void run(long bytes, boolean jumbo, String dir, boolean print) throws Exception {
        RxConfig cfg = RxConfig.defaults().withRto(TimeUnit.MILLISECONDS.toNanos(5), TimeUnit.MILLISECONDS.toNanos(5),
                TimeUnit.MILLISECONDS.toNanos(200));
        try (RxEndpoint server = RxEndpoint.builder().bind(InetAddress.getByName("127.0.0.1"), 0).jumbo(jumbo)
                .config(cfg).build();
             RxEndpoint client = RxEndpoint.builder().bind(InetAddress.getByName("127.0.0.1"), 0).jumbo(jumbo)
                .config(cfg).build()) {
            server.addService(SERVICE, Map.of(0, RxNullSecurity.INSTANCE), call -> {
                DataInputStream in = new DataInputStream(call.input());
                int op = in.readInt();
                long size = in.readLong();
                byte[] buf = new byte[CHUNK];
                if (op == 1) {
                    long got = drain(in, buf);
                    new DataOutputStream(call.output()).writeLong(got);
                } else {
                    for (long pos = 0; pos < size; pos += CHUNK) {
                        call.output().write(buf, 0, (int) Math.min(CHUNK, size - pos));
                    }
                }
            });
            RxClientConnection conn = client.connect(server.localAddress(), SERVICE, RxNullSecurity.INSTANCE);
            // warm-up call so class loading and JIT of the small paths are not measured
            oneCall(conn, dir, 16 << 20);
            long[] wire0 = wireCounts(server, client);
            java.util.Map<String, Long> threads0 = threadCpu();
            long[] ut0 = userSystemTicks();
            long cpu0 = processCpuNanos();
            long t0 = System.nanoTime();
            long moved = oneCall(conn, dir, bytes);
            long wall = System.nanoTime() - t0;
            long cpu = processCpuNanos() - cpu0;
            long[] ut1 = userSystemTicks();
            long[] wire1 = wireCounts(server, client);
            if (!print) {
                conn.close();
                return;
            }
            double mbps = moved / (wall / 1e9) / 1e6;
            double cpuPerGiB = cpu / 1e9 / (moved / (double) (1L << 30));
            double gib = moved / (double) (1L << 30);
            System.out.printf("%-8s jumbo=%-5b %d bytes: %.1f MB/s, %.2f CPU-s/GiB (both ends; user %.2f, system %.2f), resends %d of %d, transport %s, loadavg %s%n",
                    dir, jumbo, moved, mbps, cpuPerGiB, (ut1[0] - ut0[0]) / 100.0 / gib, (ut1[1] - ut0[1]) / 100.0 / gib, server.stats().dataPacketsReSent + client.stats().dataPacketsReSent,
                    server.stats().dataPacketsSent + client.stats().dataPacketsSent, server.isEpoll() ? "epoll" : "nio",
                    loadAverage());
            // what the wire carried: DATA packets per datagram shows how full the jumbograms were,
            // ACKs per GiB what the receiver costs the sender
            long dataPackets = wire1[0] - wire0[0];
            long dataDatagrams = wire1[1] - wire0[1];
            System.out.printf("         wire: %d DATA packets in %d datagrams (%.2f per datagram), %d ACKs (%.0f per GiB)%n",
                    dataPackets, dataDatagrams, dataPackets / (double) Math.max(1, dataDatagrams), wire1[2] - wire0[2],
                    (wire1[2] - wire0[2]) / gib);
            java.util.Map<String, Long> threads1 = threadCpu();
            StringBuilder split = new StringBuilder("         CPU-s/GiB by thread:");
            threads1.entrySet().stream()
                    .map(e -> java.util.Map.entry(e.getKey(), e.getValue() - threads0.getOrDefault(e.getKey(), 0L)))
                    .filter(e -> e.getValue() > 10_000_000L)
                    .sorted((x, y) -> Long.compare(y.getValue(), x.getValue()))
                    .forEach(e -> split.append(String.format(" %s%s %.2f;", e.getKey(),
                            e.getKey().endsWith("-" + server.localAddress().getPort()) ? "(server)" : "",
                            e.getValue() / 1e9 / gib)));
            System.out.println(split);
            conn.close();
        }
    }

    /** DATA packets, DATA datagrams and ACK packets both endpoints sent so far. */
    static long[] wireCounts(RxEndpoint a, RxEndpoint b) {
        int data = afsdr.rx.packet.RxConstants.RX_PACKET_TYPE_DATA - 1; // packetsSent is indexed by type - 1
        int ack = afsdr.rx.packet.RxConstants.RX_PACKET_TYPE_ACK - 1;
        return new long[] {
            (long) a.stats().dataPacketsSent + b.stats().dataPacketsSent + a.stats().dataPacketsReSent
                    + b.stats().dataPacketsReSent,
            (long) a.stats().packetsSent[data] + b.stats().packetsSent[data],
            (long) a.stats().packetsSent[ack] + b.stats().packetsSent[ack]};
    }

    /** CPU time of every live thread, by name (name collisions are summed). */
    static java.util.Map<String, Long> threadCpu() {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        java.util.Map<String, Long> m = new java.util.HashMap<>();
        for (long id : mx.getAllThreadIds()) {
            java.lang.management.ThreadInfo ti = mx.getThreadInfo(id);
            long t = mx.getThreadCpuTime(id);
            if (ti != null && t > 0) {
                m.merge(ti.getThreadName().replaceAll("-\\d+$", "").startsWith("rx-worker") ? "rx-worker" : ti.getThreadName(),
                        t, Long::sum);
            }
        }
        return m;
    }

    /** The 1-minute load average: on a shared machine a figure means little without it. */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    static long drain(InputStream in, byte[] buf) throws java.io.IOException {
        long got = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            got += n;
        }
        return got;
    }

    static long oneCall(RxClientConnection conn, String dir, long size) throws Exception {
        RxCall call = conn.newCall();
        DataOutputStream out = new DataOutputStream(call.output());
        byte[] buf = new byte[CHUNK];
        long moved;
        if (dir.equals("upload")) {
            out.writeInt(1);
            out.writeLong(size);
            for (long pos = 0; pos < size; pos += CHUNK) {
                out.write(buf, 0, (int) Math.min(CHUNK, size - pos));
            }
            moved = new DataInputStream(call.input()).readLong();
        } else {
            out.writeInt(2);
            out.writeLong(size);
            moved = drain(call.input(), buf);
        }
        conn.endCall(call);
        if (moved != size) {
            throw new IllegalStateException("moved " + moved + " of " + size);
        }
        return moved;
    }

    /** utime and stime of this process in clock ticks (/proc/self/stat fields 14 and 15; USER_HZ 100). */
    static long[] userSystemTicks() {
        try {
            String s = Files.readString(Path.of("/proc/self/stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
        } catch (java.io.IOException e) {
            return new long[] {0, 0};
        }
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
