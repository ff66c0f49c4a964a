package afsdr.volser.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import afsdr.partition.NameiInode;
import afsdr.realcell.ExecResult;
import afsdr.realcell.Interop;
import afsdr.realcell.RealCell;
import afsdr.rx.netty.RxEndpoint;
import afsdr.rx.rpc.RpcException;
import afsdr.volser.client.VolserClient;
import afsdr.volser.wire.VolserConstants;
import afsdr.volser.wire.VolserErrors;
import afsdr.volser.wire.VolserOps;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Each stock vos command run twice with equal inputs: against the stock volserver of fs1 and against
 * ours (in process, bound to j1), both on their /vicepb, which nothing else in this JVM uses. The
 * outputs must be equal once volume ids, dates, volume names and server names are normalised.
 * The methods form one scenario (create → examine → ... → remove) and run in order.
 *
 * <p>This class runs it in the noauth cell with {@code -noauth}; subclasses run it again in the
 * auth cell ({@link AuthMode}).
 */
@Interop
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VolserverVosInteropTest {
    static AuthMode mode;
    static RealCell cell;
    static Volserver ours;
    static Site stock;
    static Site mine;
    static RxEndpoint client;

    /** One side of the comparison: server, the volume we made there, its id. */
    static final class Site {
        final String node;
        final String host;
        final String addr;
        final String name;
        String id;
        String cloneId;

        Site(String node, String suffix) {
            this.node = node;
            this.host = cell.host(node);
            this.addr = cell.addressString(node);
            this.name = "vt.vos." + suffix;
        }

        VolserClient volser() {
            return new VolserClient(client.connect(new InetSocketAddress(cell.address(node), 7005), 4,
                mode.clientSecurity(cell)));
        }
    }

    /** The mode is this class's (noauth) or the running subclass's {@link InMode}. */
    @BeforeAll
    static void up(TestInfo info) throws Exception {
        start(AuthMode.of(info.getTestClass()));
    }

    static void start(AuthMode m) throws Exception {
        mode = m;
        cell = m.cell();
        List<String> extra = new java.util.ArrayList<>(List.of(
            "-auditlog", cell.logDir(RealCell.J1).resolve("VolserAudit").toString()));
        extra.addAll(m.serverArgs);
        ours = OursOnJ1.start(cell, "VolserLog.vos", extra.toArray(String[]::new));
        stock = new Site(RealCell.FS1, "s");
        mine = new Site(RealCell.J1, "o");
        client = RxEndpoint.builder().bind(cell.address(RealCell.CLIENT), 0).build();
    }

    @AfterAll
    static void down() {
        try {
            for (Site s : new Site[] {stock, mine}) {
                if (s != null) {
                    cell.vos(mode.vos("remove", "-server", s.host, "-partition", "b", "-id", s.name));
                    if (s.cloneId != null) {
                        cell.vos(mode.vos("zap", "-server", s.host, "-partition", "b", "-id", s.cloneId));
                    }
                }
            }
        } finally {
            if (client != null) {
                client.close();
            }
            if (ours != null) {
                ours.close();
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /** vos with {@code {S}} = server host, {@code {V}} = volume name, {@code {I}} = volume id. */
    static ExecResult vos(Site s, String... args) {
        String[] a = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            a[i] = args[i].replace("{S}", s.host).replace("{V}", s.name).replace("{I}", s.id == null ? "" : s.id)
                .replace("{C}", s.cloneId == null ? "" : s.cloneId);
        }
        return cell.vos(mode.vos(a));
    }

    /** Runs the command on both sides and asserts equal normalised stdout, stderr and exit code. */
    static ExecResult[] same(String... args) {
        ExecResult s = vos(stock, args);
        ExecResult m = vos(mine, args);
        assertEquals(norm(stock, s.stdout()), norm(mine, m.stdout()), "stdout of vos " + String.join(" ", args)
            + "\nstock: " + s + "\nours: " + m);
        assertEquals(norm(stock, s.stderr()), norm(mine, m.stderr()), "stderr of vos " + String.join(" ", args)
            + "\nstock: " + s + "\nours: " + m);
        assertEquals(s.exitCode(), m.exitCode(), "exit code of vos " + String.join(" ", args) + "\nours: " + m);
        return new ExecResult[] {s, m};
    }

    /** {@link #same} for a command that must succeed. */
    static ExecResult[] ok(String... args) {
        ExecResult[] r = same(args);
        assertEquals(0, r[1].exitCode(), "vos " + String.join(" ", args) + " against ours: " + r[1]);
        return r;
    }

    /** {@link #same} for a command that must fail. */
    static ExecResult[] fails(String... args) {
        ExecResult[] r = same(args);
        assertTrue(r[1].exitCode() != 0, "vos " + String.join(" ", args) + " should fail: " + r[1]);
        return r;
    }

    /**
     * Server names and addresses → SERVER, volume names → NAME, dates → DATE, epoch times → TIME,
     * volume ids (≥ 536870912, the first ids vlserver hands out) → ID1, ID2... by first appearance.
     */
    static String norm(Site s, String out) {
        return VosOutput.norm(out, VosOutput.WIDE, s.host, "SERVER", s.addr, "SERVER", s.name, "NAME");
    }

    static String idOf(ExecResult examine, String name) {
        Matcher m = Pattern.compile(Pattern.quote(name) + "\\s+(\\d+)").matcher(examine.stdout());
        assertTrue(m.find(), examine.toString());
        return m.group(1);
    }

    // ------------------------------------------------------------------ scenario

    @Test
    @Order(0)
    void registersItsAddressInTheVldb() throws Exception {
        ExecResult r = null;
        for (int i = 0; i < 50; i++) {
            r = cell.vos(mode.vos("listaddrs", "-printuuid")).orFail();
            if (r.stdout().contains(cell.host(RealCell.J1))) {
                break;
            }
            Thread.sleep(100);
        }
        assertTrue(r.stdout().contains(cell.host(RealCell.J1)), r.toString());
        VlRegistration.SysId sysid = VlRegistration.read(cell.localDir(RealCell.J1).resolve("sysid"));
        assertEquals(List.of(cell.address(RealCell.J1)), sysid.addresses());
        // vos prints the UUID as hex groups; ours must be the one in the sysid file.
        String hex = String.format("%08x", sysid.uuid().timeLow());
        assertTrue(r.stdout().contains(hex), hex + " not in\n" + r);
    }

    @Test
    @Order(1)
    void create() {
        ExecResult[] r = ok("create", "{S}", "b", "{V}");
        stock.id = idOf(vos(stock, "examine", "{V}").orFail(), stock.name);
        mine.id = idOf(vos(mine, "examine", "{V}").orFail(), mine.name);
    }

    @Test
    @Order(2)
    void examineInAllFormats() {
        ExecResult[] r = ok("examine", "{V}");
        assertTrue(r[1].stdout().contains("On-line"), r[1].toString());
        ok("examine", "{V}", "-extended");
        ok("examine", "{V}", "-format");
    }

    @Test
    @Order(3)
    void listvolInAllFormats() {
        ok("listvol", "{S}", "b");
        ok("listvol", "{S}", "b", "-long");
        ok("listvol", "{S}", "b", "-extended");
        ok("listvol", "{S}", "b", "-format");
        ok("listvol", "{S}", "b", "-fast");
    }

    @Test
    @Order(4)
    void setfields() {
        ok("setfields", "{V}", "-maxquota", "1234", "-clearuse");
        ExecResult[] r = ok("examine", "{V}");
        assertTrue(r[1].stdout().contains("MaxQuota       1234 K"), r[1].toString());
    }

    @Test
    @Order(5)
    void offlineAndOnline() {
        ok("offline", "-server", "{S}", "-partition", "b", "-id", "{V}");
        ExecResult[] r = ok("examine", "{V}");
        assertTrue(r[1].stdout().contains("Off-line"), r[1].toString());
        ok("listvol", "{S}", "b");
        ok("online", "-server", "{S}", "-partition", "b", "-id", "{V}");
        r = ok("examine", "{V}");
        assertTrue(r[1].stdout().contains("On-line"), r[1].toString());
    }

    @Test
    @Order(6)
    void lockAndUnlock() {
        ok("lock", "{V}");
        ok("examine", "{V}");
        ok("unlock", "{V}");
    }

    @Test
    @Order(7)
    void backupTwiceThenExamineIt() {
        ok("backup", "{V}");
        ok("examine", "{V}.backup");
        ok("examine", "{V}");
        ok("backup", "{V}");
        ok("examine", "{V}.backup");
        ok("listvol", "{S}", "b", "-long");
    }

    @Test
    @Order(8)
    void cloneReadOnly() {
        ok("clone", "-id", "{V}", "-server", "{S}", "-partition", "b", "-toname", "{V}.c", "-readonly");
        ExecResult[] r = ok("listvol", "{S}", "b", "-long");
        stock.cloneId = idOf(r[0], stock.name + ".c");
        mine.cloneId = idOf(r[1], mine.name + ".c");
        ok("examine", "{V}");
    }

    @Test
    @Order(9)
    void statusAndEndtrans() throws Exception {
        ok("status", "{S}");
        try (VolserClient sc = stock.volser(); VolserClient mc = mine.volser()) {
            int st = sc.transCreate((int) Long.parseLong(stock.id), 1, VolserConstants.ITReadOnly);
            int mt = mc.transCreate((int) Long.parseLong(mine.id), 1, VolserConstants.ITReadOnly);
            try {
                ExecResult[] r = new ExecResult[] {vos(stock, "status", "{S}"), vos(mine, "status", "{S}")};
                assertEquals(normStatus(stock, r[0].stdout(), st), normStatus(mine, r[1].stdout(), mt),
                    r[0] + "\n" + r[1]);
                // A second transaction on the same volume and partition: VOLSERVOLBUSY from both.
                int stockBusy = assertThrows(RpcException.class, () -> sc.transCreate((int) Long.parseLong(stock.id), 1,
                    VolserConstants.ITOffline)).code();
                int oursBusy = assertThrows(RpcException.class, () -> mc.transCreate((int) Long.parseLong(mine.id), 1,
                    VolserConstants.ITOffline)).code();
                assertEquals(VolserErrors.VOLSERVOLBUSY, stockBusy);
                assertEquals(stockBusy, oursBusy);
                // While it is held, list and examine report the volume busy.
                ExecResult[] busy = same("examine", "{V}");
                assertTrue(busy[1].stdout().contains("busy"), busy[1].toString());
                ok("listvol", "{S}", "b");
            } finally {
                ExecResult es = cell.vos(mode.vos("endtrans", "-server", stock.host, "-transaction", Integer.toString(st)));
                ExecResult em = cell.vos(mode.vos("endtrans", "-server", mine.host, "-transaction", Integer.toString(mt)));
                assertEquals(es.exitCode(), em.exitCode(), es + "\n" + em);
                assertEquals(0, em.exitCode(), em.toString());
            }
            // Ending it again: the transaction is unknown now.
            ExecResult es = cell.vos(mode.vos("endtrans", "-server", stock.host, "-transaction", Integer.toString(st)));
            ExecResult em = cell.vos(mode.vos("endtrans", "-server", mine.host, "-transaction", Integer.toString(mt)));
            assertEquals(es.exitCode(), em.exitCode(), es + "\n" + em);
            assertEquals(es.stderr().replace(Integer.toString(st), "T").replace(stock.host, "S"),
                em.stderr().replace(Integer.toString(mt), "T").replace(mine.host, "S"));
        }
        ok("status", "{S}");
    }

    /** vos status of one transaction, with its id, times and volume as placeholders. */
    static String normStatus(Site s, String out, int tid) {
        return norm(s, out.replaceAll("transaction: " + tid + "\\b", "transaction: T")
            .replaceAll("(created|lastActiveTime|creationTime):? .*", "$1 X"));
    }

    @Test
    @Order(10)
    void errorsLeaveEverythingAsItWas() throws Exception {
        ExecResult[] before = ok("listvol", "{S}", "b", "-long");
        // Unknown volume id, unknown partition.
        fails("zap", "-server", "{S}", "-partition", "b", "-id", "1999999999");
        fails("zap", "-server", "{S}", "-partition", "b", "-id", "1999999999", "-force");
        fails("listvol", "{S}", "z");
        fails("offline", "-server", "{S}", "-partition", "b", "-id", "1999999998");
        try (VolserClient sc = stock.volser(); VolserClient mc = mine.volser()) {
            // 32 bytes: the most the XDR string<32> carries, one more than a volume name may have.
            String longName = "x".repeat(32);
            for (VolserClient c : List.of(sc, mc)) {
                int code = assertThrows(RpcException.class, () -> c.call(VolserOps.CreateVolume,
                    new VolserOps.CreateVolumeArgs(1, longName, 0, 0, 1999999997))).code();
                assertEquals(VolserErrors.VOLSERBADNAME, code, "oversize name");
                code = assertThrows(RpcException.class, () -> c.getStatus(987654)).code();
                assertEquals(VolserErrors.ENOENT, code, "unknown transaction");
                code = assertThrows(RpcException.class, () -> c.listOneVolume(1, 1999999996)).code();
                assertEquals(VolserErrors.ENODEV, code, "ListOneVolume of a missing volume");
                code = assertThrows(RpcException.class, () -> c.transCreate(1999999996, 1, VolserConstants.ITOffline))
                    .code();
                assertEquals(VolserErrors.VNOVOL, code, "TransCreate of a missing volume");
                code = assertThrows(RpcException.class, () -> c.call(VolserOps.GetNthVolume, 0)).code();
                assertEquals(VolserErrors.VOLSERNO_OP, code, "GetNthVolume");
            }
        }
        ExecResult[] after = ok("listvol", "{S}", "b", "-long");
        assertEquals(norm(mine, before[1].stdout()), norm(mine, after[1].stdout()));
    }

    @Test
    @Order(11)
    void zapTheClone() {
        ok("zap", "-server", "{S}", "-partition", "b", "-id", "{C}");
        ok("listvol", "{S}", "b");
    }

    @Test
    @Order(12)
    void syncvldbAndSyncserv() {
        // Forget the clone's absence: syncvldb registers what the server holds, syncserv drops what it lacks.
        ok("syncvldb", "-server", "{S}", "-partition", "b");
        ok("syncserv", "-server", "{S}", "-partition", "b");
        ok("examine", "{V}");
    }

    @Test
    @Order(13)
    void remove() throws Exception {
        ok("remove", "-id", "{V}");
        // One VolserLog line per operation (caller, address, volume, transaction, result) and an
        // audit record for each change.
        String log = Files.readString(cell.logDir(RealCell.J1).resolve("VolserLog.vos"));
        assertTrue(log.matches("(?s).*" + java.util.regex.Pattern.quote(mode.callerName()) + " on 127\\.\\d+\\.\\d+\\.\\d+ is executing CreateVolume volume \\d+ 'vt\\.vos\\.o' "
            + "/vicepb type 0 parent 0 transaction \\d+: ok.*"), log);
        assertTrue(log.contains("is executing TransCreate volume 1999999998 /vicepb iflags 0x1: error 103"), log);
        String audit = Files.readString(cell.logDir(RealCell.J1).resolve("VolserAudit"));
        for (String event : List.of("AFS_VS_CrVol", "AFS_VS_SetInfo", "AFS_VS_SetFlags", "AFS_VS_EndTrn",
            "AFS_VS_Clone", "AFS_VS_ReClone", "AFS_VS_DelVol", "AFS_VS_TransCr")) {
            assertTrue(audit.contains("EVENT " + event + " CODE 0 NAME " + mode.callerName()), event + " missing:\n" + audit);
        }
        ok("listvol", "{S}", "b");
    }

    /**
     * {@code vos zap -force} (NukeVolume) of a volume whose header file is gone, leaving its namei
     * files (special inodes, the root directory's data) behind: the stock volserver removes them all
     * the same (and answers -1, for the header it cannot unlink); ours must leave nothing of the
     * volume on the partition either, and answer alike.
     */
    @Test
    @Order(14)
    void zapForceRemovesTheFilesOfAVolumeWithoutHeader() throws Exception {
        int id = 1_999_999_990;
        try (VolserClient sc = stock.volser(); VolserClient mc = mine.volser()) {
            for (VolserClient c : List.of(sc, mc)) {
                int t = c.call(VolserOps.CreateVolume, new VolserOps.CreateVolumeArgs(1, "vt.vos.hl", VolserConstants.RWVOL,
                    0, id)).trans();
                c.call(VolserOps.SetFlags, new VolserOps.TransValue(t, 0));
                c.endTrans(t);
            }
        }
        Path[] parts = {cell.partitionDir(RealCell.FS1, "b"), cell.partitionDir(RealCell.J1, "a").resolveSibling("vicepb")};
        String group = NameiInode.groupDir(Integer.toUnsignedLong(id));
        for (Path p : parts) {
            Files.delete(p.resolve(String.format("V%010d.vol", Integer.toUnsignedLong(id))));
            assertTrue(Files.isDirectory(p.resolve(group)), "namei files left behind in " + p);
        }
        ExecResult s = vos(stock, "zap", "-server", "{S}", "-partition", "b", "-id", Integer.toString(id), "-force");
        ExecResult m = vos(mine, "zap", "-server", "{S}", "-partition", "b", "-id", Integer.toString(id), "-force");
        for (Path p : parts) {
            assertFalse(Files.exists(p.resolve(group)), "namei files of " + id + " removed from " + p);
        }
        // ... and then the stock nuke fails to unlink the header: "failed with code -1".
        assertEquals(norm(stock, s.stdout() + s.stderr()), norm(mine, m.stdout() + m.stderr()), "stock: " + s + "\nours: " + m);
        assertEquals(s.exitCode(), m.exitCode(), "stock: " + s + "\nours: " + m);
        ok("listvol", "{S}", "b");
    }
}
