package afsdr.volser.wire;

import afsdr.rx.xdr.XdrCodec;

/**
 * {@code diskPartition64} (volser.md §2.5), 2076 bytes: PartitionInfo64's answer. name[256] and
 * devName[256] (1024 bytes each), int32 lock_fd, then int64 totalUsable, free, minFree in KB.
 *
 * <p>QUIRK of the 1.8 server: totalUsable stays 0 and minFree carries the partition's total
 * size (blocks minus the root reserve); free is what non-root may use.
 */
public record DiskPartition64(String name, String devName, int lockFd, long totalUsable, long free, long minFree) {
    public static final int WIRE_SIZE = 2076;
    /** Size of name[] and devName[]. */
    public static final int NAME_SIZE = 256;

    public static final XdrCodec<DiskPartition64> CODEC = XdrCodec.of(WIRE_SIZE, (w, p) -> {
        w.writeFixedChars(p.name, NAME_SIZE).writeFixedChars(p.devName, NAME_SIZE);
        w.writeInt(p.lockFd).writeLong(p.totalUsable).writeLong(p.free).writeLong(p.minFree);
    }, r -> new DiskPartition64(r.readFixedChars(NAME_SIZE), r.readFixedChars(NAME_SIZE), r.readInt(),
            r.readLong(), r.readLong(), r.readLong()));
}
