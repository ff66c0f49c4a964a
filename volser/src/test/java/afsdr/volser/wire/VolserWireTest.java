package afsdr.volser.wire;

import afsdr.rx.rpc.RpcOp;
import afsdr.rx.xdr.XdrException;
import afsdr.rx.xdr.XdrReader;
import afsdr.rx.xdr.XdrWriter;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** VOLSER structures against the layouts of volser.md §2 and the sizes in the RealCell captures. */
class VolserWireTest {

    /** c.data as captures/listvol.txt shows it, laid out by the offsets of volser.md §2.2. */
    static byte[] cDataInfoBytes() {
        ByteBuffer b = ByteBuffer.allocate(220);
        for (char c : "c.data".toCharArray()) {
            b.putInt(c);
        }
        b.putInt(128, 536870912);  // volid
        b.putInt(132, 0);          // type RW
        b.putInt(140, 536870912);  // parentID
        b.putInt(148, 2);          // status VOK
        b.putInt(156, 1);          // inUse
        b.putInt(164, 0);          // destroyMe
        b.putInt(168, 1795590000); // creationDate
        b.putInt(188, 9);          // filecount
        b.putInt(196, 162);        // size KB
        b.putInt(212, 4);          // spare2 = volUpdateCounter
        return b.array();
    }

    private static <T> byte[] encode(afsdr.rx.xdr.XdrCodec<T> c, T v) throws IOException {
        XdrWriter w = new XdrWriter();
        c.encode(w, v);
        return w.toByteArray();
    }

    @Test
    void volintInfoLayout() throws IOException {
        VolintInfo v = VolintInfo.CODEC.decode(XdrReader.of(cDataInfoBytes()));
        assertEquals("c.data", v.name());
        assertEquals(536870912, v.volid());
        assertEquals(536870912, v.parentID());
        assertEquals(VolserConstants.VOK, v.status());
        assertEquals(1, v.inUse());
        assertEquals(9, v.filecount());
        assertEquals(162, v.size());
        assertEquals(1795590000, v.creationDate());
        assertEquals(4, v.spare2());
        assertArrayEquals(cDataInfoBytes(), encode(VolintInfo.CODEC, v));
    }

    @Test
    void ucharFieldsKeepTheLowByte() throws IOException {
        byte[] b = cDataInfoBytes();
        ByteBuffer.wrap(b).putInt(164, 0xffffffd3); // destroyMe 0xD3 sign-extended by an x86 server
        assertEquals(0xd3, VolintInfo.CODEC.decode(XdrReader.of(b)).destroyMe());
    }

    @Test
    void structureSizes() throws IOException {
        List<Integer> four = List.of(1, 2, 3, 4);
        List<Integer> six = List.of(1, 2, 3, 4, 5, 6);
        VolintXInfo x = new VolintXInfo("v", 1, 0, 0, 1, 0, 2, 0, 1, 0, 0, 0, 0, 0, 3, 0, 5, four, four, six, six, six, six);
        byte[] xb = encode(VolintXInfo.CODEC, x);
        assertEquals(320, xb.length);
        assertEquals(1, ByteBuffer.wrap(xb).getInt(192));  // stat_reads[0]
        assertEquals(1, ByteBuffer.wrap(xb).getInt(296));  // stat_dirDiffAuthor[0]
        assertEquals(x, VolintXInfo.CODEC.decode(XdrReader.of(xb)));

        TransDebugInfo t = new TransDebugInfo(5, 6, 7, 0, 536870912, 0, 2, 3, 0, "TransCreate", 1, 0, 0, 9, 10);
        byte[] tb = encode(TransDebugInfo.CODEC, t);
        assertEquals(176, tb.length);
        assertEquals('T', ByteBuffer.wrap(tb).getInt(36));
        assertEquals(1, ByteBuffer.wrap(tb).getInt(156));
        assertEquals(t, TransDebugInfo.CODEC.decode(XdrReader.of(tb)));

        assertEquals(272, encode(DiskPartition.CODEC, new DiskPartition("/vicepa", "/dev/sda1", -1, 0, 5, 6)).length);
        DiskPartition64 p = new DiskPartition64("/vicepa", "/dev/x", -1, 0, 83151288L, 106390912L);
        byte[] pb = encode(DiskPartition64.CODEC, p);
        assertEquals(2076, pb.length);
        assertEquals(83151288L, ByteBuffer.wrap(pb).getLong(2060));
        assertEquals(106390912L, ByteBuffer.wrap(pb).getLong(2068));
        assertEquals(p, DiskPartition64.CODEC.decode(XdrReader.of(pb)));

        assertEquals(140, encode(RestoreCookie.CODEC, new RestoreCookie("c.data", 0, 0, 536870912)).length);
        assertEquals(64, encode(VolserStatus.CODEC, new VolserStatus(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16)).length);
        assertEquals(16, encode(Replica.CODEC, new Replica(3, new DestServer(0x7f010003, 7005, 1))).length);
    }

    private static <A> int requestSize(RpcOp<A, ?> op, A args) throws IOException {
        XdrWriter w = new XdrWriter();
        w.writeInt(op.opcode());
        op.args().encode(w, args);
        return (int) w.size();
    }

    @Test
    void requestAndReplySizesMatchTheCaptures() throws IOException {
        // captures/listpart.txt, partinfo.txt, listvol.txt, listvol-ext.txt, examine.txt
        assertEquals(4, requestSize(VolserOps.XListPartitions, null));
        assertEquals(12, encode(VolserOps.XListPartitions.results(), new int[] {0, 1}).length);
        assertEquals(16, requestSize(VolserOps.PartitionInfo64, "/vicepa"));
        assertEquals(12, requestSize(VolserOps.ListVolumes, new VolserOps.PartFlags(0, 1)));
        assertEquals(12, requestSize(VolserOps.ListOneVolume, new VolserOps.PartVolume(0, 536870912)));
        VolintInfo v = VolintInfo.CODEC.decode(XdrReader.of(cDataInfoBytes()));
        assertEquals(224, encode(VolserOps.ListVolumes.results(), List.of(v)).length);
        List<Integer> four = List.of(0, 0, 0, 0);
        List<Integer> six = List.of(0, 0, 0, 0, 0, 0);
        VolintXInfo x = new VolintXInfo("c.data", 1, 0, 0, 1, 0, 2, 0, 1, 0, 0, 0, 0, 0, 9, 0, 162, four, four, six, six, six, six);
        assertEquals(324, encode(VolserOps.XListVolumes.results(), List.of(x)).length);
        assertEquals(4 + 8 + 140 + 0, requestSize(VolserOps.Restore,
                new VolserOps.RestoreArgs(7, 1, new RestoreCookie("c.data", 0, 0, 536870912))));
        assertEquals(104, encode(VolserOps.ListPartitions.results(), new int[26]).length);
    }

    @Test
    void namesLongerThanTheirFieldsAreRefused() {
        assertThrows(XdrException.class, () -> encode(RestoreCookie.CODEC, new RestoreCookie("x".repeat(32), 0, 0, 0)));
        assertThrows(XdrException.class, () -> requestSize(VolserOps.CreateVolume,
                new VolserOps.CreateVolumeArgs(0, "x".repeat(33), 0, 0, 0)));
    }

    @Test
    void everyOpcodeOfTheTableIsDeclared() {
        int[] opcodes = {100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117,
            118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 128, 65536, 65537, 65538, 65539, 65547};
        assertEquals(opcodes.length, VolserOps.AFSVol.ops().size());
        for (int op : opcodes) {
            assertNotNull(VolserOps.AFSVol.op(op), "opcode " + op);
        }
        assertEquals(RpcOp.Split.REQUEST, VolserOps.Restore.split());
        assertEquals(RpcOp.Split.REPLY, VolserOps.Dump.split());
        assertEquals(RpcOp.Split.REPLY, VolserOps.DumpV2.split());
    }

    @Test
    void partitionNamesAndIds() {
        assertEquals("/vicepa", VolserConstants.partitionName(0));
        assertEquals("/vicepz", VolserConstants.partitionName(25));
        assertEquals("/vicepaa", VolserConstants.partitionName(26));
        assertEquals("/vicepiu", VolserConstants.partitionName(254));
        for (int i = 0; i < 255; i++) {
            assertEquals(i, VolserConstants.partitionId(VolserConstants.partitionName(i)));
        }
        assertEquals(1, VolserConstants.partitionId("b"));
        assertEquals(-1, VolserConstants.partitionId("/vicepiv"));
        assertEquals(-1, VolserConstants.partitionId("/vicepA"));
    }
}
