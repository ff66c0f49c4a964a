package afsdr.realcell;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The conditions a real cell needs, checked before anything is started, each failure with a message saying
 * what to do. Kept apart from {@link RealCell} so that the checks read as a list.
 */
final class Environment {

    static final String HOW_TO_RUN = "Run the whole test suite with bin/test, or one command in a fresh namespace"
            + " with bin/in-netns, e.g.: bin/in-netns mvn -B -o -pl realcell -am test -Dsurefire.excludedGroups=";

    /** Stock binaries the cell itself runs (tests may run more through {@link RealCell#run}). */
    static final List<Path> REQUIRED_BINARIES = List.of(
            RealCell.OPENAFS_LIBEXEC.resolve("vlserver"), RealCell.OPENAFS_LIBEXEC.resolve("ptserver"),
            RealCell.OPENAFS_LIBEXEC.resolve("fileserver"), RealCell.OPENAFS_LIBEXEC.resolve("volserver"),
            Path.of("/usr/bin/vos"), Path.of("/usr/bin/pts"), Path.of("/usr/bin/udebug"),
            Path.of("/usr/sbin/asetkey"), Path.of(RealCell.UNSHARE));

    /** Paths the node script bind-mounts over; they must exist as mount points. */
    static final List<Path> MOUNT_POINTS = List.of(Path.of("/etc/openafs"), Path.of("/etc/hosts"),
            Path.of("/etc/resolv.conf"), Path.of("/var/lib/openafs/local"), Path.of("/var/log/openafs"),
            Path.of("/var/lib/openafs/db"));

    private Environment() {
    }

    /** Throws {@link IllegalStateException} listing every unmet condition. */
    static void check() {
        List<String> problems = problems();
        if (!problems.isEmpty()) {
            throw new IllegalStateException("the real-cell test bed cannot run here:\n  - "
                    + String.join("\n  - ", problems) + "\n" + HOW_TO_RUN);
        }
    }

    static List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (!isRoot()) {
            problems.add("not running as root (bind mounts and namespaces need it)");
        }
        List<String> interfaces = interfaces();
        if (!interfaces.equals(List.of("lo"))) {
            problems.add("not in a private network namespace with only lo: interfaces here are " + interfaces);
        }
        for (Path binary : REQUIRED_BINARIES) {
            if (!Files.isExecutable(binary)) {
                problems.add(binary + " is missing (bin/test installs the OpenAFS 1.8 Debian packages)");
            }
        }
        for (Path mountPoint : MOUNT_POINTS) {
            if (!Files.exists(mountPoint)) {
                problems.add(mountPoint + " is missing (it is created by the OpenAFS packages)");
            }
        }
        return problems;
    }

    /**
     * Checks that every UDP endpoint the cell will bind is free, which also finds a down {@code lo} (then no
     * 127/8 address can be bound at all) and another cell already running in this namespace.
     */
    static void checkFree(List<InetSocketAddress> endpoints) {
        for (InetSocketAddress endpoint : endpoints) {
            try (DatagramSocket socket = new DatagramSocket(null)) {
                socket.bind(endpoint);
            } catch (BindException e) {
                String why = String.valueOf(e.getMessage());
                if (why.contains("assign")) {
                    throw new IllegalStateException("cannot bind " + endpoint + " (" + why
                            + "): lo is probably down in this namespace; run `ip link set lo up`. " + HOW_TO_RUN, e);
                }
                throw new IllegalStateException("UDP " + endpoint + " is already in use (" + why
                        + "): another real cell or server runs in this network namespace", e);
            } catch (SocketException e) {
                throw new IllegalStateException("cannot probe UDP " + endpoint + ": " + e.getMessage(), e);
            }
        }
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    // real, effective, saved, filesystem uid
                    return line.substring(4).trim().split("\\s+")[1].equals("0");
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/status", e);
        }
    }

    /**
     * Interfaces of this process's network namespace. /proc/self/net/dev is per namespace, unlike
     * /sys/class/net, which shows the namespace of whoever mounted sysfs.
     */
    static List<String> interfaces() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/self/net/dev"));
            List<String> names = new ArrayList<>();
            for (String line : lines.subList(Math.min(2, lines.size()), lines.size())) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    names.add(line.substring(0, colon).trim());
                }
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/net/dev", e);
        }
    }
}
