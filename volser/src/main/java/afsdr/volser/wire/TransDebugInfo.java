package afsdr.volser.wire;

import afsdr.rx.xdr.XdrCodec;

/**
 * {@code transDebugInfo} (volser.md §2.4), 176 bytes: one open transaction as AFSVolMonitor
 * reports it. iflags is a short, vflags and tflags chars, all widened to ints;
 * lastProcName[30] takes 120 bytes.
 */
public record TransDebugInfo(int tid, int time, int creationTime, int returnCode, int volid, int partition,
                             int iflags, int vflags, int tflags, String lastProcName, int callValid, int readNext,
                             int transmitNext, int lastSendTime, int lastReceiveTime) {
    public static final int WIRE_SIZE = 176;
    /** Size of {@code lastProcName[]}. */
    public static final int PROCNAME_SIZE = 30;

    public static final XdrCodec<TransDebugInfo> CODEC = XdrCodec.of(WIRE_SIZE, (w, t) -> {
        w.writeInt(t.tid).writeInt(t.time).writeInt(t.creationTime).writeInt(t.returnCode).writeInt(t.volid)
                .writeInt(t.partition).writeInt((short) t.iflags).writeInt(t.vflags & 0xff).writeInt(t.tflags & 0xff)
                .writeFixedChars(t.lastProcName, PROCNAME_SIZE);
        w.writeInt(t.callValid).writeInt(t.readNext).writeInt(t.transmitNext).writeInt(t.lastSendTime)
                .writeInt(t.lastReceiveTime);
    }, r -> {
        int[] f = r.readFixedInts(9);
        String proc = r.readFixedChars(PROCNAME_SIZE);
        int[] g = r.readFixedInts(5);
        return new TransDebugInfo(f[0], f[1], f[2], f[3], f[4], f[5], (short) f[6], f[7] & 0xff, f[8] & 0xff, proc,
                g[0], g[1], g[2], g[3], g[4]);
    });
}
