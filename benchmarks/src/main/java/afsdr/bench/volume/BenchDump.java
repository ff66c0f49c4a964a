package afsdr.bench.volume;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import afsdr.partition.AccessList;
import afsdr.partition.VnodeClass;
import afsdr.partition.VnodeDiskObject;
import afsdr.partition.VolumeDiskData;
import afsdr.partition.VolumeTree;
import afsdr.partition.dir.AfsDirectory;
import afsdr.volser.dump.DumpHeader;
import afsdr.volser.dump.DumpVnode;
import afsdr.volser.dump.DumpWriter;

/**
 * Writes the full dump of a synthetic volume straight through {@link DumpWriter}, without building
 * the volume on a partition first: a root directory holding {@code dirs} subdirectories, each with
 * {@code files / dirs} regular files of {@code fileSize} pseudo-random bytes. Restored with stock
 * {@code vos restore}, this is how the benchmark populates its source volumes.
 *
 * <p>Vnode numbering follows the volserver's (dump-format.md §5): directories are large vnodes
 * 1, 3, 5..., files small vnodes 2, 4, 6... Every vnode is dated an hour before the dump, so that an
 * incremental dump from "now" would send header-only records.
 */
final class BenchDump {
    /** Entries per directory that keep a directory well below BIG_MAX_PAGES with short names. */
    static final int MAX_PER_DIR = 2000;

    private BenchDump() {
    }

    /** What was written: the data the volume carries (file bytes and file count, directories excluded). */
    record Written(long dataBytes, int files, long streamBytes) {
    }

    static Written write(Path out, int volumeId, String name, int files, int fileSize, int dirs, long seed)
            throws IOException {
        if (dirs < 1 || files % dirs != 0 || files / dirs > MAX_PER_DIR) {
            throw new IllegalArgumentException(files + " files do not split into " + dirs + " directories of at most "
                + MAX_PER_DIR);
        }
        int perDir = files / dirs;
        int now = (int) (System.currentTimeMillis() / 1000);
        int then = now - 3600;
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] data = new byte[fileSize];
        // uniquifiers: root 1, then one per vnode in creation order
        int uniq = 2;
        int[] dirUniq = new int[dirs];
        int[] dirVnode = new int[dirs];
        for (int d = 0; d < dirs; d++) {
            dirVnode[d] = VnodeClass.LARGE.vnodeNumber(d + 1);
            dirUniq[d] = uniq++;
        }
        int firstFileUniq = uniq;
        uniq += files;
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out), 1 << 20)) {
            DumpWriter w = new DumpWriter(os);
            w.writeDumpHeader(DumpHeader.of(volumeId, name, 0, then));
            byte[] rootDir = rootDirectory(dirs, dirVnode, dirUniq);
            byte[][] subDirs = new byte[dirs][];
            for (int d = 0; d < dirs; d++) {
                subDirs[d] = subDirectory(d, perDir, dirVnode[d], dirUniq[d], firstFileUniq);
            }
            long blocks = VolumeTree.blocks(rootDir.length);
            for (byte[] s : subDirs) {
                blocks += VolumeTree.blocks(s.length);
            }
            blocks += (long) files * VolumeTree.blocks(fileSize);
            VolumeDiskData info = VolumeDiskData.blank().id(volumeId).parentId(volumeId).name(name)
                .type(VolumeDiskData.RW).uniquifier(uniq).inService(true).blessed(true).maxquota(0)
                .creationDate(then - 100).updateDate(then).accessDate(then).filecount(1 + dirs + files)
                .diskused((int) blocks);
            w.writeVolumeHeader(info);
            w.writeVnode(dirRecord(1, 1, 0, 2 + dirs, then, rootDir.length));
            w.writeData(rootDir, 0, rootDir.length);
            for (int d = 0; d < dirs; d++) {
                w.writeVnode(dirRecord(dirVnode[d], dirUniq[d], 1, 2, then, subDirs[d].length));
                w.writeData(subDirs[d], 0, subDirs[d].length);
            }
            for (int f = 0; f < files; f++) {
                int d = f / perDir;
                VnodeDiskObject rec = VnodeDiskObject.blank(VnodeClass.SMALL).type(VnodeDiskObject.TYPE_FILE)
                    .modeBits(0644).linkCount(1).uniquifier(firstFileUniq + f).dataVersion(1).unixModifyTime(then)
                    .serverModifyTime(then).parent(dirVnode[d]);
                w.writeVnode(DumpVnode.fromDisk(fileVnode(f), rec).withDataLength(fileSize));
                rnd.nextBytes(data);
                w.writeData(data, 0, data.length);
            }
            w.writeEnd();
            return new Written((long) files * fileSize, files, w.bytesWritten());
        }
    }

    static int fileVnode(int f) {
        return VnodeClass.SMALL.vnodeNumber(f);
    }

    private static DumpVnode dirRecord(int vn, int uniq, int parent, int links, int time, int length) {
        VnodeDiskObject rec = VnodeDiskObject.blank(VnodeClass.LARGE).type(VnodeDiskObject.TYPE_DIRECTORY)
            .modeBits(0755).linkCount(links).uniquifier(uniq).dataVersion(1).unixModifyTime(time)
            .serverModifyTime(time).parent(parent).acl(AccessList.defaultRoot());
        return DumpVnode.fromDisk(vn, rec).withDataLength(length);
    }

    private static byte[] rootDirectory(int dirs, int[] dirVnode, int[] dirUniq) throws IOException {
        AfsDirectory root = AfsDirectory.makeDir(1, 1, 1, 1);
        for (int d = 0; d < dirs; d++) {
            root.create(String.format("d%04d", d), dirVnode[d], dirUniq[d]);
        }
        return root.toBytes();
    }

    private static byte[] subDirectory(int d, int perDir, int vn, int uniq, int firstFileUniq) throws IOException {
        AfsDirectory dir = AfsDirectory.makeDir(vn, uniq, 1, 1);
        for (int i = 0; i < perDir; i++) {
            int f = d * perDir + i;
            dir.create(String.format("f%06d", f), fileVnode(f), firstFileUniq + f);
        }
        return dir.toBytes();
    }
}
