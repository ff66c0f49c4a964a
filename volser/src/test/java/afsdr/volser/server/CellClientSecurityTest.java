package afsdr.volser.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import afsdr.rx.RxConnectionInfo;
import afsdr.rx.rxkad.KeyFile;
import afsdr.rx.rxkad.RxkadClientSecurity;
import afsdr.rx.rxkad.RxkadIdentity;
import afsdr.rx.rxkad.RxkadLevel;
import afsdr.rx.security.RxNullSecurity;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which security this server uses as a client, and how rxkad callers are named for UserList. */
class CellClientSecurityTest {
    @TempDir
    Path dir;

    static RxConnectionInfo conn(Object identity) {
        return new RxConnectionInfo() {
            public InetSocketAddress peer() {
                return new InetSocketAddress("127.0.0.1", 7005);
            }

            public int epoch() {
                return 1;
            }

            public int securityIndex() {
                return identity == null ? 0 : 2;
            }

            public int serviceId() {
                return 4;
            }

            public Object securityIdentity() {
                return identity;
            }
        };
    }

    static RxkadIdentity id(String name, String inst, String cell, RxkadLevel level) {
        return new RxkadIdentity(name, inst, cell, 1, 0xffffffffL).withLevel(level);
    }

    @Test
    void s2scryptLevels() {
        RxConnectionInfo crypt = conn(id("afs", "", "", RxkadLevel.CRYPT));
        RxConnectionInfo clear = conn(id("afs", "", "", RxkadLevel.CLEAR));
        RxConnectionInfo rxnull = conn(null);
        for (RxConnectionInfo c : List.of(crypt, clear, rxnull)) {
            assertEquals(RxkadLevel.CLEAR, CellClientSecurity.s2sLevel(VolserverOptions.S2sCrypt.NEVER, c));
            assertEquals(RxkadLevel.CRYPT, CellClientSecurity.s2sLevel(VolserverOptions.S2sCrypt.ALWAYS, c));
        }
        assertEquals(RxkadLevel.CRYPT, CellClientSecurity.s2sLevel(VolserverOptions.S2sCrypt.INHERIT, crypt));
        assertEquals(RxkadLevel.CLEAR, CellClientSecurity.s2sLevel(VolserverOptions.S2sCrypt.INHERIT, clear));
        assertEquals(RxkadLevel.CLEAR, CellClientSecurity.s2sLevel(VolserverOptions.S2sCrypt.INHERIT, rxnull));
    }

    @Test
    void keysDecideRxkadAndNoAuthKeepsTheVlClientOnRxnull() throws Exception {
        Path config = Files.createDirectories(dir.resolve("server"));
        Path local = Files.createDirectories(dir.resolve("local"));
        CellClientSecurity s = new CellClientSecurity(config, local, VolserverOptions.S2sCrypt.INHERIT,
            new SplittableRandom(1));
        // no key: nothing to authenticate with
        assertSame(RxNullSecurity.INSTANCE, s.forVolserver(conn(null)));
        assertSame(RxNullSecurity.INSTANCE, s.forVlserver());
        byte[] key = RxkadClientSecurity.randomDesKey(new SplittableRandom(2));
        Files.write(config.resolve("KeyFile"), new KeyFile(List.of(new KeyFile.Key(3, key))).encode());
        RxkadClientSecurity toVolserver = (RxkadClientSecurity) s.forVolserver(conn(id("afs", "", "", RxkadLevel.CRYPT)));
        assertEquals(RxkadLevel.CRYPT, toVolserver.level());
        assertEquals(RxkadLevel.CLEAR, ((RxkadClientSecurity) s.forVlserver()).level());
        // NoAuth: the VL servers take anyone, and a NoAuth cell's key may be unusable; the
        // volserver-to-volserver path keeps rxkad like the stock server
        Files.createFile(local.resolve("NoAuth"));
        assertSame(RxNullSecurity.INSTANCE, s.forVlserver());
        assertTrue(s.forVolserver(conn(null)) instanceof RxkadClientSecurity);
        // an unreadable key file: rxnull, not a failed transfer
        Files.write(config.resolve("KeyFile"), new byte[] {1, 2, 3});
        assertFalse(s.forVolserver(conn(null)) instanceof RxkadClientSecurity);
    }

    @Test
    void userListNamesOfRxkadCallers() {
        var names = SuperUserCheck.rxkadNames("test.afsdr");
        assertEquals("afs", names.apply(id("afs", "", "", RxkadLevel.CLEAR)));
        assertEquals("admin", names.apply(id("admin", "", "", RxkadLevel.CLEAR)));
        assertEquals("admin", names.apply(id("admin", "", "TEST.AFSDR", RxkadLevel.CLEAR)));
        assertEquals("admin.root", names.apply(id("admin", "root", "test.afsdr", RxkadLevel.CLEAR)));
        assertEquals("admin@OTHER.CELL", names.apply(id("admin", "", "OTHER.CELL", RxkadLevel.CLEAR)));
    }
}
