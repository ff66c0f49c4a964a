package afsdr.volser.dump;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;


import afsdr.nativeio.JnrPosix;
import afsdr.partition.AccessList;
import afsdr.partition.LinkTable;
import afsdr.partition.NameiPartition;
import afsdr.partition.VnodeClass;
import afsdr.partition.VnodeDiskObject;
import afsdr.partition.Volume;
import afsdr.partition.VolumeDiskData;
import afsdr.partition.VolumeTree;

/** Volumes to dump and restore in tests, and ways to compare them. */
public final class DumpTestSupport {
    static final AccessList OPEN_ACL = new AccessList(List.of(new AccessList.Entry(AccessList.SYSADMIN_ID, 0x7f),
        new AccessList.Entry(AccessList.ANYUSER_ID, 0x3f)), List.of());
    static final AccessList NEG_ACL = new AccessList(List.of(new AccessList.Entry(AccessList.SYSADMIN_ID, 0x7f),
        new AccessList.Entry(1001, 0x09)), List.of(new AccessList.Entry(1002, 0x02)));
    /** An hour before the tests ran: vnodes are aged to this so incrementals pick only changes. */
    static final int OLD_TIME = (int) (System.currentTimeMillis() / 1000) - 3600;

    private DumpTestSupport() {
    }

    /** Asserts that no restore journal ({@code .afsdr*}) is left in partition {@code p}. */
    static void assertNoJournal(NameiPartition p, String what) throws IOException {
        try (Stream<Path> j = Files.list(p.path())) {
            assertEquals(List.of(), j.filter(f -> f.getFileName().toString().startsWith(".afsdr")).toList(), what);
        }
    }

    static NameiPartition partition(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("AlwaysAttach"), "");
        return NameiPartition.open(JnrPosix.get(), dir, "/vicepa");
    }

    /**
     * A volume with directories (one with a negative ACL), an empty file, small files, one of
     * {@code bigSize} bytes, a symlink, a mount point and a vnode with a group; every vnode aged to
     * {@link #OLD_TIME}.
     */
    static Volume build(NameiPartition p, int id, String name, long seed, int smallFiles, int bigSize)
            throws IOException {
        Random r = new Random(seed);
        Volume v = VolumeTree.createVolumeWithRoot(p, id, id, name, VolumeDiskData.RW);
        VolumeTree t = new VolumeTree(v);
        t.setAcl(1, OPEN_ACL);
        t.createFile(1, "empty", new byte[0]);
        byte[] big = new byte[bigSize];
        r.nextBytes(big);
        t.createFile(1, "big.bin", big);
        for (int i = 0; i < smallFiles; i++) {
            byte[] b = new byte[r.nextInt(5000)];
            r.nextBytes(b);
            t.createFile(1, "small" + i, b);
        }
        int sub = t.mkdir(1, "sub", NEG_ACL);
        int grouped = t.createFile(sub, "inner.txt", "hello from inside\n".getBytes());
        int deeper = t.mkdir(sub, "deeper", null);
        t.createFile(deeper, "x", new byte[] {1, 2, 3});
        t.symlink(1, "link-to-inner", "sub/inner.txt");
        t.mountPoint(1, "mnt", "root.cell", false);
        t.flush();
        v.storeVnode(grouped, v.readVnode(grouped).copy().group(4242), null, 0);
        age(v, OLD_TIME);
        VolumeDiskData d = v.readDiskData();
        v.writeDiskData(d.updateDate(OLD_TIME).creationDate(OLD_TIME - 100).accessDate(OLD_TIME + 5).owner(7)
            .accountNumber(9).minquota(3).offlineMessage("gone fishing"));
        return v;
    }

    /** Set every vnode's serverModifyTime (records rewritten, data untouched). */
    static void age(Volume v, int time) throws IOException {
        for (VnodeClass c : VnodeClass.values()) {
            List<Integer> vns = new ArrayList<>();
            v.index(c).forEach((vn, rec) -> vns.add(vn));
            for (int vn : vns) {
                v.storeVnode(vn, v.readVnode(vn).copy().serverModifyTime(time).unixModifyTime(time), null, 0);
            }
        }
    }

    /** Replace a file's content (new data file, dataVersion + 1, serverModifyTime = now). */
    static void rewrite(Volume v, int vn, byte[] data) throws IOException {
        int now = (int) (System.currentTimeMillis() / 1000);
        VnodeDiskObject rec = v.readVnode(vn).copy();
        rec.dataVersion(rec.dataVersion() + 1).serverModifyTime(now).unixModifyTime(now);
        v.storeVnode(vn, rec, Channels.newChannel(new ByteArrayInputStream(data)), data.length);
    }

    /** vnode number -> (record as the dump describes it, sha-256 of its data). */
    static Map<Integer, String> describe(Volume v) throws IOException {
        Map<Integer, String> out = new TreeMap<>();
        for (VnodeClass c : VnodeClass.values()) {
            v.index(c).forEach((vn, rec) -> {
                String data = "";
                if (rec.inode() != 0) {
                    try (InputStream in = v.openData(vn, rec)) {
                        data = sha256(in);
                    }
                }
                out.put(vn, DumpVnode.fromDisk(vn, rec) + " aclbytes=" + (c == VnodeClass.LARGE
                    ? HexFormat.of().formatHex(rec.aclBytes()) : "") + " data=" + data);
            });
        }
        return out;
    }

    static void assertSameVnodes(Volume expected, Volume actual) throws IOException {
        assertEquals(describe(expected), describe(actual));
    }

    /** What {@link #copyStream} calls after each vnode record (and its data) it wrote. */
    @FunctionalInterface
    interface AfterRecord {
        /**
         * @param index 1 for the first vnode record, and so on
         * @param data  the record's data, or null
         */
        void after(DumpWriter w, ByteArrayOutputStream out, int index, DumpVnode v, byte[] data) throws IOException;
    }

    /**
     * The dump written again record by record through our DumpWriter, with {@code hook} after
     * each vnode record, which may write more into the stream (hostile or unusual streams).
     */
    static byte[] copyStream(byte[] dump, AfterRecord hook) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        DumpWriter w = new DumpWriter(bo);
        DumpReader r = new DumpReader(new ByteArrayInputStream(dump));
        w.writeDumpHeader(r.readDumpHeader());
        w.writeVolumeHeader(r.readVolumeHeader());
        byte[][] data = {null};
        int index = 0;
        while (r.next((soFar, len, in) -> data[0] = in.readAllBytes()) != DumpReader.Section.END) {
            DumpVnode dv = r.vnode();
            w.writeVnode(dv);
            byte[] d = null;
            if (dv.hasData()) {
                d = data[0];
                w.writeData(d, 0, d.length);
            }
            hook.after(w, bo, ++index, dv, d);
        }
        w.writeEnd();
        return bo.toByteArray();
    }

    /** Every vnode record with a hash of its data, as our reader parses a dump (order kept). */
    public static List<String> records(byte[] stream) throws IOException {
        List<String> out = new ArrayList<>();
        DumpReader r = new DumpReader(new ByteArrayInputStream(stream));
        r.readDumpHeader();
        r.readVolumeHeader();
        String[] data = {""};
        DumpReader.Section sec;
        while ((sec = r.next((v, len, in) -> data[0] = sha256(in))) != DumpReader.Section.END) {
            if (sec == DumpReader.Section.VNODE) {
                out.add(r.vnode() + " data=" + data[0]);
                data[0] = "";
            }
        }
        return out;
    }

    /** SHA-256 of what is left in {@code in}, in hex. */
    public static String sha256(InputStream in) throws IOException {
        MessageDigest md = sha();
        byte[] b = new byte[65536];
        for (int n; (n = in.read(b)) > 0; ) {
            md.update(b, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static String sha256(byte[] b) {
        return HexFormat.of().formatHex(sha().digest(b));
    }

    private static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Every regular file under the partition folder -> hash of its content. The link table is
     * compared by its rows: trailing all-zero rows (which a failed restore may leave appended,
     * reading as "no references" exactly like absent rows) are ignored.
     */
    static Map<String, String> snapshot(Path partDir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(partDir)) {
            for (Path f : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
                byte[] b = Files.readAllBytes(f);
                if (f.toString().contains("/special/") && b.length >= 8
                    && ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(0) == LinkTable.MAGIC) {
                    int n = b.length;
                    while (n > 8 && b[n - 1] == 0) {
                        n--;
                    }
                    n = Math.max(n, 8) + ((n - 8) & 1);
                    b = java.util.Arrays.copyOf(b, n);
                }
                out.put(partDir.relativize(f).toString(), sha256(b));
            }
        }
        return out;
    }

    static void assertBytesEqual(byte[] expected, byte[] actual, String what) {
        if (!java.util.Arrays.equals(expected, actual)) {
            int i = java.util.Arrays.mismatch(expected, actual);
            assertArrayEquals(expected, actual, what + ": first difference at offset " + i + " (lengths "
                + expected.length + " / " + actual.length + ")");
        }
    }
}
