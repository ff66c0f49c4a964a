package afsdr.volser.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import afsdr.realcell.ExecResult;
import afsdr.realcell.Interop;
import afsdr.realcell.RealCell;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Stock vos and rxdebug against our volserver running in-process on node j1, compared with the stock
 * volserver of fs1 whose partitions /vicepa and /vicepb live on the same filesystem as ours (so the
 * sizes agree; free space may move a little between the two calls, since other work writes to the
 * same disk).
 */
@Interop
class VolserverPartitionInteropTest {
    /** Free space may change between the stock and our answer; totals may not. */
    private static final long FREE_TOLERANCE_KB = 512 * 1024;

    static RealCell cell;
    static Volserver ours;
    static String oursAddr;
    static String stockAddr;

    @BeforeAll
    static void up() throws Exception {
        cell = RealCell.shared();
        // j1 gets the same two partitions fs1 has, so the answers can be compared whole.
        ours = OursOnJ1.start(cell, "VolserLog.inprocess");
        oursAddr = cell.addressString(RealCell.J1);
        stockAddr = cell.addressString(RealCell.FS1);
        assertEquals(oursAddr, ours.address().getAddress().getHostAddress(), "-rxbind must bind NetInfo's address");
    }

    @AfterAll
    static void down() {
        if (ours != null) {
            ours.close();
        }
    }

    @Test
    void listpartPrintsWhatTheStockServerPrints() {
        ExecResult stock = cell.vos("listpart", stockAddr, "-noauth").orFail();
        ExecResult mine = cell.vos("listpart", oursAddr, "-noauth").orFail();
        assertTrue(stock.stdout().contains("/vicepa") && stock.stdout().contains("/vicepb"), stock.toString());
        assertEquals(stock.stdout(), mine.stdout());
    }

    @Test
    void partinfoTotalsEqualTheStockServersOnTheSameFilesystem() {
        ExecResult stock = cell.vos("partinfo", stockAddr, "-noauth").orFail();
        ExecResult mine = cell.vos("partinfo", oursAddr, "-noauth").orFail();
        List<long[]> s = parsePartinfo(stock.stdout());
        List<long[]> m = parsePartinfo(mine.stdout());
        assertEquals(2, s.size(), stock.toString());
        assertEquals(s.size(), m.size(), mine.toString());
        for (int i = 0; i < s.size(); i++) {
            assertEquals(s.get(i)[0], m.get(i)[0], "partition order");
            assertEquals(s.get(i)[2], m.get(i)[2], "total size of /vicep" + (char) ('a' + s.get(i)[0]));
            assertTrue(Math.abs(s.get(i)[1] - m.get(i)[1]) <= FREE_TOLERANCE_KB,
                "free space: stock " + s.get(i)[1] + " ours " + m.get(i)[1]);
        }
    }

    @Test
    void partinfoOfOnePartitionAndOfAMissingOne() {
        ExecResult one = cell.vos("partinfo", oursAddr, "b", "-noauth").orFail();
        assertEquals(1, parsePartinfo(one.stdout()).size(), one.toString());
        // A partition we do not serve: vos checks with XListPartitions first, as with the stock server.
        ExecResult stockMissing = cell.vos("partinfo", stockAddr, "z", "-noauth");
        ExecResult missing = cell.vos("partinfo", oursAddr, "z", "-noauth");
        assertEquals(stockMissing.exitCode(), missing.exitCode(), missing.toString());
        assertTrue(missing.exitCode() != 0, missing.toString());
        assertEquals(stockMissing.stderr().replace(stockAddr, "X").replace(cell.host(RealCell.FS1), "X"),
            missing.stderr().replace(oursAddr, "X").replace(cell.host(RealCell.J1), "X"));
    }

    @Test
    void rxdebugVersionAnswers() {
        ExecResult r = cell.run(RealCell.CLIENT, "rxdebug", oursAddr, "7005", "-version").orFail();
        assertTrue(r.stdout().contains(Volserver.VERSION), r.toString());
    }

    /** Rows of "Free space on partition /vicepX: F K blocks out of total T" as {id, F, T}. */
    static List<long[]> parsePartinfo(String out) {
        Pattern p = Pattern.compile("Free space on partition /vicep([a-z]): (\\d+) K blocks out of total (\\d+)");
        Matcher m = p.matcher(out);
        List<long[]> rows = new ArrayList<>();
        while (m.find()) {
            rows.add(new long[] {m.group(1).charAt(0) - 'a', Long.parseLong(m.group(2)), Long.parseLong(m.group(3))});
        }
        return rows;
    }
}
