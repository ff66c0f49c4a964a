package afsdr.partition;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import afsdr.nativeio.JnrPosix;

/** Builds a volume with every kind of content, and remembers what went in (path -> expected). */
final class TestVolumes {
    static final AccessList OPEN_ACL = new AccessList(List.of(new AccessList.Entry(AccessList.SYSADMIN_ID, 0x7f),
        new AccessList.Entry(AccessList.ANYUSER_ID, 0x3f)), List.of());
    static final AccessList NEG_ACL = new AccessList(List.of(new AccessList.Entry(AccessList.SYSADMIN_ID, 0x7f),
        new AccessList.Entry(1001, 0x09)), List.of(new AccessList.Entry(1002, 0x02)));

    /** Expected content: "f:" + bytes for files, "l:" + target for links, "d" for directories. */
    final Map<String, byte[]> files = new LinkedHashMap<>();
    final Map<String, String> links = new LinkedHashMap<>();
    final Map<String, AccessList> dirs = new LinkedHashMap<>();

    static NameiPartition partition(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("AlwaysAttach"), "");
        return NameiPartition.open(JnrPosix.get(), dir, "/vicepa");
    }

    /**
     * A volume with: root (open ACL), an empty file, small files, a 3 MiB + 123 byte file, a
     * subdirectory with a negative ACL, a directory of {@code bigDirEntries} long names (many pages),
     * symlinks and mount points.
     */
    Volume fill(NameiPartition part, int volumeId, String name, int bigDirEntries, long seed) throws IOException {
        Random r = new Random(seed);
        Volume v = VolumeTree.createVolumeWithRoot(part, volumeId, volumeId, name, VolumeDiskData.RW);
        VolumeTree t = new VolumeTree(v);
        t.setAcl(1, OPEN_ACL);
        dirs.put("", OPEN_ACL);
        file(t, 1, "", "empty", new byte[0]);
        byte[] big = new byte[3 * 1024 * 1024 + 123];
        r.nextBytes(big);
        file(t, 1, "", "large.bin", big);
        for (int i = 0; i < 5; i++) {
            byte[] b = new byte[r.nextInt(5000)];
            r.nextBytes(b);
            file(t, 1, "", "small" + i, b);
        }
        int sub = t.mkdir(1, "sub", NEG_ACL);
        dirs.put("sub", NEG_ACL);
        file(t, sub, "sub/", "inner.txt", "hello from inside\n".getBytes());
        int deeper = t.mkdir(sub, "deeper", null);
        dirs.put("sub/deeper", NEG_ACL);
        file(t, deeper, "sub/deeper/", "x", new byte[] {1, 2, 3});
        t.symlink(1, "link-to-inner", "sub/inner.txt");
        links.put("link-to-inner", "sub/inner.txt");
        t.mountPoint(1, "mnt", "root.cell", false);
        links.put("mnt", "#root.cell.");
        t.mountPoint(sub, "rwmnt", "other.vol", true);
        links.put("sub/rwmnt", "%other.vol.");
        int bigdir = t.mkdir(1, "bigdir", null);
        dirs.put("bigdir", OPEN_ACL);
        for (int i = 0; i < bigDirEntries; i++) {
            String n = String.format("%05d-", i) + "n".repeat(40 + r.nextInt(60));
            file(t, bigdir, "bigdir/", n, ("entry " + i + "\n").getBytes());
        }
        t.flush();
        return v;
    }

    private void file(VolumeTree t, int dir, String prefix, String name, byte[] data) throws IOException {
        t.createFile(dir, name, Channels.newChannel(new ByteArrayInputStream(data)), data.length, 0644);
        files.put(prefix + name, data);
    }
}
