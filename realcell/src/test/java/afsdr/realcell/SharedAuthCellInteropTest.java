package afsdr.realcell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shared auth cell: beside the shared noauth cell, on its own addresses, with no NoAuth anywhere,
 * both key files made by asetkey, the admin in UserList; -localauth works, -noauth may not change anything.
 */
@Interop
class SharedAuthCellInteropTest {

    static RealCell cell;

    @BeforeAll
    static void startCell() {
        cell = RealCell.sharedAuth();
        System.out.println("shared auth cell start-up: " + cell.startupTime().toMillis() + " ms");
    }

    @Test
    void runsBesideTheNoauthCellOnItsOwnAddresses() {
        RealCell noauth = RealCell.shared();
        assertNotSame(noauth, cell);
        assertTrue(cell.options().auth());
        assertEquals("127.2.0.4", cell.addressString(RealCell.J1));
        assertEquals("127.1.0.4", noauth.addressString(RealCell.J1));
        assertEquals("-localauth", cell.authArg());
        ExecResult r = cell.vos("listaddrs", "-noresolve", "-localauth").orFail();
        List<String> addrs = r.stdout().lines().map(String::trim).filter(l -> !l.isEmpty()).sorted().toList();
        assertEquals(List.of("127.2.0.2", "127.2.0.3"), addrs, r.toString());
        noauth.vos("listvldb", "-noauth").orFail();
    }

    @Test
    void keysAndUserListAsAStockCellHasThem() throws Exception {
        for (String node : List.of(RealCell.DB, RealCell.FS1, RealCell.FS2, RealCell.J1)) {
            assertFalse(Files.exists(cell.localDir(node).resolve("NoAuth")), node);
        }
        assertEquals(RealCell.ADMIN_USER + "\n", Files.readString(cell.serverConfigDir().resolve("UserList")));
        ExecResult list = cell.run(RealCell.CLIENT, "/usr/sbin/asetkey", "list").orFail();
        assertTrue(list.stdout().contains("kvno    1"), list.toString());
        assertTrue(Files.size(cell.serverConfigDir().resolve("KeyFileExt")) > 40, list.toString());
    }

    @Test
    void localauthWorksAndNoCredentialsMayNotChangeAnything() {
        String name = "rc.sa." + ProcessHandle.current().pid();
        ExecResult denied = cell.vos("create", cell.host(RealCell.FS1), "a", name, "-noauth");
        assertFalse(denied.ok(), denied.toString());
        assertTrue(denied.stderr().contains("no permission"), denied.toString());
        ExecResult created = cell.vos("create", cell.host(RealCell.FS1), "a", name, "-localauth", "-encrypt").orFail();
        assertFalse(created.stderr().contains("running unauthenticated"), created.toString());
        ExecResult zap = cell.vos("zap", cell.host(RealCell.FS1), "a", name, "-noauth");
        assertFalse(zap.ok(), zap.toString());
        cell.vos("remove", "-id", name, "-localauth").orFail();
    }
}
