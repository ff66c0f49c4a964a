package afsdr.volser.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import afsdr.realcell.ExecResult;
import afsdr.realcell.Interop;
import afsdr.realcell.RealCell;
import afsdr.rx.netty.RxEndpoint;
import afsdr.rx.rpc.RpcException;
import afsdr.rx.rxkad.RxkadLevel;
import afsdr.rx.security.ClientSecurity;
import afsdr.volser.client.VolserClient;
import afsdr.volser.wire.VolserConstants;
import afsdr.volser.wire.VolserErrors;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Who may do what, in the auth cell (no NoAuth anywhere), our volserver (j1) beside the stock one of
 * fs1, each with a volume of its own on /vicepa: every changing vos command without credentials
 * fails as it fails against the stock server and changes nothing; queries without credentials are
 * answered as by the stock server (-restricted_query anyuser, the default); an rxkad user who is
 * not in UserList may query but not change, the UserList admin may change, from our cell only;
 * with -restricted_query admin, queries need a superuser.
 */
@Interop
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VolserverAuthorizationInteropTest {
    static RealCell cell;
    static Volserver ours;
    static RxEndpoint client;
    static Path dumpFile;

    @BeforeAll
    static void up() throws Exception {
        cell = RealCell.sharedAuth();
        ours = OursOnJ1.start(cell, "VolserLog.authz");
        client = RxEndpoint.builder().bind(cell.address(RealCell.CLIENT), 0).build();
        for (String node : List.of(RealCell.FS1, RealCell.J1)) {
            cell.vos("create", cell.host(node), "a", name(node), "-localauth").orFail();
        }
        dumpFile = Files.createDirectories(cell.stateDir().resolve("authz")).resolve("v.dump");
        cell.vos("dump", "-id", name(RealCell.FS1), "-file", dumpFile.toString(), "-localauth").orFail();
    }

    @AfterAll
    static void down() {
        try {
            for (String node : List.of(RealCell.FS1, RealCell.J1)) {
                cell.vos("remove", "-id", name(node), "-localauth");
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

    static String name(String node) {
        return node.equals(RealCell.J1) ? "vt.az.o" : "vt.az.s";
    }

    /** vos as {@code node}'s side: {S} server, {V} its volume, {F} a dump file; credentials last. */
    static ExecResult vos(String node, String credentials, String... args) {
        List<String> a = new ArrayList<>();
        for (String s : args) {
            a.add(s.replace("{S}", cell.host(node)).replace("{V}", name(node)).replace("{F}", dumpFile.toString()));
        }
        a.add(credentials);
        return cell.vos(a.toArray(String[]::new));
    }

    private static final Pattern DATE = Pattern.compile("[A-Z][a-z]{2} [A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}");
    private static final Pattern BIG = Pattern.compile("\\b\\d{9,10}\\b");

    static String norm(String node, String out) {
        String t = out.replace(cell.host(node), "SERVER").replace(cell.addressString(node), "SERVER")
            .replace(name(node), "NAME");
        t = DATE.matcher(t).replaceAll("DATE");
        Matcher m = BIG.matcher(t);
        return m.replaceAll("N");
    }

    /** The same command as both sides without credentials: same output, same failure. */
    static void refusedLikeStock(String... args) {
        ExecResult s = vos(RealCell.FS1, "-noauth", args);
        ExecResult o = vos(RealCell.J1, "-noauth", args);
        String what = "vos " + String.join(" ", args) + " -noauth\nstock: " + s + "\nours: " + o;
        assertNotEquals(0, s.exitCode(), what);
        assertEquals(s.exitCode(), o.exitCode(), what);
        assertEquals(norm(RealCell.FS1, s.stderr()), norm(RealCell.J1, o.stderr()), what);
        assertEquals(norm(RealCell.FS1, s.stdout()), norm(RealCell.J1, o.stdout()), what);
    }

    @Test
    @Order(1)
    void changingCommandsWithoutCredentialsFailAsAgainstTheStockServer() throws Exception {
        String before = norm(RealCell.J1, vos(RealCell.J1, "-localauth", "examine", "{V}", "-format").orFail().stdout());
        List<String[]> commands = List.of(
            new String[] {"zap", "-server", "{S}", "-partition", "a", "-id", "{V}"},
            new String[] {"remove", "-server", "{S}", "-partition", "a", "-id", "{V}"},
            new String[] {"offline", "-server", "{S}", "-partition", "a", "-id", "{V}"},
            new String[] {"online", "-server", "{S}", "-partition", "a", "-id", "{V}"},
            new String[] {"setfields", "-id", "{V}", "-maxquota", "10"},
            new String[] {"backup", "{V}"},
            new String[] {"clone", "-id", "{V}", "-server", "{S}", "-partition", "a", "-toname", "{V}.c"},
            new String[] {"dump", "-id", "{V}", "-server", "{S}", "-partition", "a", "-file", "{F}.out"},
            new String[] {"size", "-id", "{V}", "-server", "{S}", "-partition", "a", "-dump"},
            new String[] {"restore", "{S}", "a", "{V}", "-file", "{F}", "-overwrite", "incremental"},
            new String[] {"shadow", "-id", "{V}", "-fromserver", "{S}", "-frompartition", "a", "-toserver", "{S}",
                "-topartition", "b", "-toname", "{V}.sh", "-toid", "1990000201"},
            new String[] {"copy", "-id", "{V}", "-fromserver", "{S}", "-frompartition", "a", "-toname", "{V}.cp",
                "-toserver", "{S}", "-topartition", "b"},
            new String[] {"move", "-id", "{V}", "-fromserver", "{S}", "-frompartition", "a", "-toserver", "{S}",
                "-topartition", "b"},
            new String[] {"release", "{V}"},
            new String[] {"create", "{S}", "a", "{V}.n"},
            new String[] {"endtrans", "-server", "{S}", "-transaction", "1"});
        for (String[] c : commands) {
            refusedLikeStock(c);
        }
        String after = norm(RealCell.J1, vos(RealCell.J1, "-localauth", "examine", "{V}", "-format").orFail().stdout());
        assertEquals(before, after, "the refused commands changed nothing");
        String log = Files.readString(cell.logDir(RealCell.J1).resolve("VolserLog.authz"));
        assertTrue(log.matches("(?s).*--UnAuth-- on 127\\.[0-9.]+ is not authorized to run TransCreate.*"), log);
    }

    @Test
    @Order(2)
    void queriesWithoutCredentialsAnsweredAsByTheStockServer() {
        for (String[] q : List.of(new String[] {"listvol", "{S}", "a"}, new String[] {"listvol", "{S}", "a", "-long"},
                new String[] {"examine", "{V}"}, new String[] {"listpart", "{S}"}, new String[] {"status", "{S}"})) {
            ExecResult s = vos(RealCell.FS1, "-noauth", q);
            ExecResult o = vos(RealCell.J1, "-noauth", q);
            String what = "vos " + String.join(" ", q) + "\nstock: " + s + "\nours: " + o;
            assertEquals(0, s.exitCode(), what);
            assertEquals(0, o.exitCode(), what);
            assertEquals(norm(RealCell.FS1, s.stdout()), norm(RealCell.J1, o.stdout()), what);
        }
    }

    /** The code of TransCreate(ITReadOnly) on the node's volume as {@code who} (0: allowed; ended at once). */
    static int transCreate(String node, ClientSecurity who) throws Exception {
        int id = Integer.parseInt(vos(node, "-localauth", "examine", "{V}", "-format").orFail().stdout()
            .lines().filter(l -> l.startsWith("id\t")).findFirst().orElseThrow().trim().split("\\s+")[1]);
        try (VolserClient c = volser(node, who)) {
            int t = c.transCreate(id, 0, VolserConstants.ITReadOnly);
            c.endTrans(t);
            return 0;
        } catch (RpcException e) {
            return e.code();
        }
    }

    static int listPartitions(String node, ClientSecurity who) throws Exception {
        try (VolserClient c = volser(node, who)) {
            c.listPartitions();
            return 0;
        } catch (RpcException e) {
            return e.code();
        }
    }

    static VolserClient volser(String node, ClientSecurity who) {
        return new VolserClient(client.connect(new InetSocketAddress(cell.address(node), 7005), 4, who));
    }

    @Test
    @Order(3)
    void rxkadUsersOutsideUserListMayQueryButNotChange() throws Exception {
        String realm = RealCell.CELL_NAME.toUpperCase(java.util.Locale.ROOT);
        for (String node : List.of(RealCell.FS1, RealCell.J1)) {
            ClientSecurity joe = AuthMode.userTicket(cell, RxkadLevel.CLEAR, "joe", "", "");
            ClientSecurity admin = AuthMode.userTicket(cell, RxkadLevel.CLEAR, RealCell.ADMIN_USER, "", "");
            ClientSecurity adminOfOurRealm = AuthMode.userTicket(cell, RxkadLevel.CRYPT, RealCell.ADMIN_USER, "", realm);
            ClientSecurity adminElsewhere = AuthMode.userTicket(cell, RxkadLevel.CLEAR, RealCell.ADMIN_USER, "",
                "OTHER.CELL");
            ClientSecurity adminInstance = AuthMode.userTicket(cell, RxkadLevel.CLEAR, RealCell.ADMIN_USER, "admin", "");
            assertEquals(0, listPartitions(node, joe), node);
            assertEquals(VolserErrors.VOLSERBAD_ACCESS, transCreate(node, joe), node + ": joe is not in UserList");
            assertEquals(0, transCreate(node, admin), node + ": admin is");
            assertEquals(0, transCreate(node, adminOfOurRealm), node + ": admin@" + realm + " is our admin");
            assertEquals(VolserErrors.VOLSERBAD_ACCESS, transCreate(node, adminElsewhere), node + ": another cell's admin");
            assertEquals(VolserErrors.VOLSERBAD_ACCESS, transCreate(node, adminInstance), node + ": admin.admin");
        }
    }

    @Test
    @Order(4)
    void restrictedQueryAdminKeepsQueriesForSuperusers() throws Exception {
        ours.close();
        ours = null;
        ours = OursOnJ1.start(cell, "VolserLog.authz", "-restricted_query", "admin");
        ExecResult anon = vos(RealCell.J1, "-noauth", "listvol", "{S}", "a");
        assertNotEquals(0, anon.exitCode(), anon.toString());
        vos(RealCell.J1, "-localauth", "listvol", "{S}", "a").orFail();
        assertEquals(VolserErrors.VOLSERBAD_ACCESS,
            listPartitions(RealCell.J1, AuthMode.userTicket(cell, RxkadLevel.CLEAR, "joe", "", "")));
        assertEquals(0, listPartitions(RealCell.J1, AuthMode.userTicket(cell, RxkadLevel.CLEAR, RealCell.ADMIN_USER, "", "")));
        System.out.println("restricted query, vos listvol -noauth: " + anon);
    }
}
