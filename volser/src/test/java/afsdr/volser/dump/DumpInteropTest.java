package afsdr.volser.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import afsdr.partition.NameiPartition;
import afsdr.partition.VnodeClass;
import afsdr.partition.VnodeDiskObject;
import afsdr.partition.Volume;
import afsdr.partition.VolumeDiskData;
import afsdr.partition.VolumeTree;
import afsdr.partition.dir.DirEntry;
import afsdr.realcell.ExecResult;
import afsdr.realcell.Interop;
import afsdr.realcell.RealCell;
import afsdr.volser.wire.RestoreCookie;

/**
 * Our dump stream against the stock 1.8.9 tools, one scenario in order:
 * (a) a volume we build and dump is loaded by stock {@code vos restore} into fs1; stock
 * {@code vos dump} of it is parsed by our reader and restored by our restorer into a partition-io
 * volume equal to the source, vnode for vnode and byte for byte;
 * (b) our dump of that volume is byte-identical to the stock dump, is accepted by
 * {@code vos restore} on fs2 (whose stock dump then carries the same vnodes) and by
 * {@code restorevol} (files compared by hash);
 * (c) a stock incremental {@code vos dump -time T} of the changed fs1 volume, applied by our
 * restorer, propagates the creates, changes and deletes.
 */
@Interop
class DumpInteropTest {
    static RealCell cell;
    static Path work;
    static final String NAME = "t.dmp" + (System.nanoTime() / 1000 % 100000);
    static final List<String> CREATED = new ArrayList<>();

    @BeforeAll
    static void up() throws IOException {
        cell = RealCell.shared();
        work = Files.createTempDirectory(Files.createDirectories(Path.of("target", "test-tmp").toAbsolutePath()), "i");
    }

    @AfterAll
    static void down() {
        for (String v : CREATED) {
            cell.vos("remove", "-id", v, "-noauth");
        }
    }

    static ExecResult vos(String... args) {
        String[] a = java.util.Arrays.copyOf(args, args.length + 1);
        a[args.length] = "-noauth";
        return cell.vos(a).orFail();
    }

    static Path dumpTo(Volume v, int from, String file) throws IOException {
        Path f = work.resolve(file);
        try (OutputStream o = Files.newOutputStream(f)) {
            VolumeDumper.dump(v, from, true, o);
        }
        return f;
    }

    /** Byte ranges where two dumps differ, each named by the item that holds it. */
    static String describeDifferences(byte[] a, byte[] b) {
        StringBuilder sb = new StringBuilder();
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) {
            if (a[i] != b[i]) {
                sb.append(String.format("offset %d: %02x vs %02x%n", i, a[i] & 0xff, b[i] & 0xff));
                if (sb.length() > 2000) {
                    break;
                }
            }
        }
        if (a.length != b.length) {
            sb.append("lengths ").append(a.length).append(" vs ").append(b.length);
        }
        return sb.toString();
    }

    @Test
    void stockAndOurDumpsInterchange() throws Exception {
        NameiPartition srcPart = DumpTestSupport.partition(work.resolve("src"));
        NameiPartition mine = DumpTestSupport.partition(work.resolve("mine"));
        try (Volume src = DumpTestSupport.build(srcPart, 536870912, NAME, 11, 10, 1_500_000)) {
            // (a) stock restore of our dump, stock dump, our parse + restore
            Path ours0 = dumpTo(src, 0, "ours0.dump");
            vos("restore", cell.host(RealCell.FS1), "a", NAME, "-file", ours0.toString());
            CREATED.add(NAME);
            Path stock = work.resolve("stock.dump");
            vos("dump", "-id", NAME, "-file", stock.toString());
            byte[] stockBytes = Files.readAllBytes(stock);
            DumpReader r = new DumpReader(new ByteArrayInputStream(stockBytes));
            DumpHeader h = r.readDumpHeader();
            VolumeDiskData dumped = r.readVolumeHeader();
            assertEquals(NAME, h.name());
            assertEquals(DumpTestSupport.records(Files.readAllBytes(ours0)), DumpTestSupport.records(stockBytes),
                "the stock server's dump carries exactly the vnodes we gave it");
            int id = h.volumeId();
            // the target keeps its own usage statistics (RestoreVolume); give it the dumped ones
            mine.createVolume(id, id, d -> d.name(NAME).weekUse(0, dumped.weekUse(0)).dayUse(dumped.dayUse())
                .dayUseDate(dumped.dayUseDate())).close();
            for (int i = 1; i < 7; i++) {
                try (Volume t = mine.openVolume(id)) {
                    t.writeDiskData(t.readDiskData().weekUse(i, dumped.weekUse(i)));
                }
            }
            VolumeRestorer.restore(mine, id, new RestoreCookie(NAME, dumped.type(), dumped.cloneId(), 0), false,
                new ByteArrayInputStream(stockBytes));
            try (Volume got = mine.openVolume(id)) {
                DumpTestSupport.assertSameVnodes(src, got);
                assertDirectoriesEqual(src, got);

                // (b) our dump of it = the stock dump
                Path redump = dumpTo(got, 0, "ours1.dump");
                byte[] ourBytes = Files.readAllBytes(redump);
                assertEquals(ourBytes.length, VolumeDumper.getSize(got, 0));
                String diff = describeDifferences(stockBytes, ourBytes);
                System.out.println("stock vs our dump of the same volume: " + (diff.isEmpty() ? "identical, "
                    + ourBytes.length + " bytes" : "\n" + diff));
                assertEquals("", diff, "our dump differs from the stock dump of the same volume");

                String name2 = NAME + ".b";
                vos("restore", cell.host(RealCell.FS2), "a", name2, "-file", redump.toString());
                CREATED.add(name2);
                Path stock2 = work.resolve("stock2.dump");
                vos("dump", "-id", name2, "-file", stock2.toString());
                assertEquals(DumpTestSupport.records(ourBytes), DumpTestSupport.records(Files.readAllBytes(stock2)));

                Path out = Files.createDirectories(work.resolve("restorevol"));
                Path mp = Files.createDirectories(work.resolve("mp"));
                cell.run(RealCell.CLIENT, "restorevol", "-file", redump.toString(), "-dir", out.toString(),
                    "-mountpoint", mp.toString()).orFail();
                Map<String, String> expected = expectedFiles(src);
                assertTrue(expected.size() > 12 && expected.containsKey("sub/deeper/x")
                    && expected.containsKey("link-to-inner"), expected.toString());
                assertEquals(expected, extracted(out.resolve(NAME)), "restorevol's extraction");
            }

            // (c) change the source, load the change into fs1 incrementally, stock incremental dump,
            // apply it with our restorer
            VolumeTree t = new VolumeTree(src);
            int changed = t.lookup(1, "small0").orElseThrow().vnode();
            t.remove(1, "small1");
            int sub = t.lookup(1, "sub").orElseThrow().vnode();
            t.createFile(sub, "new.txt", "created after the full dump\n".getBytes());
            t.mkdir(1, "newdir", null);
            t.flush();
            DumpTestSupport.rewrite(src, changed, "changed after the full dump\n".getBytes());
            int from = DumpTestSupport.OLD_TIME + 1;
            Path ourIncr = dumpTo(src, from, "ours-incr.dump");
            vos("restore", cell.host(RealCell.FS1), "a", NAME, "-file", ourIncr.toString(), "-overwrite",
                "incremental");
            Path stockIncr = work.resolve("stock-incr.dump");
            vos("dump", "-id", NAME, "-time", Integer.toString(from), "-file", stockIncr.toString());
            byte[] incr = Files.readAllBytes(stockIncr);
            assertTrue(incr.length < stockBytes.length / 4, "incremental is small: " + incr.length);
            VolumeRestorer.Result res = VolumeRestorer.restore(mine, id, new RestoreCookie(NAME, 0, 0, 0), true,
                new ByteArrayInputStream(incr));
            assertEquals(1, res.vnodesDeleted(), "small1 is gone");
            try (Volume got = mine.openVolume(id)) {
                DumpTestSupport.assertSameVnodes(src, got);
                assertDirectoriesEqual(src, got);
            }
        }
    }

    static void assertDirectoriesEqual(Volume a, Volume b) throws IOException {
        List<Integer> dirs = new ArrayList<>();
        a.index(VnodeClass.LARGE).forEach((vn, rec) -> dirs.add(vn));
        for (int vn : dirs) {
            List<DirEntry> ea = a.readDirectory(vn).entries();
            List<DirEntry> eb = b.readDirectory(vn).entries();
            assertEquals(ea, eb, "entries of directory vnode " + vn);
        }
    }

    /** Source files by path (walking the directories) -> sha-256; symlinks -> "-> target". */
    static Map<String, String> expectedFiles(Volume v) throws IOException {
        Map<String, String> out = new TreeMap<>();
        walk(v, 1, "", out);
        return out;
    }

    private static void walk(Volume v, int dir, String prefix, Map<String, String> out) throws IOException {
        for (DirEntry e : v.readDirectory(dir).entries()) {
            if (e.name().equals(".") || e.name().equals("..")) {
                continue;
            }
            VnodeDiskObject rec = v.readVnode(e.vnode());
            String path = prefix + e.name();
            switch (rec.type()) {
                case VnodeDiskObject.TYPE_DIRECTORY -> walk(v, e.vnode(), path + "/", out);
                case VnodeDiskObject.TYPE_FILE -> {
                    try (InputStream in = v.openData(e.vnode(), rec)) {
                        out.put(path, DumpTestSupport.sha256(in));
                    }
                }
                default -> {
                    String target = new String(v.readData(e.vnode(), rec), java.nio.charset.StandardCharsets.UTF_8);
                    if (!target.startsWith("#") && !target.startsWith("%")) {
                        out.put(path, "-> " + target); // mount points come out as links into -mountpoint
                    }
                }
            }
        }
    }

    static Map<String, String> extracted(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String rel = root.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    String target = Files.readSymbolicLink(p).toString();
                    if (!target.startsWith(work.resolve("mp").toString())) {
                        out.put(rel, "-> " + target);
                    }
                } else if (Files.isRegularFile(p)) {
                    try (InputStream in = Files.newInputStream(p)) {
                        out.put(rel, DumpTestSupport.sha256(in));
                    }
                }
            }
        }
        return out;
    }
}
