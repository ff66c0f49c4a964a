package afsdr.volser.client;

import afsdr.realcell.ExecResult;
import afsdr.realcell.Interop;
import afsdr.realcell.RealCell;
import afsdr.rx.RxCallException;
import afsdr.rx.netty.RxEndpoint;
import afsdr.rx.rpc.RpcDispatcher;
import afsdr.rx.security.RxNullSecurity;
import afsdr.volser.wire.DiskPartition;
import afsdr.volser.wire.VolintInfo;
import afsdr.volser.wire.VolserConstants;
import afsdr.volser.wire.VolserErrors;
import afsdr.volser.wire.VolserOps;
import afsdr.vldb.Ipv4;
import afsdr.vldb.NvldbEntry;
import afsdr.vldb.VlClient;
import afsdr.vldb.VlConstants;
import afsdr.vldb.VldbSite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stock {@code vos} against an {@link RpcDispatcher} serving a few VOLSER procedures on j1: the
 * server half of the RPC layer and the wire types' encoders, as a stock client decodes them. The
 * dispatcher deliberately lacks XListPartitions and PartitionInfo64, so vos must take its
 * RXGEN_OPCODE fallbacks (vos-flows.md §1.3, §8).
 */
@Interop
class StockVosAgainstDispatcherInteropTest {
    static RealCell cell;
    static RxEndpoint server;
    static final List<String> CALLS = new CopyOnWriteArrayList<>();

    static final VolintInfo VOL = new VolintInfo("fake.vol", 536999999, 0, 0, 536999999, 0, VolserConstants.VOK,
            1795500000, 1, 0, 0, 1795400000, 1795500001, 1795500002, 0, 17, 42, 5000, 4321, 0, 0, 99, 7, 0);

    @BeforeAll
    static void up() throws Exception {
        cell = RealCell.shared();
        int[] pids = new int[VolserConstants.PIDS_SLOTS];
        Arrays.fill(pids, -1);
        pids[0] = 0;
        pids[1] = 27; // /vicepab
        RpcDispatcher d = RpcDispatcher.builder(VolserOps.AFSVol)
                .on(VolserOps.ListPartitions, (call, a) -> {
                    CALLS.add("ListPartitions");
                    return pids;
                })
                .on(VolserOps.PartitionInfo, (call, name) -> {
                    CALLS.add("PartitionInfo " + name);
                    return new DiskPartition(name, "/dev/fake", -1, 0, 1000, 3000);
                })
                .on(VolserOps.ListVolumes, (call, a) -> {
                    CALLS.add("ListVolumes " + a.partId() + " " + a.flags());
                    return a.partId() == 0 ? List.of(VOL) : List.of();
                })
                .on(VolserOps.ListOneVolume, (call, a) -> {
                    CALLS.add("ListOneVolume " + a.partId() + " " + a.volid());
                    if (a.partId() != 0 || a.volid() != VOL.volid()) {
                        throw new RxCallException(VolserErrors.ENODEV, "not here");
                    }
                    return List.of(VOL);
                })
                .build();
        server = RxEndpoint.builder().bind(cell.address(RealCell.J1), VolserConstants.AFSCONF_VOLUMEPORT).build();
        server.addService(VolserConstants.VOLSERVICE_ID, Map.of(0, RxNullSecurity.INSTANCE), d);
    }

    @AfterAll
    static void down() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void listpartFallsBackToListPartitions() {
        CALLS.clear();
        ExecResult r = cell.vos("listpart", cell.host(RealCell.J1), "-noauth").orFail();
        assertTrue(r.stdout().contains("/vicepa"), r.stdout());
        assertTrue(r.stdout().contains("/vicepab"), r.stdout());
        assertTrue(r.stdout().contains("Total: 2"), r.stdout());
        assertEquals(List.of("ListPartitions"), CALLS);
    }

    @Test
    void partinfoFallsBackToPartitionInfo() {
        CALLS.clear();
        ExecResult r = cell.vos("partinfo", cell.host(RealCell.J1), "-partition", "a", "-noauth").orFail();
        assertTrue(r.stdout().contains("Free space on partition /vicepa: 1000 K blocks out of total 3000"), r.stdout());
        assertEquals(List.of("ListPartitions", "PartitionInfo /vicepa"), CALLS);
    }

    @Test
    void listvolFormatPrintsWhatWeEncoded() {
        ExecResult r = cell.vos("listvol", "-server", cell.host(RealCell.J1), "-partition", "a", "-format",
                "-noauth").orFail();
        List<Map<String, String>> entries = VolserInteropTest.parseFormat(r.stdout());
        assertEquals(1, entries.size());
        Map<String, String> e = entries.get(0);
        assertEquals("fake.vol", e.get("name"));
        assertEquals("536999999", e.get("id"));
        assertEquals("RW", e.get("type"));
        assertEquals("Y", e.get("inUse"));
        assertEquals("1795400000", e.get("creationDate"));
        assertEquals("1795500001", e.get("accessDate"));
        assertEquals("1795500002", e.get("updateDate"));
        assertEquals("1795500000", e.get("copyDate"));
        assertEquals("4321", e.get("diskused"));
        assertEquals("5000", e.get("maxquota"));
        assertEquals("42", e.get("filecount"));
        assertEquals("17", e.get("dayUse"));
        assertEquals("99", e.get("weekUse"));
        assertEquals("7", e.get("spare2"));
    }

    @Test
    void examineFindsOurVolumeThroughTheVldbAndAsksUs() throws Exception {
        // Our VL client registers the volume at j1; stock vos then looks it up and asks our dispatcher.
        try (RxEndpoint client = RxEndpoint.builder().bind(java.net.InetAddress.getByName("127.0.0.1"), 0).build();
             VlClient vl = new VlClient(List.of(new java.net.InetSocketAddress(cell.address(RealCell.DB),
                     VlConstants.VL_PORT)), a -> client.connect(a, VlConstants.VL_SERVICE_ID, RxNullSecurity.INSTANCE))) {
            int j1 = Ipv4.toInt(cell.address(RealCell.J1));
            vl.createEntryN(NvldbEntry.of(VOL.name(), List.of(new VldbSite(j1, 0, VlConstants.VLSF_RWVOL)),
                    VOL.volid(), 0, 0, 0, VlConstants.VLF_RWEXISTS));
            try {
                CALLS.clear();
                ExecResult r = cell.vos("examine", VOL.name(), "-format", "-noauth").orFail();
                assertEquals(List.of("ListOneVolume 0 " + VOL.volid()), CALLS);
                Map<String, String> e = VolserInteropTest.parseExamineFormat(r.stdout());
                assertEquals("fake.vol", e.get("name"));
                assertEquals(cell.addressString(RealCell.J1), e.get("serv"));
                assertEquals("/vicepa", e.get("part"));
                assertEquals("OK", e.get("status"));
                assertEquals("4321", e.get("diskused"));
                assertEquals("N", e.get("needsSalvaged"));

                // A site the VLDB names but our server does not have: our ENODEV reaches vos.
                vl.setLock(VOL.volid(), VlConstants.RWVOL, VlConstants.VLOP_MOVE);
                vl.replaceEntryN(VOL.volid(), VlConstants.RWVOL, NvldbEntry.of(VOL.name(),
                        List.of(new VldbSite(j1, 27, VlConstants.VLSF_RWVOL)), VOL.volid(), 0, 0, 0,
                        VlConstants.VLF_RWEXISTS), VlConstants.LOCKREL_ALL);
                ExecResult missing = cell.vos("examine", VOL.name(), "-noauth");
                assertFalse(missing.ok());
                assertTrue((missing.stdout() + missing.stderr()).contains("does not exist"), missing.toString());
            } finally {
                vl.deleteEntry(VOL.volid(), VlConstants.RWVOL);
            }
        }
    }
}
