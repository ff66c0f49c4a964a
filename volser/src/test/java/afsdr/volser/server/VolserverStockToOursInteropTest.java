package afsdr.volser.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import afsdr.realcell.ExecResult;
import afsdr.realcell.Interop;
import afsdr.realcell.RealCell;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Transfers whose source is the stock volserver of fs1 and whose target is ours (j1), each run
 * twice with equal data: once onto ours and once onto the stock volserver of fs2, the reference.
 * vos must print the same, the targets must look the same to {@code vos listvol -format}, their
 * dumps must carry the same vnodes, and stock {@code restorevol} must read back the files of the
 * source. Shadow full, after a change (create, rewrite, delete) {@code -incremental},
 * {@code -readonly}, {@code -live}, {@code -offline}; copy; move.
 */
@Interop
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VolserverStockToOursInteropTest extends OursAndStockInterop {
    static final String SRC = "vt.so.src";
    /** Shadow ids: below the VLDB's counter range, as vos shadow -toid allows. */
    static final String SH_OURS = "1990000301";
    static final String SH_STOCK = "1990000302";
    static final String VAR_OURS = "1990000303";
    static final String VAR_STOCK = "1990000304";

    /** The mode is this class's (noauth) or the running subclass's {@link InMode}. */
    @BeforeAll
    static void up(TestInfo info) throws Exception {
        begin(info, "VolserLog.stock2ours", "stock2ours", 1_990_000_300);
        Path full = fx.fullDump("full.dump");
        for (String name : List.of(SRC, "vt.so.mv1", "vt.so.mv2")) {
            fx.vos("restore", fs1(), "b", name, "-file", full.toString()).orFail();
            cleanup.add(new String[] {"remove", "-id", name});
        }
        cleanup.add(new String[] {"zap", "-server", j1(), "-partition", "a", "-id", SH_OURS});
        cleanup.add(new String[] {"zap", "-server", fs2(), "-partition", "a", "-id", SH_STOCK});
        cleanup.add(new String[] {"zap", "-server", j1(), "-partition", "a", "-id", VAR_OURS});
        cleanup.add(new String[] {"zap", "-server", fs2(), "-partition", "a", "-id", VAR_STOCK});
    }

    /**
     * Runs vos with {@code {T}} = target host, {@code {I}} = target id, {@code {N}} = target name
     * (same length on both sides), once for ours and once for the stock reference; asserts equal
     * exit codes and normalised output and returns {ours, stock}.
     */
    static ExecResult[] both(String oursId, String stockId, String oursName, String stockName, String... args) {
        return compare(side(0, oursId, oursName), side(1, stockId, stockName), args);
    }

    static Side side(int side, String id, String name) {
        return new Side(Map.of("{T}", side == 0 ? j1() : fs2(), "{I}", id, "{N}", name),
            out -> normSide(out, side, id, name));
    }

    static String normSide(String out, int side, String id, String name) {
        String host = side == 0 ? j1() : fs2();
        String addr = cell.addressString(side == 0 ? RealCell.J1 : RealCell.FS2);
        return VosOutput.norm(out, VosOutput.RECENT, host, "TARGET", addr, "TARGET", name, "NAME", id, "TID");
    }

    /** The two targets look the same to listvol -format, carry the same vnodes and hold the source's files. */
    static void sameTargets(String what, String part, String oursId, String stockId, String oursName,
            String stockName) throws Exception {
        String eo = normSide(fx.formatEntry(j1(), part, oursId), 0, oursId, oursName);
        String es = normSide(fx.formatEntry(fs2(), part, stockId), 1, stockId, stockName);
        assertEquals(es, eo, what + ": listvol -format of the targets");
        TransferFixture.Content co = fx.assertHoldsCurrent(what + " on ours", oursId, j1(), part);
        TransferFixture.Content cs = fx.dumpOnly(stockId, fs2(), part);
        assertEquals(cs.vnodes(), co.vnodes(), what + ": vnode records of the targets' dumps");
        assertEquals(cs.dumpLength(), co.dumpLength(), what + ": dump lengths");
    }

    static String[] shadow(String toId, String toName, String... flags) {
        List<String> a = new ArrayList<>(List.of("shadow", "-id", SRC, "-fromserver", fs1(), "-frompartition", "b",
            "-toserver", "{T}", "-topartition", "a", "-toname", toName, "-toid", toId));
        a.addAll(List.of(flags));
        return a.toArray(String[]::new);
    }

    @Test
    @Order(1)
    void shadowFullThenIncrementalAfterCreateChangeDelete() throws Exception {
        both(SH_OURS, SH_STOCK, "vt.so.sh1", "vt.so.sh2", shadow("{I}", "{N}"));
        sameTargets("full shadow", "a", SH_OURS, SH_STOCK, "vt.so.sh1", "vt.so.sh2");
        // Change the source on fs1: one file created, one rewritten, one deleted.
        Path incr = fx.changeAndDumpIncremental("incr1.dump");
        fx.vos("restore", fs1(), "b", SRC, "-file", incr.toString(), "-overwrite", "incremental").orFail();
        fx.assertHoldsCurrent("changed stock source", SRC, fs1(), "b");
        both(SH_OURS, SH_STOCK, "vt.so.sh1", "vt.so.sh2", shadow("{I}", "{N}", "-incremental"));
        TransferFixture.Content c = fx.content(SH_OURS, j1(), "a");
        assertTrue(c.files().containsKey("sub/new1.txt") && !c.files().containsKey("small1"), c.files().toString());
        sameTargets("incremental shadow", "a", SH_OURS, SH_STOCK, "vt.so.sh1", "vt.so.sh2");
    }

    @Test
    @Order(2)
    void shadowReadonlyThenLiveThenOfflineOntoTheSameTarget() throws Exception {
        // Each onto the existing target of the one before: vos deletes it and creates it anew.
        ExecResult[] r = both(VAR_OURS, VAR_STOCK, "vt.so.va1", "vt.so.va2", shadow("{I}", "{N}", "-readonly"));
        String entry = fx.formatEntry(j1(), "a", VAR_OURS);
        assertTrue(entry.contains("type\t\tRO"), entry);
        sameTargets("shadow -readonly", "a", VAR_OURS, VAR_STOCK, "vt.so.va1", "vt.so.va2");
        r = both(VAR_OURS, VAR_STOCK, "vt.so.va1", "vt.so.va2", shadow("{I}", "{N}", "-live"));
        entry = fx.formatEntry(j1(), "a", VAR_OURS);
        assertTrue(entry.contains("type\t\tRW") && entry.contains("inUse\t\tY"), entry);
        sameTargets("shadow -live", "a", VAR_OURS, VAR_STOCK, "vt.so.va1", "vt.so.va2");
        r = both(VAR_OURS, VAR_STOCK, "vt.so.va1", "vt.so.va2", shadow("{I}", "{N}", "-offline"));
        entry = fx.formatEntry(j1(), "a", VAR_OURS);
        assertTrue(entry.contains("inUse\t\tN"), entry);
        sameTargets("shadow -offline", "a", VAR_OURS, VAR_STOCK, "vt.so.va1", "vt.so.va2");
        // -live -incremental onto the offline shadow: brings it up to date and on line.
        both(VAR_OURS, VAR_STOCK, "vt.so.va1", "vt.so.va2", shadow("{I}", "{N}", "-live", "-incremental"));
        sameTargets("shadow -live -incremental", "a", VAR_OURS, VAR_STOCK, "vt.so.va1", "vt.so.va2");
        System.out.println("shadow variants stock->ours: ok\n" + r[0]);
    }

    @Test
    @Order(3)
    void copy() throws Exception {
        both("", "", "vt.so.cp1", "vt.so.cp2", "copy", "-id", SRC, "-fromserver", fs1(), "-frompartition", "b",
            "-toname", "{N}", "-toserver", "{T}", "-topartition", "a");
        cleanup.add(0, new String[] {"remove", "-id", "vt.so.cp1"});
        cleanup.add(0, new String[] {"remove", "-id", "vt.so.cp2"});
        both("", "", "vt.so.cp1", "vt.so.cp2", "examine", "{N}");
        sameTargets("copy", "a", fx.id("vt.so.cp1"), fx.id("vt.so.cp2"), "vt.so.cp1", "vt.so.cp2");
    }

    @Test
    @Order(4)
    void move() throws Exception {
        // Two sources of equal data: the first moves to ours, the second to the stock fs2. Both got
        // the change of the first test (the moved volume must carry it).
        Path incr = fx.work.resolve("incr1.dump");
        for (String v : List.of("vt.so.mv1", "vt.so.mv2")) {
            fx.vos("restore", fs1(), "b", v, "-file", incr.toString(), "-overwrite", "incremental").orFail();
        }
        both("", "", "vt.so.mv1", "vt.so.mv2", "move", "-id", "{N}", "-fromserver", fs1(), "-frompartition", "b",
            "-toserver", "{T}", "-topartition", "a");
        ExecResult[] ex = both("", "", "vt.so.mv1", "vt.so.mv2", "examine", "{N}");
        assertTrue(ex[0].stdout().contains(j1() + " /vicepa") && ex[0].stdout().contains("On-line"), ex[0].toString());
        ExecResult gone = fx.vos("listvol", fs1(), "b");
        assertTrue(!gone.stdout().contains("vt.so.mv1 "), "the source is gone from fs1: " + gone);
        sameTargets("move", "a", fx.id("vt.so.mv1"), fx.id("vt.so.mv2"), "vt.so.mv1", "vt.so.mv2");
    }
}
