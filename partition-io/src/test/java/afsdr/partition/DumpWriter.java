package afsdr.partition;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Test tool: writes a full volume dump (dump-format.md §2-§5) of a partition-io volume, so that the
 * stock `vos restore` can load content we chose into a stock server.
 */
final class DumpWriter {
    private final DataOutputStream out;

    DumpWriter(OutputStream out) {
        this.out = new DataOutputStream(out);
    }

    private void string(int tag, String s) throws IOException {
        out.writeByte(tag);
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.writeByte(0);
    }

    private void int32(int tag, int v) throws IOException {
        out.writeByte(tag);
        out.writeInt(v);
    }

    void dump(Volume v) throws IOException {
        VolumeDiskData d = v.readDiskData();
        out.writeByte(1);
        out.writeInt(0xB3A11322);
        out.writeInt(1);
        int32('v', d.id());
        string('n', d.name());
        out.writeByte('t');
        out.writeShort(2);
        out.writeInt(0);
        out.writeInt(d.updateDate());
        out.writeByte(2);
        int32('i', d.id());
        int32('v', 1);
        string('n', d.name());
        out.writeByte('s');
        out.writeByte(d.inService() ? 1 : 0);
        out.writeByte('b');
        out.writeByte(d.blessed() ? 1 : 0);
        int32('u', d.uniquifier());
        out.writeByte('t');
        out.writeByte(d.type());
        int32('p', d.parentId());
        int32('c', d.cloneId());
        int32('q', d.maxquota());
        int32('m', d.minquota());
        int32('d', d.diskused());
        int32('f', d.filecount());
        int32('a', d.accountNumber());
        int32('o', d.owner());
        int32('C', d.creationDate());
        int32('A', d.accessDate());
        int32('U', d.updateDate());
        int32('E', d.expirationDate());
        int32('B', d.backupDate());
        string('O', d.offlineMessage());
        string('M', "");
        out.writeByte('W');
        out.writeShort(7);
        for (int i = 0; i < 7; i++) {
            out.writeInt(d.weekUse(i));
        }
        int32('D', d.dayUseDate());
        int32('Z', d.dayUse());
        for (VnodeClass c : VnodeClass.values()) {
            v.index(c).forEach((vn, rec) -> vnode(v, vn, rec));
        }
        out.writeByte(4);
        out.writeInt(0x3A214B6E);
        out.flush();
    }

    private void vnode(Volume v, int vn, VnodeDiskObject rec) throws IOException {
        out.writeByte(3);
        out.writeInt(vn);
        out.writeInt(rec.uniquifier());
        out.writeByte('t');
        out.writeByte(rec.type());
        out.writeByte('l');
        out.writeShort(rec.linkCount());
        int32('v', rec.dataVersion());
        int32('m', rec.unixModifyTime());
        int32('a', rec.author());
        int32('o', rec.owner());
        if (rec.group() != 0) {
            int32('g', rec.group());
        }
        out.writeByte('b');
        out.writeShort(rec.modeBits());
        int32('p', rec.parent());
        int32('s', rec.serverModifyTime());
        if (rec.vnodeClass() == VnodeClass.LARGE) {
            out.writeByte('A');
            AccessList acl = rec.acl("vnode " + vn);
            out.write(acl == null ? new byte[AccessList.SIZE] : acl.encode(ByteOrder.BIG_ENDIAN));
        }
        if (rec.length() >= (1L << 32)) {
            throw new IOException("test dumps stay below 4 GiB");
        }
        int32('f', (int) rec.length());
        try (InputStream in = v.openData(vn, rec)) {
            in.transferTo(out);
        }
    }
}
