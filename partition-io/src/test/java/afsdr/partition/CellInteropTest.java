package afsdr.partition;

import afsdr.realcell.RealDiskTempDirs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import afsdr.nativeio.JnrPosix;
import afsdr.partition.dir.AfsDirectory;
import afsdr.partition.dir.DirEntry;
import afsdr.realcell.ExecResult;
import afsdr.realcell.RealCell;

/**
 * Interop with a stock OpenAFS 1.8.9 cell (RealCell): what the stock volserver writes, we read;
 * what we write, stock voldump dumps and a stock fileserver+volserver attach.
 */
@Tag("interop")
class CellInteropTest {
    private static RealCell cell;

    @TempDir(factory = RealDiskTempDirs.class)
    Path tmp;

    @BeforeAll
    static void up() {
        cell = RealCell.shared();
    }

    private static int volumeId(String name) {
        ExecResult r = cell.vos("examine", name, "-noauth").orFail();
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + "\\s+(\\d+)\\s", Pattern.MULTILINE).matcher(r.stdout());
        assertTrue(m.find(), r.toString());
        return (int) Long.parseLong(m.group(1));
    }

    private static NameiPartition fs1a() throws IOException {
        return NameiPartition.open(JnrPosix.get(), cell.partitionDir(RealCell.FS1, "a"), "/vicepa");
    }

    /** Every vnode of {@code restored} equals the source's: fields the dump carries, ACLs, bytes. */
    static void assertSameVnodes(Volume source, Volume restored) throws IOException {
        for (VnodeClass c : VnodeClass.values()) {
            int[] n = {0};
            source.index(c).forEach((vn, s) -> {
                n[0]++;
                VnodeDiskObject r = restored.readVnode(vn);
                String what = "vnode " + vn + " " + s + " vs " + r;
                assertEquals(s.type(), r.type(), what);
                assertEquals(s.uniquifier(), r.uniquifier(), what);
                assertEquals(s.linkCount(), r.linkCount(), what);
                assertEquals(s.dataVersion(), r.dataVersion(), what);
                assertEquals(s.modeBits(), r.modeBits(), what);
                assertEquals(s.parent(), r.parent(), what);
                assertEquals(s.length(), r.length(), what);
                assertEquals(s.unixModifyTime(), r.unixModifyTime(), what);
                assertEquals(s.serverModifyTime(), r.serverModifyTime(), what);
                assertEquals(s.owner(), r.owner(), what);
                assertEquals(s.group(), r.group(), what);
                if (c == VnodeClass.LARGE) {
                    assertEquals(s.acl(what), r.acl(what), what);
                }
                assertArrayEquals(source.readData(vn, s), restored.readData(vn, r), what);
            });
            int[] m = {0};
            restored.index(c).forEach((vn, r) -> m[0]++);
            assertEquals(n[0], m[0], c + " vnode count");
        }
    }

    @Test
    void weReadWhatTheStockVolserverWrote() throws Exception {
        // content chosen by us, loaded into fs1 by stock `vos restore` from a dump we generate
        NameiPartition mine = TestVolumes.partition(tmp.resolve("vicepa"));
        TestVolumes tv = new TestVolumes();
        Path dump = cell.stateDir().resolve("storage-fromjava.dump");
        try (Volume src = tv.fill(mine, 536871000, "t.fromjava", 800, 21); OutputStream o = Files.newOutputStream(dump)) {
            new DumpWriter(o).dump(src);
        }
        cell.vos("restore", cell.host(RealCell.FS1), "a", "t.fromjava", "-file", dump.toString(), "-noauth").orFail();
        cell.vos("create", cell.host(RealCell.FS1), "a", "t.stockempty", "-noauth").orFail();
        try {
            int id = volumeId("t.fromjava");
            try (Volume src = mine.openVolume(536871000); Volume got = fs1a().openVolume(id)) {
                VolumeDiskData d = got.readDiskData();
                assertEquals("t.fromjava", d.name());
                assertEquals(id, d.id());
                assertEquals(src.readDiskData().filecount(), d.filecount());
                assertEquals(src.readDiskData().diskused(), d.diskused());
                VolumeRoundTripTest.assertSameContent(tv, VolumeReader.read(got));
                assertSameVnodes(src, got);
            }
            // a volume made by `vos create`: root directory as CreateVolume makes it (volser.md §6)
            int eid = volumeId("t.stockempty");
            try (Volume e = fs1a().openVolume(eid)) {
                VolumeDiskData d = e.readDiskData();
                assertEquals("t.stockempty", d.name());
                assertEquals(5000, d.maxquota());
                assertTrue(d.isOnlineable());
                VnodeDiskObject root = e.readVnode(1);
                assertEquals(VnodeDiskObject.TYPE_DIRECTORY, root.type());
                assertEquals(1, root.uniquifier());
                assertEquals(2, root.linkCount());
                assertEquals(0777, root.modeBits());
                assertEquals(AccessList.defaultRoot(), root.acl("root"));
                AfsDirectory dir = e.readDirectory(1);
                assertEquals(List.of(".", ".."), dir.entries().stream().map(DirEntry::name).sorted().toList());
                // byte for byte what our makeDir produces for the same fids
                assertArrayEquals(AfsDirectory.makeDir(1, 1, 1, 1).toBytes(), e.readData(1, root));
                // and the rest of the volume info as our CreateVolume equivalent writes it
                NameiPartition mine2 = TestVolumes.partition(tmp.resolve("vicepb"));
                try (Volume ours = VolumeTree.createVolumeWithRoot(mine2, eid, eid, "t.stockempty", VolumeDiskData.RW)) {
                    VolumeDiskData o = ours.readDiskData();
                    assertEquals(d.filecount(), o.filecount(), "filecount");
                    assertEquals(d.diskused(), o.diskused(), "diskused");
                    // (uniquifier not compared: the stock fileserver reserves 200 more when it attaches)
                    assertEquals(d.type(), o.type());
                    assertEquals(d.parentId(), o.parentId());
                    VnodeDiskObject or = ours.readVnode(1);
                    assertEquals(root.dataVersion(), or.dataVersion());
                    assertEquals(root.length(), or.length());
                    assertEquals(root.parent(), or.parent());
                    assertEquals(root.owner(), or.owner());
                    assertArrayEquals(root.aclBytes(), or.aclBytes(), "ACL bytes on disk");
                }
            }
        } finally {
            cell.vos("remove", "-id", "t.fromjava", "-noauth");
            cell.vos("remove", "-id", "t.stockempty", "-noauth");
            Files.deleteIfExists(dump);
        }
    }

    @Test
    void stockVoldumpAndStockServersReadWhatWeWrote() throws Exception {
        Path j1a = cell.partitionDir(RealCell.J1, "a");
        NameiPartition part = NameiPartition.open(JnrPosix.get(), j1a, "/vicepa");
        TestVolumes tv = new TestVolumes();
        int id = 536871010;
        tv.fill(part, id, "t.ours.j1", 600, 31).close();
        Path dump = cell.stateDir().resolve("storage-voldump.dump");
        Path vosDump = cell.stateDir().resolve("storage-vosdump.dump");
        Process fs = null;
        Process vs = null;
        try {
            cell.run(RealCell.J1, "voldump", "-part", "/vicepa", "-volumeid", Integer.toString(id), "-file",
                dump.toString()).orFail();
            cell.vos("restore", cell.host(RealCell.FS1), "a", "t.viavoldump", "-file", dump.toString(), "-noauth")
                .orFail();
            try (Volume got = fs1a().openVolume(volumeId("t.viavoldump")); Volume src = part.openVolume(id)) {
                VolumeRoundTripTest.assertSameContent(tv, VolumeReader.read(got));
                assertSameVnodes(src, got);
            }
            // a stock fileserver + volserver on j1 attach our partition and serve our volume
            fs = cell.startDaemon(RealCell.J1, "fileserver", "/usr/lib/openafs/fileserver", "-rxbind");
            vs = cell.startDaemon(RealCell.J1, "volserver", "/usr/lib/openafs/volserver", "-rxbind", "-log");
            ExecResult lv = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < deadline) {
                lv = cell.vos("listvol", cell.host(RealCell.J1), "a", "-noauth");
                if (lv.ok() && lv.stdout().contains("t.ours.j1")) {
                    break;
                }
                Thread.sleep(1000);
            }
            assertNotNull(lv);
            assertTrue(lv.stdout().contains("t.ours.j1") && lv.stdout().contains(id + " RW"), lv.toString());
            assertTrue(lv.stdout().matches("(?s).*t\\.ours\\.j1\\s+" + id + " RW\\s+\\d+ K On-line.*"), lv.toString());
            cell.vos("syncvldb", "-server", cell.host(RealCell.J1), "-partition", "a", "-noauth").orFail();
            ExecResult ex = cell.vos("examine", "t.ours.j1", "-noauth").orFail();
            assertTrue(ex.stdout().contains("On-line"), ex.toString());
            assertTrue(ex.stdout().contains("t.ours.j1"), ex.toString());
            // the stock volserver dumps our volume (vos dump), and that dump restores to the same content
            cell.vos("dump", "-id", "t.ours.j1", "-file", vosDump.toString(), "-noauth").orFail();
            cell.vos("restore", cell.host(RealCell.FS1), "a", "t.viavosdump", "-file", vosDump.toString(), "-noauth")
                .orFail();
            try (Volume got = fs1a().openVolume(volumeId("t.viavosdump"))) {
                VolumeRoundTripTest.assertSameContent(tv, VolumeReader.read(got));
            }
        } finally {
            if (vs != null) {
                cell.stopDaemon(vs);
            }
            if (fs != null) {
                cell.stopDaemon(fs);
            }
            cell.vos("remove", "-id", "t.viavoldump", "-noauth");
            cell.vos("remove", "-id", "t.viavosdump", "-noauth");
            cell.vos("delentry", "-id", "t.ours.j1", "-noauth");
            Files.deleteIfExists(dump);
            Files.deleteIfExists(vosDump);
        }
    }
}
