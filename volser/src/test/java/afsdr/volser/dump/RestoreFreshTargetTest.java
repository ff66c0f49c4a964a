package afsdr.volser.dump;

import static afsdr.volser.dump.DumpTestSupport.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import afsdr.partition.Volume;
import afsdr.partition.VolumeDiskData;
import afsdr.volser.wire.RestoreCookie;

/**
 * Restores into a new, empty volume (index files holding only their stamps, as CreateVolume makes
 * them) go to the target directly under a FRESH journal record instead of through a staging copy.
 * Their guarantee is the staged one: a refused stream or a crash before the commit point (the FRESH
 * record's removal) leaves the partition as it was (file for file, index files back to their
 * stamps, the volume info as it was).
 */
class RestoreFreshTargetTest extends SrcDstRestoreTest {
    static final RestoreCookie COOKIE = new RestoreCookie("t.fresh", VolumeDiskData.RW, 0, 0);

    @BeforeEach
    void setUp() throws IOException {
        try (Volume v = DumpTestSupport.build(src, VID, "t.fresh", 9, 8, 150_000)) {
            full = VolumeDumpRestoreTest.dump(v, 0, true);
        }
        dst.createVolume(VID, VID, d -> d.name("t.fresh").type(VolumeDiskData.RW).blessed(true)).close();
    }

    private void assertNoJournal() throws IOException {
        DumpTestSupport.assertNoJournal(dst, "restore journal left in " + dst.path());
    }

    @Test
    void cleanRestoreIntoANewVolumeUsesNoStagingVolumeAndMatchesTheSource() throws IOException {
        Map<String, String> before = snapshot(dst.path());
        VolumeRestorer.Prepared pr = VolumeRestorer.prepare(dst, VID, COOKIE, true, new ByteArrayInputStream(full));
        assertEquals(VolumeRestorer.NO_STAGING, pr.stagingId, "a new volume needs no staging copy");
        assertEquals(List.of(VID), dst.listVolumeIds());
        // a crash here, the whole stream in the target but the FRESH record still there: undone
        assertEquals(RestoreJournal.Phase.FRESH, RestoreJournal.read(dst, VID).orElseThrow().phase());
        assertEquals(List.of(VID), VolumeRestorer.recover(dst), "the FRESH record rolls it back");
        assertEquals(before, snapshot(dst.path()));
        assertNoJournal();
        VolumeRestorer.Result r = VolumeRestorer.restore(dst, VID, COOKIE, true, new ByteArrayInputStream(full));
        assertNoJournal();
        try (Volume s = src.openVolume(VID); Volume d = dst.openVolume(VID)) {
            DumpTestSupport.assertSameVnodes(s, d);
            assertTrue(Arrays.equals(r.volumeInfo().encode(), d.readDiskData().encode()));
        }
        // a second restore onto the now non-empty volume takes the staged path
        VolumeRestorer.Prepared again = VolumeRestorer.prepare(dst, VID, COOKIE, true,
            new ByteArrayInputStream(full));
        assertTrue(again.stagingId != VolumeRestorer.NO_STAGING);
        VolumeRestorer.recover(dst);
    }

    @Test
    void refusedStreamsLeaveTheNewVolumeExactlyAsItWas() throws IOException {
        Map<String, String> before = snapshot(dst.path());
        TreeSet<Long> cuts = new TreeSet<>(RestoreAtomicityTest.sectionStarts(full));
        cuts.add((long) full.length - 1);
        cuts.add((long) full.length / 2);
        for (long c : cuts) {
            byte[] cut = Arrays.copyOf(full, (int) c);
            // batches of 2 records: cuts land after several batches reached the index
            IOException e = assertThrows(IOException.class, () -> VolumeRestorer.restore(dst, VID, COOKIE, true,
                new ByteArrayInputStream(cut), 2), "cut at " + c);
            assertEquals(DumpException.VOLSERREAD_DUMPERROR, DumpException.codeOf(e, false), "cut at " + c + ": " + e);
            assertEquals(before, snapshot(dst.path()), "cut at " + c + " (" + e.getMessage() + ")");
            assertEquals(List.of(VID), dst.listVolumeIds());
            assertNoJournal();
        }
        assertTrue(cuts.size() > 10, "cut points: " + cuts);
        // and the volume still takes a complete restore
        VolumeRestorer.restore(dst, VID, COOKIE, true, new ByteArrayInputStream(full));
        try (Volume s = src.openVolume(VID); Volume d = dst.openVolume(VID)) {
            DumpTestSupport.assertSameVnodes(s, d);
        }
    }

    @Test
    void crashBeforeTheCommitPointIsRolledBackByRecover() throws IOException {
        Map<String, String> before = snapshot(dst.path());
        // the whole stream applied to the target, then a "crash" before the commit point
        VolumeRestorer.applyFresh(dst, VID, new ByteArrayInputStream(full), 3);
        assertTrue(!before.equals(snapshot(dst.path())), "the stream was applied in place");
        assertEquals(RestoreJournal.Phase.FRESH, RestoreJournal.read(dst, VID).orElseThrow().phase());
        assertEquals(List.of(VID), VolumeRestorer.recover(dst));
        assertEquals(before, snapshot(dst.path()));
        assertNoJournal();
        assertEquals(List.of(), VolumeRestorer.recover(dst), "nothing left to recover");
    }

    @Test
    void crashAfterTheFinalVolumeInfoButBeforeTheCommitPointPutsTheOldInfoBack() throws IOException {
        Map<String, String> before = snapshot(dst.path());
        VolumeRestorer.applyFresh(dst, VID, new ByteArrayInputStream(full), 3);
        try (Volume d = dst.openVolume(VID)) {
            d.writeDiskData(d.readDiskData().name("t.half").updateDate(12345));
        }
        assertEquals(List.of(VID), VolumeRestorer.recover(dst));
        assertEquals(before, snapshot(dst.path()), "records, files and the volume info as before");
        assertNoJournal();
    }

    /**
     * The FRESH record is written without syncs; a power failure before the stream's first syncfs
     * can leave its file empty or zero-filled. Nothing of that restore reached an index then, so such
     * a file means "never written": recovery leaves the volume alone, and the next restore replaces it.
     */
    @Test
    void anEmptyOrZeroFilledFreshRecordIsTakenAsNeverWritten() throws IOException {
        Map<String, String> before = snapshot(dst.path());
        java.nio.file.Path j = java.nio.file.Path.of(RestoreJournal.path(dst, VID));
        for (byte[] content : new byte[][] {new byte[0], new byte[20 + VolumeDiskData.SIZE]}) {
            java.nio.file.Files.write(j, content);
            assertTrue(RestoreJournal.read(dst, VID).isEmpty(), content.length + " bytes");
            assertEquals(List.of(), VolumeRestorer.recover(dst), content.length + " bytes");
            assertTrue(!java.nio.file.Files.exists(j), "start-up recovery removes it");
            assertEquals(before, snapshot(dst.path()));
        }
        // a file with anything else in it is still refused, not guessed at
        java.nio.file.Files.write(j, new byte[] {1, 2, 3});
        assertThrows(IOException.class, () -> RestoreJournal.read(dst, VID));
        java.nio.file.Files.write(j, new byte[0]);
        VolumeRestorer.restore(dst, VID, COOKIE, true, new ByteArrayInputStream(full));
        assertNoJournal();
        try (Volume s = src.openVolume(VID); Volume d = dst.openVolume(VID)) {
            DumpTestSupport.assertSameVnodes(s, d);
        }
    }
}
