package afsdr.volser.dump;

import java.util.Arrays;

import afsdr.partition.VnodeClass;
import afsdr.partition.VnodeDiskObject;

/**
 * One D_VNODE record (dump-format.md §5): vnode number and uniquifier, and, for a full record, the
 * vnode attributes. A header-only record ({@code full == false}) says "this vnode still exists,
 * unchanged since the dump's from-date" (§5.1).
 *
 * <p>{@code acl} is the 192-byte 'A' item exactly as on the wire (network order), or null when the
 * record had none. {@code dataLength} is the length announced by the 'f'/'h' item, -1 when the
 * record had no data item. Integer fields are the raw 32-bit values (unsigned where OpenAFS's are).
 */
public record DumpVnode(int vnodeNumber, int uniquifier, boolean full, int type, int linkCount, int dataVersion,
                        int unixModifyTime, int author, int owner, int group, int modeBits, int parent,
                        int serverModifyTime, byte[] acl, long dataLength) {

    public DumpVnode {
        if (acl != null) {
            if (acl.length != DumpTags.ACL_SIZE) {
                throw new IllegalArgumentException("ACL item must be " + DumpTags.ACL_SIZE + " bytes");
            }
            acl = acl.clone();
        }
    }

    /** A header-only record. */
    public static DumpVnode headerOnly(int vnodeNumber, int uniquifier) {
        return new DumpVnode(vnodeNumber, uniquifier, false, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, -1);
    }

    /**
     * The full record the stock DumpVnode writes for an index record: every attribute, the ACL of a
     * directory in network order when it passes acl_HtonACL's checks (omitted otherwise, as the
     * stock writer silently does), and the data length when the vnode has a data file.
     */
    public static DumpVnode fromDisk(int vnodeNumber, VnodeDiskObject v) {
        byte[] acl = null;
        if (v.type() == VnodeDiskObject.TYPE_DIRECTORY && v.vnodeClass() == VnodeClass.LARGE) {
            acl = AclCodec.diskToNetwork(v.aclBytes());
        }
        return new DumpVnode(vnodeNumber, v.uniquifier(), true, v.type(), v.linkCount(), v.dataVersion(),
            v.unixModifyTime(), v.author(), v.owner(), v.group(), v.modeBits(), v.parent(), v.serverModifyTime(), acl,
            v.inode() != 0 ? v.length() : -1);
    }

    @Override
    public byte[] acl() {
        return acl == null ? null : acl.clone();
    }

    public boolean hasData() {
        return dataLength >= 0;
    }

    /**
     * The index record a restore writes for this full record (ReadVnodes): zeroed, vnode magic set,
     * not cloned, unlocked, attributes from the dump, ACL converted to host order. Inode and length
     * are left 0 for the caller to fill in from the data file it creates.
     */
    public VnodeDiskObject toDisk() {
        VnodeClass c = VnodeClass.of(vnodeNumber);
        VnodeDiskObject v = VnodeDiskObject.blank(c).type(type).linkCount((short) linkCount).dataVersion(dataVersion)
            .unixModifyTime(unixModifyTime).author(author).owner(owner).group(group).modeBits(modeBits).parent(parent)
            .serverModifyTime(serverModifyTime).uniquifier(uniquifier);
        if (c == VnodeClass.LARGE && acl != null) {
            v.aclBytes(AclCodec.networkToDisk(acl));
        }
        return v;
    }

    /** This record with another data length (e.g. what a restore actually stored). */
    public DumpVnode withDataLength(long length) {
        return new DumpVnode(vnodeNumber, uniquifier, full, type, linkCount, dataVersion, unixModifyTime, author, owner,
            group, modeBits, parent, serverModifyTime, acl, length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DumpVnode d && d.vnodeNumber == vnodeNumber && d.uniquifier == uniquifier && d.full == full
            && d.type == type && d.linkCount == linkCount && d.dataVersion == dataVersion
            && d.unixModifyTime == unixModifyTime && d.author == author && d.owner == owner && d.group == group
            && d.modeBits == modeBits && d.parent == parent && d.serverModifyTime == serverModifyTime
            && Arrays.equals(d.acl, acl) && d.dataLength == dataLength;
    }

    @Override
    public int hashCode() {
        return ((vnodeNumber * 31 + uniquifier) * 31 + dataVersion) * 31 + Long.hashCode(dataLength);
    }

    @Override
    public String toString() {
        if (!full) {
            return "DumpVnode{" + vnodeNumber + "." + Integer.toUnsignedString(uniquifier) + " header only}";
        }
        return "DumpVnode{" + vnodeNumber + "." + Integer.toUnsignedString(uniquifier) + " type=" + type + " links="
            + linkCount + " dv=" + dataVersion + " mode=0" + Integer.toOctalString(modeBits) + " parent=" + parent
            + " smt=" + Integer.toUnsignedString(serverModifyTime) + (acl != null ? " acl" : "") + " length="
            + dataLength + "}";
    }
}
