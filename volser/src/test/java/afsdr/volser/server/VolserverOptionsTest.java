package afsdr.volser.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class VolserverOptionsTest {

    @Test
    void defaultsAreTheStockOnes() throws Exception {
        VolserverOptions o = VolserverOptions.parse();
        assertEquals(9, o.threads);
        assertEquals(Path.of("/var/log/openafs/VolserLog"), o.logFile);
        assertEquals(Path.of("/etc/openafs/server"), o.configDir);
        assertEquals(Path.of("/var/lib/openafs/local"), o.localDir);
        assertEquals(Path.of("/"), o.partitionRoot);
        assertEquals(7005, o.port);
        assertFalse(o.jumbo);
        assertFalse(o.rxbind);
        assertEquals(VolserverOptions.RestrictedQuery.ANYUSER, o.restrictedQuery);
        assertEquals(VolserverOptions.S2sCrypt.NEVER, o.s2sCrypt);
    }

    @Test
    void stockSwitchesKeepTheirMeaning() throws Exception {
        VolserverOptions o = VolserverOptions.parse("-log", "-rxbind", "-p", "16", "-jumbo", "-sync", "always",
            "-logfile", "/tmp/x.log", "-config", "/tmp/cfg", "-restricted_query", "admin", "-s2scrypt", "inherit",
            "-udpsize", "1048576", "-rxmaxmtu", "1444", "-d", "5");
        assertTrue(o.logUsers);
        assertTrue(o.rxbind);
        assertEquals(16, o.threads);
        assertTrue(o.jumbo);
        assertEquals(VolserverOptions.SyncPolicy.ALWAYS, o.sync);
        assertEquals(Path.of("/tmp/x.log"), o.logFile);
        assertEquals(Path.of("/tmp/cfg"), o.configDir);
        assertEquals(VolserverOptions.RestrictedQuery.ADMIN, o.restrictedQuery);
        assertEquals(VolserverOptions.S2sCrypt.INHERIT, o.s2sCrypt);
        assertEquals(1048576, o.udpSize);
        assertEquals(1444, o.rxMaxMtu);
        assertEquals(5, o.debugLevel);
    }

    @Test
    void uniquePrefixesAreAcceptedAsTheAfsCmdPackageDoes() throws Exception {
        assertTrue(VolserverOptions.parse("-rxb").rxbind);
        assertEquals(Path.of("/l"), VolserverOptions.parse("-logf", "/l").logFile);
        assertTrue(VolserverOptions.parse("-log").logUsers, "an exact name wins over longer switches");
    }

    @Test
    void unknownAmbiguousAndBadValuesAreRefused() {
        assertThrows(VolserverOptions.UsageException.class, () -> VolserverOptions.parse("-bogus"));
        assertThrows(VolserverOptions.UsageException.class, () -> VolserverOptions.parse("-rx"));
        assertThrows(VolserverOptions.UsageException.class, () -> VolserverOptions.parse("-p"));
        assertThrows(VolserverOptions.UsageException.class, () -> VolserverOptions.parse("-p", "many"));
        assertThrows(VolserverOptions.UsageException.class, () -> VolserverOptions.parse("-sync", "sometimes"));
        assertThrows(VolserverOptions.UsageException.class, () -> VolserverOptions.parse("-rxmaxmtu", "100"));
        assertThrows(VolserverOptions.UsageException.class, () -> VolserverOptions.parse("plain"));
    }

    @Test
    void threadCountIsClampedToTheStockRange() throws Exception {
        VolserverOptions low = VolserverOptions.parse("-p", "1");
        assertEquals(4, low.threads);
        assertFalse(low.warnings.isEmpty());
        assertEquals(16, VolserverOptions.parse("-p", "99").threads);
    }
}
