package afsdr.partition;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Finds vice partitions as VAttachPartitions does on Linux (disk-format.md §1): mount points
 * named /vicepX listed in /proc/mounts, plus /vicepX directories holding an {@code AlwaysAttach}
 * file; {@code NeverAttach} excludes. The root is "/" in production; tests and local runs point
 * it at a folder whose subdirectories play the role of /vicepX.
 */
public final class PartitionDiscovery {
    private final Path root;
    private final Path mountsFile;

    /**
     * @param root       where /vicepX live ("/" in production)
     * @param mountsFile /proc/mounts, or null to consider AlwaysAttach directories only
     */
    public PartitionDiscovery(Path root, Path mountsFile) {
        this.root = root.toAbsolutePath().normalize();
        this.mountsFile = mountsFile;
    }

    /** Production discovery: root "/", /proc/mounts. */
    public static PartitionDiscovery system() {
        return new PartitionDiscovery(Path.of("/"), Path.of("/proc/mounts"));
    }

    /** Partitions ordered by id. */
    public List<VicePartition> discover() throws IOException {
        Map<Integer, VicePartition> found = new TreeMap<>();
        if (mountsFile != null && Files.isReadable(mountsFile)) {
            for (String line : Files.readAllLines(mountsFile, StandardCharsets.UTF_8)) {
                String[] f = line.split(" ");
                if (f.length < 2) {
                    continue;
                }
                Path mp = Path.of(unescape(f[1]));
                if (!root.equals(mp.getParent())) {
                    continue;
                }
                String leaf = mp.getFileName().toString();
                int id = idOfDir(leaf);
                if (id >= 0 && !Files.exists(mp.resolve("NeverAttach"))) {
                    found.put(id, new VicePartition(PartitionIds.nameOf(id), id, mp, unescape(f[0])));
                }
            }
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, "vicep*")) {
            for (Path p : ds) {
                int id = idOfDir(p.getFileName().toString());
                if (id < 0 || found.containsKey(id) || !Files.isDirectory(p)) {
                    continue;
                }
                if (Files.exists(p.resolve("AlwaysAttach")) && !Files.exists(p.resolve("NeverAttach"))) {
                    found.put(id, new VicePartition(PartitionIds.nameOf(id), id, p, ""));
                }
            }
        }
        return new ArrayList<>(found.values());
    }

    private static int idOfDir(String leaf) {
        return leaf.startsWith("vicep") ? PartitionIds.idOf(leaf) : -1;
    }

    /** /proc/mounts escapes space, tab, newline and backslash as \ooo. */
    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                try {
                    sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                    i += 3;
                    continue;
                } catch (NumberFormatException e) {
                    // not an escape: keep the backslash
                }
            }
            sb.append(c);
        }
        return sb.toString();
    }
}
