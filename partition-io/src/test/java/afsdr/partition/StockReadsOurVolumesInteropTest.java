package afsdr.partition;

import afsdr.realcell.SalvageLog;
import afsdr.realcell.RealDiskTempDirs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Volumes written by partition-io, read by the stock 1.8.9 volinfo and checked by the stock
 * salvager (whole partition, -nowrite -force: a single-volume salvage wants a fileserver, G22).
 * No cell needed: the tools run in a private mount namespace with our folder on /vicepa.
 */
@Tag("interop")
class StockReadsOurVolumesInteropTest {
    @TempDir(factory = RealDiskTempDirs.class)
    Path tmp;

    static void assertSalvagerFindsNoDamage(Path pdir, Path scratch, List<String> expectedSummaries) throws Exception {
        Files.deleteIfExists(scratch.resolve("logs/SalvageLog"));
        StockTools.Result sv = StockTools.run(pdir, scratch, "/usr/lib/openafs/salvager", "-partition", "/vicepa",
            "-nowrite", "-force");
        String log = StockTools.salvageLog(scratch);
        assertEquals(0, sv.exitCode(), sv.output() + log);
        assertEquals(List.of(), SalvageLog.complaints(log), log);
        for (String s : expectedSummaries) {
            assertTrue(log.contains(s), "salvage log lacks '" + s + "':\n" + log + "\noutput:\n" + sv.output());
        }
    }

    @Test
    void volinfoAndSalvagerAcceptOurVolumeAndItsClone() throws Exception {
        assumeTrue(StockTools.available(), "stock OpenAFS tools installed");
        Path pdir = tmp.resolve("vicepa");
        Path scratch = tmp.resolve("scratch");
        NameiPartition part = TestVolumes.partition(pdir);
        TestVolumes tv = new TestVolumes();
        VolumeDiskData d;
        try (Volume v = tv.fill(part, 536870912, "t.ours", 400, 11)) {
            d = v.readDiskData();
        }
        StockTools.Result vi = StockTools.run(pdir, scratch, "volinfo", "-part", "/vicepa", "-volumeid", "536870912",
            "-vnode", "-header");
        assertEquals(0, vi.exitCode(), vi.output());
        String out = vi.output();
        for (String magic : new String[] {"78a1b2c5", "99776655", "88664433", "99877712"}) {
            assertTrue(out.contains("Good magic " + magic + " and version 1"), out);
        }
        assertTrue(out.contains("Volume header for volume 536870912 (t.ours)"), out);
        assertTrue(out.contains("inUse = 0, inService = 1, blessed = 1, needsSalvaged = 0"), out);
        assertTrue(out.contains("filecount = " + d.filecount() + ", diskused = " + d.diskused()), out);
        // every vnode we wrote is listed by volinfo with our uniquifier, length and link count
        try (Volume v = part.openVolume(536870912)) {
            for (VnodeClass c : VnodeClass.values()) {
                v.index(c).forEach((vn, rec) -> assertTrue(out.contains("Vnode " + vn + "." + rec.uniquifier() + "."
                    + rec.dataVersion() + " cloned: 0, length: " + rec.length() + " linkCount: " + rec.linkCount()
                    + " parent: " + rec.parent()), "vnode " + vn + " " + rec));
            }
        }
        assertSalvagerFindsNoDamage(pdir, scratch, List.of("It would have Salvaged t.ours (536870912): "
            + d.filecount() + " files, " + d.diskused() + " blocks"));

        // a read-only clone sharing all data, then a second RW volume on the same partition
        part.cloneVolume(536870912, 536870913, x -> x.type(VolumeDiskData.RO).name("t.ours.readonly")
            .destroyMe(0).inService(true)).close();
        new TestVolumes().fill(part, 536870920, "t.other", 5, 12).close();
        assertSalvagerFindsNoDamage(pdir, scratch, List.of("CHECKING CLONED VOLUME 536870913(READONLY mode).",
            "It would have Salvaged t.ours (536870912): " + d.filecount() + " files",
            "It would have Salvaged t.other (536870920)"));

        // change the RW and reclone: still clean
        try (Volume v = part.openVolume(536870912)) {
            VolumeTree t = new VolumeTree(v);
            t.remove(1, "small0");
            t.createFile(1, "small0", "replaced".getBytes());
            t.flush();
            tv.files.put("small0", "replaced".getBytes());
            d = v.readDiskData();
        }
        part.recloneVolume(536870912, 536870913, null);
        assertSalvagerFindsNoDamage(pdir, scratch, List.of("CHECKING CLONED VOLUME 536870913(READONLY mode).",
            "It would have Salvaged t.ours (536870912): " + d.filecount() + " files"));

        // delete the RW: the clone keeps every file (link counts), still clean for the salvager
        part.deleteVolume(536870912);
        try (Volume c = part.openVolume(536870913)) {
            VolumeRoundTripTest.assertSameContent(tv, VolumeReader.read(c));
        }
        // the group has no RW any more: the clone is only checked, with all data inodes still present
        assertSalvagerFindsNoDamage(pdir, scratch, List.of("CHECKING CLONED VOLUME 536870913(READONLY mode).",
            "totalInodes " + (d.filecount() + 4)));
    }
}
