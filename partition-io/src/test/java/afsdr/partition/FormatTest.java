package afsdr.partition;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import afsdr.partition.dir.AfsDirectory;

class FormatTest {
    @Test
    void flipBase64MatchesTheSpecExamples() {
        assertEquals("+", FlipBase64.encode(0));
        assertEquals("++++U", FlipBase64.encode(536870912L));
        assertEquals("AFSIDat/+/++++U/special/zzzz5+++++0",
            NameiInode.relativePath(536870912L, NameiInode.special(536870912L, NameiInode.VI_VOLINFO)));
        assertEquals(0x2000000007ffffffL, NameiInode.special(536870912L, NameiInode.VI_VOLINFO));
        assertEquals("AFSIDat/+/++++U/special/zzzzP+++++0",
            NameiInode.relativePath(536870912L, NameiInode.special(536870912L, NameiInode.VI_LINKTABLE)));
        assertEquals("AFSIDat/+/++++U/special/zzzz9A++++0",
            NameiInode.relativePath(536870912L, NameiInode.special(536870915L, NameiInode.VI_SMALLINDEX)));
        assertEquals(0x100000001L, NameiInode.regular(1, 0, 1));
        assertEquals("AFSIDat/+/++++U/+/+/=++++2", NameiInode.relativePath(536870912L, NameiInode.regular(1, 0, 1)));
        for (long v : new long[] {0, 1, 63, 64, 0x2000000007ffffffL, -1L}) {
            assertEquals(v, FlipBase64.decode(FlipBase64.encode(v)));
        }
        assertThrows(IllegalArgumentException.class, () -> FlipBase64.decode("a/b"));
    }

    @Test
    void ogmEncodesParameterAndTag() {
        int[] ogm = NameiInode.ogm(536870912, NameiInode.VI_LINKTABLE);
        assertEquals(0, ogm[0]);
        assertEquals(536870912 >>> 15 & 0x7fff, ogm[1]);
        assertEquals(((536870912 >>> 27) & 0x18) | 6, ogm[2]);
        for (int parm : new int[] {0, 1, 0x7fff, 536870915, 0xffffffff, 0x9abcdef0}) {
            int[] o = NameiInode.ogm(parm, 3);
            assertEquals(parm, NameiInode.ogmParm(o[0], o[1], o[2]));
            assertEquals(3, o[2] & 7);
        }
    }

    @Test
    void directoryHashMatchesTheSpecValues() {
        assertEquals(46, AfsDirectory.hash(".".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(68, AfsDirectory.hash("..".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(72, AfsDirectory.hash("foo".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(6, AfsDirectory.hash("README".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void headerRoundTripAndValidation() throws Exception {
        VolumeHeader h = VolumeHeader.forNewVolume(536870915, 536870912);
        byte[] raw = h.encode();
        assertEquals(76, raw.length);
        assertEquals((byte) 0x3c, raw[0], "little-endian magic");
        assertEquals(h, VolumeHeader.decode(raw, "V0536870915.vol", 536870915L));
        assertEquals("V0536870915.vol", VolumeHeader.fileName(536870915));
        assertEquals(536870915L, VolumeHeader.parseFileName("V0536870915.vol"));
        assertEquals(4294967295L, VolumeHeader.parseFileName(VolumeHeader.fileName(-1)));
        assertEquals("V4294967295.vol", VolumeHeader.fileName(-1));
        assertEquals("V0000000000.vol", VolumeHeader.fileName(0));
        assertEquals("0000000007", VolumeHeader.tenDigits(7));
        assertEquals(-1, VolumeHeader.parseFileName("V053687091.vol"));
        assertEquals(-1, VolumeHeader.parseFileName("V0536870915.vl"));
        VolumeFormatException e = assertThrows(VolumeFormatException.class,
            () -> VolumeHeader.decode(java.util.Arrays.copyOf(raw, 60), "/x/V0536870915.vol", 536870915L));
        assertTrue(e.getMessage().contains("/x/V0536870915.vol") && e.getMessage().contains("536870915"));
        raw[0] ^= 1;
        assertThrows(VolumeFormatException.class, () -> VolumeHeader.decode(raw, "f", 536870915L));
    }

    @Test
    void vnodeBitfieldsAndAcl() throws Exception {
        VnodeDiskObject v = VnodeDiskObject.blank(VnodeClass.LARGE).type(2).modeBits(0777).linkCount(3).cloned(true)
            .length(0x1_0000_0800L).inode(0x2000000007ffffffL);
        byte[] raw = v.encode();
        assertEquals(2 | 8 | (0777 << 4) | (3 << 16), (raw[0] & 0xff) | (raw[1] & 0xff) << 8 | (raw[2] & 0xff) << 16);
        VnodeDiskObject w = VnodeDiskObject.wrap(VnodeClass.LARGE, raw, 0);
        assertEquals(2, w.type());
        assertEquals(0777, w.modeBits());
        assertEquals(3, w.linkCount());
        assertTrue(w.cloned());
        assertEquals(0x1_0000_0800L, w.length());
        assertEquals(0x2000000007ffffffL, w.inode());
        assertEquals(0xad8765fe, w.vnodeMagic());
        AccessList acl = new AccessList(List.of(new AccessList.Entry(-204, 0x7f), new AccessList.Entry(-101, 9)),
            List.of(new AccessList.Entry(1000, 2)));
        w.acl(acl);
        assertEquals(acl, w.acl("t"));
        byte[] net = acl.encode(ByteOrder.BIG_ENDIAN);
        assertArrayEquals(new byte[] {0, 0, 0, 44, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 1},
            java.util.Arrays.copyOf(net, 20));
        assertEquals(acl, AccessList.decode(net, 0, ByteOrder.BIG_ENDIAN, "t"));
        byte[] bad = acl.encode(ByteOrder.LITTLE_ENDIAN);
        bad[8] = 21;
        assertThrows(VolumeFormatException.class, () -> AccessList.decode(bad, 0, ByteOrder.LITTLE_ENDIAN, "t"));
    }

    @Test
    void vnodeSlotArithmetic() {
        assertEquals(VnodeClass.LARGE, VnodeClass.of(1));
        assertEquals(VnodeClass.SMALL, VnodeClass.of(2));
        assertEquals(256, VnodeClass.LARGE.offset(VnodeClass.slot(1)));
        assertEquals(512, VnodeClass.LARGE.offset(VnodeClass.slot(3)));
        assertEquals(64, VnodeClass.SMALL.offset(VnodeClass.slot(2)));
        assertEquals(128, VnodeClass.SMALL.offset(VnodeClass.slot(4)));
        assertEquals(5, VnodeClass.LARGE.vnodeNumber(2));
        assertEquals(6, VnodeClass.SMALL.vnodeNumber(2));
        assertEquals(0, PartitionIds.idOf("/vicepa"));
        assertEquals(25, PartitionIds.idOf("z"));
        assertEquals(26, PartitionIds.idOf("vicepaa"));
        assertEquals(254, PartitionIds.idOf("/vicepiu"));
        assertEquals(-1, PartitionIds.idOf("/vicepiv"));
        assertEquals("/vicepiu", PartitionIds.nameOf(254));
    }
}
