package afsdr.realcell;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Packet loss, duplication and reordering on {@code lo} of the current (test) network namespace, done by the
 * kernel, for tests that drive real sockets (stock binaries or our own Rx) through an imperfect network;
 * {@link #close()} removes it.
 *
 * <pre>{@code
 * try (Netem loss = Netem.builder().lossEvery(10).onlyHosts(cell.addressString(RealCell.J1))
 *         .onlyUdpPorts(7005).apply()) {
 *     cell.vos("dump", ...).orFail();          // every 10th datagram to or from 127.1.0.4:7005 is lost
 *     assertTrue(loss.dropped() > 0);           // prove the test really saw loss
 * }
 * }</pre>
 *
 * <p>Why not {@code tc qdisc ... netem}: the kernel of this project's machines is built without sch_netem (and
 * without sch_prio), so {@code tc qdisc add dev lo root netem} fails with "Specified qdisc kind is unknown".
 * What is built in, and used here:
 * <ul>
 *   <li>loss: an nftables {@code drop} in the {@code input} hook (a drop in {@code output} would make the
 *       sender's {@code sendmsg} fail with EPERM, which is not what a lossy network does);</li>
 *   <li>duplication: nftables {@code dup to <daddr> device lo} in {@code prerouting}, so a duplicate may be
 *       lost again in {@code input}, as with netem;</li>
 *   <li>reordering (with a delay for the packets it holds back): an HTB root qdisc on {@code lo} with one
 *       rate-limited leaf class, the <em>slow lane</em> ({@value #SLOW_LANE_CLASS}, see
 *       {@link Builder#slowLaneRate}), and an nftables rule in the {@code output} hook that sets
 *       {@code meta priority} of the chosen packets to that class id: HTB puts a packet whose priority names
 *       one of its leaf classes straight into that class, no tc filter needed. Every other packet has no
 *       class and goes through HTB's unshaped direct queue at once, so it overtakes the packets waiting in
 *       the slow lane. A token bucket delays only a packet that finds the tokens used up, so each held-back
 *       packet first puts a copy of itself into the lane (the <em>ballast</em>, nftables {@code dup} in the
 *       same rule, dropped in {@code prerouting} when it comes back from lo) and then waits behind it: a
 *       held-back packet of {@code s} bytes waits at least {@code 8 s / rate} (the lane has no burst), plus
 *       the time to send what is queued ahead of it. That is a queueing delay, not netem's configurable
 *       delay distribution: packets not held back are not delayed at all, and as each held-back packet costs
 *       the lane twice its size, a flow with a fraction f held back cannot go faster than
 *       {@code rate / (2 f)}.</li>
 *   <li>{@code lossEvery(n)} / {@code duplicateEvery(n)} / {@code reorderEvery(n)} act on every n-th
 *       matching packet (one counter per rule): reproducible for a given packet sequence, which is what a
 *       seed would give. The percentages use the kernel's random generator ({@code numgen random}), which
 *       cannot be seeded, unless {@link Builder#seed} is given: then each decision is a seeded hash
 *       ({@code jhash}) of the datagram's Rx header fields that name one transmission, so the same packets
 *       get the same fate for the same seed. Tests must hold for any outcome (and can check
 *       {@link #dropped()}, {@link #duplicated()}, {@link #reordered()} to be sure the impairment
 *       happened).</li>
 * </ul>
 * Only UDP is affected. With {@link Builder#onlyUdpPorts} and/or {@link Builder#onlyHosts}, only packets from
 * or to those endpoints (host and port on the same side) are affected, so a real cell in the same namespace
 * can keep working undisturbed. One {@code Netem} at a time per namespace (it owns the nftables table
 * {@value #TABLE} and, when reordering, the root qdisc of {@code lo}). It refuses to run outside a private
 * namespace whose only interface is {@code lo}.
 */
public final class Netem implements AutoCloseable {

    static final String TABLE = "afsdr_netem";
    static final String NFT = "/usr/sbin/nft";
    static final String TC = "/usr/sbin/tc";
    /** The HTB leaf class that holds packets back; its id is what {@code meta priority} is set to. */
    static final String SLOW_LANE_CLASS = "1:20";
    /**
     * What {@link Builder#seed} hashes: UDP payload bytes 8 to 21, in an Rx packet the header's callNumber, seq,
     * serial, type and flags, which together name one transmission of one packet in one direction (epoch and
     * cid, bytes 0 to 7, are left out: they differ from run to run). As an nftables raw payload expression:
     * bit offset from the start of the UDP header (8 bytes) and length in bits.
     */
    static final String SEEDED_HASH_INPUT = "@th,128,112";
    /** Payload bytes a datagram needs for {@link #SEEDED_HASH_INPUT}; shorter ones are never impaired when seeded. */
    public static final int SEEDED_MIN_PAYLOAD = 22;
    /** Default rate of the slow lane: a 1444-byte Rx packet waits at least 0.29 ms in it (behind its ballast). */
    static final long DEFAULT_SLOW_LANE_BITS_PER_SECOND = 40_000_000L;
    /**
     * Packets HTB may queue, in its direct queue and in the slow lane: far more than the windows in flight in a
     * test, so that the queues add no loss of their own (lo's own queue length, 1000, would be the default).
     */
    static final int QUEUE_LIMIT = 100_000;
    /** Packet mark of duplicated packets ("ND"); other marks are not used in a test namespace. */
    static final String DUPLICATE_MARK = "0x4e44";
    /** Packet mark of the copies that go into the slow lane ahead of a held-back packet ("NB"). */
    static final String BALLAST_MARK = "0x4e42";
    private static final Pattern COUNTER = Pattern.compile("counter packets (\\d+) bytes \\d+ .*comment \"(\\w+)\"");
    private static final Pattern CLASS_STATS = Pattern.compile(
            "class htb " + SLOW_LANE_CLASS + " .*?\\n\\s*Sent \\d+ bytes (\\d+) pkt \\(dropped (\\d+),", Pattern.DOTALL);

    /** Instances not closed yet; the shutdown hook removes their rules if a test forgot to. */
    private static final Set<Netem> ACTIVE = new LinkedHashSet<>();
    private static boolean hookInstalled;

    private final String ruleset;
    private final boolean qdisc;
    private boolean closed;

    private Netem(String ruleset, boolean qdisc) {
        this.ruleset = ruleset;
        this.qdisc = qdisc;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What to impair. At least one of loss, duplication or reordering must be set. */
    public static final class Builder {
        private int lossEvery;
        private double lossPercent;
        private int duplicateEvery;
        private double duplicatePercent;
        private int reorderEvery;
        private double reorderPercent;
        private long slowLaneBitsPerSecond = DEFAULT_SLOW_LANE_BITS_PER_SECOND;
        private Long seed;
        private final List<Integer> ports = new ArrayList<>();
        private final List<String> hosts = new ArrayList<>();

        private Builder() {
        }

        /** Drops every n-th matching packet (n >= 2): deterministic for a given packet sequence. */
        public Builder lossEvery(int n) {
            if (n < 2) {
                throw new IllegalArgumentException("lossEvery needs n >= 2, got " + n);
            }
            this.lossEvery = n;
            return this;
        }

        /** Drops matching packets at random with this probability in percent (0 < p <= 100; reproducible with {@link #seed}). */
        public Builder lossPercent(double percent) {
            this.lossPercent = checkPercent(percent);
            return this;
        }

        /** Duplicates every n-th matching packet (n >= 1). */
        public Builder duplicateEvery(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("duplicateEvery needs n >= 1, got " + n);
            }
            this.duplicateEvery = n;
            return this;
        }

        /** Duplicates matching packets at random with this probability in percent (reproducible with {@link #seed}). */
        public Builder duplicatePercent(double percent) {
            this.duplicatePercent = checkPercent(percent);
            return this;
        }

        /**
         * Holds back every n-th matching packet (n >= 1) in the slow lane, so that the packets sent after it
         * overtake it. Duplicates made by {@link #duplicateEvery}/{@link #duplicatePercent} are not counted and
         * never held back (they go out right after their original, wherever it was).
         */
        public Builder reorderEvery(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("reorderEvery needs n >= 1, got " + n);
            }
            this.reorderEvery = n;
            return this;
        }

        /** Holds back matching packets at random with this probability in percent (reproducible with {@link #seed}). */
        public Builder reorderPercent(double percent) {
            this.reorderPercent = checkPercent(percent);
            return this;
        }

        /**
         * Rate of the slow lane in bits per second (default {@value #DEFAULT_SLOW_LANE_BITS_PER_SECOND}): a
         * held-back packet of s bytes waits at least 8 s / rate (behind its ballast), longer when others wait
         * ahead of it. A flow that has a fraction f of its packets held back cannot go faster than rate / (2 f).
         */
        public Builder slowLaneRate(long bitsPerSecond) {
            if (bitsPerSecond < 8_000 || bitsPerSecond > 100_000_000_000L) {
                throw new IllegalArgumentException("slow lane rate must be 8 kbit/s .. 100 Gbit/s, got " + bitsPerSecond);
            }
            this.slowLaneBitsPerSecond = bitsPerSecond;
            return this;
        }

        /**
         * Makes the percentage forms reproducible: instead of the kernel's random generator (which cannot be
         * seeded), each decision is {@code jhash} of UDP payload bytes 8 to 21 with a 32-bit seed derived from
         * this one (one per impairment, so they are independent). In an Rx packet those bytes are callNumber,
         * seq, serial, type and flags: every transmission has a new serial, so a retransmission gets a fresh
         * decision, and the same sequence of packets gets the same decisions for the same seed. (Which packets
         * a sender sends still depends on timing, as with any seeded injector.) A duplicate gets a loss
         * decision of its own (its mark is hashed too). Datagrams with fewer than {@value #SEEDED_MIN_PAYLOAD}
         * payload bytes are never impaired.
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Only packets whose source or destination UDP port is one of these. */
        public Builder onlyUdpPorts(int... udpPorts) {
            for (int p : udpPorts) {
                if (p < 1 || p > 65535) {
                    throw new IllegalArgumentException("not a UDP port: " + p);
                }
                ports.add(p);
            }
            return this;
        }

        /** Only packets whose source or destination address is one of these IPv4 addresses. */
        public Builder onlyHosts(String... addresses) {
            for (String a : addresses) {
                if (!a.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
                    throw new IllegalArgumentException("not an IPv4 address: " + a);
                }
                hosts.add(a);
            }
            return this;
        }

        /**
         * Installs the rules (and the qdisc, when reordering); they apply to every process in this network
         * namespace until {@link #close()}.
         */
        public Netem apply() {
            if (lossEvery > 0 && lossPercent > 0 || duplicateEvery > 0 && duplicatePercent > 0
                    || reorderEvery > 0 && reorderPercent > 0) {
                throw new IllegalArgumentException("use either the every-n or the percent form, not both");
            }
            if (lossEvery == 0 && lossPercent == 0 && duplicateEvery == 0 && duplicatePercent == 0
                    && !reorders()) {
                throw new IllegalArgumentException("nothing to do: set loss, duplication and/or reordering");
            }
            List<String> problems = new ArrayList<>();
            if (!Environment.interfaces().equals(List.of("lo"))) {
                problems.add("not in a private network namespace with only lo (interfaces: "
                        + Environment.interfaces() + "); refusing to touch this namespace's packet filter");
            }
            if (!Files.isExecutable(Path.of(NFT))) {
                problems.add(NFT + " is missing (package nftables; bin/test installs it)");
            }
            if (reorders() && !Files.isExecutable(Path.of(TC))) {
                problems.add(TC + " is missing (package iproute2)");
            }
            if (!problems.isEmpty()) {
                throw new IllegalStateException("Netem: " + String.join("; ", problems) + ". "
                        + Environment.HOW_TO_RUN);
            }
            String rules = ruleset();
            synchronized (Netem.class) {
                // "nft -f" would merge into an existing table instead of failing
                if (tableExists()) {
                    throw new IllegalStateException("Netem: table ip " + TABLE + " already exists: another Netem"
                            + " is active in this network namespace (close it first)");
                }
                boolean qdisc = false;
                if (reorders()) {
                    String root = run(null, TC, "qdisc", "show", "dev", "lo", "root");
                    if (!root.startsWith("qdisc noqueue ")) {
                        throw new IllegalStateException("Netem: lo already has a root qdisc (another Netem is"
                                + " active in this network namespace, or someone else's): " + root.strip());
                    }
                    // the lane first, so that no packet is ever marked for a class that does not exist yet
                    try {
                        for (List<String> cmd : tcCommands()) {
                            run(null, cmd.toArray(String[]::new));
                            qdisc = true;
                        }
                    } catch (RuntimeException e) {
                        if (qdisc) {
                            removeQdisc(e);
                        }
                        throw e;
                    }
                }
                try {
                    run(rules, NFT, "-f", "-");
                } catch (RuntimeException e) {
                    if (qdisc) {
                        removeQdisc(e);
                    }
                    throw e;
                }
                Netem netem = new Netem(rules, qdisc);
                ACTIVE.add(netem);
                if (!hookInstalled) {
                    hookInstalled = true;
                    Runtime.getRuntime().addShutdownHook(new Thread(Netem::closeAll, "netem-shutdown"));
                }
                return netem;
            }
        }

        private boolean reorders() {
            return reorderEvery > 0 || reorderPercent > 0;
        }

        /**
         * The tc commands that make the slow lane: HTB as lo's root qdisc with no default class (packets of no
         * class use its direct queue, which is not shaped), one leaf class of the lane's rate that may not
         * borrow (ceil = rate) and has no burst (so a packet waits for the tokens that the one before it, its
         * ballast at least, used), and a packet fifo under it. Empty when not reordering.
         */
        List<List<String>> tcCommands() {
            if (!reorders()) {
                return List.of();
            }
            String rate = slowLaneBitsPerSecond + "bit";
            return List.of(
                    List.of(TC, "qdisc", "add", "dev", "lo", "root", "handle", "1:", "htb", "default", "0",
                            "direct_qlen", String.valueOf(QUEUE_LIMIT)),
                    // burst 1 byte: tc's minimum; quantum only matters for borrowing, which ceil = rate forbids
                    List.of(TC, "class", "add", "dev", "lo", "parent", "1:", "classid", SLOW_LANE_CLASS, "htb",
                            "rate", rate, "ceil", rate, "burst", "1", "cburst", "1", "quantum", "65536"),
                    List.of(TC, "qdisc", "add", "dev", "lo", "parent", SLOW_LANE_CLASS, "handle", "20:", "pfifo",
                            "limit", String.valueOf(QUEUE_LIMIT)));
        }

        String ruleset() {
            String loss = lossEvery > 0 ? "numgen inc mod " + lossEvery + " == " + (lossEvery - 1)
                    : lossPercent > 0 ? randomBelow(lossPercent, 0, true) : null;
            String dup = duplicateEvery > 0 ? "numgen inc mod " + duplicateEvery + " == " + (duplicateEvery - 1)
                    : duplicatePercent > 0 ? randomBelow(duplicatePercent, 1, false) : null;
            String reorder = reorderEvery > 0 ? "numgen inc mod " + reorderEvery + " == " + (reorderEvery - 1)
                    : reorderPercent > 0 ? randomBelow(reorderPercent, 2, false) : null;
            StringBuilder sb = new StringBuilder("table ip " + TABLE + " {\n");
            if (reorder != null) {
                // A token bucket lets a packet that finds the lane idle leave at once and only makes the next
                // one wait for the tokens it used. So each chosen packet sends a copy of itself (the ballast)
                // into the lane first, synchronously from this rule: the packet then waits behind its ballast,
                // at least its own size at the lane's rate. The ballast is dropped when it comes back from lo
                // in prerouting. A duplicate made in prerouting leaves through lo again, via output: it keeps
                // its original's priority, so it is set back to 0 (no class: HTB's direct queue).
                sb.append("  chain impair_out {\n    meta mark ").append(DUPLICATE_MARK)
                        .append(" meta priority set 0 return\n    meta mark ").append(BALLAST_MARK)
                        .append(" return\n    ").append(reorder)
                        .append(" counter meta priority set ").append(SLOW_LANE_CLASS)
                        .append(" meta mark set ").append(BALLAST_MARK)
                        .append(" dup to ip daddr device \"lo\" meta mark set 0 comment \"reorder\"\n  }\n");
                sb.append("  chain out {\n    type filter hook output priority 0; policy accept;\n");
                selectors(sb, "impair_out");
                sb.append("  }\n");
            }
            if (loss != null) {
                sb.append("  chain impair_in {\n    ").append(loss).append(" counter drop comment \"loss\"\n  }\n");
                sb.append("  chain in {\n    type filter hook input priority 0; policy accept;\n");
                selectors(sb, "impair_in");
                sb.append("  }\n");
            }
            if (dup != null) {
                // a duplicate goes out through lo and comes back through prerouting: the mark, copied into it
                // and then taken off the original, keeps it from being counted and duplicated again, and lets
                // a seeded loss decision tell it from its original
                sb.append("  chain impair_pre {\n    meta mark ").append(DUPLICATE_MARK).append(" return\n    ")
                        .append(dup).append(" counter meta mark set ").append(DUPLICATE_MARK)
                        .append(" dup to ip daddr device \"lo\" meta mark set 0 comment \"duplicate\"\n  }\n");
            }
            if (dup != null || reorder != null) {
                sb.append("  chain pre {\n    type filter hook prerouting priority 0; policy accept;\n");
                if (reorder != null) {
                    sb.append("    meta mark ").append(BALLAST_MARK).append(" drop\n");
                }
                if (dup != null) {
                    selectors(sb, "impair_pre");
                }
                sb.append("  }\n");
            }
            return sb.append("}\n").toString();
        }

        /**
         * One rule per side (source, destination). "goto", not "jump": a packet matching both sides must pass
         * the impairment once, or the every-n counter would count it twice.
         */
        private void selectors(StringBuilder sb, String target) {
            String hostSet = hosts.isEmpty() ? null : "{ " + String.join(", ", hosts) + " }";
            String portSet = ports.isEmpty() ? null
                    : "{ " + ports.stream().map(String::valueOf).collect(Collectors.joining(", ")) + " }";
            for (String side : List.of("s", "d")) {
                sb.append("    meta l4proto udp");
                if (hostSet != null) {
                    sb.append(" ip ").append(side).append("addr ").append(hostSet);
                }
                if (portSet != null) {
                    sb.append(" udp ").append(side).append("port ").append(portSet);
                }
                sb.append(" goto ").append(target).append('\n');
                if (hostSet == null && portSet == null) {
                    break;
                }
            }
        }

        /**
         * A condition true for {@code percent} of the packets. numgen random and jhash ... mod m are both
         * uniform over [0, m): the percentage is scaled to parts per million. {@code which} picks one of the
         * seeds derived from {@link #seed}; {@code withMark} hashes the packet mark too, which tells a
         * duplicate from its original.
         */
        private String randomBelow(double percent, int which, boolean withMark) {
            String below = " < " + Math.round(percent * 10_000);
            if (seed == null) {
                return "numgen random mod 1000000" + below;
            }
            SplittableRandom seeds = new SplittableRandom(seed);
            int s = 0;
            for (int i = 0; i <= which; i++) {
                s = seeds.nextInt();
            }
            return "jhash " + SEEDED_HASH_INPUT + (withMark ? " . meta mark" : "")
                    + String.format(" mod 1000000 seed 0x%08x", s) + below;
        }

        private static double checkPercent(double percent) {
            if (!(percent > 0 && percent <= 100)) {
                throw new IllegalArgumentException("percent must be in (0, 100], got " + percent);
            }
            return percent;
        }
    }

    /** Packets dropped so far. */
    public long dropped() {
        return counter("loss");
    }

    /** Packets duplicated so far (each gave one extra copy). */
    public long duplicated() {
        return counter("duplicate");
    }

    /** Packets held back in the slow lane so far (each was overtaken by any sent while it waited). */
    public long reordered() {
        return counter("reorder");
    }

    /**
     * Packets the slow lane's queue dropped because it was full: 0 unless more than {@value #QUEUE_LIMIT}
     * packets waited at once. Always 0 when not reordering.
     */
    public long slowLaneDrops() {
        if (closed) {
            throw new IllegalStateException("Netem is closed");
        }
        if (!qdisc) {
            return 0;
        }
        String stats = run(null, TC, "-s", "class", "show", "dev", "lo", "classid", SLOW_LANE_CLASS);
        Matcher m = CLASS_STATS.matcher(stats);
        if (!m.find()) {
            throw new IllegalStateException("no statistics for class " + SLOW_LANE_CLASS + " in: " + stats);
        }
        return Long.parseLong(m.group(2));
    }

    /** The nftables ruleset this instance installed, for a failing test's message. */
    public String ruleset() {
        return ruleset;
    }

    /** Removes the rules and the qdisc; traffic flows unimpaired again. */
    @Override
    public void close() {
        synchronized (Netem.class) {
            if (!closed) {
                closed = true;
                ACTIVE.remove(this);
                try {
                    run(null, NFT, "delete", "table", "ip", TABLE);
                } catch (RuntimeException e) {
                    if (qdisc) {
                        removeQdisc(e);
                    }
                    throw e;
                }
                if (qdisc) {
                    // packets still waiting in the slow lane are dropped with it, as on a link that goes away
                    run(null, TC, "qdisc", "del", "dev", "lo", "root");
                }
            }
        }
    }

    /** Removes lo's root qdisc after {@code failure}, to which a failure to do so is added. */
    private static void removeQdisc(RuntimeException failure) {
        try {
            run(null, TC, "qdisc", "del", "dev", "lo", "root");
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    private static void closeAll() {
        List<Netem> left;
        synchronized (Netem.class) {
            left = new ArrayList<>(ACTIVE);
        }
        left.forEach(Netem::close);
    }

    private static boolean tableExists() {
        try {
            Process p = new ProcessBuilder(NFT, "list", "table", "ip", TABLE).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("nft list timed out");
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + NFT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + NFT, e);
        }
    }

    private long counter(String comment) {
        if (closed) {
            throw new IllegalStateException("Netem is closed");
        }
        Matcher m = COUNTER.matcher(run(null, NFT, "list", "table", "ip", TABLE));
        long total = 0;
        while (m.find()) {
            if (m.group(2).equals(comment)) {
                total += Long.parseLong(m.group(1));
            }
        }
        return total;
    }

    private static String run(String stdin, String... args) {
        List<String> cmd = List.of(args);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + cmd);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("failed (exit " + p.exitValue() + "): " + cmd + "\n" + out
                        + (stdin != null ? "\nruleset:\n" + stdin : ""));
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + cmd, e);
        }
    }
}
