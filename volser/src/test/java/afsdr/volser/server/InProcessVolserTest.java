package afsdr.volser.server;

import static org.junit.jupiter.api.Assertions.assertThrows;

import afsdr.nativeio.JnrPosix;
import afsdr.partition.NameiPartition;
import afsdr.partition.Volume;
import afsdr.partition.VolumeDiskData;
import afsdr.rx.rpc.InProcessConnection;
import afsdr.rx.rpc.RpcException;
import afsdr.volser.client.VolserClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The set-up of tests that drive a {@link VolserService} in process through the RPC layer: a fresh
 * folder under /var/tmp (namei needs a file system with user xattrs) with one partition /vicepa, a
 * NoAuth server configuration, a VolserLog, and a client {@link #c} on an in-process connection.
 */
abstract class InProcessVolserTest {
    Path dir;
    NameiPartition part;
    VolserLog log;
    VolserService service;
    VolserClient c;

    /** The clock the service reads its "now" from. */
    Clock serviceClock() {
        return Clock.systemUTC();
    }

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory(Path.of("/var/tmp"), getClass().getSimpleName());
        Path vicepa = Files.createDirectories(dir.resolve("vicepa"));
        Path local = Files.createDirectories(dir.resolve("local"));
        Files.writeString(local.resolve("NoAuth"), "");
        part = NameiPartition.open(JnrPosix.get(), vicepa, "/vicepa");
        log = VolserLog.open(dir.resolve("VolserLog"), false, Clock.systemUTC());
        service = new VolserService(List.of(part), Map.of(), log, null,
            new SuperUserCheck(local, List.of(), String::valueOf), false, serviceClock());
        c = new VolserClient(new InProcessConnection(service.dispatcher(), 4, null));
    }

    @AfterEach
    void tearDown() throws IOException {
        service.endAll();
        log.close();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** The abort code of a call that must fail. */
    static int code(Executable e) {
        return assertThrows(RpcException.class, e::run).code();
    }

    interface Executable {
        void run() throws Exception;
    }

    String volserLog() throws IOException {
        return Files.readString(dir.resolve("VolserLog"));
    }

    VolumeDiskData disk(int id) throws IOException {
        try (Volume v = part.openVolume(id)) {
            return v.readDiskData();
        }
    }
}
