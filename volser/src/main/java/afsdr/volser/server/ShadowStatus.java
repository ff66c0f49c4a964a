package afsdr.volser.server;

import afsdr.nativeio.JnrPosix;
import afsdr.nativeio.Posix;
import afsdr.partition.NameiPartition;
import afsdr.partition.PartitionDiscovery;
import afsdr.partition.VicePartition;
import afsdr.partition.Volume;
import afsdr.volser.shadow.LineageStore;
import afsdr.volser.shadow.ShadowLineage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The operator's view of the shadow marks: {@code volserver -shadows [-partition-root <dir>]}
 * (also {@code bin/volserver-shadows}) reads the vice partitions directly — no server needs to run,
 * and it is safe while one does (marks are replaced atomically) — and prints one line per shadow:
 * <pre>
 * volume     name                           partition source-server   source-volume source-created       last-update          last-apply
 * 536870912  c.data                         /vicepa   127.1.0.2       536870912     2026-11-25T12:00:01Z 2026-11-25T12:03:10Z 2026-11-25T12:04:00Z
 * </pre>
 * A mark that cannot be read is listed with its error, a mark whose volume is gone with the name
 * "(no volume)". Exit status 0, or 1 when the partitions cannot be read or a mark is damaged.
 */
final class ShadowStatus {
    static final String USAGE = "Usage: volserver -shadows [-partition-root <dir>]";
    static final String HEADER = String.format("%-10s %-30s %-9s %-15s %-13s %-20s %-20s %s", "volume", "name",
        "partition", "source-server", "source-volume", "source-created", "last-update", "last-apply");

    private ShadowStatus() {
    }

    /** {@code args} are the switches after {@code -shadows}. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Path root = Path.of("/");
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("-partition-root") && i + 1 < args.length) {
                root = Path.of(args[++i]);
            } else if (args[i].equals("-help")) {
                out.println(USAGE);
                return 0;
            } else {
                err.println("volserver -shadows: unexpected argument '" + args[i] + "'");
                err.println(USAGE);
                return 1;
            }
        }
        try {
            Posix posix = JnrPosix.get();
            boolean damaged = false;
            out.println(HEADER);
            for (VicePartition vp : new PartitionDiscovery(root, Path.of("/proc/mounts")).discover()) {
                NameiPartition p = NameiPartition.open(posix, vp);
                damaged |= print(p, out);
            }
            return damaged ? 1 : 0;
        } catch (IOException e) {
            err.println("volserver -shadows: " + e.getMessage());
            return 1;
        }
    }

    /** Prints the shadows of one partition; true if a mark was unreadable. */
    static boolean print(NameiPartition p, PrintStream out) throws IOException {
        boolean damaged = false;
        for (LineageStore.Entry e : LineageStore.list(p)) {
            String id = Integer.toUnsignedString(e.volumeId());
            String name = nameOf(p, e.volumeId());
            if (e.lineage() == null) {
                damaged = true;
                out.println(String.format("%-10s %-30s %-9s DAMAGED MARK: %s", id, name, p.name(), e.error()));
                continue;
            }
            ShadowLineage l = e.lineage();
            out.println(String.format("%-10s %-30s %-9s %-15s %-13s %-20s %-20s %s", id, name, p.name(),
                l.sourceServer(), Integer.toUnsignedString(l.sourceVolumeId()), LineageStore.date(l.sourceCreationDate()),
                LineageStore.date(l.lastUpdate()), LineageStore.date(l.lastApply())));
        }
        return damaged;
    }

    private static String nameOf(NameiPartition p, int id) {
        try {
            if (!p.volumeExists(id)) {
                return "(no volume)";
            }
            try (Volume v = p.openVolume(id)) {
                return v.readDiskData().name();
            }
        } catch (IOException e) {
            return "(unreadable volume: " + e.getMessage() + ")";
        }
    }

    /** For tests and in-process callers: the lines {@link #run} would print for these partitions. */
    static List<String> lines(List<NameiPartition> parts) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (PrintStream ps = new PrintStream(b, true, StandardCharsets.UTF_8)) {
            for (NameiPartition p : parts) {
                print(p, ps);
            }
        }
        String s = b.toString(StandardCharsets.UTF_8);
        return s.isEmpty() ? List.of() : List.of(s.split("\n"));
    }
}
