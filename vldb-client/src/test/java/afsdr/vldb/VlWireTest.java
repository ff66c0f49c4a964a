package afsdr.vldb;

import afsdr.rx.xdr.XdrException;
import afsdr.rx.xdr.XdrReader;
import afsdr.rx.xdr.XdrWriter;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** VL structures against byte layouts built by hand from vldb.md §3 and the captured sizes. */
class VlWireTest {
    static final int FS1 = 0x7f010002; // 127.1.0.2, afs-fs1 in the RealCell

    /** The c.data entry of captures/examine.txt, laid out field by field as vldb.md §3.1 says. */
    static byte[] cDataEntryBytes(int flags) {
        ByteBuffer b = ByteBuffer.allocate(476);
        for (char c : "c.data".toCharArray()) {
            b.putInt(c);
        }
        b.position(260);
        b.putInt(1);                       // nServers
        b.putInt(FS1);                     // serverNumber[0]
        b.position(316).putInt(0);         // serverPartition[0] = /vicepa
        b.position(368).putInt(VlConstants.VLSF_RWVOL);
        b.position(420).putInt(536870912).putInt(0).putInt(0);
        b.putInt(0);                       // cloneId
        b.putInt(flags);
        b.putInt(0);                       // matchindex
        return b.array();
    }

    @Test
    void nvldbEntryDecodesTheDocumentedLayout() throws IOException {
        NvldbEntry e = NvldbEntry.CODEC.decode(XdrReader.of(cDataEntryBytes(VlConstants.VLF_RWEXISTS)));
        assertEquals("c.data", e.name());
        assertEquals(List.of(new VldbSite(FS1, 0, VlConstants.VLSF_RWVOL)), e.sites());
        assertEquals(536870912, e.rwId());
        assertEquals(0, e.roId());
        assertEquals(0, e.backupId());
        assertEquals(VlConstants.VLF_RWEXISTS, e.flags());
        assertEquals("127.1.0.2", Ipv4.format(e.sites().get(0).server()));
    }

    @Test
    void nvldbEntryEncodesToTheSameBytes() throws IOException {
        NvldbEntry e = NvldbEntry.of("c.data", List.of(new VldbSite(FS1, 0, VlConstants.VLSF_RWVOL)),
                536870912, 0, 0, 0, VlConstants.VLF_RWEXISTS | VlConstants.VLOP_MOVE);
        XdrWriter w = new XdrWriter();
        NvldbEntry.CODEC.encode(w, e);
        assertArrayEquals(cDataEntryBytes(VlConstants.VLF_RWEXISTS | VlConstants.VLOP_MOVE), w.toByteArray());
    }

    @Test
    void tooManyServersIsADecodeError() {
        byte[] b = cDataEntryBytes(0);
        ByteBuffer.wrap(b).putInt(260, 14);
        XdrException e = assertThrows(XdrException.class, () -> NvldbEntry.CODEC.decode(XdrReader.of(b)));
        assertTrue(e.isDecode());
        ByteBuffer.wrap(b).putInt(260, -1);
        assertThrows(XdrException.class, () -> NvldbEntry.CODEC.decode(XdrReader.of(b)));
    }

    @Test
    void requestAndReplySizesMatchTheCaptures() throws IOException {
        // captures/examine.txt: GetEntryByNameN(c.data) request 16 B, GetEntryByIDN 12 B, replies 476 B.
        XdrWriter w = new XdrWriter();
        w.writeInt(VlOps.GetEntryByNameN.opcode());
        VlOps.GetEntryByNameN.args().encode(w, "c.data");
        assertEquals(16, w.size());
        w = new XdrWriter();
        w.writeInt(518);
        VlOps.GetEntryByIDN.args().encode(w, new VlOps.IdType(536870912, -1));
        assertEquals(12, w.size());
        // captures/listvldb.txt: ListAttributesN2 request 36 B, reply 1440 B for the 3 entries of that cell.
        w = new XdrWriter();
        w.writeInt(534);
        VlOps.ListAttributesN2.args().encode(w, new VlOps.ListAttributesN2Args(VldbListByAttributes.ALL, "", 0));
        assertEquals(36, w.size());
        NvldbEntry e = NvldbEntry.CODEC.decode(XdrReader.of(cDataEntryBytes(VlConstants.VLF_RWEXISTS)));
        w = new XdrWriter();
        VlOps.ListAttributesN2.results().encode(w, new VlOps.ListAttributesN2Result(3, List.of(e, e, e), -1));
        assertEquals(1440, w.size());
        VlOps.ListAttributesN2Result back = VlOps.ListAttributesN2.results().decode(XdrReader.of(w.toByteArray()));
        assertEquals(3, back.entries().size());
        assertEquals(-1, back.nextStartIndex());
        assertEquals(e, back.entries().get(2));
    }

    @Test
    void oldAndUuidEntriesHaveTheirDocumentedSizes() throws IOException {
        XdrWriter w = new XdrWriter();
        VldbEntry old = new VldbEntry("v", List.of(new VldbSite(FS1, 1, 4)), List.of(5, 6, 7), 0, 0x1000);
        VldbEntry.CODEC.encode(w, old);
        assertEquals(384, w.size());
        assertEquals(old, VldbEntry.CODEC.decode(XdrReader.of(w.toByteArray())));

        AfsUuid u = new AfsUuid(0x12345678, 0xabcd, 0x1ef0, 0x80, 0x01, new byte[] {1, 2, 3, 4, 5, (byte) 0xff});
        UvldbEntry ue = new UvldbEntry("v", List.of(new UvldbEntry.Site(u, 3, 0, VlConstants.VLSF_UUID)),
                List.of(5, 0, 0), 0, 0x1000, 0);
        w = new XdrWriter();
        UvldbEntry.CODEC.encode(w, ue);
        assertEquals(1048, w.size());
        assertEquals(ue, UvldbEntry.CODEC.decode(XdrReader.of(w.toByteArray())));
    }

    @Test
    void afsUuidIsFortyFourBytesAndPrintsLikeVos() throws IOException {
        AfsUuid u = new AfsUuid(0x0018e83c, 0x5d9a, 0x1d21, 0x8f, 0x2e, new byte[] {0x7f, 1, 0, 2, 0, 0});
        XdrWriter w = new XdrWriter();
        AfsUuid.CODEC.encode(w, u);
        byte[] b = w.toByteArray();
        assertEquals(44, b.length);
        assertEquals(0x8f, ByteBuffer.wrap(b).getInt(12));
        assertEquals(0x7f, ByteBuffer.wrap(b).getInt(20));
        assertEquals("0018e83c-5d9a-1d21-8f-2e-7f0100020000", u.toString());
        assertEquals(u, AfsUuid.parse(u.toString()));
        assertEquals(u, AfsUuid.CODEC.decode(XdrReader.of(b)));
    }

    @Test
    void bulkAddrsAreBoundedBy500() {
        ByteBuffer b = ByteBuffer.allocate(16 + 4 + 4);
        b.putInt(16, 1).putInt(20, 501);
        assertThrows(XdrException.class, () -> VlOps.GetAddrs.results().decode(XdrReader.of(b.array())));
    }

    @Test
    void listAddrByAttributesIsSixtyBytes() throws IOException {
        XdrWriter w = new XdrWriter();
        ListAddrByAttributes.CODEC.encode(w, ListAddrByAttributes.byIpAddr(FS1));
        assertEquals(60, w.size());
        assertEquals(VlConstants.VLADDR_IPADDR, ByteBuffer.wrap(w.toByteArray()).getInt(0));
        assertEquals(FS1, ByteBuffer.wrap(w.toByteArray()).getInt(4));
    }
}
