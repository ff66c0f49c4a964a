package afsdr.volser.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import afsdr.partition.Volume;
import afsdr.partition.VolumeDiskData;
import afsdr.rx.rpc.InProcessConnection;
import afsdr.volser.client.VolserClient;
import afsdr.volser.wire.TransDebugInfo;
import afsdr.volser.wire.VolintInfo;
import afsdr.volser.wire.VolserConstants;
import afsdr.volser.wire.VolserErrors;
import afsdr.volser.wire.VolserOps;
import afsdr.volser.wire.VolserStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The VOLSER procedures end to end through the RPC layer, in process (no sockets), on a real
 * partition directory: the codes vos branches on, the transaction rules and the reaper.
 */
class VolserServiceTest extends InProcessVolserTest {
    static final int V = 536870912;

    int create(int id, String name) throws Exception {
        return c.call(VolserOps.CreateVolume, new VolserOps.CreateVolumeArgs(0, name, 0, 0, id)).trans();
    }

    /** A volume made as vos create makes it: CreateVolume, SetFlags 0 (brings it on line), EndTrans. */
    void createFinished(int id, String name) throws Exception {
        int t = create(id, name);
        c.call(VolserOps.SetFlags, new VolserOps.TransValue(t, 0));
        c.endTrans(t);
    }

    @Test
    void createLeavesAHalfMadeVolumeUntilSetFlags() throws Exception {
        int t = create(V, "t.one");
        VolumeDiskData d = disk(V);
        assertEquals(VolumeDiskData.DESTROY_ME, d.destroyMe());
        assertFalse(d.inService());
        assertEquals(VolserService.VOLUME_SERVER_PROGRAM, d.inUse());
        assertEquals(2, d.uniquifier(), "root directory 1.1 made");
        // Busy while the transaction lasts (the busy test comes first, as in the stock GetVolInfo).
        assertEquals(VolserConstants.VBUSY, c.listVolumes(0, 1).get(0).status());
        assertEquals(VolserConstants.VBUSY, c.listOneVolume(0, V).get(0).status());
        c.call(VolserOps.SetFlags, new VolserOps.TransValue(t, 3));
        assertEquals(3, c.call(VolserOps.GetFlags, t));
        c.call(VolserOps.SetFlags, new VolserOps.TransValue(t, 0));
        assertEquals(0, c.call(VolserOps.GetFlags, t));
        assertEquals(0, c.endTrans(t));
        d = disk(V);
        assertEquals(0, d.destroyMe());
        assertTrue(d.inService());
        assertEquals(0, d.inUse());
        assertEquals("", d.offlineMessage());
        VolintInfo i = c.listOneVolume(0, V).get(0);
        assertEquals(VolserConstants.VOK, i.status());
        assertEquals(1, i.inUse());
        assertEquals("t.one", i.name());
        assertEquals(5000, i.maxquota());
    }

    @Test
    void theCodesVosBranchOn() throws Exception {
        assertEquals(VolserErrors.VNOVOL, code(() -> c.transCreate(V, 0, VolserConstants.ITOffline)));
        assertEquals(VolserErrors.VNOVOL, code(() -> c.transCreate(V, 7, VolserConstants.ITOffline)));
        assertEquals(VolserErrors.ENODEV, code(() -> c.listOneVolume(0, V)));
        assertEquals(VolserErrors.VOLSERILLEGAL_PARTITION, code(() -> c.listOneVolume(9, V)));
        assertEquals(VolserErrors.ENOENT, code(() -> c.getStatus(42)));
        assertEquals(VolserErrors.ENOENT, code(() -> c.endTrans(42)));
        assertEquals(VolserErrors.E2BIG, code(() -> create(0, "t.zero")));
        assertEquals(VolserErrors.VOLSERBADNAME, code(() -> create(V, "x".repeat(32))));
        assertEquals(VolserErrors.VOLSERNO_OP, code(() -> c.call(VolserOps.GetNthVolume, 0)));
        createFinished(V, "t.two");
        assertEquals(VolserErrors.EIO, code(() -> create(V, "t.two")), "exists already");
        assertEquals(VolserErrors.EINVAL, code(() -> c.transCreate(V, 0, 0)), "no attach mode");
        int ro = c.transCreate(V, 0, VolserConstants.ITReadOnly);
        assertEquals(VolserErrors.VOLSERVOLBUSY, code(() -> c.transCreate(V, 0, VolserConstants.ITOffline)));
        assertEquals(VolserErrors.EROFS, code(() -> c.call(VolserOps.SetFlags, new VolserOps.TransValue(ro, 3))));
        List<TransDebugInfo> m = c.call(VolserOps.Monitor, null);
        assertEquals(1, m.size());
        assertEquals(ro, m.get(0).tid());
        assertEquals("SetFlags", m.get(0).lastProcName());
        c.endTrans(ro);
        // Deleted volume: every call but EndTrans answers ENOENT.
        int t2 = c.transCreate(V, 0, VolserConstants.ITOffline);
        c.call(VolserOps.DeleteVolume, t2);
        assertEquals(VolserErrors.ENOENT, code(() -> c.getStatus(t2)));
        assertEquals(0, c.endTrans(t2));
        assertFalse(part.volumeExists(V));
    }

    @Test
    void cloneSetsTheSourcesCloneOrBackupId() throws Exception {
        createFinished(V, "t.src");
        int b = c.transCreate(V, 0, VolserConstants.ITBusy);
        assertEquals(V + 2, c.call(VolserOps.Clone, new VolserOps.CloneArgs(b, 0, VolserConstants.BACKVOL, "t.src.backup",
            V + 2)));
        assertEquals(V + 1, c.call(VolserOps.Clone, new VolserOps.CloneArgs(b, 0, VolserConstants.ROVOL, "t.src.readonly",
            V + 1)));
        VolserStatus s = c.getStatus(b);
        assertEquals(V + 1, s.cloneID());
        assertEquals(V + 2, s.backupID());
        assertEquals(VolserErrors.VVOLEXISTS, code(() -> c.call(VolserOps.Clone,
            new VolserOps.CloneArgs(b, 0, VolserConstants.ROVOL, "again", V + 1))));
        c.call(VolserOps.ReClone, new VolserOps.TransValue(b, V + 2));
        c.endTrans(b);
        VolumeDiskData bk = disk(V + 2);
        assertEquals(VolserConstants.BACKVOL, bk.type());
        assertEquals("t.src.backup", bk.name());
        assertEquals(V, bk.parentId());
        assertEquals(0, bk.destroyMe(), "a reclone is left usable");
        VolumeDiskData ro = disk(V + 1);
        assertEquals(VolumeDiskData.DESTROY_ME, ro.destroyMe(), "a fresh clone waits for vos to bring it online");
        assertEquals(disk(V).uniquifier(), ro.uniquifier(), "the source's uniquifier, not bumped (the fileserver's job)");
        assertEquals(0, ro.inUse());
    }

    @Test
    void reaperEndsIdleTransactionsAndPurgesHalfMadeVolumes() throws Exception {
        int t = create(V, "t.gc");
        int keep = create(V + 5, "t.kept");
        c.call(VolserOps.SetFlags, new VolserOps.TransValue(keep, 0));
        service.reapIdle(service.now() + TransactionTable.OLDTRANSTIME - 5);
        assertEquals(2, c.call(VolserOps.Monitor, null).size(), "not yet");
        service.reapIdle(service.now() + TransactionTable.OLDTRANSTIME + 5);
        assertEquals(0, c.call(VolserOps.Monitor, null).size());
        assertEquals(VolserErrors.ENOENT, code(() -> c.getStatus(t)));
        assertFalse(part.volumeExists(V), "the half-made volume is gone");
        assertTrue(part.volumeExists(V + 5), "the finished one stays");
        assertEquals(0, disk(V + 5).inUse(), "and is put back");
        assertTrue(volserLog().contains("Deleting timed-out temporary volume " + V));
    }

    @Test
    void convertReadOnlyToReadWrite() throws Exception {
        createFinished(V, "t.conv");
        int b = c.transCreate(V, 0, VolserConstants.ITBusy);
        c.call(VolserOps.Clone, new VolserOps.CloneArgs(b, 0, VolserConstants.ROVOL, "t.conv.readonly", V + 1));
        c.endTrans(b);
        assertEquals(VolserErrors.VVOLEXISTS, code(() -> c.call(VolserOps.ConvertROtoRWvolume,
            new VolserOps.PartVolume(0, V + 1))), "the RW volume is still there");
        int d = c.transCreate(V, 0, VolserConstants.ITOffline);
        c.call(VolserOps.DeleteVolume, d);
        c.endTrans(d);
        assertEquals(VolserErrors.ENODEV, code(() -> c.call(VolserOps.ConvertROtoRWvolume,
            new VolserOps.PartVolume(0, V + 7))));
        c.call(VolserOps.ConvertROtoRWvolume, new VolserOps.PartVolume(0, V + 1));
        assertFalse(part.volumeExists(V + 1));
        VolumeDiskData rw = disk(V);
        assertEquals(VolserConstants.RWVOL, rw.type());
        assertEquals("t.conv", rw.name());
        assertEquals(V, rw.parentId());
        assertTrue(rw.isOnlineable());
        assertEquals(2, disk(V).uniquifier());
    }

    @Test
    void volumesAbandonedByACrashedRunArePutBackOthersNot() throws Exception {
        createFinished(V, "t.crash");
        createFinished(V + 3, "t.fs");
        // V: our own mark left behind (as if we died in a transaction); V+3: a fileserver's mark.
        try (Volume v = part.openVolume(V)) {
            v.writeDiskData(v.readDiskData().inUse(VolserService.VOLUME_SERVER_PROGRAM)
                .offlineMessage(VolserService.UTILITY_MESSAGE));
        }
        try (Volume v = part.openVolume(V + 3)) {
            v.writeDiskData(v.readDiskData().inUse(1));
        }
        assertEquals(VolserErrors.VSALVAGE, code(() -> c.transCreate(V, 0, VolserConstants.ITOffline)));
        assertEquals(List.of(V), VolserService.putBackAbandoned(part, log));
        assertEquals(0, disk(V).inUse());
        assertEquals("", disk(V).offlineMessage());
        c.endTrans(c.transCreate(V, 0, VolserConstants.ITOffline));
        assertEquals(VolserErrors.VSALVAGE, code(() -> c.transCreate(V + 3, 0, VolserConstants.ITOffline)));
    }

    @Test
    void withoutNoAuthOnlyQueriesAreOpenAndRestrictedQueriesCloseThemToo() throws Exception {
        Files.delete(dir.resolve("local").resolve("NoAuth"));
        assertEquals(VolserErrors.VOLSERBAD_ACCESS, code(() -> create(V, "t.denied")));
        assertEquals(VolserErrors.VOLSERBAD_ACCESS, code(() -> c.transCreate(V, 0, VolserConstants.ITOffline)));
        assertEquals(VolserErrors.VOLSERBAD_ACCESS, code(() -> c.endTrans(1)), "decided before the lookup");
        assertEquals(List.of(), c.listVolumes(0, 1));
        assertFalse(part.volumeExists(V));
        VolserService restricted = new VolserService(List.of(part), Map.of(), log, null,
            new SuperUserCheck(dir.resolve("local"), List.of(), String::valueOf), true, Clock.systemUTC());
        VolserClient rc = new VolserClient(new InProcessConnection(restricted.dispatcher(), 4, null));
        assertEquals(VolserErrors.VOLSERBAD_ACCESS, code(() -> rc.listVolumes(0, 1)));
        assertEquals(VolserErrors.VOLSERBAD_ACCESS, code(() -> rc.xListPartitions()));
        // An authenticated identity named in UserList is a superuser (rxkad will supply identities).
        VolserService withUsers = new VolserService(List.of(part), Map.of(), log, null,
            new SuperUserCheck(dir.resolve("local"), List.of("admin"), String::valueOf), false, Clock.systemUTC());
        VolserClient admin = new VolserClient(new InProcessConnection(withUsers.dispatcher(), 4, "admin"));
        VolserClient other = new VolserClient(new InProcessConnection(withUsers.dispatcher(), 4, "joe"));
        assertEquals(VolserErrors.VOLSERBAD_ACCESS, code(() -> other.transCreate(V, 0, VolserConstants.ITOffline)));
        assertEquals(VolserErrors.VNOVOL, code(() -> admin.transCreate(V, 0, VolserConstants.ITOffline)));
    }

    /**
     * NukeVolume of a volume whose header is gone removes the namei files it left behind, then
     * answers -1 as the stock nuke does (it lists files, not headers, and fails on the header's
     * unlink last). A clone still using the group keeps its data, link table and own special files.
     */
    @Test
    void nukeRemovesTheFilesOfAVolumeWithoutHeader() throws Exception {
        createFinished(V, "t.lost");
        Path group = part.path().resolve(afsdr.partition.NameiInode.groupDir(V));
        Files.delete(part.path().resolve(afsdr.partition.VolumeHeader.fileName(V)));
        assertTrue(Files.isDirectory(group));
        assertEquals(VolumeProcs.NUKE_FAILED, code(() -> c.call(VolserOps.NukeVolume, new VolserOps.PartVolume(0, V))));
        assertFalse(Files.exists(group), "the group's files and folders are gone");
        assertTrue(volserLog().contains("had no header; removed 5 files"), volserLog());
        assertEquals(VolumeProcs.NUKE_FAILED, code(() -> c.call(VolserOps.NukeVolume, new VolserOps.PartVolume(0, V))),
            "nothing left");
        // With a read-only clone of it still here.
        int t = create(V, "t.lost");
        c.call(VolserOps.SetFlags, new VolserOps.TransValue(t, 0));
        c.call(VolserOps.Clone, new VolserOps.CloneArgs(t, 0, VolserConstants.ROVOL, "t.lost.readonly", V + 1));
        c.endTrans(t);
        Files.delete(part.path().resolve(afsdr.partition.VolumeHeader.fileName(V)));
        assertEquals(VolumeProcs.NUKE_FAILED, code(() -> c.call(VolserOps.NukeVolume, new VolserOps.PartVolume(0, V))));
        try (Volume ro = part.openVolume(V + 1)) {
            assertEquals(V, ro.readDiskData().parentId());
            ro.readDirectory(1);
        }
        try (Stream<Path> files = Files.walk(group)) {
            List<Long> specials = files.filter(f -> f.getParent().getFileName().toString().equals("special"))
                .map(f -> afsdr.partition.FlipBase64.decode(f.getFileName().toString())).toList();
            assertTrue(specials.contains(afsdr.partition.NameiInode.special(V, afsdr.partition.NameiInode.VI_LINKTABLE)),
                "the link table stays");
            assertTrue(specials.stream().noneMatch(i -> afsdr.partition.NameiInode.high(i) == V
                && afsdr.partition.NameiInode.tag(i) != afsdr.partition.NameiInode.VI_LINKTABLE), "the RW's own specials went");
            assertTrue(specials.stream().anyMatch(i -> afsdr.partition.NameiInode.high(i) == V + 1), "the clone's stay");
        }
    }
}
