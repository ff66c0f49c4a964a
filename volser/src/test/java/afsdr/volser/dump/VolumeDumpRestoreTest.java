package afsdr.volser.dump;

import static afsdr.volser.dump.DumpTestSupport.assertBytesEqual;
import static afsdr.volser.dump.DumpTestSupport.assertSameVnodes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import afsdr.partition.NameiPartition;
import afsdr.realcell.RealDiskTempDirs;
import afsdr.partition.VnodeClass;
import afsdr.partition.Volume;
import afsdr.partition.VolumeDiskData;
import afsdr.partition.VolumeTree;
import afsdr.volser.wire.RestoreCookie;

/** VolumeDumper and VolumeRestorer over real partition-io volumes. */
class VolumeDumpRestoreTest {
    static final int VID = 536870912;

    @TempDir(factory = RealDiskTempDirs.class)
    Path tmp;

    static byte[] dump(Volume v, int from, boolean allDirs) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        long n = VolumeDumper.dump(v, from, allDirs, bo);
        assertEquals(bo.size(), n);
        return bo.toByteArray();
    }

    /** As vos restore to a new volume: CreateVolume(parent == id, so no root directory) then Restore. */
    static Volume emptyTarget(NameiPartition p, int id) throws IOException {
        return p.createVolume(id, id, d -> d.name("t.new").type(VolumeDiskData.RW).blessed(true).uniquifier(1));
    }

    static RestoreCookie cookie(String name) {
        return new RestoreCookie(name, VolumeDiskData.RW, 0, 0);
    }

    @Test
    void fullDumpRestoresToAnIdenticalVolumeAndRedumpsByteForByte() throws IOException {
        NameiPartition a = DumpTestSupport.partition(tmp.resolve("a"));
        NameiPartition b = DumpTestSupport.partition(tmp.resolve("b"));
        try (Volume src = DumpTestSupport.build(a, VID, "t.src", 1, 12, 300_000)) {
            byte[] full = dump(src, 0, true);
            assertEquals(full.length, VolumeDumper.getSize(src, 0), "GetSize = length of the full dump");
            emptyTarget(b, VID).close();
            VolumeRestorer.Result res = VolumeRestorer.restore(b, VID, cookie("t.src"), false,
                new ByteArrayInputStream(full));
            assertEquals(full.length, res.streamBytes());
            assertEquals(0, res.vnodesDeleted());
            assertEquals(List.of(VID), b.listVolumeIds(), "no staging volume left");
            try (Volume dst = b.openVolume(VID)) {
                assertSameVnodes(src, dst);
                VolumeDiskData s = src.readDiskData();
                VolumeDiskData d = dst.readDiskData();
                assertEquals("t.src", d.name());
                assertEquals(s.uniquifier(), d.uniquifier());
                assertEquals(s.updateDate(), d.updateDate());
                assertEquals(s.creationDate(), d.creationDate());
                assertEquals(s.filecount(), d.filecount());
                assertEquals(s.diskused(), d.diskused());
                assertEquals("gone fishing", d.offlineMessage());
                assertEquals(0, d.destroyMe());
                assertTrue(d.inService() && d.blessed());
                // the restored volume dumps to exactly the same bytes
                assertBytesEqual(full, dump(dst, 0, true), "re-dump of the restored volume");
            }
        }
    }

    @Test
    void incrementalDumpCarriesCreatesChangesAndDeletes() throws IOException {
        NameiPartition a = DumpTestSupport.partition(tmp.resolve("a"));
        NameiPartition b = DumpTestSupport.partition(tmp.resolve("b"));
        try (Volume src = DumpTestSupport.build(a, VID, "t.src", 2, 8, 100_000)) {
            emptyTarget(b, VID).close();
            VolumeRestorer.restore(b, VID, cookie("t.src"), false, new ByteArrayInputStream(dump(src, 0, true)));
            // an RO clone of the target shares its files: the incremental must not change it
            b.cloneVolume(VID, VID + 1, d -> d.type(VolumeDiskData.RO).name("t.src.readonly")).close();
            Map<Integer, String> cloneBefore;
            try (Volume ro = b.openVolume(VID + 1)) {
                cloneBefore = DumpTestSupport.describe(ro);
            }

            VolumeTree t = new VolumeTree(src);
            int changed = t.lookup(1, "small0").orElseThrow().vnode();
            t.remove(1, "small1");
            int sub = t.lookup(1, "sub").orElseThrow().vnode();
            t.createFile(sub, "new.txt", "new content".getBytes());
            t.flush();
            DumpTestSupport.rewrite(src, changed, "changed content".getBytes());

            int from = DumpTestSupport.OLD_TIME + 1;
            byte[] incr = dump(src, from, true);
            assertEquals(incr.length, VolumeDumper.getSize(src, from));
            byte[] forward = dump(src, from, false);
            assertTrue(forward.length < incr.length, "Forward omits unchanged directories");
            assertTrue(incr.length < 50_000, "unchanged files are header-only: " + incr.length);

            VolumeRestorer.Result res = VolumeRestorer.restore(b, VID, cookie("t.src"), true,
                new ByteArrayInputStream(forward));
            assertEquals(1, res.vnodesDeleted());
            try (Volume dst = b.openVolume(VID); Volume ro = b.openVolume(VID + 1)) {
                assertSameVnodes(src, dst);
                assertEquals(cloneBefore, DumpTestSupport.describe(ro));
                assertTrue(dst.readVnode(changed).dataVersion() > ro.readVnode(changed).dataVersion());
            }
            assertEquals(List.of(VID, VID + 1), b.listVolumeIds());
        }
    }

    @Test
    void headerComesFromDumpAndCookieStatsAndIdsFromTarget() throws IOException {
        NameiPartition a = DumpTestSupport.partition(tmp.resolve("a"));
        NameiPartition b = DumpTestSupport.partition(tmp.resolve("b"));
        try (Volume src = DumpTestSupport.build(a, VID, "t.src", 3, 1, 10)) {
            src.writeDiskData(src.readDiskData().cloneId(VID + 5).backupId(VID + 6).weekUse(1, 99).dayUse(5));
            byte[] full = dump(src, 0, true);
            int copyDate;
            try (Volume x = b.createVolume(VID + 9, VID + 9, d -> d.name("t.other").type(VolumeDiskData.RW)
                .weekUse(3, 33).dayUse(44).dayUseDate(55).restoredFromId(7))) {
                copyDate = x.readDiskData().copyDate();
            }
            RestoreCookie c = new RestoreCookie("t.renamed", VolumeDiskData.RO, VID + 20, VID + 30);
            VolumeDiskData d = VolumeRestorer.restore(b, VID + 9, c, false, new ByteArrayInputStream(full)).volumeInfo();
            assertEquals(d.encode().length, VolumeDiskData.SIZE);
            assertEquals(VID + 9, d.id());
            assertEquals(VID + 9, d.parentId(), "parentId stays the target's");
            assertEquals(copyDate, d.copyDate());
            assertEquals("t.renamed", d.name());
            assertEquals(VolumeDiskData.RO, d.type());
            assertEquals(VID + 20, d.cloneId());
            assertEquals(0, d.backupId(), "never dumped");
            assertEquals(0, d.restoredFromId(), "never dumped");
            assertEquals(33, d.weekUse(3), "target's stats kept");
            assertEquals(0, d.weekUse(1));
            assertEquals(44, d.dayUse());
            try (Volume x = b.openVolume(VID + 9)) {
                assertEquals(d.name(), x.readDiskData().name());
            }
            VolumeDiskData cleared = VolumeRestorer.restore(b, VID + 9, c, false, false,
                new ByteArrayInputStream(full)).volumeInfo();
            assertEquals(0, cleared.weekUse(3));
            assertEquals(0, cleared.dayUseDate());
        }
    }

    @Test
    void dumpRefusesAVnodeWhoseFileLengthDisagrees() throws IOException {
        NameiPartition a = DumpTestSupport.partition(tmp.resolve("a"));
        try (Volume src = DumpTestSupport.build(a, VID, "t.src", 4, 2, 10)) {
            int vn = new VolumeTree(src).lookup(1, "big.bin").orElseThrow().vnode();
            src.index(VnodeClass.SMALL).write(vn, src.readVnode(vn).copy().length(11));
            DumpException e = org.junit.jupiter.api.Assertions.assertThrows(DumpException.class,
                () -> dump(src, 0, true));
            assertEquals(DumpException.VOLSERREAD_DUMPERROR, e.volserCode());
            assertTrue(e.getMessage().contains("vnode " + vn), e.getMessage());
        }
    }
}
