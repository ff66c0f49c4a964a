package afsdr.partition;

import afsdr.realcell.RealDiskTempDirs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import afsdr.nativeio.Errno;
import afsdr.nativeio.JnrPosix;
import afsdr.nativeio.NativeIoException;
import afsdr.nativeio.Posix;

/** Corrupt and truncated on-disk files give errors naming file and volume, and cause no writes. */
class CorruptVolumeTest {
    @TempDir(factory = RealDiskTempDirs.class)
    Path tmp;

    private static final int VID = 536870912;
    private static final int OTHER = 536870999;

    /** Bytes and mtimes of every file under the partition. */
    private static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p)) {
                    m.put(root.relativize(p).toString(), Arrays.hashCode(Files.readAllBytes(p)) + "@"
                        + Files.getLastModifiedTime(p).toMillis());
                }
            }
        }
        return m;
    }

    private NameiPartition fresh(String name) throws IOException {
        NameiPartition p = TestVolumes.partition(tmp.resolve(name));
        new TestVolumes().fill(p, VID, "t.c", 30, 5).close();
        new TestVolumes().fill(p, OTHER, "t.untouched", 3, 6).close();
        return p;
    }

    private static Path special(NameiPartition p, int type, int vid) {
        return p.path().resolve(NameiInode.relativePath(VID, NameiInode.special(vid, type)));
    }

    private static void expectFormatError(NameiPartition p, String fileFragment, ThrowingAction a) throws Exception {
        Map<String, String> before = snapshot(p.path());
        VolumeFormatException e = assertThrows(VolumeFormatException.class, a::run);
        assertTrue(e.getMessage().contains(fileFragment), e.getMessage());
        assertTrue(e.getMessage().contains(Integer.toString(VID)), e.getMessage());
        assertEquals(before, snapshot(p.path()), "nothing written after " + e.getMessage());
        try (Volume o = p.openVolume(OTHER)) {
            VolumeReader.read(o);
        }
    }

    interface ThrowingAction {
        void run() throws Exception;
    }

    private static void truncate(Path f, int len) throws IOException {
        Files.write(f, Arrays.copyOf(Files.readAllBytes(f), len));
    }

    private static void poke(Path f, int off, int v) throws IOException {
        byte[] b = Files.readAllBytes(f);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(off, v);
        Files.write(f, b);
    }

    @Test
    void headerFixtures() throws Exception {
        NameiPartition p = fresh("a");
        Path h = p.path().resolve("V0536870912.vol");
        byte[] good = Files.readAllBytes(h);
        truncate(h, 60);
        expectFormatError(p, "V0536870912.vol", () -> p.openVolume(VID));
        Files.write(h, good);
        poke(h, 0, 0x12345678);
        expectFormatError(p, "V0536870912.vol", () -> p.openVolume(VID));
        Files.write(h, good);
        poke(h, 8, 42);
        expectFormatError(p, "V0536870912.vol", () -> p.openVolume(VID));
        Files.write(h, good);
        poke(h, 20, 0x1234); // small index inode no longer special
        expectFormatError(p, "V0536870912.vol", () -> p.openVolume(VID));
    }

    @Test
    void specialFileFixtures() throws Exception {
        NameiPartition p = fresh("b");
        Path info = special(p, NameiInode.VI_VOLINFO, VID);
        byte[] good = Files.readAllBytes(info);
        truncate(info, 100);
        expectFormatError(p, info.toString(), () -> p.openVolume(VID));
        Files.write(info, good);
        poke(info, 8, 7);
        expectFormatError(p, info.toString(), () -> p.openVolume(VID));
        Files.write(info, good);

        Path small = special(p, NameiInode.VI_SMALLINDEX, VID);
        byte[] sgood = Files.readAllBytes(small);
        truncate(small, 4);
        expectFormatError(p, small.toString(), () -> p.openVolume(VID));
        Files.write(small, sgood);
        poke(small, 0, 0x88664433); // the large index's magic
        expectFormatError(p, small.toString(), () -> p.openVolume(VID));
        Files.write(small, sgood);

        Path large = special(p, NameiInode.VI_LARGEINDEX, VID);
        byte[] lgood = Files.readAllBytes(large);
        poke(large, 256, 1); // vnode 1: a "file" in the large index
        try (Volume v = p.openVolume(VID)) {
            expectFormatError(p, large.toString(), () -> v.readVnode(1));
            expectFormatError(p, large.toString(), () -> VolumeReader.read(v));
        }
        Files.write(large, lgood);
        poke(large, 256 + 36, 0x0bad0bad);
        try (Volume v = p.openVolume(VID)) {
            expectFormatError(p, large.toString(), () -> v.index(VnodeClass.LARGE).forEach((n, r) -> { }));
        }
        Files.write(large, lgood);

        Path lt = special(p, NameiInode.VI_LINKTABLE, VID);
        Path moved = lt.resolveSibling("moved-away");
        Files.move(lt, moved);
        expectFormatError(p, lt.toString(), () -> p.openVolume(VID));
        Files.move(moved, lt);
        try (Volume v = p.openVolume(VID)) {
            VolumeReader.read(v);
        }
    }

    @Test
    void dataFileFixtures() throws Exception {
        NameiPartition p = fresh("c");
        try (Volume v = p.openVolume(VID)) {
            VnodeDiskObject root = v.readVnode(1);
            Path dir = Path.of(v.dataPath(root.inode()));
            byte[] good = Files.readAllBytes(dir);
            byte[] bad = good.clone();
            bad[3] = 0; // page tag
            Files.write(dir, bad);
            expectFormatError(p, dir.toString(), () -> v.readDirectory(1));
            Files.write(dir, good);
            int vn = v.readDirectory(1).lookup("small0").orElseThrow().vnode();
            VnodeDiskObject f = v.readVnode(vn);
            Path data = Path.of(v.dataPath(f.inode()));
            truncate(data, (int) f.length() / 2);
            expectFormatError(p, data.toString(), () -> v.readData(vn, f));
            Files.delete(data);
            expectFormatError(p, data.toString(), () -> v.readData(vn, f));
        }
    }

    @Test
    void enospcDuringAWriteLeavesTheVolumeAsItWas() throws Exception {
        NameiPartition p = fresh("d");
        Map<String, String> before;
        VolumeReader want;
        try (Volume v = p.openVolume(VID)) {
            want = VolumeReader.read(v);
        }
        before = snapshot(p.path());
        Posix real = JnrPosix.get();
        AtomicInteger writes = new AtomicInteger();
        Posix full = (Posix) Proxy.newProxyInstance(Posix.class.getClassLoader(), new Class<?>[] {Posix.class},
            (proxy, m, args) -> {
                if (m.getName().equals("pwrite") && writes.incrementAndGet() > 3) {
                    throw new NativeIoException("pwrite", "fd " + args[0], Errno.ENOSPC);
                }
                if (m.isDefault()) {
                    // run the interface's helper loops against the proxy so pwrite goes through here
                    return java.lang.reflect.InvocationHandler.invokeDefault(proxy, m, args);
                }
                try {
                    return m.invoke(real, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
        NameiPartition pf = NameiPartition.open(full, p.path(), "/vicepa");
        try (Volume v = pf.openVolume(VID)) {
            VolumeTree t = new VolumeTree(v);
            NativeIoException e = assertThrows(NativeIoException.class, () -> {
                t.createFile(1, "won't fit", new byte[5 << 20]);
                t.flush();
            });
            assertEquals("ENOSPC", e.errnoName());
        }
        try (Volume v = p.openVolume(VID)) {
            VolumeReader got = VolumeReader.read(v);
            assertEquals(want.files.keySet(), got.files.keySet());
            assertEquals(want.dirs, got.dirs);
        }
        Map<String, String> after = snapshot(p.path());
        // only the volume info changed (uniquifier reservation); no new data file stayed behind
        after.keySet().removeIf(k -> k.contains("/special/"));
        before.keySet().removeIf(k -> k.contains("/special/"));
        assertEquals(before.keySet(), after.keySet());
    }
    @Test
    void randomCorruptionGivesVolumeFormatErrorsOnly() throws Exception {
        long seed = Long.getLong("afsdr.fuzz.seed", System.nanoTime());
        Random r = new Random(seed);
        NameiPartition p = fresh("e");
        List<Path> targets = new ArrayList<>();
        targets.add(p.path().resolve("V0536870912.vol"));
        for (int type : new int[] {NameiInode.VI_VOLINFO, NameiInode.VI_SMALLINDEX, NameiInode.VI_LARGEINDEX,
            NameiInode.VI_LINKTABLE}) {
            targets.add(special(p, type, VID));
        }
        try (Volume v = p.openVolume(VID)) {
            v.index(VnodeClass.LARGE).forEach((vn, rec) -> targets.add(Path.of(v.dataPath(rec.inode()))));
        }
        int iterations = Integer.getInteger("afsdr.fuzz.iterations", 120);
        for (int iter = 0; iter < iterations; iter++) {
            Path f = targets.get(r.nextInt(targets.size()));
            byte[] good = Files.readAllBytes(f);
            byte[] bad = good.clone();
            if (r.nextInt(5) == 0) {
                bad = Arrays.copyOf(bad, r.nextInt(bad.length + 1));
            } else {
                for (int k = 0; k < 1 + r.nextInt(6); k++) {
                    bad[r.nextInt(bad.length)] = (byte) r.nextInt(256);
                }
            }
            Files.write(f, bad);
            Map<String, String> before = snapshot(p.path());
            try (Volume v = p.openVolume(VID)) {
                VolumeReader.read(v);
            } catch (VolumeFormatException | afsdr.partition.dir.DirectoryFormatException e) {
                assertTrue(e.getMessage().contains(Integer.toString(VID)), e.getMessage());
            } catch (IOException e) {
                // VolumeReader's own consistency complaints (a mutated but well-formed field)
                assertTrue(e.getMessage().startsWith("inconsistent volume") || e.getMessage().contains("is not a directory")
                    || e.getMessage().startsWith("bad type"), "seed " + seed + ": " + e);
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + " iteration " + iter + " file " + f + ": " + e, e);
            }
            assertEquals(before, snapshot(p.path()), "seed " + seed + ": reading wrote something");
            Files.write(f, good);
        }
    }
}
