package afsdr.partition;

import afsdr.realcell.RealDiskTempDirs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import afsdr.nativeio.Errno;
import afsdr.nativeio.NativeIoException;

/**
 * Reclaim of link-table tags leaked by crashed writers (LinkTable.allocateTag when a row is full).
 * A crash is simulated by its on-disk result: a raised counter and possibly a data file that no
 * vnode record names, written behind the JVM's back (so no hold exists for it).
 */
class TagReclaimTest {
    private static final int RW = 536870912;
    /** A small (file) vnode. */
    private static final int VN = 2;

    @TempDir(factory = RealDiskTempDirs.class)
    Path tmp;

    private static VnodeDiskObject fileRecord(int dataVersion) {
        return VnodeDiskObject.blank(VnodeClass.SMALL).type(VnodeDiskObject.TYPE_FILE).uniquifier(7)
            .dataVersion(dataVersion).linkCount(1).modeBits(0644);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** What a writer killed after GetFreeTag and the file create leaves: count +1 and the file. */
    private static void leak(Volume v, int tag, int extraCount, boolean withFile) throws IOException {
        long off = LinkTable.rowOffset(VN);
        try (RandomAccessFile f = new RandomAccessFile(v.linkTable().path(), "rw")) {
            f.seek(off);
            int row = f.read() | (f.read() << 8);
            int c = ((row >>> (3 * tag)) & 7) + extraCount;
            row = (row & ~(7 << (3 * tag))) | (c << (3 * tag));
            f.seek(off);
            f.write(row & 0xff);
            f.write(row >>> 8);
        }
        if (withFile) {
            Path p = Path.of(v.dataPath(NameiInode.regular(VN, tag, 7)));
            Files.createDirectories(p.getParent());
            Files.write(p, bytes("leaked " + tag));
        }
    }

    /** Data files of vnode VN in the group, by tag (any uniquifier). */
    private static List<Integer> dataFileTags(Volume v) throws IOException {
        Path dir = Path.of(v.dataPath(NameiInode.regular(VN, 0, 7))).getParent();
        List<Integer> tags = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.map(p -> FlipBase64.decode(p.getFileName().toString())).filter(i -> NameiInode.vnode(i) == VN)
                .forEach(i -> tags.add(NameiInode.tag(i)));
        }
        tags.sort(null);
        return tags;
    }

    /** Counts as the records of the group really name them. */
    private static int[] realReferences(Volume... vols) throws IOException {
        int[] refs = new int[NameiInode.MAX_TAGS];
        for (Volume v : vols) {
            VnodeDiskObject r = v.readVnode(VN);
            if (!r.isFree() && r.inode() != 0) {
                refs[NameiInode.tag(r.inode())]++;
            }
        }
        return refs;
    }

    @Test
    void leakedTagsAreReclaimedWhenTheRowIsFull() throws Exception {
        NameiPartition p = TestVolumes.partition(tmp.resolve("vicepa"));
        try (Volume v = p.createVolume(RW, RW, null)) {
            v.storeVnode(VN, fileRecord(1), bytes("one"));
            // four crashes while storing VN: tags 1..4 leaked (one without its file: crash
            // before the create), and a crash during a release left tag 0 one too high
            leak(v, 0, 1, false);
            for (int t = 1; t <= 4; t++) {
                leak(v, t, 1, t != 3);
            }
            assertArrayEquals(new int[] {2, 1, 1, 1, 1}, v.linkTable().row(VN));
            assertEquals(List.of(0, 1, 2, 4), dataFileTags(v));

            VnodeDiskObject stored = v.storeVnode(VN, fileRecord(2), bytes("two"));

            assertEquals(1, NameiInode.tag(stored.inode()), "first reclaimed tag reused");
            assertEquals("two", new String(v.readData(VN, v.readVnode(VN)), StandardCharsets.US_ASCII));
            assertArrayEquals(realReferences(v), v.linkTable().row(VN));
            assertArrayEquals(new int[] {0, 1, 0, 0, 0}, v.linkTable().row(VN));
            assertEquals(List.of(1), dataFileTags(v), "leaked and released files are gone from AFSIDat");
            // the row works normally afterwards
            v.storeVnode(VN, fileRecord(3), bytes("three"));
            assertArrayEquals(new int[] {1, 0, 0, 0, 0}, v.linkTable().row(VN));
        }
    }

    @Test
    void aRowWhoseTagsAreAllReferencedStaysFull() throws Exception {
        NameiPartition p = TestVolumes.partition(tmp.resolve("vicepa"));
        List<Volume> clones = new ArrayList<>();
        try (Volume rw = p.createVolume(RW, RW, null)) {
            // RW + 4 clones, each clone taken after a different store: five data files of VN
            for (int i = 0; i < 4; i++) {
                rw.storeVnode(VN, fileRecord(i), bytes("data " + i));
                clones.add(p.cloneVolume(RW, RW + 1 + i, null));
            }
            rw.storeVnode(VN, fileRecord(4), bytes("data 4"));
            assertArrayEquals(new int[] {1, 1, 1, 1, 1}, rw.linkTable().row(VN));
            leak(rw, 2, 1, false); // plus one leaked reference on a tag that is also in use

            NativeIoException e = assertThrows(NativeIoException.class,
                () -> rw.storeVnode(VN, fileRecord(5), bytes("data 5")));
            assertEquals(Errno.ENOSPC, e.errno());

            Volume[] all = {rw, clones.get(0), clones.get(1), clones.get(2), clones.get(3)};
            assertArrayEquals(new int[] {1, 1, 1, 1, 1}, realReferences(all));
            assertArrayEquals(new int[] {1, 1, 1, 1, 1}, rw.linkTable().row(VN), "the leak on tag 2 was corrected");
            assertEquals(List.of(0, 1, 2, 3, 4), dataFileTags(rw), "nothing referenced removed");
            assertEquals("data 4", new String(rw.readData(VN, rw.readVnode(VN)), StandardCharsets.US_ASCII));
            for (int i = 0; i < 4; i++) {
                Volume c = clones.get(i);
                assertEquals("data " + i, new String(c.readData(VN, c.readVnode(VN)), StandardCharsets.US_ASCII));
            }
        } finally {
            for (Volume c : clones) {
                c.close();
            }
        }
    }

    @Test
    void inFlightTagsAreNotReclaimed() throws Exception {
        NameiPartition p = TestVolumes.partition(tmp.resolve("vicepa"));
        try (Volume writer = p.createVolume(RW, RW, null)) {
            writer.storeVnode(VN, fileRecord(1), bytes("one"));
            // a store in flight: tags 1..3 allocated and written, no record names them yet
            long[] inFlight = new long[4];
            for (int t = 1; t <= 3; t++) {
                byte[] d = bytes("in flight " + t);
                inFlight[t] = writer.createDataFile(VN, 7, 10 + t, Channels.newChannel(new ByteArrayInputStream(d)),
                    d.length);
                assertEquals(t, NameiInode.tag(inFlight[t]));
            }
            leak(writer, 4, 1, true); // and one really leaked tag

            // another store of the same vnode, through another handle (same JVM)
            try (Volume other = p.openVolume(RW)) {
                VnodeDiskObject s = other.storeVnode(VN, fileRecord(2), bytes("two"));
                assertEquals(4, NameiInode.tag(s.inode()), "only the leaked tag was reclaimed");
                assertArrayEquals(new int[] {0, 1, 1, 1, 1}, other.linkTable().row(VN));
                assertEquals(List.of(1, 2, 3, 4), dataFileTags(other), "in-flight files kept");
            }
            // that store released tag 0; a fourth in-flight file takes it: the row is full of
            // tags in flight (0..3) and one referenced tag (4)
            byte[] d0 = bytes("in flight 0");
            inFlight[0] = writer.createDataFile(VN, 7, 10, Channels.newChannel(new ByteArrayInputStream(d0)),
                d0.length);
            assertEquals(0, NameiInode.tag(inFlight[0]));
            try (Volume other = p.openVolume(RW)) {
                assertEquals(Errno.ENOSPC, assertThrows(NativeIoException.class,
                    () -> other.storeVnode(VN, fileRecord(3), bytes("three"))).errno());
                assertArrayEquals(new int[] {1, 1, 1, 1, 1}, other.linkTable().row(VN));
                assertEquals(List.of(0, 1, 2, 3, 4), dataFileTags(other));
            }
            // the in-flight store completes: its record names tag 1
            VnodeDiskObject done = fileRecord(11).inode(inFlight[1]).length(bytes("in flight 1").length);
            writer.storeVnode(VN, done, null, 0);
            assertEquals("in flight 1", new String(writer.readData(VN, writer.readVnode(VN)), StandardCharsets.US_ASCII));
            assertArrayEquals(new int[] {1, 1, 1, 1, 0}, writer.linkTable().row(VN));
            assertEquals(List.of(0, 1, 2, 3), dataFileTags(writer));
        }
    }

    @Test
    void aReleaseStillPendingIsNotReclaimed() throws Exception {
        NameiPartition p = TestVolumes.partition(tmp.resolve("vicepa"));
        try (Volume rw = p.createVolume(RW, RW, null)) {
            rw.storeVnode(VN, fileRecord(1), bytes("shared"));
            try (Volume bk = p.cloneVolume(RW, RW + 2, null)) {
                assertArrayEquals(new int[] {2, 0, 0, 0, 0}, rw.linkTable().row(VN));
                // group commit: the RW record moves to tag 1, the release of tag 0 is pending
                rw.deferSyncs(true);
                rw.storeVnode(VN, fileRecord(2), bytes("new"));
                leak(rw, 2, 1, true);
                leak(rw, 3, 1, true);
                leak(rw, 4, 1, true);
                // a reclaim now: tag 0 has 2 counts and 1 visible reference, but one drop is pending
                try (Volume other = p.openVolume(RW)) {
                    int t = other.linkTable().allocateTag(VN);
                    assertEquals(2, t);
                    assertArrayEquals(new int[] {2, 1, 1, 0, 0}, other.linkTable().row(VN));
                    other.linkTable().adjust(VN, t, -1);
                }
                rw.deferSyncs(false);
                assertArrayEquals(new int[] {1, 1, 0, 0, 0}, rw.linkTable().row(VN));
                assertTrue(Files.exists(Path.of(bk.dataPath(bk.readVnode(VN).inode()))), "the clone's file survives");
                assertEquals("shared", new String(bk.readData(VN, bk.readVnode(VN)), StandardCharsets.US_ASCII));
                assertFalse(dataFileTags(rw).contains(3));
            }
        }
    }

    /**
     * Stores of one vnode in a loop (some in group-commit batches, whose releases stay pending)
     * while another thread keeps leaking the row's free tags, so nearly every allocation reclaims.
     * No count may ever drop below the records naming it: every stored and every cloned content
     * stays readable.
     */
    @Test
    void concurrentStoresAndLeaksNeverLoseReferencedData() throws Exception {
        NameiPartition p = TestVolumes.partition(tmp.resolve("vicepa"));
        try (Volume rw = p.createVolume(RW, RW, null)) {
            rw.storeVnode(VN, fileRecord(1), bytes("cloned"));
            try (Volume bk = p.cloneVolume(RW, RW + 2, null)) {
                GroupState monitor = p.groupLock(RW);
                java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
                java.util.concurrent.atomic.AtomicInteger leaks = new java.util.concurrent.atomic.AtomicInteger();
                Thread leaker = new Thread(() -> {
                    try {
                        while (!done.get()) {
                            synchronized (monitor) { // as a crashed writer's GetFreeTag would have done
                                int[] row = rw.linkTable().row(VN);
                                for (int t = 0; t < row.length; t++) {
                                    if (row[t] == 0) {
                                        leak(rw, t, 1, true);
                                        leaks.incrementAndGet();
                                        break;
                                    }
                                }
                            }
                            Thread.onSpinWait();
                        }
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                leaker.start();
                try (Volume writer = p.openVolume(RW)) {
                    for (int i = 0; i < 150; i++) {
                        boolean batch = i % 3 == 0;
                        writer.deferSyncs(batch);
                        byte[] d = bytes("store " + i);
                        writer.storeVnode(VN, fileRecord(10 + i), d);
                        if (batch) {
                            writer.storeVnode(VN, fileRecord(10 + i), bytes("batched " + i));
                            writer.deferSyncs(false);
                            d = bytes("batched " + i);
                        }
                        assertArrayEquals(d, writer.readData(VN, writer.readVnode(VN)), "iteration " + i);
                        assertEquals("cloned", new String(bk.readData(VN, bk.readVnode(VN)), StandardCharsets.US_ASCII));
                    }
                } finally {
                    done.set(true);
                    leaker.join();
                }
                assertTrue(leaks.get() > 0);
                int[] refs = realReferences(rw, bk);
                int[] row = rw.linkTable().row(VN);
                for (int t = 0; t < row.length; t++) {
                    assertTrue(row[t] >= refs[t], "tag " + t + ": count " + row[t] + " < references " + refs[t]);
                }
            }
        }
    }
}
