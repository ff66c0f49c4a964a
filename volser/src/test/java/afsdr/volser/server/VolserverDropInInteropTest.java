package afsdr.volser.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import afsdr.nativeio.JnrPosix;
import afsdr.partition.NameiPartition;
import afsdr.partition.Volume;
import afsdr.partition.VolumeDiskData;
import afsdr.realcell.ExecResult;
import afsdr.rx.netty.RxEndpoint;
import afsdr.rx.security.RxNullSecurity;
import afsdr.volser.client.VolserClient;
import afsdr.volser.wire.VolserConstants;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import afsdr.realcell.Interop;
import afsdr.realcell.RealCell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The drop-in contract: bin/volserver started on node j1 exactly as bosserver would start the stock
 * binary ({@code volserver -rxbind -log}, no options of ours), reading /etc/openafs/server,
 * /var/lib/openafs/local and /vicepa as the node sees them, logging to /var/log/openafs/VolserLog,
 * with no fileserver on the node; then SIGTERM ends it cleanly within a few seconds.
 */
@Interop
class VolserverDropInInteropTest {
    static RealCell cell;
    static Path jar = Path.of("target/afsdr-volserver.jar").toAbsolutePath();
    static Path script = Path.of("../bin/volserver").toAbsolutePath().normalize();

    @BeforeAll
    static void up() {
        cell = RealCell.shared();
    }

    @Test
    void startsLikeTheStockBinaryServesAndStopsOnSigterm() throws Exception {
        assertTrue(Files.isRegularFile(jar), jar + " is missing: bin/test builds it with 'mvn package' before the tests");
        Files.writeString(cell.partitionDir(RealCell.J1, "a").resolve("AlwaysAttach"), "");
        Process p = cell.startDaemon(RealCell.J1, "dropin-volserver", script.toString(), "-rxbind", "-log");
        String addr = cell.addressString(RealCell.J1);
        try {
            ExecResult listpart = null;
            // The JVM needs a moment to start; poll with vos itself rather than sleeping blindly.
            for (int i = 0; i < 60; i++) {
                listpart = cell.vos("listpart", addr, "-noauth");
                if (listpart.ok() || !p.isAlive()) {
                    break;
                }
                Thread.sleep(500);
            }
            assertTrue(listpart.ok(), "vos listpart against bin/volserver: " + listpart + "\n" + output());
            assertTrue(listpart.stdout().contains("/vicepa"), listpart.toString());
            String log = Files.readString(cell.logDir(RealCell.J1).resolve("VolserLog"));
            assertTrue(log.contains("Starting " + Volserver.VERSION), log);
            // A volume held in a transaction when SIGTERM comes: it must be left not in use.
            cell.vos("create", cell.host(RealCell.J1), "a", "vt.term", "-noauth").orFail();
            volid = Integer.parseUnsignedInt(cell.vos("examine", "vt.term", "-noauth").orFail().stdout()
                .split("\\s+")[1]);
            try (RxEndpoint client = RxEndpoint.builder().bind(InetAddress.getByName("127.1.0.9"), 0).build();
                 VolserClient c = new VolserClient(client.connect(new InetSocketAddress(cell.address(RealCell.J1), 7005),
                     4, RxNullSecurity.INSTANCE))) {
                c.transCreate(volid, 0, VolserConstants.ITOffline);
            }
            assertEquals(VolserService.VOLUME_SERVER_PROGRAM, diskData(volid).inUse(), "in use during the transaction");
        } finally {
            long t0 = System.nanoTime();
            p.destroy(); // SIGTERM
            boolean ended = p.waitFor(10, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (!ended) {
                cell.stopDaemon(p);
            }
            assertTrue(ended, "bin/volserver did not exit within 10 s of SIGTERM\n" + output());
            assertEquals(0, p.exitValue(), "exit status after SIGTERM\n" + output());
            System.out.printf("bin/volserver exited %.2f s after SIGTERM%n", seconds);
        }
        String log = Files.readString(cell.logDir(RealCell.J1).resolve("VolserLog"));
        assertTrue(log.contains("Volserver stopped"), log);
        assertTrue(log.contains("Shutdown: ending transaction"), log);
        VolumeDiskData d = diskData(volid);
        assertEquals(0, d.inUse(), "inUse on disk after SIGTERM");
        assertEquals("", d.offlineMessage());
        assertTrue(d.isOnlineable(), "the volume stays online for the next server");
        NameiPartition.open(JnrPosix.get(), cell.partitionDir(RealCell.J1, "a"), "/vicepa").deleteVolume(volid);
        cell.vos("delentry", "-id", "vt.term", "-noauth").orFail();
    }

    private int volid;

    private VolumeDiskData diskData(int id) throws Exception {
        NameiPartition p = NameiPartition.open(JnrPosix.get(), cell.partitionDir(RealCell.J1, "a"), "/vicepa");
        try (Volume v = p.openVolume(id)) {
            return v.readDiskData();
        }
    }

    private static String output() throws Exception {
        Path out = cell.logDir(RealCell.J1).resolve("dropin-volserver.out");
        return Files.exists(out) ? Files.readString(out) : "(no output file)";
    }
}
