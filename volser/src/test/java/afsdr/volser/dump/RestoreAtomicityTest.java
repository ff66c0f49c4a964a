package afsdr.volser.dump;

import static afsdr.volser.dump.DumpTestSupport.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import afsdr.partition.Volume;
import afsdr.partition.VolumeDiskData;
import afsdr.partition.VolumeTree;
import afsdr.volser.wire.RestoreCookie;

/**
 * A restore that does not end cleanly leaves the target exactly as it was: every file of the
 * partition hashed before and after (link table compared by rows, see
 * {@link DumpTestSupport#snapshot}), no staging volume, no journal. Also the crash recovery of
 * both journal phases.
 */
class RestoreAtomicityTest extends SrcDstRestoreTest {
    static final RestoreCookie COOKIE = new RestoreCookie("t.src", VolumeDiskData.RW, 0, 0);

    byte[] incremental;
    /** Offsets where a section starts, and the middle of every file data item, in {@link #full}. */
    List<Long> cuts;

    @BeforeEach
    void setUp() throws IOException {
        try (Volume v = DumpTestSupport.build(src, VID, "t.src", 7, 6, 200_000)) {
            // the target holds the old state; the streams carry a newer one
            dst.createVolume(VID, VID, d -> d.name("t.src").type(VolumeDiskData.RW)).close();
            VolumeRestorer.restore(dst, VID, COOKIE, false, new ByteArrayInputStream(
                VolumeDumpRestoreTest.dump(v, 0, true)));
            VolumeTree t = new VolumeTree(v);
            DumpTestSupport.rewrite(v, t.lookup(1, "big.bin").orElseThrow().vnode(), new byte[150_000]);
            t.remove(1, "small2");
            t.createFile(1, "added", "x".repeat(5000).getBytes());
            t.flush();
            full = VolumeDumpRestoreTest.dump(v, 0, true);
            incremental = VolumeDumpRestoreTest.dump(v, DumpTestSupport.OLD_TIME + 1, false);
        }
        cuts = new ArrayList<>(sectionStarts(full));
        // the middle of each data item: parse again, recording offsets inside the consumer
        DumpReader r2 = new DumpReader(new ByteArrayInputStream(full));
        r2.readDumpHeader();
        r2.readVolumeHeader();
        while (r2.next((v, len, in) -> {
            if (len > 1) {
                in.readNBytes((int) (len / 2));
                cuts.add(r2.offset());
            }
        }) != DumpReader.Section.END) {
            // records only
        }
        cuts.add((long) full.length - 1);
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path f : (Iterable<Path>) s::iterator) {
                Files.copy(f, to.resolve(from.relativize(f).toString()));
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(f);
            }
        }
    }

    static List<Long> sectionStarts(byte[] stream) throws IOException {
        List<Long> out = new ArrayList<>();
        DumpReader r = new DumpReader(new ByteArrayInputStream(stream));
        r.readDumpHeader();
        out.add(r.offset() - 1);
        r.readVolumeHeader();
        out.add(r.offset() - 1);
        while (r.next() != DumpReader.Section.END) {
            out.add(r.offset() - 1);
        }
        return out;
    }

    void assertRefusedAndUnchanged(byte[] stream, String what) throws IOException {
        assertRefusedAndUnchanged(new ByteArrayInputStream(stream), what);
    }

    void assertRefusedAndUnchanged(InputStream stream, String what) throws IOException {
        Map<String, String> before = snapshot(dst.path());
        IOException e = assertThrows(IOException.class, () -> VolumeRestorer.restore(dst, VID, COOKIE, true, stream),
            what);
        assertEquals(DumpException.VOLSERREAD_DUMPERROR, DumpException.codeOf(e, false), what + ": " + e);
        assertEquals(before, snapshot(dst.path()), what + " (" + e.getMessage() + ") changed the partition");
        assertEquals(List.of(VID), dst.listVolumeIds(), what + ": staging volume left behind");
        DumpTestSupport.assertNoJournal(dst, what);
    }

    @Test
    void truncationAtEverySectionBoundaryAndInsideDataChangesNothing() throws IOException {
        TreeSet<Long> at = new TreeSet<>(cuts);
        for (long c : at) {
            assertRefusedAndUnchanged(Arrays.copyOf(full, (int) c), "full dump truncated to " + c + " bytes");
        }
        assertRefusedAndUnchanged(Arrays.copyOf(incremental, incremental.length - 5), "incremental without end");
        assertTrue(at.size() > 15, "cut points: " + at);
    }

    @Test
    void hostileStreamsChangeNothing() throws IOException {
        byte[] m = full.clone();
        m[1] ^= 0x40;
        assertRefusedAndUnchanged(m, "wrong begin magic");
        m = full.clone();
        m[m.length - 2] ^= 0x01;
        assertRefusedAndUnchanged(m, "wrong end magic");
        assertRefusedAndUnchanged(Arrays.copyOf(full, full.length + 1), "one trailing byte");
        byte[] trailing = Arrays.copyOf(full, full.length + 5);
        System.arraycopy(full, full.length - 5, trailing, full.length, 5);
        assertRefusedAndUnchanged(trailing, "end marker twice");
        // an oversize 'f' at the last vnode, then the stream ends
        int last = cuts.get(cuts.size() - 1).intValue();
        byte[] big = new DumpCodecTest.B().raw(Arrays.copyOf(full, full.length - 5)).u8(3).i32(2000).i32(1)
            .u8('t', 1).tagInt('f', -1).raw(new byte[4096]).bytes();
        assertRefusedAndUnchanged(big, "4 GiB file item in a short stream (last=" + last + ")");
        byte[] crit = new DumpCodecTest.B().raw(Arrays.copyOf(full, full.length - 5)).u8(3).i32(2000).i32(1)
            .u8('t', 1, 0x7e, 'X', 0).u8(4).i32(DumpTags.DUMPENDMAGIC).bytes();
        assertRefusedAndUnchanged(crit, "unknown critical tag");
        // the source fails mid-stream (a broken Rx call)
        assertRefusedAndUnchanged(new FilterInputStream(new ByteArrayInputStream(full)) {
            long n;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (n > full.length / 2) {
                    throw new IOException("call aborted");
                }
                int k = super.read(b, off, Math.min(len, 1000));
                n += Math.max(k, 0);
                return k;
            }
        }, "input failing half way");
    }

    /**
     * An incremental naming a vnode number far beyond what the volume's uniquifiers allow (the
     * number of a flipped bit 24): refused before anything is applied, the target unchanged, rather
     * than a sparse index of GiB on the target.
     */
    @Test
    void aVnodeNumberBeyondTheUniquifiersIsRefusedAndChangesNothing() throws IOException {
        List<Long> starts = sectionStarts(incremental);
        int at = (int) (long) starts.get(2);
        byte[] t = incremental.clone();
        assertEquals(3, t[at], "a D_VNODE record starts there");
        t[at + 1] ^= 1; // the vnode number follows the tag, big-endian: bit 24
        int vn = java.nio.ByteBuffer.wrap(t, at + 1, 4).getInt();
        assertTrue(vn > DumpReader.vnodeNumberLimit(1000), "vnode " + vn);
        assertRefusedAndUnchanged(t, "vnode number " + vn);
        IOException e = assertThrows(IOException.class, () -> VolumeRestorer.restore(dst, VID, COOKIE, true,
            new ByteArrayInputStream(t)));
        assertTrue(e.getMessage().contains("vnode number " + vn + " beyond"), e.getMessage());
    }

    @Test
    void seededBitFlipsEitherApplyCompletelyOrChangeNothing() throws IOException {
        long seed = Long.getLong("dump.fuzz.seed", System.nanoTime());
        System.out.println("restore bit flips seed = " + seed + " (rerun with -Ddump.fuzz.seed=" + seed + ")");
        Random rnd = new Random(seed);
        int refused = 0;
        int applied = 0;
        List<Long> incCuts = sectionStarts(incremental);
        Path pristine = tmp.resolve("dst-before-flips");
        copyTree(dst.path(), pristine);
        for (int i = 0; i < 24; i++) {
            byte[] t = incremental.clone();
            // half the flips hit the first bytes of a section (marker, vnode number, first tags),
            // the others anywhere in the metadata-heavy head of the stream
            int at = i % 2 == 0 ? (int) Math.min(t.length - 1, incCuts.get(rnd.nextInt(incCuts.size())) + rnd.nextInt(12))
                : rnd.nextInt(Math.min(t.length, 4096));
            t[at] ^= (byte) (1 << rnd.nextInt(8));
            Map<String, String> before = snapshot(dst.path());
            try {
                VolumeRestorer.restore(dst, VID, COOKIE, true, new ByteArrayInputStream(t));
                applied++;
                // Back to the state before the flips, so that every round starts from one target (a
                // flip applied to a vnode number may have added a vnode, within
                // DumpReader.vnodeNumberLimit, to a sparse index the snapshots then read through).
                deleteTree(dst.path());
                copyTree(pristine, dst.path());
                dst = DumpTestSupport.partition(dst.path());
            } catch (DumpFormatException e) {
                refused++;
                assertEquals(before, snapshot(dst.path()), "seed " + seed + " flip at " + at + ": " + e.getMessage());
            } catch (IOException | RuntimeException e) {
                fail("seed " + seed + " flip at " + at + ": not a DumpFormatException: " + e, e);
            }
            assertEquals(List.of(VID), dst.listVolumeIds(), "seed " + seed + " flip at " + at);
        }
        System.out.println("bit flips: " + refused + " refused, " + applied + " applied");
        assertTrue(refused > 0, "seed " + seed);
    }

    /**
     * vos shadow's second, incremental Restore: every vnode unchanged since the stream's date, so
     * only their header records. No staging volume and no journal record are made: until the
     * commit the target is only read, and the commit is the new volume info written in place.
     */
    @Test
    void anIncrementalStreamThatChangesNothingMakesNoStagingVolume() throws IOException {
        VolumeRestorer.restore(dst, VID, COOKIE, true, new ByteArrayInputStream(full));
        byte[] nothing;
        try (Volume v = src.openVolume(VID)) {
            nothing = VolumeDumpRestoreTest.dump(v, (int) (System.currentTimeMillis() / 1000) + 60, false);
        }
        Map<String, String> before = snapshot(dst.path());
        VolumeRestorer.Prepared pr = VolumeRestorer.prepare(dst, VID, COOKIE, true, new ByteArrayInputStream(nothing));
        assertEquals(VolumeRestorer.NO_STAGING, pr.stagingId, "a stream that changes nothing needs no staging copy");
        assertFalse(pr.journaled, "a stream that changes nothing needs no journal record");
        assertTrue(pr.applied.kept > 5, "header records: " + pr.applied.kept);
        assertEquals(0, pr.applied.restored + pr.applied.deleted);
        assertEquals(List.of(VID), dst.listVolumeIds());
        // "crash" at the commit point: nothing was written, nothing to recover
        assertEquals(before, snapshot(dst.path()), "the stream was only read against the target");
        assertEquals(List.of(), VolumeRestorer.recover(dst));
        // through restore(): the volume info is the one change
        VolumeRestorer.Result r = VolumeRestorer.restore(dst, VID, COOKIE, true, new ByteArrayInputStream(nothing));
        try (Volume s = src.openVolume(VID); Volume d = dst.openVolume(VID)) {
            DumpTestSupport.assertSameVnodes(s, d);
            assertTrue(Arrays.equals(r.volumeInfo().encode(), d.readDiskData().encode()));
        }
        Map<String, String> after = snapshot(dst.path());
        assertEquals(before.keySet(), after.keySet(), "files made or removed");
        List<String> changed = before.keySet().stream().filter(f -> !before.get(f).equals(after.get(f))).toList();
        // the volume info file (a namei special file) at most
        assertTrue(changed.size() <= 1 && changed.stream().allMatch(f -> f.contains("/special/")),
            "changed: " + changed);
        assertEquals(0, r.vnodesRestored() + r.vnodesDeleted());
        assertEquals(List.of(VID), dst.listVolumeIds());
        DumpTestSupport.assertNoJournal(dst, "restore journal left");
    }

    @Test
    void crashAfterTheCommitPointIsCompletedByRecover() throws IOException {
        VolumeRestorer.Prepared pr = VolumeRestorer.prepare(dst, VID, COOKIE, true,
            new ByteArrayInputStream(incremental));
        // "crash": nothing after the commit point ran; the journal says COMMIT
        assertTrue(dst.volumeExists(pr.stagingId));
        assertEquals(List.of(VID), VolumeRestorer.recover(dst));
        assertEquals(List.of(VID), dst.listVolumeIds());
        try (Volume s = src.openVolume(VID); Volume d = dst.openVolume(VID)) {
            DumpTestSupport.assertSameVnodes(s, d);
            assertEquals(pr.finalInfo.updateDate(), d.readDiskData().updateDate());
        }
        assertEquals(List.of(), VolumeRestorer.recover(dst), "nothing left to recover");
    }

    @Test
    void crashBeforeTheCommitPointIsRolledBackByRecover() throws IOException {
        Map<String, String> before = snapshot(dst.path());
        int staging = (int) VolumeRestorer.STAGING_ID_BASE + 77;
        RestoreJournal.write(dst, new RestoreJournal.Entry(RestoreJournal.Phase.STAGING, VID, staging, null));
        dst.createVolume(staging, VID, d -> d.name(VolumeRestorer.STAGING_NAME)).close();
        assertEquals(List.of(VID), VolumeRestorer.recover(dst));
        assertEquals(List.of(VID), dst.listVolumeIds());
        assertEquals(before, snapshot(dst.path()));
        // a journal naming a volume that is not ours is refused, not acted on
        RestoreJournal.write(dst, new RestoreJournal.Entry(RestoreJournal.Phase.STAGING, VID, VID, null));
        assertThrows(IOException.class, () -> VolumeRestorer.recover(dst));
        assertTrue(dst.volumeExists(VID));
    }
}
