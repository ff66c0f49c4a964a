package afsdr.volser.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import afsdr.nativeio.Errno;
import afsdr.nativeio.JnrPosix;
import afsdr.nativeio.NativeIoException;
import afsdr.nativeio.OpenFlag;
import afsdr.nativeio.Posix;
import afsdr.partition.NameiInode;
import afsdr.partition.NameiPartition;
import afsdr.partition.VnodeClass;
import afsdr.partition.VnodeDiskObject;
import afsdr.partition.Volume;
import afsdr.partition.VolumeTree;
import afsdr.volser.wire.RestoreCookie;

/**
 * Restores of many small files, which are made in runs (one link-table update for a run's tags;
 * a full run made on a writer thread while the stream goes on into the next): the volume comes
 * out exactly as dumped, a large file between runs included; a file create failing on the writer
 * thread, or a stream cut while a run is being made, changes nothing on the partition.
 */
class RestoreSmallFileRunsTest extends SrcDstRestoreTest {
    static final RestoreCookie COOKIE = RestoreAtomicityTest.COOKIE;
    /** Files of up to 5000 bytes: a run (1 MiB or 1024 files) is about 420 of them. */
    static final int SMALL_FILES = 1500;

    /** The dump, made once for the class (1500 synced creates take seconds). */
    private static byte[] dump;
    /** Offsets in the small files' part of the dump. */
    List<Long> insideRuns;

    @BeforeEach
    void setUp() throws IOException {
        if (dump == null) {
            try (Volume v = DumpTestSupport.build(src, VID, "t.src", 3, SMALL_FILES, 100_000)) {
                VolumeTree t = new VolumeTree(v);
                t.createFile(1, "late.bin", new byte[80_000]); // beyond the small-file limit, after the runs
                t.flush();
                dump = VolumeDumpRestoreTest.dump(v, 0, true);
            }
        }
        full = dump;
        insideRuns = List.of(full.length * 4L / 10, full.length * 8L / 10);
    }

    /** The volume on {@code p} holds what the dump holds: the same records, the same data. */
    private void assertSameAsDump(NameiPartition p) throws IOException {
        try (Volume d = p.openVolume(VID)) {
            assertEquals(DumpTestSupport.records(full), DumpTestSupport.records(VolumeDumpRestoreTest.dump(d, 0, true)));
        }
    }

    @Test
    void manySmallFilesComeOutAsDumped() throws IOException {
        VolumeDumpRestoreTest.emptyTarget(dst, VID).close();
        VolumeRestorer.restore(dst, VID, COOKIE, false, new ByteArrayInputStream(full));
        assertSameAsDump(dst);
        assertTrue(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("restore-file-writer")),
            "runs were made on a writer thread");
        // again onto the volume that now exists: the staged path
        VolumeRestorer.restore(dst, VID, COOKIE, false, new ByteArrayInputStream(full));
        assertSameAsDump(dst);
        DumpTestSupport.assertNoJournal(dst, "after two restores");
    }

    /** Fails the {@code failAt}-th data file create (O_EXCL open) with ENOSPC; records the thread. */
    private static final class FailingCreates {
        final Posix real = JnrPosix.get();
        final int failAt;
        final AtomicInteger creates = new AtomicInteger();
        final Set<String> failedOn = ConcurrentHashMap.newKeySet();

        FailingCreates(int failAt) {
            this.failAt = failAt;
        }

        Posix posix() {
            InvocationHandler h = (proxy, m, a) -> {
                if (m.getName().equals("open") && ((Set<?>) a[1]).contains(OpenFlag.EXCLUSIVE)
                    && ((String) a[0]).contains("/AFSIDat/") && !((String) a[0]).contains("/special/")
                    && creates.incrementAndGet() == failAt) {
                    failedOn.add(Thread.currentThread().getName());
                    throw new NativeIoException("open", (String) a[0], Errno.ENOSPC);
                }
                if (m.isDefault()) {
                    return InvocationHandler.invokeDefault(proxy, m, a);
                }
                try {
                    return m.invoke(real, a);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            };
            return (Posix) Proxy.newProxyInstance(Posix.class.getClassLoader(), new Class<?>[] {Posix.class}, h);
        }
    }

    private void assertRefusedAndUnchanged(NameiPartition p, byte[] stream, String what) throws IOException {
        Map<String, String> before = DumpTestSupport.snapshot(dst.path());
        assertThrows(IOException.class, () -> VolumeRestorer.restore(p, VID, COOKIE, false,
            new ByteArrayInputStream(stream)), what);
        assertEquals(before, DumpTestSupport.snapshot(dst.path()), what + " changed the partition");
        assertEquals(List.of(VID), dst.listVolumeIds(), what + ": staging volume left behind");
        DumpTestSupport.assertNoJournal(dst, what);
    }

    @Test
    void aCreateFailingOnTheWriterThreadChangesNothing() throws IOException {
        for (boolean fresh : new boolean[] {true, false}) {
            VolumeDumpRestoreTest.emptyTarget(dst, VID).close();
            if (!fresh) {
                VolumeRestorer.restore(dst, VID, COOKIE, false, new ByteArrayInputStream(full));
            }
            FailingCreates f = new FailingCreates(SMALL_FILES / 2);
            NameiPartition failing = NameiPartition.open(f.posix(), dst.path(), "/vicepa");
            assertRefusedAndUnchanged(failing, full, (fresh ? "new" : "existing") + " volume, create " + f.failAt
                + " refused");
            assertEquals(Set.of("restore-file-writer"), f.failedOn, "the refused create was a run's, on the writer");
            dst.deleteVolume(VID);
        }
    }

    /**
     * A stream that carries one small file three times (same vnode and uniquifier, new data each
     * time, far enough apart that the batches committing the first copies run while runs of later
     * files are made), in batches of 100 records: the file ends as its last copy, and the two
     * files it replaced are gone with their counts.
     */
    @Test
    void aFileSentThreeTimesEndsAsItsLastCopyWithOneDataFile() throws IOException {
        DumpVnode[] chosen = {null};
        byte[] stream = DumpTestSupport.copyStream(full, (w, out, records, dv, data) -> {
            if (chosen[0] == null && data != null && VnodeClass.of(dv.vnodeNumber()) == VnodeClass.SMALL
                && data.length > 100) {
                chosen[0] = dv;
            }
            DumpVnode c = chosen[0];
            if (c != null && (records == 600 || records == 1200)) {
                byte[] again = ("copy after " + records + " records").getBytes();
                w.writeVnode(new DumpVnode(c.vnodeNumber(), c.uniquifier(), true, c.type(), c.linkCount(),
                    c.dataVersion() + records, c.unixModifyTime(), c.author(), c.owner(), c.group(), c.modeBits(),
                    c.parent(), c.serverModifyTime(), null, again.length));
                w.writeData(again, 0, again.length);
            }
        });
        DumpVnode chosenVnode = chosen[0];
        VolumeDumpRestoreTest.emptyTarget(dst, VID).close();
        VolumeRestorer.restore(dst, VID, COOKIE, true, new ByteArrayInputStream(stream), 100);
        int vn = chosenVnode.vnodeNumber();
        try (Volume d = dst.openVolume(VID)) {
            VnodeDiskObject rec = d.readVnode(vn);
            assertEquals("copy after 1200 records", new String(d.readData(vn, rec)));
            assertEquals(chosenVnode.dataVersion() + 1200, rec.dataVersion());
            int[] row = d.linkTable().row(vn);
            assertEquals(1, Arrays.stream(row).sum(), "one count left in row " + vn + ": " + Arrays.toString(row));
            for (int t = 0; t < NameiInode.MAX_TAGS; t++) {
                long ino = NameiInode.regular(vn, t, chosenVnode.uniquifier());
                assertEquals(ino == rec.inode(), Files.exists(Path.of(d.dataPath(ino))), "tag " + t);
            }
        }
    }

    @Test
    void restoresReuseTheirHeldFileBuffers() throws IOException {
        byte[] small;
        try (Volume v = DumpTestSupport.build(src, VID + 3, "t.small", 5, 20, 1000)) {
            small = VolumeDumpRestoreTest.dump(v, 0, true);
        }
        BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
            .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
        long before = 0;
        for (int i = 0; i < 9; i++) {
            VolumeDumpRestoreTest.emptyTarget(dst, VID + 3).close();
            VolumeRestorer.restore(dst, VID + 3, COOKIE, false, new ByteArrayInputStream(small));
            dst.deleteVolume(VID + 3);
            if (i == 0) {
                before = direct.getMemoryUsed(); // after the first, which may fill the pool
            }
        }
        long grown = direct.getMemoryUsed() - before;
        // without the pool each restore leaves a 1 MiB buffer to the garbage collector
        assertTrue(grown < (1 << 20), "direct memory grew by " + grown + " bytes over 8 restores");
    }

    @Test
    void aStreamCutWhileRunsAreMadeChangesNothing() throws IOException {
        VolumeDumpRestoreTest.emptyTarget(dst, VID).close();
        for (long cut : insideRuns) {
            assertRefusedAndUnchanged(dst, Arrays.copyOf(full, (int) cut), "new volume, stream cut at " + cut);
        }
        VolumeRestorer.restore(dst, VID, COOKIE, false, new ByteArrayInputStream(full));
        for (long cut : insideRuns) {
            assertRefusedAndUnchanged(dst, Arrays.copyOf(full, (int) cut), "existing volume, stream cut at " + cut);
        }
        assertSameAsDump(dst);
    }
}
