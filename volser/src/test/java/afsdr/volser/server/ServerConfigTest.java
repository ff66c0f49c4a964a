package afsdr.volser.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {
    @TempDir
    Path dir;

    @Test
    void forcedNetInfoAddressesAreKeptOthersOnlyIfAnInterfaceHasThem() throws Exception {
        Path netInfo = Files.writeString(dir.resolve("NetInfo"), "f 127.1.0.4\n10.9.9.9\n# comment\n192.0.2.7\n");
        List<InetAddress> a = ServerConfig.chooseAddresses(netInfo, dir.resolve("NetRestrict"),
            Set.of(InetAddress.getByName("192.0.2.7")));
        assertEquals(List.of(InetAddress.getByName("127.1.0.4"), InetAddress.getByName("192.0.2.7")), a);
    }

    @Test
    void netRestrictRemovesAddresses() throws Exception {
        Path netInfo = Files.writeString(dir.resolve("NetInfo"), "f 127.1.0.4\nf 127.1.0.5\n");
        Path restrict = Files.writeString(dir.resolve("NetRestrict"), "127.1.0.4\n");
        assertEquals(List.of(InetAddress.getByName("127.1.0.5")),
            ServerConfig.chooseAddresses(netInfo, restrict, Set.of()));
    }

    @Test
    void withoutNetInfoLoopbackInterfacesAreLeftOut() throws Exception {
        List<InetAddress> a = ServerConfig.chooseAddresses(dir.resolve("NetInfo"), dir.resolve("NetRestrict"),
            Set.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("192.0.2.8")));
        assertEquals(List.of(InetAddress.getByName("192.0.2.8")), a);
    }

    @Test
    void malformedNetInfoNamesTheFile() throws Exception {
        Path netInfo = Files.writeString(dir.resolve("NetInfo"), "f 127.1.0\n");
        IOException e = assertThrows(IOException.class,
            () -> ServerConfig.chooseAddresses(netInfo, dir.resolve("NetRestrict"), Set.of()));
        assertTrue(e.getMessage().contains("NetInfo"), e.getMessage());
    }

    @Test
    void loadReadsCellNoAuthAndUserList() throws Exception {
        Path cfg = Files.createDirectories(dir.resolve("server"));
        Path local = Files.createDirectories(dir.resolve("local"));
        Files.writeString(cfg.resolve("ThisCell"), "test.afsdr\n");
        Files.writeString(cfg.resolve("UserList"), "admin\n\nroot.admin\n");
        Files.writeString(local.resolve("NoAuth"), "");
        Files.writeString(local.resolve("NetInfo"), "f 127.1.0.4\n");
        ServerConfig c = ServerConfig.load(cfg, local);
        assertEquals("test.afsdr", c.thisCell);
        assertTrue(c.noAuth);
        assertEquals(List.of("admin", "root.admin"), c.superUsers);
        assertEquals(InetAddress.getByName("127.1.0.4"), c.primaryAddress());
    }

    @Test
    void missingThisCellIsAClearError() {
        IOException e = assertThrows(IOException.class, () -> ServerConfig.load(dir, dir));
        assertTrue(e.getMessage().contains("ThisCell"), e.getMessage());
    }
}
