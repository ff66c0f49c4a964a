package afsdr.partition;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import afsdr.nativeio.Errno;
import afsdr.nativeio.JnrPosix;
import afsdr.nativeio.NativeIoException;
import afsdr.nativeio.Posix;
import afsdr.realcell.RealDiskTempDirs;
import java.io.ByteArrayInputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Volume#createDataFileUnsynced}: files of {@link Volume#DIRECT_WRITE_MIN} bytes or more
 * take their whole blocks with O_DIRECT on the create's descriptor and the last partial block
 * through the page cache; smaller files, and every file of a file system that refuses O_DIRECT,
 * go through the page cache. Whatever the path, the file holds exactly the stream's bytes.
 */
class BulkDataWriteTest {
    @TempDir(factory = RealDiskTempDirs.class)
    Path tmp;

    private static final int VID = 536870912;

    /** Every pwrite as "direct|buffered offset+length", per file descriptor, and the setDirect calls. */
    private static final class Recorder {
        final Posix real = JnrPosix.get();
        final Map<Integer, Boolean> direct = new HashMap<>();
        /** Descriptors of files created O_CREAT|O_EXCL (data files; not the link table's writes). */
        final java.util.Set<Integer> created = new java.util.HashSet<>();
        final List<String> calls = new ArrayList<>();
        /** Answers setDirect(fd, true) itself when it returns non-null (a refusing file system). */
        BiPredicate<Integer, Boolean> refuseDirect = (fd, on) -> false;
        /** Fails the first O_DIRECT pwrite with EINVAL (a file system that takes the flag but not the I/O). */
        boolean failFirstDirectWrite;
        /** Fails the O_DIRECT pwrite at this offset with ENOSPC (-1: none). */
        long noSpaceAt = -1;
        /** Fails the data file create (O_EXCL open) with this number (counted from 1) with ENOSPC; 0: none. */
        int failCreate;
        private int creates;
        /** Threads the data pwrites ran on. */
        final java.util.Set<String> writerThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();

        Posix posix() {
            return (Posix) Proxy.newProxyInstance(Posix.class.getClassLoader(), new Class<?>[] {Posix.class},
                (proxy, m, a) -> {
                    switch (m.getName()) {
                        case "setDirect" -> {
                            int fd = (Integer) a[0];
                            boolean on = (Boolean) a[1];
                            calls.add("setDirect " + on);
                            if (on && refuseDirect.test(fd, on)) {
                                return false;
                            }
                            direct.put(fd, on);
                        }
                        case "pwrite" -> {
                            int fd = (Integer) a[0];
                            if (!created.contains(fd)) {
                                break;
                            }
                            boolean d = direct.getOrDefault(fd, false);
                            if (d && failFirstDirectWrite) {
                                failFirstDirectWrite = false;
                                throw new NativeIoException("pwrite", "fd " + fd, Errno.EINVAL);
                            }
                            if (d && (Long) a[2] == noSpaceAt) {
                                // slow enough that the restore thread is already waiting for it
                                Thread.sleep(50);
                                throw new NativeIoException("pwrite", "fd " + fd, Errno.ENOSPC);
                            }
                            writerThreads.add(Thread.currentThread().getName());
                            calls.add((d ? "direct " : "buffered ") + a[2] + "+" + ((ByteBuffer) a[1]).remaining());
                        }
                        case "close" -> {
                            direct.remove((Integer) a[0]);
                            created.remove((Integer) a[0]);
                        }
                        default -> { }
                    }
                    if (m.getName().equals("open") && ((java.util.Set<?>) a[1]).contains(afsdr.nativeio.OpenFlag.EXCLUSIVE)) {
                        if (++creates == failCreate) {
                            throw new NativeIoException("open", (String) a[0], Errno.ENOSPC);
                        }
                        Object fd = invoke(m, a);
                        created.add((Integer) fd);
                        return fd;
                    }
                    if (m.isDefault()) {
                        return java.lang.reflect.InvocationHandler.invokeDefault(proxy, m, a);
                    }
                    return invoke(m, a);
                });
        }

        private Object invoke(java.lang.reflect.Method m, Object[] a) throws Throwable {
            try {
                return m.invoke(real, a);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }

        List<String> writes() {
            return calls.stream().filter(c -> !c.startsWith("setDirect")).toList();
        }
    }

    private Volume volume(Recorder r, String name) throws Exception {
        NameiPartition real = TestVolumes.partition(tmp.resolve(name));
        VolumeTree.createVolumeWithRoot(real, VID, VID, "bulk", VolumeDiskData.RW).close();
        return NameiPartition.open(r.posix(), real.path(), "/vicepa").openVolume(VID);
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] write(Volume v, int vnode, byte[] data) throws Exception {
        long ino = v.createDataFileUnsynced(vnode, 1, 1, new ByteArrayInputStream(data), data.length);
        return Files.readAllBytes(Path.of(v.dataPath(ino)));
    }

    /** Five files, one empty and one vnode twice, their data back to back in a direct buffer. */
    private static final int[] RUN_VNODES = {2, 4, 6, 4, 10};
    private static final int[] RUN_LENGTHS = {4096, 0, 100, 65536, 1};

    private static ByteBuffer runData() {
        ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
        for (int i = 0; i < RUN_LENGTHS.length; i++) {
            b.put(bytes(RUN_LENGTHS[i], i));
        }
        return b.flip();
    }

    @Test
    void aRunOfSmallFilesIsMadeWithOneTagClaimAndEachFileHoldsItsBytes() throws Exception {
        Recorder r = new Recorder();
        try (Volume v = volume(r, "run")) {
            ByteBuffer data = runData();
            int n = RUN_VNODES.length;
            long[] inos = v.createDataFilesUnsynced(n, RUN_VNODES, new int[] {7, 8, 9, 10, 11}, new int[] {1, 1, 1, 1, 1},
                RUN_LENGTHS, data);
            assertEquals(0, data.position(), "the caller's buffer position is left alone");
            for (int i = 0; i < n; i++) {
                assertEquals(RUN_VNODES[i], NameiInode.vnode(inos[i]));
                assertArrayEquals(bytes(RUN_LENGTHS[i], i), Files.readAllBytes(Path.of(v.dataPath(inos[i]))), "file " + i);
                assertEquals(1, v.linkTable().count(RUN_VNODES[i], NameiInode.tag(inos[i])));
            }
            assertEquals(List.of(0, 1), List.of(NameiInode.tag(inos[1]), NameiInode.tag(inos[3])),
                "a vnode given twice gets two tags");
            assertEquals(n, r.writes().stream().filter(c -> c.startsWith("buffered")).count() + 1,
                "one pwrite per file, none for the empty one");
        }
    }

    @Test
    void aRunThatFailsHalfWayLeavesNoFileAndNoCount() throws Exception {
        Recorder r = new Recorder();
        r.failCreate = 4;
        try (Volume v = volume(r, "runfail")) {
            int held = v.partition().groupLock(VID).heldCount();
            NativeIoException e = assertThrows(NativeIoException.class, () -> v.createDataFilesUnsynced(RUN_VNODES.length,
                RUN_VNODES, new int[] {7, 8, 9, 10, 11}, new int[] {1, 1, 1, 1, 1}, RUN_LENGTHS, runData()));
            assertEquals(4, r.creates, "three files made, the fourth refused");
            assertEquals(Errno.ENOSPC, e.errno());
            for (int vn : RUN_VNODES) {
                assertArrayEquals(new int[] {0, 0, 0, 0, 0}, v.linkTable().row(vn), "row " + vn);
            }
            int[] uniqs = {7, 8, 9, 10, 11};
            for (int i = 0; i < RUN_VNODES.length; i++) {
                for (int t = 0; t < NameiInode.MAX_TAGS; t++) {
                    assertFalse(Files.exists(Path.of(v.dataPath(NameiInode.regular(RUN_VNODES[i], t, uniqs[i])))),
                        "the three files made are removed");
                }
            }
            assertEquals(held, v.partition().groupLock(VID).heldCount(), "no hold left behind");
        }
    }

    @Test
    void largeFilesTakeTheirWholeBlocksWithODirectAndTheTailThroughThePageCache() throws Exception {
        Recorder r = new Recorder();
        try (Volume v = volume(r, "a")) {
            byte[] tailed = bytes((3 << 20) + 123, 1);
            assertArrayEquals(tailed, write(v, 2, tailed));
            assertEquals(List.of("setDirect true", "direct 0+1048576", "direct 1048576+1048576",
                "direct 2097152+1048576", "setDirect false", "buffered 3145728+123"), r.calls);

            r.calls.clear();
            byte[] exact = bytes(Volume.DIRECT_WRITE_MIN, 2);
            assertArrayEquals(exact, write(v, 4, exact));
            assertEquals(List.of("setDirect true", "direct 0+" + Volume.DIRECT_WRITE_MIN), r.calls);

            r.calls.clear();
            byte[] small = bytes(Volume.DIRECT_WRITE_MIN - 1, 3);
            assertArrayEquals(small, write(v, 6, small));
            assertFalse(r.calls.stream().anyMatch(c -> c.startsWith("setDirect") || c.startsWith("direct")), r.calls.toString());
        }
    }

    @Test
    void aFileSystemRefusingODirectGetsEveryFileThroughThePageCache() throws Exception {
        Recorder r = new Recorder();
        r.refuseDirect = (fd, on) -> true;
        try (Volume v = volume(r, "b")) {
            List<String> first = pageCacheForGood(v, r, (2 << 20) + 5, 4);
            assertEquals(1, first.stream().filter(c -> c.startsWith("setDirect")).count(), first.toString());
        }
    }

    @Test
    void aFileSystemTakingTheFlagButNotTheTransferFallsBackWithoutLosingABlock() throws Exception {
        Recorder r = new Recorder();
        r.failFirstDirectWrite = true;
        try (Volume v = volume(r, "c")) {
            List<String> first = pageCacheForGood(v, r, (2 << 20) + 77, 6);
            assertEquals("buffered 0+1048576", first.stream().filter(c -> !c.startsWith("setDirect")).findFirst().orElseThrow());
        }
    }

    /**
     * Writes a large file and then another: both whole and only through the page cache, and the
     * second one without asking for O_DIRECT again. Returns the first file's calls.
     */
    private static List<String> pageCacheForGood(Volume v, Recorder r, int firstLength, long seed) throws Exception {
        byte[] one = bytes(firstLength, seed);
        assertArrayEquals(one, write(v, 2, one));
        assertTrue(r.writes().stream().allMatch(c -> c.startsWith("buffered")), r.calls.toString());
        List<String> first = List.copyOf(r.calls);
        r.calls.clear();
        byte[] two = bytes(1 << 20, seed + 1);
        assertArrayEquals(two, write(v, 4, two));
        assertTrue(r.calls.stream().noneMatch(c -> c.startsWith("setDirect")), r.calls.toString());
        return first;
    }

    @Test
    void directWritesAfterTheFirstRunBesideTheStreamAndTheirFailureRemovesTheFile() throws Exception {
        Recorder r = new Recorder();
        try (Volume v = volume(r, "d")) {
            byte[] ok = bytes(3 << 20, 8);
            assertArrayEquals(ok, write(v, 2, ok));
            assertTrue(r.writerThreads.contains(Thread.currentThread().getName()), r.writerThreads.toString());
            assertTrue(r.writerThreads.stream().anyMatch(t -> t.startsWith("namei-direct-write")), r.writerThreads.toString());

            r.noSpaceAt = 2 << 20;
            byte[] big = bytes((4 << 20) + 9, 9);
            int[] before = v.linkTable().row(4);
            NativeIoException e = org.junit.jupiter.api.Assertions.assertThrows(NativeIoException.class,
                () -> v.createDataFileUnsynced(4, 1, 1, new ByteArrayInputStream(big), big.length));
            assertEquals(Errno.ENOSPC, e.errno());
            // the file is gone and its tag given back: nothing refers to what was written
            assertArrayEquals(before, v.linkTable().row(4));
            try (java.util.stream.Stream<Path> files = Files.walk(tmp.resolve("d"))) {
                long dataFiles = files.filter(Files::isRegularFile)
                    .filter(f -> f.getFileName().toString().length() > 0 && f.toString().contains("/AFSIDat/"))
                    .filter(f -> {
                        try {
                            return Files.size(f) >= (2 << 20);
                        } catch (java.io.IOException x) {
                            return false;
                        }
                    }).count();
                assertEquals(1, dataFiles, "only the first file of 3 MiB remains");
            }
        }
    }
}
