package afsdr.volser.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import afsdr.nativeio.JnrPosix;
import afsdr.partition.NameiPartition;
import afsdr.partition.VnodeClass;
import afsdr.partition.VnodeDiskObject;
import afsdr.partition.Volume;
import afsdr.partition.VolumeDiskData;
import afsdr.partition.VolumeTree;
import afsdr.partition.dir.DirEntry;
import afsdr.realcell.ExecResult;
import afsdr.realcell.RealCell;
import afsdr.volser.dump.DumpTestSupport;
import afsdr.volser.dump.VolumeDumper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Data for the transfer interop tests: a volume built with partition-io in a private partition
 * (not served by anyone), dumped by our dumper to files that stock {@code vos restore} loads onto
 * the servers under test, then changed (a file created, one rewritten, one deleted) and dumped
 * incrementally. What a server holds is read back through stock tools only: {@code vos dump} of
 * the volume, unpacked by stock {@code restorevol} and hashed file by file, and the dump's vnode
 * records as our reader parses them.
 */
final class TransferFixture {
    /** Every vnode of the first version is aged to before this, the volume's update date. */
    static final int T0 = (int) (System.currentTimeMillis() / 1000) - 3600;

    final RealCell cell;
    /** How vos authenticates: {@code -noauth}, or {@code -localauth} (with {@code -encrypt}) in the auth cell. */
    final AuthMode mode;
    /** A folder the client node sees at the same path (vos and restorevol write there). */
    final Path work;
    private final Volume source;
    private int files;

    TransferFixture(AuthMode mode, String tag, int id) throws IOException {
        this.mode = mode;
        this.cell = mode.cell();
        // Per mode: the encrypt and clear runs share the auth cell, and each builds its private partition anew.
        this.work = Files.createDirectories(cell.stateDir().resolve("transfer-" + tag + "-"
            + mode.name().toLowerCase(java.util.Locale.ROOT)));
        Path pdir = Files.createDirectories(work.resolve("private-part"));
        Files.writeString(pdir.resolve("AlwaysAttach"), "");
        NameiPartition part = NameiPartition.open(JnrPosix.get(), pdir, "/vicepa");
        source = VolumeTree.createVolumeWithRoot(part, id, id, "vt.fixture", VolumeDiskData.RW);
        VolumeTree t = new VolumeTree(source);
        Random r = new Random(id);
        for (int i = 0; i < 4; i++) {
            byte[] b = new byte[3000 + r.nextInt(9000)];
            r.nextBytes(b);
            t.createFile(VolumeTree.ROOT_VNODE, "small" + i, b);
        }
        t.createFile(VolumeTree.ROOT_VNODE, "empty", new byte[0]);
        // over Volume.DIRECT_WRITE_MIN and not block-aligned: a restore into ours writes its whole
        // blocks with O_DIRECT (two MiB-writes, one of them on the writer thread) and its tail buffered
        byte[] big = new byte[1_100_000];
        r.nextBytes(big);
        t.createFile(VolumeTree.ROOT_VNODE, "big.bin", big);
        int sub = t.mkdir(VolumeTree.ROOT_VNODE, "sub", null);
        t.createFile(sub, "inner.txt", "hello from inside\n".getBytes(StandardCharsets.UTF_8));
        t.symlink(VolumeTree.ROOT_VNODE, "link", "sub/inner.txt");
        t.flush();
        for (VnodeClass c : VnodeClass.values()) {
            List<Integer> vns = new ArrayList<>();
            source.index(c).forEach((vn, rec) -> vns.add(vn));
            for (int vn : vns) {
                source.storeVnode(vn, source.readVnode(vn).copy().serverModifyTime(T0 - 100).unixModifyTime(T0 - 100),
                    null, 0);
            }
        }
        source.writeDiskData(source.readDiskData().creationDate(T0 - 200).updateDate(T0));
    }

    /** A full dump of the current version. */
    Path fullDump(String file) throws IOException {
        Path f = work.resolve(file);
        try (OutputStream o = Files.newOutputStream(f)) {
            VolumeDumper.dump(source, 0, true, o);
        }
        return f;
    }

    /**
     * Creates {@code sub/new<n>.txt}, rewrites {@code small0} and deletes {@code small<n+1>}; returns
     * an incremental dump of the changes (from {@link #T0}).
     */
    Path changeAndDumpIncremental(String file) throws IOException {
        files++;
        VolumeTree t = new VolumeTree(source);
        int changed = t.lookup(VolumeTree.ROOT_VNODE, "small0").orElseThrow().vnode();
        t.remove(VolumeTree.ROOT_VNODE, "small" + files);
        int sub = t.lookup(VolumeTree.ROOT_VNODE, "sub").orElseThrow().vnode();
        t.createFile(sub, "new" + files + ".txt", ("created by change " + files + "\n").getBytes(StandardCharsets.UTF_8));
        t.flush();
        int now = (int) (System.currentTimeMillis() / 1000);
        byte[] data = ("rewritten by change " + files + "\n").getBytes(StandardCharsets.UTF_8);
        VnodeDiskObject rec = source.readVnode(changed).copy();
        rec.dataVersion(rec.dataVersion() + 1).serverModifyTime(now).unixModifyTime(now);
        source.storeVnode(changed, rec, Channels.newChannel(new ByteArrayInputStream(data)), data.length);
        source.writeDiskData(source.readDiskData().updateDate(now));
        Path f = work.resolve(file);
        try (OutputStream o = Files.newOutputStream(f)) {
            VolumeDumper.dump(source, T0 + 1, true, o);
        }
        return f;
    }

    /** Path → sha-256 (files) or "-> target" (symlinks) of the current version. */
    Map<String, String> expected() throws IOException {
        Map<String, String> out = new TreeMap<>();
        walk(VolumeTree.ROOT_VNODE, "", out);
        return out;
    }

    private void walk(int dir, String prefix, Map<String, String> out) throws IOException {
        for (DirEntry e : source.readDirectory(dir).entries()) {
            if (e.name().equals(".") || e.name().equals("..")) {
                continue;
            }
            VnodeDiskObject rec = source.readVnode(e.vnode());
            String path = prefix + e.name();
            switch (rec.type()) {
                case VnodeDiskObject.TYPE_DIRECTORY -> walk(e.vnode(), path + "/", out);
                case VnodeDiskObject.TYPE_FILE -> {
                    try (InputStream in = source.openData(e.vnode(), rec)) {
                        out.put(path, DumpTestSupport.sha256(in));
                    }
                }
                default -> out.put(path, "-> " + new String(source.readData(e.vnode(), rec), StandardCharsets.UTF_8));
            }
        }
    }

    void close() throws IOException {
        source.close();
    }

    // ------------------------------------------------------------------ reading back

    /** What stock tools see of one volume on one server. */
    record Content(Map<String, String> files, List<String> vnodes, long dumpLength) {
    }

    private int reads;

    /**
     * {@code vos dump -id id -server host -partition part} (the volume need not be in the VLDB),
     * unpacked by stock {@code restorevol}: the files, and the vnode records of the dump.
     */
    Content content(String id, String host, String part) throws IOException {
        int n = ++reads;
        Path dump = work.resolve("read" + n + ".dump");
        vos("dump", "-id", id, "-server", host, "-partition", part, "-file", dump.toString()).orFail();
        Map<String, String> fileMap = unpack(cell, dump, work.resolve("read" + n));
        byte[] bytes = Files.readAllBytes(dump);
        return new Content(fileMap, DumpTestSupport.records(bytes), bytes.length);
    }

    /**
     * Stock {@code restorevol} unpacks a dump into {@code dir}: path → sha-256 (files) or
     * "-> target" (symlinks; mount points become links into a folder beside it).
     */
    static Map<String, String> unpack(RealCell cell, Path dump, Path dir) throws IOException {
        Path out = Files.createDirectories(dir);
        Path mp = Files.createDirectories(dir.resolveSibling(dir.getFileName() + ".mp"));
        cell.run(RealCell.CLIENT, "restorevol", "-file", dump.toString(), "-dir", out.toString(), "-mountpoint",
            mp.toString()).orFail();
        Path root;
        try (Stream<Path> s = Files.list(out)) {
            List<Path> l = s.toList();
            assertEquals(1, l.size(), "restorevol made one volume folder: " + l);
            root = l.get(0);
        }
        Map<String, String> fileMap = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String rel = root.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    fileMap.put(rel, "-> " + Files.readSymbolicLink(p));
                } else if (Files.isRegularFile(p)) {
                    try (InputStream in = Files.newInputStream(p)) {
                        fileMap.put(rel, DumpTestSupport.sha256(in));
                    }
                }
            }
        }
        return fileMap;
    }

    /** {@link #content} without the unpacking: only the dump's vnode records and length. */
    Content dumpOnly(String id, String host, String part) throws IOException {
        int n = ++reads;
        Path dump = work.resolve("read" + n + ".dump");
        vos("dump", "-id", id, "-server", host, "-partition", part, "-file", dump.toString()).orFail();
        byte[] bytes = Files.readAllBytes(dump);
        return new Content(Map.of(), DumpTestSupport.records(bytes), bytes.length);
    }

    /** Asserts that the volume holds the current version, through restorevol and the dump's vnodes. */
    Content assertHoldsCurrent(String what, String id, String host, String part) throws IOException {
        Content c = content(id, host, part);
        assertEquals(expected(), c.files(), what + ": files read back by restorevol");
        return c;
    }

    // ------------------------------------------------------------------ vos and output

    /** Stock vos with this fixture's credential switches appended. */
    ExecResult vos(String... args) {
        return cell.vos(mode.vos(args));
    }

    /** The {@code vos listvol -format} entry of one volume id on one server partition. */
    String formatEntry(String host, String part, String id) {
        ExecResult r = vos("listvol", host, part, "-format").orFail();
        Matcher m = Pattern.compile("(?s)BEGIN_OF_ENTRY\\n(?:(?!END_OF_ENTRY).)*?\\nid\\t\\t" + id
            + "\\n.*?END_OF_ENTRY").matcher(r.stdout());
        assertTrue(m.find(), "volume " + id + " not on " + host + " " + part + ":\n" + r);
        return m.group();
    }

    /** The id of a volume in the VLDB, from {@code vos examine -format}. */
    String id(String name) {
        String[] w = vos("examine", name, "-format").orFail().stdout().split("\\s+");
        for (int i = 0; i + 1 < w.length; i++) {
            if (w[i].equals("id")) {
                return w[i + 1];
            }
        }
        throw new AssertionError("no id for " + name);
    }

}
