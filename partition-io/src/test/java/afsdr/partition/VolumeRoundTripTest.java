package afsdr.partition;

import afsdr.realcell.RealDiskTempDirs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import afsdr.nativeio.FileStat;
import afsdr.nativeio.JnrPosix;

class VolumeRoundTripTest {
    @TempDir(factory = RealDiskTempDirs.class)
    Path tmp;

    static void assertSameContent(TestVolumes expected, VolumeReader got) {
        assertEquals(expected.files.keySet(), got.files.keySet());
        for (Map.Entry<String, byte[]> e : expected.files.entrySet()) {
            assertArrayEquals(e.getValue(), got.files.get(e.getKey()), e.getKey());
        }
        assertEquals(expected.links, got.links);
        assertEquals(expected.dirs, got.dirs);
    }

    @Test
    void sequentialStreamsReadWhatWasWrittenAndShareTheirBufferOnlyOneAtATime() throws Exception {
        NameiPartition part = TestVolumes.partition(tmp.resolve("vicepa"));
        java.util.Random r = new java.util.Random(11);
        byte[][] data = {new byte[3 * Volume.IO_CHUNK + 17], new byte[4096], new byte[0], new byte[1000]};
        for (byte[] d : data) {
            r.nextBytes(d);
        }
        try (Volume v = VolumeTree.createVolumeWithRoot(part, 536870912, 536870912, "t.seq", VolumeDiskData.RW)) {
            VolumeTree t = new VolumeTree(v);
            int[] vn = new int[data.length];
            for (int i = 0; i < data.length; i++) {
                vn[i] = t.createFile(1, "f" + i, data[i]);
            }
            t.flush();
            // one after the other (the volume's buffer is lent and given back each time)
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < data.length; i++) {
                    try (java.io.InputStream in = v.openDataSequential(vn[i], v.readVnode(vn[i]))) {
                        assertArrayEquals(data[i], in.readAllBytes(), "file " + i + " round " + round);
                    }
                }
            }
            // two open at once, read interleaved: the second has a buffer of its own
            try (java.io.InputStream a = v.openDataSequential(vn[0], v.readVnode(vn[0]));
                 java.io.InputStream b = v.openDataSequential(vn[3], v.readVnode(vn[3]))) {
                java.io.ByteArrayOutputStream ga = new java.io.ByteArrayOutputStream();
                java.io.ByteArrayOutputStream gb = new java.io.ByteArrayOutputStream();
                byte[] chunk = new byte[700];
                int na = 0;
                int nb = 0;
                while (na >= 0 || nb >= 0) {
                    if (na >= 0 && (na = a.read(chunk)) > 0) {
                        ga.write(chunk, 0, na);
                    }
                    if (nb >= 0 && (nb = b.read(chunk)) > 0) {
                        gb.write(chunk, 0, nb);
                    }
                }
                assertArrayEquals(data[0], ga.toByteArray());
                assertArrayEquals(data[3], gb.toByteArray());
            }
            // the length check of openData holds for sequential streams too
            VnodeDiskObject wrong = v.readVnode(vn[1]).copy().length(4095);
            assertThrows(VolumeFormatException.class, () -> v.openDataSequential(vn[1], wrong));
            try (java.io.InputStream in = v.openDataSequential(vn[1], v.readVnode(vn[1]))) {
                assertArrayEquals(data[1], in.readAllBytes(), "after a refused open");
            }
        }
    }

    @Test
    void createFillReopenAndReadBackEverything() throws Exception {
        Path pdir = tmp.resolve("vicepa");
        NameiPartition part = TestVolumes.partition(pdir);
        TestVolumes tv = new TestVolumes();
        try (Volume v = tv.fill(part, 536870912, "t.all", 300, 1)) {
            assertEquals(536870912, v.id());
        }
        NameiPartition again = NameiPartition.open(JnrPosix.get(), pdir, "/vicepa");
        assertEquals(List.of(536870912), again.listVolumeIds());
        try (Volume v = again.openVolume(536870912)) {
            VolumeDiskData d = v.readDiskData();
            assertEquals("t.all", d.name());
            assertTrue(d.isOnlineable());
            assertSameContent(tv, VolumeReader.read(v));
            int big = v.readDirectory(1).lookup("large.bin").orElseThrow().vnode();
            java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();
            assertEquals(tv.files.get("large.bin").length, v.transferData(big, v.readVnode(big),
                java.nio.channels.Channels.newChannel(sink)));
            assertArrayEquals(tv.files.get("large.bin"), sink.toByteArray());
            int[] count = {0};
            long[] blocks = {0};
            for (VnodeClass c : VnodeClass.values()) {
                v.index(c).forEach((vn, rec) -> {
                    count[0]++;
                    blocks[0] += VolumeTree.blocks(rec.length());
                    FileStat st = JnrPosix.get().lstat(v.dataPath(rec.inode()));
                    int[] ogm = NameiInode.ogm(rec.dataVersion(), NameiInode.tag(rec.inode()));
                    // OGM carries the dataVersion at creation (directories are rewritten with theirs)
                    assertEquals(ogm[0], st.uid(), "uid of vnode " + vn);
                    assertEquals(ogm[2], st.permissions(), "mode of vnode " + vn);
                    assertEquals(1, v.linkTable().count(vn, NameiInode.tag(rec.inode())));
                });
            }
            assertEquals(count[0], d.filecount());
            assertEquals(blocks[0], d.diskused());
        }
        // namei file names and modes on disk
        Path special = pdir.resolve("AFSIDat/+/++++U/special");
        assertTrue(Files.exists(special.resolve("zzzz5+++++0")), "volinfo special file");
        assertTrue(Files.exists(special.resolve("zzzzP+++++0")), "link table");
        assertEquals(76, Files.size(pdir.resolve("V0536870912.vol")));
        assertEquals(552, Files.size(special.resolve("zzzz5+++++0")));
    }

    @Test
    void bigDirectoryOverManyPagesReadsBack() throws Exception {
        NameiPartition part = TestVolumes.partition(tmp.resolve("vicepa"));
        TestVolumes tv = new TestVolumes();
        try (Volume v = tv.fill(part, 536870920, "t.bigdir", 2500, 2)) {
            VolumeReader r = VolumeReader.read(v);
            assertSameContent(tv, r);
            int bigdir = v.readDirectory(1).lookup("bigdir").orElseThrow().vnode();
            assertTrue(v.readDirectory(bigdir).pageCount() > 128, "pages " + v.readDirectory(bigdir).pageCount());
        }
    }

    @Test
    void removeNamesFreesVnodesAndData() throws Exception {
        NameiPartition part = TestVolumes.partition(tmp.resolve("vicepa"));
        TestVolumes tv = new TestVolumes();
        try (Volume v = tv.fill(part, 536870930, "t.rm", 10, 3)) {
            VolumeTree t = new VolumeTree(v);
            int vn = t.lookup(1, "large.bin").orElseThrow().vnode();
            String data = v.dataPath(v.readVnode(vn).inode());
            assertTrue(Files.exists(Path.of(data)));
            t.remove(1, "large.bin");
            assertFalse(Files.exists(Path.of(data)));
            assertTrue(v.readVnode(vn).isFree());
            assertThrows(java.io.IOException.class, () -> t.remove(1, "sub"), "not empty");
            t.remove(t.lookup(1, "sub").orElseThrow().vnode(), "inner.txt");
            t.flush();
            tv.files.remove("large.bin");
            tv.files.remove("sub/inner.txt");
            assertSameContent(tv, VolumeReader.read(v));
        }
    }

    @Test
    void deleteVolumeRemovesEverything() throws Exception {
        Path pdir = tmp.resolve("vicepa");
        NameiPartition part = TestVolumes.partition(pdir);
        new TestVolumes().fill(part, 536870940, "t.del", 5, 4).close();
        part.deleteVolume(536870940);
        assertEquals(List.of(), part.listVolumeIds());
        assertTrue(Files.exists(pdir.resolve(NameiInode.groupDir(536870940L))) == false, "group directory removed");
        assertTrue(Files.exists(pdir.resolve("AFSIDat/README")));
        assertThrows(NoSuchVolumeException.class, () -> part.openVolume(536870940));
    }
}
