package afsdr.volser.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import afsdr.partition.AccessList;
import afsdr.partition.VolumeTree;
import afsdr.realcell.ExecResult;
import afsdr.volser.dump.DumpTestSupport;
import afsdr.realcell.Interop;
import afsdr.realcell.RealCell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Dump, size, restore (full and incremental) and shadow through stock vos, our volserver (j1, in
 * process) against the stock volserver of fs1, both on /vicepb. The data volume is written
 * straight into our partition with partition-io (files, a directory), dumped by our server, and
 * that dump is restored on both servers; the results must look the same to vos.
 *
 * <p>This class runs in the noauth cell with {@code -noauth}; subclasses run the same scenario in
 * the auth cell ({@link AuthMode}), where every transfer between the servers authenticates with
 * rxkad: the stock volserver's to our Restore, our Forward to the stock Restore.
 */
@Interop
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VolserverDumpInteropTest extends OursAndStockInterop {
    /** Id of the hand-made volume; below the VLDB's counter range so it never collides. */
    static final int DATA_ID = 1_990_000_001;

    static Path work;
    static Path dumpFile;

    /** The mode is this class's (noauth) or the running subclass's {@link InMode}. */
    @BeforeAll
    static void up(TestInfo info) throws Exception {
        start(AuthMode.of(info.getTestClass()), "VolserLog.dump");
        // The client node sees the cell's state directory at the same path (vos writes the files).
        work = Files.createDirectories(cell.stateDir().resolve("dumptest"));
        dumpFile = work.resolve("data.dump");
        makeVolumeOnB(DATA_ID, "vt.data.o", 42, 5, 10_000, 7_000, t -> {
            int sub = t.mkdir(VolumeTree.ROOT_VNODE, "sub", AccessList.defaultRoot());
            t.createFile(sub, "inner", "hello from a subdirectory\n".getBytes());
            t.symlink(VolumeTree.ROOT_VNODE, "link", "file0");
        });
    }

    /**
     * Tests that show nothing new at the rxkad clear level beyond what the noauth and crypt runs
     * show (same-server work, release, failure handling) are skipped there, to keep the suite's
     * time: the clear run keeps the transfers between the stock server and ours.
     */
    static void notInClearRun() {
        Assumptions.assumeTrue(mode != AuthMode.LOCALAUTH, "covered by the noauth and -encrypt runs");
    }

    private static final Pattern DATE = Pattern.compile("[A-Z][a-z]{2} [A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}");

    /** examine/listvol output with names, servers, ids and dates made comparable. */
    static String norm(String out, String name, String host, String addr) {
        String t = out.replace(host, "SERVER").replace(addr, "SERVER").replace(name, "NAME");
        t = DATE.matcher(t).replaceAll("DATE");
        return t.replaceAll("\\b5368\\d{5}\\b", "ID").replaceAll("\\b1[789]\\d{8}\\b", "TIME");
    }

    @Test
    @Order(1)
    void dumpAndSize() throws Exception {
        ExecResult d = vos("dump", "-id", Integer.toString(DATA_ID), "-server", j1(), "-partition", "b",
            "-file", dumpFile.toString()).orFail();
        long len = Files.size(dumpFile);
        assertTrue(len > 5 * 10_000, d + " wrote " + len + " bytes");
        byte[] bytes = Files.readAllBytes(dumpFile);
        // The end marker: 0x04 then the dump magic 0x3A214B6E.
        assertEquals(0x04, bytes[bytes.length - 5]);
        assertEquals(0x3A214B6E, ((bytes[bytes.length - 4] & 0xff) << 24) | ((bytes[bytes.length - 3] & 0xff) << 16)
            | ((bytes[bytes.length - 2] & 0xff) << 8) | (bytes[bytes.length - 1] & 0xff));
    }

    @Test
    @Order(1)
    void getSizeEqualsTheDumpLength() throws Exception {
        notInClearRun();
        Path f = work.resolve("size.dump");
        vos("dump", "-id", Integer.toString(DATA_ID), "-server", j1(), "-partition", "b", "-file", f.toString()).orFail();
        long len = Files.size(f);
        ExecResult size = vos("size", "-id", Integer.toString(DATA_ID), "-server", j1(), "-partition", "b", "-dump")
            .orFail();
        assertTrue(size.stdout().contains("dump_size: " + len), size + " but the dump has " + len + " bytes");
    }

    @Test
    @Order(2)
    void restoreOnBothServersThenCompare() throws Exception {
        ExecResult rs = vos("restore", fs1(), "b", "vt.rd.s", "-file", dumpFile.toString());
        cleanup.add(new String[] {"remove", "-id", "vt.rd.s"});
        // The cut-dump test leaves the stock copy needing a salvage, which vos remove cannot delete.
        String stockId = vos("examine", "vt.rd.s").orFail().stdout().trim().split("\\s+")[1];
        cleanup.add(new String[] {"zap", "-server", fs1(), "-partition", "b", "-id", stockId, "-force"});
        cleanup.add(new String[] {"delentry", "-id", stockId});
        ExecResult ro = vos("restore", j1(), "b", "vt.rd.o", "-file", dumpFile.toString());
        cleanup.add(new String[] {"remove", "-id", "vt.rd.o"});
        assertEquals(0, rs.exitCode(), rs.toString());
        assertEquals(0, ro.exitCode(), ro.toString());
        String sa = cell.addressString(RealCell.FS1);
        String oa = cell.addressString(RealCell.J1);
        assertEquals(norm(rs.stdout(), "vt.rd.s", fs1(), sa), norm(ro.stdout(), "vt.rd.o", j1(), oa));
        for (String[] v : new String[][] {{}, {"-format"}, {"-extended"}}) {
            List<String> a = new ArrayList<>(List.of("examine", "vt.rd.s"));
            a.addAll(List.of(v));
            ExecResult es = vos(a.toArray(String[]::new)).orFail();
            a.set(1, "vt.rd.o");
            ExecResult eo = vos(a.toArray(String[]::new)).orFail();
            assertEquals(norm(es.stdout(), "vt.rd.s", fs1(), sa), norm(eo.stdout(), "vt.rd.o", j1(), oa), es + "\n" + eo);
        }
        // Both restored volumes dump to the same length (the content is the same; only ids, name and
        // dates differ inside, all fixed-size).
        Path ds = work.resolve("s.dump");
        Path dro = work.resolve("o.dump");
        vos("dump", "-id", "vt.rd.s", "-file", ds.toString()).orFail();
        vos("dump", "-id", "vt.rd.o", "-file", dro.toString()).orFail();
        System.out.println("re-dump lengths: stock " + Files.size(ds) + ", ours " + Files.size(dro) + ", original "
            + Files.size(dumpFile));
        // "vt.data.o" is two bytes longer than "vt.rd.o", and the name is in the dump twice.
        assertEquals(Files.size(dumpFile) - 4, Files.size(dro));
        assertEquals(Files.size(ds), Files.size(dro));
        // Byte for byte, the two re-dumps differ only in the volume header's id, name and dates.
        byte[] sb = Files.readAllBytes(ds);
        byte[] ob = Files.readAllBytes(dro);
        int headerEnd = 0;
        for (int i = 0; i < sb.length; i++) {
            if (sb[i] != ob[i]) {
                headerEnd = i;
            }
        }
        assertTrue(headerEnd < 200, "the dumps differ at byte " + headerEnd + " of " + sb.length);
    }

    @Test
    @Order(3)
    void incrementalRestoreOverwrite() {
        notInClearRun();
        ExecResult rs = vos("restore", fs1(), "b", "vt.rd.s", "-file", dumpFile.toString(), "-overwrite", "incremental");
        ExecResult ro = vos("restore", j1(), "b", "vt.rd.o", "-file", dumpFile.toString(), "-overwrite", "incremental");
        assertEquals(0, rs.exitCode(), rs.toString());
        assertEquals(0, ro.exitCode(), ro.toString());
        assertEquals(norm(rs.stdout(), "vt.rd.s", fs1(), cell.addressString(RealCell.FS1)),
            norm(ro.stdout(), "vt.rd.o", j1(), cell.addressString(RealCell.J1)));
    }

    /** Last: the stock server's non-atomic restore leaves its volume needing a salvage. */
    @Test
    @Order(20)
    void badDumpIsRefusedAndChangesNothing() throws Exception {
        notInClearRun();
        byte[] good = Files.readAllBytes(dumpFile);
        Path cut = work.resolve("cut.dump");
        byte[] bad = java.util.Arrays.copyOf(good, good.length / 2);
        // Keep vos's own end-marker check happy: the file ends with the end magic.
        System.arraycopy(good, good.length - 5, bad, bad.length - 5, 5);
        Files.write(cut, bad);
        ExecResult before = vos("examine", "vt.rd.o", "-format").orFail();
        // Incremental: vos restores into the existing volume (a full overwrite would delete it first).
        ExecResult ro = vos("restore", j1(), "b", "vt.rd.o", "-file", cut.toString(), "-overwrite", "incremental");
        assertTrue(ro.exitCode() != 0, ro.toString());
        ExecResult rs = vos("restore", fs1(), "b", "vt.rd.s", "-file", cut.toString(), "-overwrite", "incremental");
        assertEquals(rs.exitCode(), ro.exitCode(), rs + "\n" + ro);
        // The server keeps serving and our volume still dumps in full.
        ExecResult after = vos("examine", "vt.rd.o", "-format");
        assertEquals(0, after.exitCode(), after.toString());
        // Our restore is atomic: the volume is exactly as before the failed attempt.
        assertEquals(before.stdout(), after.stdout());
        System.out.println("restore of a cut dump, stock:\n" + rs + "\nours:\n" + ro + "\nexamine before:\n" + before
            + "\nafter:\n" + after);
    }

    @Test
    @Order(4)
    void shadowFromStockToOurs() throws Exception {
        // stock -> ours: the stock volserver is the Forward client and authenticates to our Restore
        // with rxkad, from a ticket it makes with the cell's KeyFile (even in a NoAuth cell), so this
        // needs our rxkad server side; with rxnull only, vos fails with "invalid RPC (RX) operation".
        shadowBToA("vt.rd.s", fs1(), j1(), "vt.sh.f", "1990000013", false);
        shadowBToA("vt.rd.s", fs1(), j1(), "vt.sh.f", "1990000013", true);
        ExecResult lv = vos("listvol", j1(), "a", "-long").orFail();
        assertTrue(lv.stdout().contains("vt.sh.f"), lv.toString());
        // The shadow dumps to the same length as its stock source (its name has the same length on
        // purpose: names are in the dump): the content arrived whole.
        sameDumpLength("fromstock", "vt.rd.s", "1990000013");
        holdsTheOriginalFiles("shadow stock to ours", "-id", "1990000013", "-server", j1(), "-partition", "a");
    }

    @Test
    @Order(5)
    void shadowFromOursToStockAndWithinOurs() throws Exception {
        // ours -> stock: our server is the Forward client of the stock server's Restore.
        shadowBToA("vt.rd.o", j1(), fs1(), "vt.sh.s", "1990000011", false);
        // ours -> ours, other partition.
        shadowBToA("vt.rd.o", j1(), j1(), "vt.sh.o", "1990000012", false);
        // The two shadows are equal to vos.
        ExecResult ls = vos("listvol", fs1(), "a", "-long").orFail();
        ExecResult lo = vos("listvol", j1(), "a", "-long").orFail();
        assertEquals(block(ls.stdout(), "vt.sh.s").replace("vt.sh.s", "N").replace(fs1(), "S"),
            block(lo.stdout(), "vt.sh.o").replace("vt.sh.o", "N").replace(j1(), "S"), ls + "\n" + lo);
        // An incremental shadow onto the existing one.
        shadowBToA("vt.rd.o", j1(), j1(), "vt.sh.o", "1990000012", true);
        // Same-length dumps of source and shadow: the content arrived whole.
        sameDumpLength("withinours", "vt.rd.o", "1990000012");
        holdsTheOriginalFiles("shadow ours to stock", "-id", "1990000011", "-server", fs1(), "-partition", "a");
        holdsTheOriginalFiles("shadow within ours", "-id", "1990000012", "-server", j1(), "-partition", "a");
    }

    /**
     * vos shadow of {@code source} (partition b of {@code from}) onto partition a of {@code to} as
     * {@code toName}, id {@code toId}; asserts that it worked. A full shadow's target is zapped at the end.
     */
    static void shadowBToA(String source, String from, String to, String toName, String toId, boolean incremental) {
        List<String> a = new ArrayList<>(List.of("shadow", "-id", source, "-fromserver", from, "-frompartition", "b",
            "-toserver", to, "-topartition", "a", "-toname", toName, "-toid", toId));
        if (incremental) {
            a.add("-incremental");
        }
        ExecResult r = vos(a.toArray(String[]::new));
        if (!incremental) {
            cleanup.add(new String[] {"zap", "-server", to, "-partition", "a", "-id", toId});
        }
        assertEquals(0, r.exitCode(), r.toString());
    }

    /** Dumps of the source and of its shadow (partition a of j1) have the same length. */
    static void sameDumpLength(String tag, String source, String shadowId) throws IOException {
        Path src = work.resolve(tag + "-src.dump");
        Path dst = work.resolve(tag + "-shadow.dump");
        vos("dump", "-id", source, "-file", src.toString()).orFail();
        vos("dump", "-id", shadowId, "-server", j1(), "-partition", "a", "-file", dst.toString()).orFail();
        assertEquals(Files.size(src), Files.size(dst), "dump lengths of " + source + " and its shadow " + shadowId);
    }

    private static java.util.Map<String, String> original;

    /**
     * Stock {@code vos dump} of a transferred volume, unpacked by stock {@code restorevol}, holds
     * the files of the hand-made volume (read the same way from its first dump).
     */
    static void holdsTheOriginalFiles(String what, String... dumpArgs) throws Exception {
        if (original == null) {
            original = TransferFixture.unpack(cell, dumpFile, work.resolve("unpacked-original"));
        }
        String tag = what.replaceAll("[^a-z0-9]+", "-");
        Path f = work.resolve("files-" + tag + ".dump");
        List<String> a = new ArrayList<>(List.of("dump"));
        a.addAll(List.of(dumpArgs));
        a.addAll(List.of("-file", f.toString()));
        vos(a.toArray(String[]::new)).orFail();
        assertEquals(original, TransferFixture.unpack(cell, f, work.resolve("unpacked-" + tag)), what);
    }

    /** The listvol -long record of one volume, dates and times blanked. */
    static String block(String listvol, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " .*?(?=\\n\\n)", Pattern.DOTALL).matcher(listvol);
        assertTrue(m.find(), listvol);
        return DATE.matcher(m.group()).replaceAll("DATE").replaceAll("\\b1990000011\\b|\\b1990000012\\b|\\b5368\\d{5}\\b", "ID");
    }

    /** Runs one vos command for the stock volume on fs1 and for ours on j1; compares normalised output. */
    static ExecResult[] both(String... args) {
        String sa = cell.addressString(RealCell.FS1);
        String oa = cell.addressString(RealCell.J1);
        String[] s = new String[args.length];
        String[] o = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            s[i] = args[i].replace("{S}", fs1()).replace("{V}", "vt.rd.s").replace("{C}", "vt.cp.s");
            o[i] = args[i].replace("{S}", j1()).replace("{V}", "vt.rd.o").replace("{C}", "vt.cp.o");
        }
        ExecResult rs = vos(s);
        ExecResult ro = vos(o);
        assertEquals(0, rs.exitCode(), rs.toString());
        assertEquals(0, ro.exitCode(), "stock succeeded, ours failed: " + ro);
        assertEquals(normAll(rs.stdout(), fs1(), sa, "s"), normAll(ro.stdout(), j1(), oa, "o"), rs + "\n" + ro);
        return new ExecResult[] {rs, ro};
    }

    static String normAll(String out, String host, String addr, String side) {
        return norm(norm(out, "vt.cp." + side, host, addr), "vt.rd." + side, host, addr);
    }

    @Test
    @Order(6)
    void moveBetweenPartitionsAndBack() throws Exception {
        notInClearRun();
        both("move", "-id", "{V}", "-fromserver", "{S}", "-frompartition", "b", "-toserver", "{S}",
            "-topartition", "a");
        both("examine", "{V}");
        both("move", "-id", "{V}", "-fromserver", "{S}", "-frompartition", "a", "-toserver", "{S}",
            "-topartition", "b");
        both("examine", "{V}");
        holdsTheOriginalFiles("moved within ours", "-id", "vt.rd.o");
    }

    @Test
    @Order(7)
    void copyToAnotherPartition() throws Exception {
        notInClearRun();
        both("copy", "-id", "{V}", "-fromserver", "{S}", "-frompartition", "b", "-toname", "{C}", "-toserver", "{S}",
            "-topartition", "a");
        cleanup.add(new String[] {"remove", "-id", "vt.cp.s"});
        cleanup.add(new String[] {"remove", "-id", "vt.cp.o"});
        both("examine", "{C}");
        holdsTheOriginalFiles("copied within ours", "-id", "vt.cp.o");
    }

    /**
     * Release of a volume of ours to two RO sites: one on its own partition (a local clone) and one
     * on the stock fs1 (ForwardMultiple from our server to the stock one: rxkad from the cell key). An RO
     * site on another partition of the same server is refused by 1.8 itself (the RO clone must live
     * on the RW's partition; CreateVolume answers EIO), so that case is not tried.
     */
    @Test
    @Order(8)
    void addsiteAndRelease() throws Exception {
        notInClearRun();
        vos("addsite", "-server", j1(), "-partition", "b", "-id", "vt.rd.o").orFail();
        vos("addsite", "-server", fs1(), "-partition", "a", "-id", "vt.rd.o").orFail();
        ExecResult rel = vos("release", "vt.rd.o", "-verbose").orFail();
        ExecResult ro = vos("examine", "vt.rd.o.readonly").orFail();
        assertTrue(ro.stdout().contains("vt.rd.o.readonly") && ro.stdout().contains(" RO ")
            && ro.stdout().contains("On-line"), rel + "\n" + ro);
        assertTrue(ro.stdout().contains("server " + j1() + " partition /vicepb RO Site")
            && ro.stdout().contains("server " + fs1() + " partition /vicepa RO Site"), ro.toString());
        // The stock copy looks like ours, except for the clone id: a local RO clone inherits the RW's
        // cloneId (itself), while a forwarded one gets 0 from vos's SetIdsTypes, with stock servers too.
        ExecResult lo = vos("listvol", j1(), "b", "-long").orFail();
        ExecResult ls = vos("listvol", fs1(), "a", "-long").orFail();
        assertEquals(block(lo.stdout(), "vt.rd.o.readonly").replace(j1(), "S").replace("/vicepb", "/P")
                .replaceAll("ROnly +\\S+", "ROnly X"),
            block(ls.stdout(), "vt.rd.o.readonly").replace(fs1(), "S").replace("/vicepa", "/P")
                .replaceAll("ROnly +\\S+", "ROnly X"));
        holdsTheOriginalFiles("released to ours", "-id", "vt.rd.o.readonly", "-server", j1(), "-partition", "b");
        holdsTheOriginalFiles("released from ours to stock", "-id", "vt.rd.o.readonly", "-server", fs1(),
            "-partition", "a");
        vos("remove", "-server", fs1(), "-partition", "a", "-id", "vt.rd.o.readonly").orFail();
        vos("remove", "-server", j1(), "-partition", "b", "-id", "vt.rd.o.readonly").orFail();
    }

    /**
     * Dumps of the two equal volumes from both servers: the whole streams are equal but for the
     * volume header's id, name and dates (the first 200 bytes), and they carry the same vnodes.
     */
    static void sameDumps(String what, Path stockDump, Path ourDump) throws Exception {
        byte[] sb = Files.readAllBytes(stockDump);
        byte[] ob = Files.readAllBytes(ourDump);
        assertEquals(sb.length, ob.length, what + ": dump lengths");
        int last = -1;
        for (int i = 0; i < sb.length; i++) {
            if (sb[i] != ob[i]) {
                last = i;
            }
        }
        assertTrue(last < 200, what + ": the dumps differ at byte " + last + " of " + sb.length);
        assertEquals(DumpTestSupport.records(sb), DumpTestSupport.records(ob), what + ": vnode records");
    }

    @Test
    @Order(9)
    void dumpIncrementalAndFromAClone() throws Exception {
        notInClearRun();
        long now = System.currentTimeMillis() / 1000;
        // Older than every vnode: full records in an incremental stream; newer: header-only records.
        for (long from : new long[] {now - 86_400, now + 3_600}) {
            Path s = work.resolve("time-s-" + from + ".dump");
            Path o = work.resolve("time-o-" + from + ".dump");
            vos("dump", "-id", "vt.rd.s", "-time", Long.toString(from), "-file", s.toString()).orFail();
            vos("dump", "-id", "vt.rd.o", "-time", Long.toString(from), "-file", o.toString()).orFail();
            sameDumps("dump -time " + from, s, o);
            assertTrue(Files.size(o) < Files.size(dumpFile) + 100, "dump -time " + from + ": " + Files.size(o));
        }
        assertTrue(Files.size(work.resolve("time-o-" + (now + 3_600) + ".dump")) < 10_000, "header-only records");
        // vos size: the full and an incremental dump size, as the stock server counts them.
        both("size", "-id", "{V}", "-dump");
        both("size", "-id", "{V}", "-dump", "-time", Long.toString(now + 3_600));
        // -clone: the dump is taken from a temporary clone, which is removed afterwards.
        Path s = work.resolve("clone-s.dump");
        Path o = work.resolve("clone-o.dump");
        String volumesBefore = vos("listvol", j1(), "b", "-fast").orFail().stdout();
        vos("dump", "-id", "vt.rd.s", "-clone", "-file", s.toString()).orFail();
        vos("dump", "-id", "vt.rd.o", "-clone", "-file", o.toString()).orFail();
        sameDumps("dump -clone", s, o);
        assertEquals(TransferFixture.unpack(cell, s, work.resolve("clone-s")),
            TransferFixture.unpack(cell, o, work.resolve("clone-o")), "dump -clone read back by restorevol");
        assertEquals(volumesBefore, vos("listvol", j1(), "b", "-fast").orFail().stdout(), "the clone is gone");
    }

    @Test
    @Order(10)
    void restoreOverwriteFullOntoTheExistingVolume() throws Exception {
        notInClearRun();
        both("restore", "{S}", "b", "{V}", "-file", dumpFile.toString(), "-overwrite", "full");
        both("examine", "{V}", "-format");
        Path s = work.resolve("full-s.dump");
        Path o = work.resolve("full-o.dump");
        vos("dump", "-id", "vt.rd.s", "-file", s.toString()).orFail();
        vos("dump", "-id", "vt.rd.o", "-file", o.toString()).orFail();
        sameDumps("after restore -overwrite full", s, o);
        assertEquals(TransferFixture.unpack(cell, dumpFile, work.resolve("full-src")),
            TransferFixture.unpack(cell, o, work.resolve("full-o")), "restored content read back by restorevol");
    }

    /**
     * copy and move across the two servers: stock → ours (the stock volserver is the Forward client
     * of our Restore), ours → stock (ours is the client of the stock Restore), and back. The copy
     * keeps the source's content: its dump has the source's length (equal-length names).
     */
    @Test
    @Order(11)
    void copyAndMoveBetweenStockAndOurs() throws Exception {
        vos("copy", "-id", "vt.rd.s", "-fromserver", fs1(), "-frompartition", "b", "-toname", "vt.xs.o",
            "-toserver", j1(), "-topartition", "a").orFail();
        cleanup.add(new String[] {"remove", "-id", "vt.xs.o"});
        vos("move", "-id", "vt.xs.o", "-fromserver", j1(), "-frompartition", "a", "-toserver", fs1(),
            "-topartition", "a").orFail();
        ExecResult atStock = vos("examine", "vt.xs.o").orFail();
        assertTrue(atStock.stdout().contains("server " + fs1() + " partition /vicepa RW Site"), atStock.toString());
        vos("move", "-id", "vt.xs.o", "-fromserver", fs1(), "-frompartition", "a", "-toserver", j1(),
            "-topartition", "a").orFail();
        ExecResult atOurs = vos("examine", "vt.xs.o").orFail();
        assertTrue(atOurs.stdout().contains("server " + j1() + " partition /vicepa RW Site")
            && atOurs.stdout().contains("On-line"), atOurs.toString());
        Path src = work.resolve("xs-src.dump");
        Path dst = work.resolve("xs-dst.dump");
        vos("dump", "-id", "vt.rd.s", "-file", src.toString()).orFail();
        vos("dump", "-id", "vt.xs.o", "-file", dst.toString()).orFail();
        assertEquals(Files.size(src), Files.size(dst));
    }
}
