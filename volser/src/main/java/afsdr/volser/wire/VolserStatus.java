package afsdr.volser.wire;

import afsdr.rx.xdr.XdrCodec;

/**
 * {@code volser_status} (volser.md §2.1), 64 bytes: GetStatus's view of a transaction's volume,
 * sixteen ints in this order.
 */
public record VolserStatus(int volID, int nextUnique, int type, int parentID, int cloneID, int backupID,
                           int restoredFromID, int maxQuota, int minQuota, int owner, int creationDate,
                           int accessDate, int updateDate, int expirationDate, int backupDate, int copyDate) {
    public static final int WIRE_SIZE = 64;

    public static final XdrCodec<VolserStatus> CODEC = XdrCodec.of(WIRE_SIZE, (w, s) -> w.writeFixedInts(new int[] {
        s.volID, s.nextUnique, s.type, s.parentID, s.cloneID, s.backupID, s.restoredFromID, s.maxQuota,
        s.minQuota, s.owner, s.creationDate, s.accessDate, s.updateDate, s.expirationDate, s.backupDate,
        s.copyDate}, 16), r -> {
            int[] f = r.readFixedInts(16);
            return new VolserStatus(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11],
                    f[12], f[13], f[14], f[15]);
        });
}
