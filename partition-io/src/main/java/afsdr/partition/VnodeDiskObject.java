package afsdr.partition;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One vnode index record (struct VnodeDiskObject, host order, disk-format.md §5.2), plus for large
 * vnodes the ACL that fills the rest of the 256-byte record. Kept as raw bytes so unknown bits
 * survive a rewrite.
 *
 * <pre>
 *  0 type:3 cloned:1 modeBits:12 linkCount:16   4 length_lo   8 uniquifier  12 dataVersion
 * 16 vn_ino_lo  20 unixModifyTime  24 author  28 owner  32 parent  36 vnodeMagic
 * 40 lock{lockCount,lockTime}  48 serverModifyTime  52 group  56 vn_ino_hi  60 vn_length_hi
 * 64..255 (large only) acl_accessList
 * </pre>
 */
public final class VnodeDiskObject {
    /** vNull, vFile, vDirectory, vSymlink. */
    public static final int TYPE_FREE = 0, TYPE_FILE = 1, TYPE_DIRECTORY = 2, TYPE_SYMLINK = 3;

    private final VnodeClass vclass;
    private final ByteBuffer b;

    private VnodeDiskObject(VnodeClass vclass, byte[] raw) {
        this.vclass = vclass;
        this.b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A zeroed record of the given class with its vnode magic set. */
    public static VnodeDiskObject blank(VnodeClass c) {
        VnodeDiskObject v = new VnodeDiskObject(c, new byte[c.recordSize()]);
        v.b.putInt(36, c.vnodeMagic());
        return v;
    }

    /** Wrap a record read from an index (a copy is taken). */
    public static VnodeDiskObject wrap(VnodeClass c, byte[] raw, int off) {
        return new VnodeDiskObject(c, Arrays.copyOfRange(raw, off, off + c.recordSize()));
    }

    public VnodeClass vnodeClass() {
        return vclass;
    }

    public byte[] encode() {
        return b.array().clone();
    }

    public VnodeDiskObject copy() {
        return new VnodeDiskObject(vclass, b.array().clone());
    }

    private int bits() {
        return b.getInt(0);
    }

    private void bits(int v) {
        b.putInt(0, v);
    }

    public int type() { return bits() & 7; }
    public VnodeDiskObject type(int t) { bits((bits() & ~7) | (t & 7)); return this; }
    public boolean isFree() { return type() == TYPE_FREE; }
    public boolean cloned() { return (bits() & 8) != 0; }
    public VnodeDiskObject cloned(boolean c) { bits(c ? bits() | 8 : bits() & ~8); return this; }
    public int modeBits() { return (bits() >>> 4) & 0xfff; }
    public VnodeDiskObject modeBits(int m) { bits((bits() & ~0xfff0) | ((m & 0xfff) << 4)); return this; }
    /** linkCount is a signed 16-bit field. */
    public int linkCount() { return bits() >> 16; }
    public VnodeDiskObject linkCount(int n) { bits((bits() & 0xffff) | (n << 16)); return this; }
    public long length() { return (Integer.toUnsignedLong(b.getInt(60)) << 32) | Integer.toUnsignedLong(b.getInt(4)); }
    public VnodeDiskObject length(long l) { b.putInt(4, (int) l).putInt(60, (int) (l >>> 32)); return this; }
    public int uniquifier() { return b.getInt(8); }
    public VnodeDiskObject uniquifier(int u) { b.putInt(8, u); return this; }
    public int dataVersion() { return b.getInt(12); }
    public VnodeDiskObject dataVersion(int v) { b.putInt(12, v); return this; }
    /** The namei inode of the data file, 0 if none. */
    public long inode() { return (Integer.toUnsignedLong(b.getInt(56)) << 32) | Integer.toUnsignedLong(b.getInt(16)); }
    public VnodeDiskObject inode(long i) { b.putInt(16, (int) i).putInt(56, (int) (i >>> 32)); return this; }
    public int unixModifyTime() { return b.getInt(20); }
    public VnodeDiskObject unixModifyTime(int t) { b.putInt(20, t); return this; }
    public int author() { return b.getInt(24); }
    public VnodeDiskObject author(int a) { b.putInt(24, a); return this; }
    public int owner() { return b.getInt(28); }
    public VnodeDiskObject owner(int o) { b.putInt(28, o); return this; }
    public int parent() { return b.getInt(32); }
    public VnodeDiskObject parent(int p) { b.putInt(32, p); return this; }
    public int vnodeMagic() { return b.getInt(36); }
    public int serverModifyTime() { return b.getInt(48); }
    public VnodeDiskObject serverModifyTime(int t) { b.putInt(48, t); return this; }
    public int group() { return b.getInt(52); }
    public VnodeDiskObject group(int g) { b.putInt(52, g); return this; }

    /** Zero the lock field (a restored or cloned vnode starts unlocked). */
    public VnodeDiskObject clearLock() { b.putLong(40, 0); return this; }

    /** The 192 raw ACL bytes of a large vnode (host order), as stored. */
    public byte[] aclBytes() {
        requireLarge();
        return Arrays.copyOfRange(b.array(), 64, 256);
    }

    public VnodeDiskObject aclBytes(byte[] acl) {
        requireLarge();
        if (acl.length != AccessList.SIZE) {
            throw new IllegalArgumentException("ACL must be " + AccessList.SIZE + " bytes");
        }
        System.arraycopy(acl, 0, b.array(), 64, AccessList.SIZE);
        return this;
    }

    /** The decoded ACL, or null when the ACL area is all zeros. */
    public AccessList acl(String context) throws VolumeFormatException {
        requireLarge();
        return AccessList.decode(b.array(), 64, ByteOrder.LITTLE_ENDIAN, context);
    }

    public VnodeDiskObject acl(AccessList acl) {
        return aclBytes(acl.encode(ByteOrder.LITTLE_ENDIAN));
    }

    private void requireLarge() {
        if (vclass != VnodeClass.LARGE) {
            throw new IllegalStateException("only large (directory) vnodes have an ACL");
        }
    }

    @Override
    public String toString() {
        return "Vnode{type=" + type() + ", uniq=" + Integer.toUnsignedString(uniquifier()) + ", dv=" + dataVersion()
            + ", length=" + length() + ", links=" + linkCount() + ", mode=0" + Integer.toOctalString(modeBits())
            + ", parent=" + parent() + ", ino=0x" + Long.toHexString(inode()) + "}";
    }
}
