package afsdr.volser.wire;

import afsdr.rx.xdr.XdrCodec;

/**
 * {@code diskPartition} (volser.md §2.5), 272 bytes: PartitionInfo's answer. name[32] and
 * devName[32] (128 bytes each), lock_fd, totalUsable, free, minFree, in KB.
 *
 * <p>QUIRK of the 1.8 server: totalUsable stays 0 and minFree carries the partition's total
 * size; {@code vos partinfo} prints minFree as "total". Values are clamped at 0xFFFFFFFF.
 */
public record DiskPartition(String name, String devName, int lockFd, int totalUsable, int free, int minFree) {
    public static final int WIRE_SIZE = 272;
    /** Size of name[] and devName[]. */
    public static final int NAME_SIZE = 32;

    public static final XdrCodec<DiskPartition> CODEC = XdrCodec.of(WIRE_SIZE, (w, p) -> {
        w.writeFixedChars(p.name, NAME_SIZE).writeFixedChars(p.devName, NAME_SIZE);
        w.writeInt(p.lockFd).writeInt(p.totalUsable).writeInt(p.free).writeInt(p.minFree);
    }, r -> new DiskPartition(r.readFixedChars(NAME_SIZE), r.readFixedChars(NAME_SIZE), r.readInt(), r.readInt(),
            r.readInt(), r.readInt()));
}
