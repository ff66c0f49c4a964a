package afsdr.realcell;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Packet loss and duplication on {@code lo} of the current (test) network namespace, for loss tests that drive
 * stock binaries against our servers; {@link #close()} removes it.
 *
 * <pre>{@code
 * try (Netem loss = Netem.builder().lossEvery(10).onlyHosts(cell.addressString(RealCell.J1))
 *         .onlyUdpPorts(7005).apply()) {
 *     cell.vos("dump", ...).orFail();          // every 10th datagram to or from 127.1.0.4:7005 is lost
 *     assertTrue(loss.dropped() > 0);           // prove the test really saw loss
 * }
 * }</pre>
 *
 * <p>Why nftables and not {@code tc qdisc ... netem}: the kernel of this project's machines is built without
 * sch_netem (and without sch_prio), so {@code tc qdisc add dev lo root netem} fails with "Specified qdisc kind is
 * unknown". nftables (built in) can drop and duplicate packets, but it cannot delay or reorder them, so this
 * class offers no delay or reordering. Its rules:
 * <ul>
 *   <li>loss is applied in the {@code input} hook: a drop in {@code output} would make the sender's
 *       {@code sendmsg} fail with EPERM, which is not what a lossy network does;</li>
 *   <li>duplication is {@code dup to <daddr> device lo} in {@code prerouting}, so a duplicate may be lost
 *       again in {@code input}, as with netem;</li>
 *   <li>{@code lossEvery(n)} / {@code duplicateEvery(n)} act on every n-th matching packet (one counter per
 *       rule): reproducible for a given packet sequence, which is what a seed would give. The percentages use
 *       the kernel's random generator, which cannot be seeded; tests using them must hold for any outcome
 *       (and can check {@link #dropped()} to be sure loss happened).</li>
 * </ul>
 * Only UDP is affected. With {@link Builder#onlyUdpPorts} and/or {@link Builder#onlyHosts}, only packets from
 * or to those endpoints (host and port on the same side) are affected, so a real cell in the same namespace
 * can keep working undisturbed. One {@code Netem} at a time per namespace (it owns the nftables table
 * {@value #TABLE}). It refuses to run outside a private namespace whose only interface is {@code lo}.
 */
public final class Netem implements AutoCloseable {

    static final String TABLE = "afsdr_netem";
    static final String NFT = "/usr/sbin/nft";
    /** Packet mark of duplicated packets ("ND"); other marks are not used in a test namespace. */
    static final String DUPLICATE_MARK = "0x4e44";
    private static final Pattern COUNTER = Pattern.compile("counter packets (\\d+) bytes \\d+ .*comment \"(\\w+)\"");

    /** Instances not closed yet; the shutdown hook removes their rules if a test forgot to. */
    private static final Set<Netem> ACTIVE = new LinkedHashSet<>();
    private static boolean hookInstalled;

    private final String ruleset;
    private boolean closed;

    private Netem(String ruleset) {
        this.ruleset = ruleset;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What to impair. At least one of loss or duplication must be set. */
    public static final class Builder {
        private int lossEvery;
        private double lossPercent;
        private int duplicateEvery;
        private double duplicatePercent;
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

        /** Drops matching packets at random with this probability in percent (0 < p <= 100; not seedable). */
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

        /** Duplicates matching packets at random with this probability in percent (not seedable). */
        public Builder duplicatePercent(double percent) {
            this.duplicatePercent = checkPercent(percent);
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

        /** Installs the rules; they apply to every process in this network namespace until {@link #close()}. */
        public Netem apply() {
            if (lossEvery > 0 && lossPercent > 0 || duplicateEvery > 0 && duplicatePercent > 0) {
                throw new IllegalArgumentException("use either the every-n or the percent form, not both");
            }
            if (lossEvery == 0 && lossPercent == 0 && duplicateEvery == 0 && duplicatePercent == 0) {
                throw new IllegalArgumentException("nothing to do: set loss and/or duplication");
            }
            List<String> problems = new ArrayList<>();
            if (!Environment.interfaces().equals(List.of("lo"))) {
                problems.add("not in a private network namespace with only lo (interfaces: "
                        + Environment.interfaces() + "); refusing to touch this namespace's packet filter");
            }
            if (!Files.isExecutable(Path.of(NFT))) {
                problems.add(NFT + " is missing (package nftables; bin/test installs it)");
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
                nft(rules, "-f", "-");
                Netem netem = new Netem(rules);
                ACTIVE.add(netem);
                if (!hookInstalled) {
                    hookInstalled = true;
                    Runtime.getRuntime().addShutdownHook(new Thread(Netem::closeAll, "netem-shutdown"));
                }
                return netem;
            }
        }

        String ruleset() {
            String loss = lossEvery > 0 ? "numgen inc mod " + lossEvery + " == " + (lossEvery - 1)
                    : lossPercent > 0 ? randomBelow(lossPercent) : null;
            String dup = duplicateEvery > 0 ? "numgen inc mod " + duplicateEvery + " == " + (duplicateEvery - 1)
                    : duplicatePercent > 0 ? randomBelow(duplicatePercent) : null;
            StringBuilder sb = new StringBuilder("table ip " + TABLE + " {\n");
            if (loss != null) {
                sb.append("  chain impair_in {\n    ").append(loss).append(" counter drop comment \"loss\"\n  }\n");
                sb.append("  chain in {\n    type filter hook input priority 0; policy accept;\n");
                selectors(sb, "impair_in");
                sb.append("  }\n");
            }
            if (dup != null) {
                // a duplicate goes out through lo and comes back through prerouting: the mark keeps it from
                // being counted and duplicated again
                sb.append("  chain impair_pre {\n    meta mark ").append(DUPLICATE_MARK).append(" return\n    ")
                        .append(dup).append(" counter meta mark set ").append(DUPLICATE_MARK)
                        .append(" dup to ip daddr device \"lo\" comment \"duplicate\"\n  }\n");
                sb.append("  chain pre {\n    type filter hook prerouting priority 0; policy accept;\n");
                selectors(sb, "impair_pre");
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

        private static String randomBelow(double percent) {
            // numgen random is uniform over [0, mod): scale the percentage to parts per million
            return "numgen random mod 1000000 < " + Math.round(percent * 10_000);
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

    /** The nftables ruleset this instance installed, for a failing test's message. */
    public String ruleset() {
        return ruleset;
    }

    /** Removes the rules; traffic flows unimpaired again. */
    @Override
    public void close() {
        synchronized (Netem.class) {
            if (!closed) {
                closed = true;
                ACTIVE.remove(this);
                nft(null, "delete", "table", "ip", TABLE);
            }
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
        Matcher m = COUNTER.matcher(nft(null, "list", "table", "ip", TABLE));
        long total = 0;
        while (m.find()) {
            if (m.group(2).equals(comment)) {
                total += Long.parseLong(m.group(1));
            }
        }
        return total;
    }

    private static String nft(String stdin, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(NFT);
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("nft timed out: " + cmd);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("nft failed (exit " + p.exitValue() + "): " + cmd + "\n" + out
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
