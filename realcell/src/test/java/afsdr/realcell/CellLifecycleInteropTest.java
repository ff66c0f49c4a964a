package afsdr.realcell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cells of their own: teardown leaves nothing, auth mode really enforces auth, start-up failures are clear. */
@Interop
class CellLifecycleInteropTest {

    private static final String LIBEXEC = RealCell.OPENAFS_LIBEXEC.toString();

    @Test
    void closeStopsEveryProcessAndDeletesTheState() throws Exception {
        RealCell cell = RealCell.start(RealCell.Options.defaults().withStockNodes(RealCell.DB, RealCell.FS1));
        try {
            checkTeardown(cell);
        } finally {
            cell.close();
        }
    }

    private static void checkTeardown(RealCell cell) throws Exception {
        Path state = cell.stateDir();
        assertTrue(Files.isRegularFile(cell.serverConfigDir().resolve("KeyFile")));

        // a stock fileserver+volserver pair on j1, as a test would start one (the volserver needs the
        // fileserver beside it), and a daemon with a child of its own
        cell.startDaemon(RealCell.J1, "fileserver", LIBEXEC + "/fileserver", "-rxbind");
        Path socket = cell.localDir(RealCell.J1).resolve("fssync.sock");
        for (int i = 0; i < 100 && !Files.exists(socket); i++) {
            Thread.sleep(100);
        }
        cell.startDaemon(RealCell.J1, "volserver", LIBEXEC + "/volserver", "-rxbind", "-log");
        ExecResult part = null;
        for (int i = 0; i < 100; i++) {
            part = cell.vos("listpart", cell.addressString(RealCell.J1), "-noauth");
            if (part.ok()) {
                break;
            }
            Thread.sleep(100);
        }
        assertTrue(part.ok() && part.stdout().contains("/vicepa"), String.valueOf(part));
        Process sleeper = cell.startDaemon(RealCell.J1, "sleeper", "sh", "-c", "sleep 600 & wait");
        // until sh has forked and the child has exec'd sleep
        for (int i = 0; i < 100 && sleeper.descendants()
                .noneMatch(h -> h.info().command().map(c -> c.endsWith("/sleep")).orElse(false)); i++) {
            Thread.sleep(50);
        }

        List<ProcessHandle> ours = ProcessHandle.current().descendants()
                .filter(h -> h.info().command().map(c -> c.startsWith(LIBEXEC) || c.endsWith("/sleep")).orElse(false))
                .toList();
        List<String> names = ours.stream().map(h -> Path.of(h.info().command().get()).getFileName().toString())
                .sorted().toList();
        assertEquals(List.of("fileserver", "fileserver", "ptserver", "sleep", "vlserver", "volserver", "volserver"),
                names);

        List<ProcessHandle> sleepers = sleeper.descendants().toList();
        assertEquals(1, sleepers.size(), "children of the sleeper daemon: " + sleepers);
        cell.stopDaemon(sleeper);
        assertFalse(sleeper.isAlive());
        assertFalse(sleepers.get(0).isAlive(), "child of a stopped daemon still runs");

        cell.close();
        for (ProcessHandle h : ours) {
            assertFalse(h.isAlive(), "still running after close: " + h.pid() + " " + h.info().command());
            assertFalse(Files.exists(Path.of("/proc/" + h.pid())), "pid " + h.pid() + " still in /proc");
        }
        assertEquals(List.of(), ProcessHandle.current().descendants()
                .filter(h -> h.info().command().map(c -> c.startsWith(LIBEXEC)).orElse(false))
                .map(h -> h.pid() + " " + h.info().commandLine().orElse("?")).toList());
        assertFalse(Files.exists(state), "state directory left behind: " + state);
        assertThrows(IllegalStateException.class, () -> cell.vos("listvldb", "-noauth"));
    }

    @Test
    void authModeRefusesUnauthenticatedWrites() {
        try (RealCell cell = RealCell.start(
                RealCell.Options.defaults().withStockNodes(RealCell.DB, RealCell.FS1).withAuth(true))) {
            assertEquals("-localauth", cell.authArg());
            assertFalse(Files.exists(cell.localDir(RealCell.FS1).resolve("NoAuth")));
            String name = "rc.auth." + ProcessHandle.current().pid();
            ExecResult denied = cell.vos("create", cell.host(RealCell.FS1), "a", name, "-noauth");
            assertFalse(denied.ok(), denied.toString());
            assertTrue(denied.stderr().contains("no permission"), denied.toString());
            // a working -localauth proves the KeyFile key is usable: with a bad DES key vos would fall back
            // to unauthenticated and be refused like above (G9, G10)
            ExecResult created = cell.vos("create", cell.host(RealCell.FS1), "a", name, "-localauth").orFail();
            assertFalse(created.stderr().contains("running unauthenticated"), created.toString());
            cell.vos("examine", name, "-localauth").orFail();
            cell.vos("remove", "-id", name, "-localauth").orFail();
        }
    }

    @Test
    void startFailsClearlyWhenTheCellsPortIsTaken() throws Exception {
        try (DatagramSocket squatter = new DatagramSocket(new InetSocketAddress("127.1.0.1", 7003))) {
            assertTrue(squatter.isBound());
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> RealCell.start(RealCell.Options.defaults().withStockNodes(RealCell.DB)));
            assertTrue(e.getMessage().contains("127.1.0.1:7003") && e.getMessage().contains("already in use"),
                    e.getMessage());
        }
    }

    @Test
    void environmentIsUsable() {
        assertEquals(List.of(), Environment.problems());
        assertEquals(List.of("lo"), Environment.interfaces());
    }
}
