package afsdr.volser.dump;

import static afsdr.volser.dump.DumpTestSupport.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import afsdr.partition.VnodeClass;
import afsdr.partition.VnodeDiskObject;
import afsdr.partition.Volume;
import afsdr.partition.VolumeDiskData;
import afsdr.volser.wire.RestoreCookie;

/**
 * {@link VolumeRestorer.HeaderCheck#continuesTarget}: when the caller vouches that a stream
 * continues the target's own content, a full vnode record at the version the target holds keeps
 * the target's data file instead of writing a copy; a stream that re-sends only such records
 * changes nothing but the volume info (no staging volume, no journal, no new file). Without that
 * word from the caller the restore writes every full record as before.
 */
class RestoreKeepsSameVersionsTest extends SrcDstRestoreTest {
    static final RestoreCookie COOKIE = new RestoreCookie("t.src", VolumeDiskData.RW, 0, 0);
    static final VolumeRestorer.HeaderCheck CONTINUES = new VolumeRestorer.HeaderCheck() {
        @Override
        public void check(DumpHeader dumpHeader, VolumeDiskData dumped, VolumeDiskData target) {
        }

        @Override
        public boolean continuesTarget() {
            return true;
        }
    };

    int vnodes;

    @BeforeEach
    void setUp() throws IOException {
        try (Volume v = DumpTestSupport.build(src, VID, "t.src", 11, 5, 70_000)) {
            full = VolumeDumpRestoreTest.dump(v, 0, true);
            int[] n = {0};
            for (VnodeClass c : VnodeClass.values()) {
                v.index(c).forEach((vn, rec) -> n[0]++);
            }
            vnodes = n[0];
        }
        dst.createVolume(VID, VID, d -> d.name("t.src").type(VolumeDiskData.RW)).close();
        VolumeRestorer.restore(dst, VID, COOKIE, false, new ByteArrayInputStream(full));
    }

    @Test
    void reSentVersionsChangeNothingButTheVolumeInfo() throws IOException {
        Map<String, String> before = snapshot(dst.path());
        VolumeRestorer.Prepared pr = VolumeRestorer.prepare(dst, VID, COOKIE, true, new ByteArrayInputStream(full),
            CONTINUES, 3);
        assertEquals(VolumeRestorer.NO_STAGING, pr.stagingId);
        assertFalse(pr.journaled);
        assertEquals(0, pr.applied.restored);
        assertEquals(vnodes, pr.applied.unchanged);
        assertEquals(0, pr.applied.dataBytes);
        assertEquals(before, snapshot(dst.path()), "nothing written before the commit");
        VolumeRestorer.Result r = VolumeRestorer.restore(dst, VID, COOKIE, true, new ByteArrayInputStream(full),
            CONTINUES);
        assertEquals(vnodes, r.vnodesUnchanged());
        try (Volume s = src.openVolume(VID); Volume d = dst.openVolume(VID)) {
            DumpTestSupport.assertSameVnodes(s, d);
        }
        Map<String, String> after = snapshot(dst.path());
        List<String> changed = new ArrayList<>(before.keySet().stream()
            .filter(f -> !before.get(f).equals(after.get(f))).toList());
        assertEquals(before.keySet(), after.keySet(), "files made or removed");
        assertTrue(changed.size() <= 1 && changed.stream().allMatch(f -> f.contains("/special/")), "changed: " + changed);
    }

    @Test
    void withoutTheCallersWordEveryFullRecordIsWrittenAgain() throws IOException {
        VolumeRestorer.Prepared pr = VolumeRestorer.prepare(dst, VID, COOKIE, true, new ByteArrayInputStream(full),
            VolumeRestorer.HeaderCheck.NONE, 3);
        assertNotEquals(VolumeRestorer.NO_STAGING, pr.stagingId);
        assertEquals(vnodes, pr.applied.restored);
        assertEquals(0, pr.applied.unchanged);
    }

    @Test
    void aNewAttributeAtTheSameVersionRewritesTheRecordAroundTheSameFile() throws IOException {
        int vn;
        byte[] stream;
        try (Volume v = src.openVolume(VID)) {
            vn = VnodeClass.SMALL.vnodeNumber(1);
            VnodeDiskObject rec = v.readVnode(vn);
            assertTrue(rec.inode() != 0, "vnode " + vn + " has data");
            v.index(VnodeClass.SMALL).write(vn, rec.copy().modeBits(0600));
            v.index(VnodeClass.SMALL).fdatasync();
            stream = VolumeDumpRestoreTest.dump(v, 0, true);
        }
        long inode;
        try (Volume d = dst.openVolume(VID)) {
            inode = d.readVnode(vn).inode();
        }
        VolumeRestorer.Result r = VolumeRestorer.restore(dst, VID, COOKIE, true, new ByteArrayInputStream(stream),
            CONTINUES);
        assertEquals(1, r.vnodesRestored());
        assertEquals(vnodes - 1, r.vnodesUnchanged());
        assertEquals(0, r.dataBytes());
        try (Volume s = src.openVolume(VID); Volume d = dst.openVolume(VID)) {
            DumpTestSupport.assertSameVnodes(s, d);
            assertEquals(0600, d.readVnode(vn).modeBits());
            assertEquals(inode, d.readVnode(vn).inode(), "the same data file");
        }
        DumpTestSupport.assertNoJournal(dst, "journal left");
    }

    /**
     * A stream whose data version of a kept vnode changes after the data item (no OpenAFS writer
     * puts anything after the data; a hostile one could): the data was skipped, so the stream is
     * refused as malformed and the target stays exactly as it was.
     */
    @Test
    void aVersionChangedAfterTheDataIsRefusedAndTheTargetUntouched() throws IOException {
        boolean[] tampered = {false};
        byte[] stream = DumpTestSupport.copyStream(full, (w, bo, index, dv, data) -> {
            if (data != null && !tampered[0] && dv.dataLength() > 0) {
                tampered[0] = true;
                w.flush();
                int other = dv.dataVersion() + 1;
                bo.write(new byte[] {'v', (byte) (other >>> 24), (byte) (other >>> 16), (byte) (other >>> 8),
                    (byte) other});
            }
        });
        assertTrue(tampered[0]);
        Map<String, String> before = snapshot(dst.path());
        DumpFormatException e = assertThrows(DumpFormatException.class, () -> VolumeRestorer.restore(dst, VID,
            COOKIE, true, new ByteArrayInputStream(stream), CONTINUES));
        assertTrue(e.getMessage().contains("after its data"), e.getMessage());
        assertEquals(before, snapshot(dst.path()));
        DumpTestSupport.assertNoJournal(dst, "journal left");
    }
}
