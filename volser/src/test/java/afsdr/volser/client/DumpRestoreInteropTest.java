package afsdr.volser.client;

import afsdr.realcell.ExecResult;
import afsdr.realcell.Interop;
import afsdr.realcell.RealCell;
import afsdr.rx.netty.RxEndpoint;
import afsdr.rx.security.RxNullSecurity;
import afsdr.vldb.Ipv4;
import afsdr.vldb.NvldbEntry;
import afsdr.vldb.VlClient;
import afsdr.vldb.VlConstants;
import afsdr.vldb.VldbSite;
import afsdr.volser.wire.RestoreCookie;
import afsdr.volser.wire.VolintInfo;
import afsdr.volser.wire.VolserConstants;
import afsdr.volser.wire.VolserOps;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The split calls against stock volservers: our client dumps a stock-created volume from fs1
 * (Dump, reply side raw) and restores it onto fs2 (Restore, request side raw) the way vos restore
 * does (vos-flows.md §6.2); stock vos then sees the restored volume on line.
 */
@Interop
class DumpRestoreInteropTest {
    @Test
    void dumpFromOneStockServerAndRestoreOntoAnother() throws Exception {
        RealCell cell = RealCell.shared();
        String suffix = Integer.toString(ThreadLocalRandom.current().nextInt(1 << 30), 36);
        String src = "t.dsrc." + suffix;
        String dst = "t.ddst." + suffix;
        cell.vos("create", cell.host(RealCell.FS1), "a", src, "-maxquota", "777", "-noauth").orFail();
        try (RxEndpoint ep = RxEndpoint.builder().bind(InetAddress.getByName("127.0.0.1"), 0).build();
             VolserClient fs1 = new VolserClient(ep.connect(new InetSocketAddress(cell.address(RealCell.FS1), 7005),
                     VolserConstants.VOLSERVICE_ID, RxNullSecurity.INSTANCE));
             VolserClient fs2 = new VolserClient(ep.connect(new InetSocketAddress(cell.address(RealCell.FS2), 7005),
                     VolserConstants.VOLSERVICE_ID, RxNullSecurity.INSTANCE));
             VlClient vl = new VlClient(List.of(new InetSocketAddress(cell.address(RealCell.DB), VlConstants.VL_PORT)),
                     a -> ep.connect(a, VlConstants.VL_SERVICE_ID, RxNullSecurity.INSTANCE))) {
            int srcId = vl.getEntryByNameN(src).rwId();
            VolintInfo srcInfo = fs1.listOneVolume(0, srcId).get(0);

            // Dump: TransCreate(ITBusy), GetSize, Dump, EndTrans, as vos dump / vos size do.
            int tid = fs1.transCreate(srcId, 0, VolserConstants.ITBusy);
            long size;
            ByteArrayOutputStream dump = new ByteArrayOutputStream();
            try {
                size = fs1.getSize(tid, 0);
                fs1.dump(tid, 0, dump);
            } finally {
                fs1.endTrans(tid);
            }
            byte[] d = dump.toByteArray();
            assertEquals(size, d.length, "GetSize is the exact dump length");
            assertEquals(0x3A214B6E, ByteBuffer.wrap(d, d.length - 4, 4).getInt(), "dump end magic");
            assertEquals(4, d[d.length - 5], "end tag before the magic");
            ExecResult vosSize = cell.vos("size", "-id", src, "-dump", "-noauth").orFail();
            Matcher m = Pattern.compile("dump_size: (\\d+)").matcher(vosSize.stdout());
            assertTrue(m.find(), vosSize.stdout());
            assertEquals(d.length, Long.parseLong(m.group(1)));

            // Restore onto fs2 /vicepb as a new volume, the sequence of vos restore.
            int dstId = vl.getNewVolumeId(1);
            VolserOps.CreateVolumeResult created = fs2.createVolume(1, dst, VolserConstants.RWVOL, dstId, dstId);
            assertEquals(dstId, created.volid());
            int t2 = created.trans();
            try {
                fs2.restore(t2, 1, new RestoreCookie(dst, VolserConstants.RWVOL, 0, dstId), new ByteArrayInputStream(d));
                fs2.call(VolserOps.SetIdsTypes, new VolserOps.SetIdsTypesArgs(t2, dst, VolserConstants.RWVOL, dstId, 0, 0));
                fs2.setFlags(t2, 0);
            } finally {
                fs2.endTrans(t2);
            }
            vl.createEntryN(NvldbEntry.of(dst, List.of(new VldbSite(Ipv4.toInt(cell.address(RealCell.FS2)), 1,
                    VlConstants.VLSF_RWVOL)), dstId, 0, 0, 0, VlConstants.VLF_RWEXISTS));

            VolintInfo dstInfo = fs2.listOneVolume(1, dstId).get(0);
            assertEquals(dst, dstInfo.name());
            assertEquals(VolserConstants.VOK, dstInfo.status());
            assertEquals(1, dstInfo.inUse());
            assertEquals(srcInfo.filecount(), dstInfo.filecount());
            assertEquals(srcInfo.size(), dstInfo.size());
            assertEquals(777, dstInfo.maxquota(), "quota travels in the dump");
            ExecResult ex = cell.vos("examine", dst, "-noauth").orFail();
            assertTrue(ex.stdout().contains("On-line"), ex.stdout());
            assertTrue(ex.stdout().contains(cell.host(RealCell.FS2) + " /vicepb"), ex.stdout());
        } finally {
            cell.vos("remove", "-id", src, "-noauth");
            cell.vos("remove", "-id", dst, "-noauth");
        }
    }
}
