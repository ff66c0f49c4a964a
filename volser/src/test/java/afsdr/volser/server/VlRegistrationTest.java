package afsdr.volser.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import afsdr.vldb.AfsUuid;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stock sysid file layout and the UUID's stability across starts. */
class VlRegistrationTest {
    @TempDir
    Path dir;

    @Test
    void sysidFileLayoutAndStableUuid() throws Exception {
        List<InetAddress> addrs = List.of(InetAddress.getByName("127.1.0.4"));
        try (VolserLog log = VolserLog.open(dir.resolve("log"), false, Clock.systemUTC())) {
            AfsUuid u = VlRegistration.sysId(dir, addrs, log);
            byte[] raw = Files.readAllBytes(dir.resolve("sysid"));
            assertEquals(28 + 4, raw.length);
            // magic 0x88aabbcc and version 1 in host (little-endian) order, address in network order
            assertArrayEquals(new byte[] {(byte) 0xcc, (byte) 0xbb, (byte) 0xaa, (byte) 0x88, 1, 0, 0, 0},
                java.util.Arrays.copyOf(raw, 8));
            assertArrayEquals(new byte[] {1, 0, 0, 0, 127, 1, 0, 4}, java.util.Arrays.copyOfRange(raw, 24, 32));
            assertEquals(u, VlRegistration.read(dir.resolve("sysid")).uuid());
            assertEquals(u, VlRegistration.sysId(dir, addrs, log), "kept across starts");
            List<InetAddress> moved = List.of(InetAddress.getByName("127.1.0.5"));
            assertEquals(u, VlRegistration.sysId(dir, moved, log), "a new address keeps the identity");
            assertEquals(moved, VlRegistration.read(dir.resolve("sysid")).addresses());
            assertEquals(addrs, VlRegistration.read(dir.resolve("sysid.old")).addresses());
        }
        assertArrayEquals(new int[] {0x7f010004}, VlRegistration.bulkAddrs(List.of(InetAddress.getByName("127.1.0.4"))));
        AfsUuid r = VlRegistration.newUuid(new SecureRandom());
        assertEquals(4, r.timeHiAndVersion() >>> 12, "version 4");
        Files.write(dir.resolve("bad"), new byte[30]);
        assertThrows(IOException.class, () -> VlRegistration.read(dir.resolve("bad")));
    }
}
