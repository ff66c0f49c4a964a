package afsdr.volser.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import afsdr.nativeio.JnrPosix;
import afsdr.partition.NameiPartition;
import afsdr.partition.Volume;
import afsdr.partition.VolumeDiskData;
import afsdr.partition.VolumeTree;
import afsdr.realcell.ExecResult;
import afsdr.realcell.Interop;
import afsdr.realcell.RealCell;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Our volserver without the NoAuth file (its local directory is a copy of j1's minus NoAuth):
 * unauthenticated vos gets VOLSERBAD_ACCESS for every superuser procedure, decided before any
 * work, and the volume is untouched; query procedures stay open to everyone (the stock default,
 * -restricted_query anyuser).
 */
@Interop
class VolserverAuthInteropTest {
    static final int VOL = 1_990_000_101;
    static RealCell cell;
    static Volserver ours;
    static NameiPartition partA;

    @BeforeAll
    static void up() throws Exception {
        cell = RealCell.shared();
        Path local = Files.createDirectories(cell.stateDir().resolve("j1-local-auth"));
        Files.copy(cell.localDir(RealCell.J1).resolve("NetInfo"), local.resolve("NetInfo"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.deleteIfExists(local.resolve("NoAuth"));
        Path a = cell.partitionDir(RealCell.J1, "a");
        Files.writeString(a.resolve("AlwaysAttach"), "");
        partA = NameiPartition.open(JnrPosix.get(), a, "/vicepa");
        try (Volume v = VolumeTree.createVolumeWithRoot(partA, VOL, VOL, "vt.auth", VolumeDiskData.RW)) {
            v.readDiskData();
        }
        ours = Volserver.start(VolserverOptions.parse("-rxbind",
            "-config", cell.serverConfigDir().toString(),
            "-local-dir", local.toString(),
            "-partition-root", a.getParent().toString(),
            "-logfile", cell.logDir(RealCell.J1).resolve("VolserLog.auth").toString()));
    }

    @AfterAll
    static void down() throws Exception {
        if (ours != null) {
            ours.close();
        }
        if (partA != null && partA.volumeExists(VOL)) {
            partA.deleteVolume(VOL);
        }
    }

    @Test
    void superuserProceduresAreRefusedQueriesAnswered() throws Exception {
        String j1 = cell.host(RealCell.J1);
        byte[] before;
        try (Volume v = partA.openVolume(VOL)) {
            before = v.readDiskData().encode();
        }
        ExecResult zap = cell.vos("zap", "-server", j1, "-partition", "a", "-id", Integer.toString(VOL), "-noauth");
        assertTrue(zap.exitCode() != 0, zap.toString());
        assertTrue(zap.stderr().contains("not a super user") || zap.stdout().contains("not a super user"), zap.toString());
        ExecResult offline = cell.vos("offline", "-server", j1, "-partition", "a", "-id", Integer.toString(VOL),
            "-noauth");
        assertTrue(offline.exitCode() != 0, offline.toString());
        ExecResult dump = cell.vos("dump", "-id", Integer.toString(VOL), "-server", j1, "-partition", "a", "-noauth");
        assertTrue(dump.exitCode() != 0, dump.toString());
        assertTrue(dump.stderr().contains("not a super user"), dump.toString());
        ExecResult listvol = cell.vos("listvol", j1, "a", "-noauth").orFail();
        assertTrue(listvol.stdout().contains("vt.auth"), listvol.toString());
        try (Volume v = partA.openVolume(VOL)) {
            assertEquals(java.util.HexFormat.of().formatHex(before), java.util.HexFormat.of().formatHex(v.readDiskData().encode()),
                "the refused calls changed nothing");
        }
        String log = Files.readString(cell.logDir(RealCell.J1).resolve("VolserLog.auth"));
        assertTrue(log.matches("(?s).*--UnAuth-- on 127\\.[0-9.]+ is not authorized to run TransCreate.*"), log);
    }
}
