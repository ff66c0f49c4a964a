package afsdr.volser.wire;

import afsdr.rx.xdr.XdrCodec;

import static afsdr.volser.wire.VolserConstants.VNAMESIZE;

/**
 * {@code volintInfo} (volser.md §2.2), 220 bytes on the wire, one per volume in ListVolumes /
 * ListOneVolume replies and the argument of SetInfo:
 *
 * <pre>
 *   0 name[32] (128: one int per char)   148 status (VOK 2, VBUSY 110, 0)   188 filecount
 * 128 volid                              152 copyDate                       192 maxquota (KB)
 * 132 type (0 RW, 1 RO, 2 BK)            156 inUse          (u_char)        196 size (KB)
 * 136 backupID                           160 needsSalvaged  (u_char)        200 flags
 * 140 parentID                           164 destroyMe      (u_char)        204 spare0 (minquota)
 * 144 cloneID                            168 creationDate 172 accessDate    208 spare1 (weekUse sum)
 *                                        176 updateDate 180 backupDate      212 spare2 (volUpdateCounter)
 *                                        184 dayUse                         216 spare3
 * </pre>
 *
 * The u_char fields travel as ints; decoding keeps the low 8 bits (rx.md §17).
 */
public record VolintInfo(String name, int volid, int type, int backupID, int parentID, int cloneID, int status,
                         int copyDate, int inUse, int needsSalvaged, int destroyMe, int creationDate,
                         int accessDate, int updateDate, int backupDate, int dayUse, int filecount, int maxquota,
                         int size, int flags, int spare0, int spare1, int spare2, int spare3) {
    public static final int WIRE_SIZE = 220;

    public static final XdrCodec<VolintInfo> CODEC = XdrCodec.of(WIRE_SIZE, (w, v) -> {
        w.writeFixedChars(v.name, VNAMESIZE);
        w.writeInt(v.volid).writeInt(v.type).writeInt(v.backupID).writeInt(v.parentID).writeInt(v.cloneID)
                .writeInt(v.status).writeInt(v.copyDate).writeInt(v.inUse & 0xff).writeInt(v.needsSalvaged & 0xff)
                .writeInt(v.destroyMe & 0xff).writeInt(v.creationDate).writeInt(v.accessDate)
                .writeInt(v.updateDate).writeInt(v.backupDate).writeInt(v.dayUse).writeInt(v.filecount)
                .writeInt(v.maxquota).writeInt(v.size).writeInt(v.flags).writeInt(v.spare0).writeInt(v.spare1)
                .writeInt(v.spare2).writeInt(v.spare3);
    }, r -> {
        String name = r.readFixedChars(VNAMESIZE);
        int[] f = r.readFixedInts(23);
        return new VolintInfo(name, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7] & 0xff, f[8] & 0xff,
                f[9] & 0xff, f[10], f[11], f[12], f[13], f[14], f[15], f[16], f[17], f[18], f[19], f[20], f[21],
                f[22]);
    });
}
