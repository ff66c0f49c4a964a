package afsdr.partition;

import afsdr.realcell.RealDiskTempDirs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import afsdr.nativeio.Errno;
import afsdr.nativeio.JnrPosix;
import afsdr.nativeio.NativeIoException;

class PartitionTest {
    @TempDir(factory = RealDiskTempDirs.class)
    Path tmp;

    @Test
    void discoveryFollowsAlwaysAttachNeverAttachAndMounts() throws Exception {
        Path root = tmp.resolve("root");
        for (String d : new String[] {"vicepa", "vicepb", "vicepc", "vicepd", "vicepiv", "vicepaa", "other"}) {
            Files.createDirectories(root.resolve(d));
        }
        Files.writeString(root.resolve("vicepa/AlwaysAttach"), "");
        Files.writeString(root.resolve("vicepc/AlwaysAttach"), "");
        Files.writeString(root.resolve("vicepc/NeverAttach"), "");
        Files.writeString(root.resolve("vicepiv/AlwaysAttach"), "");
        Files.writeString(root.resolve("vicepaa/AlwaysAttach"), "");
        Path mounts = tmp.resolve("mounts");
        Files.writeString(mounts, "/dev/vdb " + root.resolve("vicepd") + " ext4 rw 0 0\n"
            + "/dev/vdc /elsewhere/vicepe ext4 rw 0 0\nproc /proc proc rw 0 0\n");
        List<VicePartition> found = new PartitionDiscovery(root, mounts).discover();
        assertEquals(List.of("/vicepa", "/vicepd", "/vicepaa"), found.stream().map(VicePartition::name).toList());
        assertEquals("", found.get(0).device());
        assertEquals("/dev/vdb", found.get(1).device());
        assertEquals(26, found.get(2).id());
        NameiPartition p = NameiPartition.open(JnrPosix.get(), found.get(0));
        assertTrue(p.usage().totalBytes() > 0);
        assertEquals(0, p.partitionId());
    }

    @Test
    void partitionLockExcludesASecondHolder() throws Exception {
        NameiPartition p = TestVolumes.partition(tmp.resolve("vicepa"));
        try (PartitionLock l = p.lock(false)) {
            assertNotNull(l);
            assertNull(p.lock(false), "flock is per open file: a second holder is refused");
        }
        try (PartitionLock again = p.lock(false)) {
            assertNotNull(again);
        }
    }

    @Test
    void linkTableTagsAndLimits() throws Exception {
        NameiPartition p = TestVolumes.partition(tmp.resolve("vicepa"));
        try (Volume v = p.createVolume(536870912, 536870912, null)) {
            LinkTable lt = v.linkTable();
            assertEquals(1, lt.count(0, 0), "row 0 counts the volumes using the table");
            for (int t = 0; t < NameiInode.MAX_TAGS; t++) {
                assertEquals(t, lt.allocateTag(77));
            }
            assertEquals(Errno.ENOSPC, assertThrows(NativeIoException.class, () -> lt.allocateTag(77)).errno());
            for (int i = 1; i < LinkTable.MAX_COUNT; i++) {
                lt.adjust(77, 2, 1);
            }
            assertEquals(Errno.EINVAL, assertThrows(NativeIoException.class, () -> lt.adjust(77, 2, 1)).errno());
            assertArrayEquals(new int[] {1, 1, 7, 1, 1}, lt.row(77));
            assertEquals(0, lt.count(100000, 0), "rows past the end read as 0");
        }
        assertThrows(VolumeExistsException.class, () -> p.createVolume(536870912, 536870912, null));
    }

    @Test
    void bulkTagClaimsMatchRowByRow() throws Exception {
        NameiPartition p = TestVolumes.partition(tmp.resolve("vicepa"));
        try (Volume a = p.createVolume(536870912, 536870912, null);
             Volume b = p.createVolume(536870915, 536870915, null)) {
            // spans two bulk chunks, out of order, a vnode three times, rows with tags taken before
            int[] vnodes = new int[40];
            java.util.Random r = new java.util.Random(11);
            for (int i = 0; i < vnodes.length; i++) {
                vnodes[i] = 2 + 2 * r.nextInt(LinkTable.BULK_ROWS);
            }
            vnodes[7] = vnodes[3];
            vnodes[30] = vnodes[3];
            for (Volume v : new Volume[] {a, b}) {
                v.linkTable().allocateTag(vnodes[10]);
                v.linkTable().adjust(vnodes[11], 0, 1);
                v.linkTable().adjust(vnodes[11], 1, 1);
            }
            int[] bulk = a.linkTable().allocateTags(vnodes, vnodes.length);
            int[] one = new int[vnodes.length];
            for (int i = 0; i < vnodes.length; i++) {
                one[i] = b.linkTable().allocateTag(vnodes[i]);
            }
            for (int i = 0; i < vnodes.length; i++) {
                assertArrayEquals(b.linkTable().row(vnodes[i]), a.linkTable().row(vnodes[i]), "row " + vnodes[i]);
            }
            assertArrayEquals(one, bulk, "the same tags, in the order given");
            assertEquals(List.of(0, 1, 2), List.of(bulk[3], bulk[7], bulk[30]), "a vnode given three times gets three tags");
            assertEquals(2, bulk[11]);
        }
    }

    @Test
    void bulkTagClaimIsAllOrNothing() throws Exception {
        NameiPartition p = TestVolumes.partition(tmp.resolve("vicepa"));
        try (Volume v = p.createVolume(536870912, 536870912, null)) {
            LinkTable lt = v.linkTable();
            for (int t = 0; t < NameiInode.MAX_TAGS; t++) {
                lt.allocateTag(78); // held by this JVM: reclaim cannot free them
            }
            int held = p.groupLock(536870912).heldCount();
            int[] vnodes = {4, 78, 6, 4};
            assertEquals(Errno.ENOSPC, assertThrows(NativeIoException.class, () -> lt.allocateTags(vnodes, 4)).errno());
            assertArrayEquals(new int[] {0, 0, 0, 0, 0}, lt.row(4), "tags claimed before the full row are given back");
            assertArrayEquals(new int[] {0, 0, 0, 0, 0}, lt.row(6));
            assertArrayEquals(new int[] {1, 1, 1, 1, 1}, lt.row(78));
            assertEquals(held, p.groupLock(536870912).heldCount(), "no hold left behind");
        }
    }

    @Test
    void bulkLinkTableAdjustMatchesRowByRow() throws Exception {
        NameiPartition p = TestVolumes.partition(tmp.resolve("vicepa"));
        try (Volume a = p.createVolume(536870912, 536870912, null);
             Volume b = p.createVolume(536870915, 536870915, null)) {
            // spans two bulk chunks, repeats a (vnode, tag), includes a row past the table's end and a 0
            long[] inos = new long[64];
            java.util.Random r = new java.util.Random(7);
            for (int i = 0; i < inos.length - 3; i++) {
                inos[i] = NameiInode.regular(2 + r.nextInt(3 * LinkTable.BULK_ROWS), r.nextInt(NameiInode.MAX_TAGS), i);
            }
            inos[61] = inos[5];
            inos[62] = 0;
            inos[63] = NameiInode.regular(5 * LinkTable.BULK_ROWS, 4, 1);
            int[] bulk = a.linkTable().adjustAll(inos, inos.length, 1);
            for (int i = 0; i < inos.length; i++) {
                if (inos[i] != 0) {
                    b.linkTable().adjust(NameiInode.vnode(inos[i]), NameiInode.tag(inos[i]), 1);
                }
            }
            for (int i = 0; i < inos.length; i++) {
                if (inos[i] == 0) {
                    assertEquals(0, bulk[i]);
                    continue;
                }
                int vn = NameiInode.vnode(inos[i]);
                assertArrayEquals(b.linkTable().row(vn), a.linkTable().row(vn), "row " + vn);
                assertTrue(bulk[i] >= 1 && bulk[i] <= a.linkTable().count(vn, NameiInode.tag(inos[i])));
            }
            assertEquals(2, a.linkTable().count(NameiInode.vnode(inos[5]), NameiInode.tag(inos[5])),
                "an entry given twice counts twice");
            int[] back = a.linkTable().adjustAll(inos, inos.length, -1);
            for (int i = 0; i < inos.length; i++) {
                if (inos[i] != 0) {
                    assertEquals(0, a.linkTable().count(NameiInode.vnode(inos[i]), NameiInode.tag(inos[i])));
                    assertTrue(back[i] <= 1);
                }
            }
            // a counter that would go below 0: the entries before it (in row order) are applied, then EINVAL
            long[] under = {NameiInode.regular(10, 0, 1), NameiInode.regular(12, 1, 1)};
            a.linkTable().adjust(10, 0, 1);
            assertEquals(Errno.EINVAL,
                assertThrows(NativeIoException.class, () -> a.linkTable().adjustAll(under, 2, -1)).errno());
            assertEquals(0, a.linkTable().count(10, 0));
            assertEquals(0, a.linkTable().count(12, 1));
        }
    }

    @Test
    void bulkIndexWritesAndCopiesMatchSingleWrites() throws Exception {
        NameiPartition p = TestVolumes.partition(tmp.resolve("vicepa"));
        try (Volume a = p.createVolume(536870912, 536870912, null);
             Volume b = p.createVolume(536870915, 536870915, null)) {
            VnodeIndex ai = a.index(VnodeClass.SMALL);
            VnodeDiskObject[] run = new VnodeDiskObject[3];
            for (int i = 0; i < run.length; i++) {
                run[i] = VnodeDiskObject.blank(VnodeClass.SMALL).type(VnodeDiskObject.TYPE_FILE).linkCount(1)
                    .inode(NameiInode.regular(VnodeClass.SMALL.vnodeNumber(5 + i), 0, 1)).length(i);
            }
            assertArrayEquals(new long[] {0, 0, 0}, ai.writeSlots(5, run, 3));
            VnodeDiskObject replaced = run[1].copy().inode(NameiInode.regular(VnodeClass.SMALL.vnodeNumber(6), 1, 1));
            long[] old = ai.writeSlots(6, new VnodeDiskObject[] {replaced, VnodeDiskObject.blank(VnodeClass.SMALL)}, 2);
            assertArrayEquals(new long[] {run[1].inode(), run[2].inode()}, old, "the inodes the slots named before");
            assertArrayEquals(run[0].encode(), ai.read(VnodeClass.SMALL.vnodeNumber(5)).encode());
            assertArrayEquals(replaced.encode(), ai.read(VnodeClass.SMALL.vnodeNumber(6)).encode());
            assertTrue(ai.read(VnodeClass.SMALL.vnodeNumber(7)).isFree());
            // a copy through runs of in-use slots (a gap at slot 7, more than one write's worth after it)
            for (int s = 8; s < 8 + VnodeIndex.MAX_SLOTS_PER_WRITE + 10; s++) {
                ai.write(VnodeClass.SMALL.vnodeNumber(s), run[0].copy().length(s));
            }
            VnodeIndex bi = b.index(VnodeClass.SMALL);
            bi.copyFrom(ai, rec -> rec.copy().cloned(true));
            assertEquals(ai.slots(), bi.slots());
            for (int s = 0; s < ai.slots(); s++) {
                int vn = VnodeClass.SMALL.vnodeNumber(s);
                VnodeDiskObject x = ai.read(vn);
                if (x.isFree()) {
                    assertTrue(bi.read(vn).isFree(), "slot " + s);
                } else {
                    assertArrayEquals(x.copy().cloned(true).encode(), bi.read(vn).encode(), "slot " + s);
                }
            }
        }
    }

    @Test
    void clonesShareDataUntilTheLastReferenceGoes() throws Exception {
        Path pdir = tmp.resolve("vicepa");
        NameiPartition p = TestVolumes.partition(pdir);
        TestVolumes tv = new TestVolumes();
        tv.fill(p, 536870912, "t.rw", 10, 9).close();
        try (Volume ro = p.cloneVolume(536870912, 536870913, d -> d.type(VolumeDiskData.RO).name("t.rw.readonly")
            .destroyMe(0))) {
            assertEquals(536870912, ro.parentId());
            VolumeRoundTripTest.assertSameContent(tv, VolumeReader.read(ro));
        }
        String bigData;
        try (Volume rw = p.openVolume(536870912); Volume ro = p.openVolume(536870913)) {
            int vn = rw.readDirectory(1).lookup("large.bin").orElseThrow().vnode();
            VnodeDiskObject a = rw.readVnode(vn);
            VnodeDiskObject b = ro.readVnode(vn);
            assertEquals(a.inode(), b.inode(), "same data file");
            assertEquals(2, rw.linkTable().count(vn, NameiInode.tag(a.inode())));
            assertTrue(rw.readVnode(1).cloned(), "source directories are marked cloned");
            assertFalse(ro.readVnode(1).cloned());
            bigData = rw.dataPath(a.inode());
            // writing the RW never changes the clone: new content goes to a new data file
            VolumeTree t = new VolumeTree(rw);
            t.remove(1, "large.bin");
            t.flush();
            assertTrue(Files.exists(Path.of(bigData)), "clone still references it");
            assertEquals(1, rw.linkTable().count(vn, NameiInode.tag(a.inode())));
            VolumeRoundTripTest.assertSameContent(tv, VolumeReader.read(ro));
        }
        p.deleteVolume(536870912);
        try (Volume ro = p.openVolume(536870913)) {
            VolumeRoundTripTest.assertSameContent(tv, VolumeReader.read(ro));
        }
        p.deleteVolume(536870913);
        assertFalse(Files.exists(Path.of(bigData)));
        assertFalse(Files.exists(pdir.resolve(NameiInode.groupDir(536870912L))), "group directory removed");
        assertEquals(List.of(), p.listVolumeIds());
    }
    @Test
    void recloneBringsTheCloneUpToDateAndDropsStaleData() throws Exception {
        Path pdir = tmp.resolve("vicepa");
        NameiPartition p = TestVolumes.partition(pdir);
        TestVolumes tv = new TestVolumes();
        tv.fill(p, 536870912, "t.rw", 10, 19).close();
        p.cloneVolume(536870912, 536870914, d -> d.type(VolumeDiskData.BK).name("t.rw.backup").destroyMe(0)).close();
        String oldLarge;
        try (Volume rw = p.openVolume(536870912)) {
            VolumeTree t = new VolumeTree(rw);
            int vn = t.lookup(1, "large.bin").orElseThrow().vnode();
            oldLarge = rw.dataPath(rw.readVnode(vn).inode());
            t.remove(1, "large.bin");
            t.createFile(1, "new.txt", "after the first clone".getBytes());
            t.flush();
        }
        tv.files.remove("large.bin");
        tv.files.put("new.txt", "after the first clone".getBytes());
        assertTrue(Files.exists(Path.of(oldLarge)), "still referenced by the backup");
        p.recloneVolume(536870912, 536870914, null);
        assertFalse(Files.exists(Path.of(oldLarge)), "released when the backup stopped referencing it");
        try (Volume bk = p.openVolume(536870914); Volume rw = p.openVolume(536870912)) {
            VolumeRoundTripTest.assertSameContent(tv, VolumeReader.read(bk));
            assertEquals("t.rw.backup", bk.readDiskData().name());
            rw.index(VnodeClass.SMALL).forEach((vn, r) -> assertEquals(2, rw.linkTable().count(vn,
                NameiInode.tag(r.inode())), "vnode " + vn + " shared by RW and backup"));
        }
    }
}
