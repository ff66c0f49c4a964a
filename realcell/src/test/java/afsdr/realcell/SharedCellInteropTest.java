package afsdr.realcell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shared default cell: stock servers up, registered, and usable by vos and rxdebug. */
@Interop
class SharedCellInteropTest {

    static RealCell cell;

    @BeforeAll
    static void startCell() {
        cell = RealCell.shared();
        System.out.println("shared cell start-up: " + cell.startupTime().toMillis() + " ms");
    }

    @Test
    void listaddrsShowsBothFileservers() {
        ExecResult r = cell.vos("listaddrs", "-noresolve", "-noauth").orFail();
        List<String> addrs = r.stdout().lines().map(String::trim).filter(l -> !l.isEmpty()).sorted().toList();
        assertEquals(List.of("127.1.0.2", "127.1.0.3"), addrs, r.toString());
    }

    @Test
    void createExamineRemoveOnFs1() throws Exception {
        String name = "rc.cer." + ProcessHandle.current().pid();
        cell.vos("create", cell.host(RealCell.FS1), "a", name, "-noauth").orFail();
        try {
            ExecResult ex = cell.vos("examine", name, "-noauth").orFail();
            assertTrue(ex.stdout().contains(name), ex.toString());
            assertTrue(ex.stdout().contains("On-line"), ex.toString());
            assertTrue(ex.stdout().contains("server afs-fs1 partition /vicepa RW Site")
                    || ex.stdout().contains("server 127.1.0.2 partition /vicepa RW Site"), ex.toString());
            // the volume header lands in fs1's own partition directory of the state dir
            ExecResult list = cell.vos("listvol", cell.addressString(RealCell.FS1), "a", "-noauth").orFail();
            assertTrue(list.stdout().contains(name), list.toString());
            try (var files = Files.list(cell.partitionDir(RealCell.FS1, "a"))) {
                assertTrue(files.anyMatch(p -> p.getFileName().toString().matches("V\\d+\\.vol")),
                        "no V*.vol header in " + cell.partitionDir(RealCell.FS1, "a"));
            }
        } finally {
            cell.vos("remove", "-id", name, "-noauth").orFail();
        }
        ExecResult gone = cell.vos("examine", name, "-noauth");
        assertFalse(gone.ok(), gone.toString());
        assertTrue(gone.stderr().contains("no such entry"), gone.toString());
    }

    @Test
    void rxdebugVersionOfFs1Volserver() {
        ExecResult r = cell.run(RealCell.CLIENT, "rxdebug", cell.addressString(RealCell.FS1), "7005", "-version")
                .orFail();
        assertTrue(r.stdout().contains("OpenAFS 1.8"), r.toString());
    }

    @Test
    void nodesSeeTheirOwnHostnameAndConfig() {
        ExecResult r = cell.run(RealCell.J1, "sh", "-c", "hostname; cat /etc/openafs/ThisCell;"
                + " cat /var/lib/openafs/local/NetInfo; ls /vicepa").orFail();
        assertEquals(List.of("afs-j1", RealCell.CELL_NAME, "f 127.1.0.4", "AlwaysAttach"),
                r.stdout().lines().toList(), r.toString());
    }

    @Test
    void runReportsExitCodeAndTimeout() {
        ExecResult fail = cell.run(RealCell.CLIENT, "sh", "-c", "echo out; echo err >&2; exit 7");
        assertEquals(7, fail.exitCode());
        assertEquals("out\n", fail.stdout());
        assertEquals("err\n", fail.stderr());
        ExecResult slow = cell.run(java.time.Duration.ofMillis(300), RealCell.CLIENT, "sleep", "30");
        assertTrue(slow.timedOut(), slow.toString());
        assertFalse(slow.ok());
    }
}
