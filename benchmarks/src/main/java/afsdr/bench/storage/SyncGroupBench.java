package afsdr.bench.storage;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;

import afsdr.nativeio.JnrPosix;
import afsdr.nativeio.OpenFlag;
import afsdr.nativeio.Posix;
import afsdr.partition.SyncGroup;

/**
 * What a {@link SyncGroup} saves (not a test): groups of N new files of 552 bytes (a volume info
 * record's size) and their directory made durable one fdatasync after another, and as a SyncGroup
 * (writeback of all started first, then fdatasync each). Prints the median milliseconds per group
 * for each N. Run it on the file system to measure (e.g. a loop-mounted ext4 image with its
 * journal, as volume-bench uses):
 *
 * <pre>java -cp ... afsdr.bench.storage.SyncGroupBench DIR [rounds]</pre>
 */
public final class SyncGroupBench {
    private SyncGroupBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "/var/tmp/afsdr-syncgroup-bench").toAbsolutePath();
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        Files.createDirectories(dir);
        Posix posix = JnrPosix.get();
        System.out.printf("dir %s, %d rounds per figure, median ms per group of new files + their directory%n", dir,
            rounds);
        for (int n : new int[] {1, 3, 4, 8}) {
            // alternate the two ways, so that both see the same background
            List<Double> oneByOne = new ArrayList<>();
            List<Double> grouped = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                oneByOne.add(round(posix, dir.resolve("a" + n + "-" + r), n, false));
                grouped.add(round(posix, dir.resolve("b" + n + "-" + r), n, true));
            }
            System.out.printf("%d file(s): one by one %.2f ms, grouped %.2f ms%n", n, median(oneByOne),
                median(grouped));
        }
    }

    private static double round(Posix posix, Path sub, int n, boolean group) throws Exception {
        Files.createDirectories(sub);
        posix.fsyncDirectory(sub.getParent().toString());
        int[] fds = new int[n];
        ByteBuffer rec = ByteBuffer.allocateDirect(552);
        for (int i = 0; i < n; i++) {
            String p = sub.resolve("f" + i).toString();
            fds[i] = posix.open(p, EnumSet.of(OpenFlag.READ_WRITE, OpenFlag.CREATE, OpenFlag.EXCLUSIVE), 0600);
            posix.pwriteFully(fds[i], rec.clear(), 0, p);
        }
        long t0 = System.nanoTime();
        if (group) {
            SyncGroup g = new SyncGroup(posix);
            for (int fd : fds) {
                g.add(fd);
            }
            g.addDirectory(sub.toString()).sync();
        } else {
            for (int fd : fds) {
                posix.fdatasync(fd);
            }
            posix.fsyncDirectory(sub.toString());
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        for (int i = 0; i < n; i++) {
            posix.close(fds[i]);
            Files.delete(sub.resolve("f" + i));
        }
        Files.delete(sub);
        return ms;
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }
}
