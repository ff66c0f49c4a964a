package afsdr.volser.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import afsdr.realcell.ExecResult;
import afsdr.realcell.Interop;
import afsdr.realcell.RealCell;
import java.nio.file.Files;
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
 * Transfers from our volserver (j1) to the stock volserver of fs1, our server being the Forward
 * client, each run twice with equal data: once from ours and once from the stock volserver of fs2,
 * the reference, onto the same fs1 partition. vos must print the same, the targets must look the
 * same to {@code vos listvol -format}, their dumps must carry the same vnodes, and stock
 * {@code restorevol} must read back the source's files. Shadow full, after a change (create,
 * rewrite, delete, applied to our source by our Restore) {@code -incremental}, {@code -readonly},
 * {@code -live}, {@code -offline}; copy; release to a read-only site on fs1; move.
 */
@Interop
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VolserverOursToStockInteropTest extends OursAndStockInterop {
    static final String SRC_OURS = "vt.os.src1";
    static final String SRC_STOCK = "vt.os.src2";
    static final String SH_OURS = "1990000401";
    static final String SH_STOCK = "1990000402";
    static final String VAR_OURS = "1990000403";
    static final String VAR_STOCK = "1990000404";

    /** The mode is this class's (noauth) or the running subclass's {@link InMode}. */
    @BeforeAll
    static void up(TestInfo info) throws Exception {
        begin(info, "VolserLog.ours2stock", "ours2stock", 1_990_000_400);
        Path full = fx.fullDump("full.dump");
        fx.vos("restore", j1(), "b", SRC_OURS, "-file", full.toString()).orFail();
        cleanup.add(new String[] {"remove", "-id", SRC_OURS});
        fx.vos("restore", fs2(), "b", SRC_STOCK, "-file", full.toString()).orFail();
        cleanup.add(new String[] {"remove", "-id", SRC_STOCK});
        for (String id : List.of(SH_OURS, SH_STOCK, VAR_OURS, VAR_STOCK)) {
            cleanup.add(new String[] {"zap", "-server", fs1(), "-partition", "a", "-id", id});
        }
    }

    /**
     * Runs vos with {@code {S}} = source host, {@code {V}} = source name, {@code {I}} = target id,
     * {@code {N}} = target name, once from ours and once from the stock reference; asserts equal
     * exit codes and normalised output; returns {ours, stock}.
     */
    static ExecResult[] both(String oursId, String stockId, String oursName, String stockName, String... args) {
        return compare(side(0, oursId, oursName), side(1, stockId, stockName), args);
    }

    static Side side(int side, String id, String name) {
        return new Side(Map.of("{S}", side == 0 ? j1() : fs2(), "{V}", side == 0 ? SRC_OURS : SRC_STOCK, "{I}", id,
            "{N}", name), out -> normSide(out, side, id, name));
    }

    static String normSide(String out, int side, String id, String name) {
        String host = side == 0 ? j1() : fs2();
        String addr = cell.addressString(side == 0 ? RealCell.J1 : RealCell.FS2);
        return VosOutput.norm(out, VosOutput.RECENT, host, "SOURCE", addr, "SOURCE", side == 0 ? SRC_OURS : SRC_STOCK, "SRC",
            name, "NAME", id, "TID");
    }

    /** Both targets on fs1 look the same to listvol -format, carry the same vnodes, hold the source's files. */
    static void sameTargets(String what, String oursId, String stockId, String oursName, String stockName)
            throws Exception {
        String eo = normSide(fx.formatEntry(fs1(), "a", oursId), 0, oursId, oursName);
        String es = normSide(fx.formatEntry(fs1(), "a", stockId), 1, stockId, stockName);
        assertEquals(es, eo, what + ": listvol -format of the targets");
        TransferFixture.Content co = fx.assertHoldsCurrent(what + " from ours", oursId, fs1(), "a");
        TransferFixture.Content cs = fx.dumpOnly(stockId, fs1(), "a");
        assertEquals(cs.vnodes(), co.vnodes(), what + ": vnode records of the targets' dumps");
        assertEquals(cs.dumpLength(), co.dumpLength(), what + ": dump lengths");
    }

    static String[] shadow(String... flags) {
        List<String> a = new ArrayList<>(List.of("shadow", "-id", "{V}", "-fromserver", "{S}", "-frompartition", "b",
            "-toserver", fs1(), "-topartition", "a", "-toname", "{N}", "-toid", "{I}"));
        a.addAll(List.of(flags));
        return a.toArray(String[]::new);
    }

    @Test
    @Order(1)
    void shadowFullThenIncrementalAfterCreateChangeDelete() throws Exception {
        both(SH_OURS, SH_STOCK, "vt.os.sh1", "vt.os.sh2", shadow());
        sameTargets("full shadow", SH_OURS, SH_STOCK, "vt.os.sh1", "vt.os.sh2");
        // Change both sources alike; ours through our own Restore.
        Path incr = fx.changeAndDumpIncremental("incr1.dump");
        fx.vos("restore", j1(), "b", SRC_OURS, "-file", incr.toString(), "-overwrite", "incremental").orFail();
        fx.vos("restore", fs2(), "b", SRC_STOCK, "-file", incr.toString(), "-overwrite", "incremental").orFail();
        fx.assertHoldsCurrent("changed source on ours", SRC_OURS, j1(), "b");
        both(SH_OURS, SH_STOCK, "vt.os.sh1", "vt.os.sh2", shadow("-incremental"));
        TransferFixture.Content c = fx.content(SH_OURS, fs1(), "a");
        assertTrue(c.files().containsKey("sub/new1.txt") && !c.files().containsKey("small1"), c.files().toString());
        sameTargets("incremental shadow", SH_OURS, SH_STOCK, "vt.os.sh1", "vt.os.sh2");
        // What our Forward connections used: -s2scrypt inherit under vos -encrypt gives crypt, the
        // default (never) clear; the log line is written per Forward connection.
        String whole = Files.readString(cell.logDir(RealCell.J1).resolve("VolserLog.ours2stock"));
        // this run's part: the clear and -encrypt runs share the auth cell and the log file
        String log = whole.substring(whole.lastIndexOf("Starting afsdr volserver"));
        String used = mode == AuthMode.ENCRYPT ? "with rxkad crypt" : "with rxkad clear";
        String notUsed = mode == AuthMode.ENCRYPT ? "with rxkad clear" : "with rxkad crypt";
        String to = "Forwarding to " + cell.address(RealCell.FS1).getHostAddress() + ":7005 ";
        assertTrue(log.contains(to + used) && !log.contains(notUsed), log);
    }

    @Test
    @Order(2)
    void shadowReadonlyThenLiveThenOfflineOntoTheSameTarget() throws Exception {
        both(VAR_OURS, VAR_STOCK, "vt.os.va1", "vt.os.va2", shadow("-readonly"));
        String entry = fx.formatEntry(fs1(), "a", VAR_OURS);
        assertTrue(entry.contains("type\t\tRO"), entry);
        sameTargets("shadow -readonly", VAR_OURS, VAR_STOCK, "vt.os.va1", "vt.os.va2");
        both(VAR_OURS, VAR_STOCK, "vt.os.va1", "vt.os.va2", shadow("-live"));
        entry = fx.formatEntry(fs1(), "a", VAR_OURS);
        assertTrue(entry.contains("type\t\tRW") && entry.contains("inUse\t\tY"), entry);
        sameTargets("shadow -live", VAR_OURS, VAR_STOCK, "vt.os.va1", "vt.os.va2");
        both(VAR_OURS, VAR_STOCK, "vt.os.va1", "vt.os.va2", shadow("-offline"));
        entry = fx.formatEntry(fs1(), "a", VAR_OURS);
        assertTrue(entry.contains("inUse\t\tN"), entry);
        sameTargets("shadow -offline", VAR_OURS, VAR_STOCK, "vt.os.va1", "vt.os.va2");
        both(VAR_OURS, VAR_STOCK, "vt.os.va1", "vt.os.va2", shadow("-live", "-incremental"));
        sameTargets("shadow -live -incremental", VAR_OURS, VAR_STOCK, "vt.os.va1", "vt.os.va2");
    }

    @Test
    @Order(3)
    void copy() throws Exception {
        both("", "", "vt.os.cp1", "vt.os.cp2", "copy", "-id", "{V}", "-fromserver", "{S}", "-frompartition", "b",
            "-toname", "{N}", "-toserver", fs1(), "-topartition", "a");
        cleanup.add(0, new String[] {"remove", "-id", "vt.os.cp1"});
        cleanup.add(0, new String[] {"remove", "-id", "vt.os.cp2"});
        both("", "", "vt.os.cp1", "vt.os.cp2", "examine", "{N}");
        sameTargets("copy", fx.id("vt.os.cp1"),
            fx.id("vt.os.cp2"), "vt.os.cp1", "vt.os.cp2");
    }

    @Test
    @Order(4)
    void releaseToAReadOnlySiteOnStock() throws Exception {
        both("", "", "", "", "addsite", "-server", fs1(), "-partition", "a", "-id", "{V}");
        try {
            both("", "", "", "", "release", "{V}");
            ExecResult[] ex = both("", "", "", "", "examine", "{V}.readonly");
            assertTrue(ex[0].stdout().contains("server " + fs1() + " partition /vicepa RO Site"), ex[0].toString());
            String roOurs = fx.id(SRC_OURS + ".readonly");
            String roStock = fx.id(SRC_STOCK + ".readonly");
            sameTargets("release", roOurs, roStock, SRC_OURS + ".readonly", SRC_STOCK + ".readonly");
        } finally {
            fx.vos("remove", "-server", fs1(), "-partition", "a", "-id", SRC_OURS + ".readonly");
            fx.vos("remove", "-server", fs1(), "-partition", "a", "-id", SRC_STOCK + ".readonly");
        }
    }

    @Test
    @Order(5)
    void move() throws Exception {
        both("", "", "", "", "move", "-id", "{V}", "-fromserver", "{S}", "-frompartition", "b",
            "-toserver", fs1(), "-topartition", "a");
        ExecResult[] ex = both("", "", "", "", "examine", "{V}");
        assertTrue(ex[0].stdout().contains(fs1() + " /vicepa") && ex[0].stdout().contains("On-line"), ex[0].toString());
        ExecResult gone = fx.vos("listvol", j1(), "b");
        assertTrue(!gone.stdout().contains(SRC_OURS + " "), "the source is gone from ours: " + gone);
        sameTargets("move", fx.id(SRC_OURS),
            fx.id(SRC_STOCK), SRC_OURS, SRC_STOCK);
    }
}
