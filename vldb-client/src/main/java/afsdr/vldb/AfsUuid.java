package afsdr.vldb;

import afsdr.rx.xdr.XdrCodec;
import afsdr.rx.xdr.XdrException;

import java.util.Arrays;

/**
 * {@code afsUUID}: a server's identity in the VLDB (vldb.md §3.4). 44 bytes on the wire because
 * the shorts and chars are widened: time_low, time_mid, time_hi_and_version,
 * clock_seq_hi_and_reserved, clock_seq_low, node[6], 4 bytes each.
 *
 * @param node six bytes
 */
public record AfsUuid(int timeLow, int timeMid, int timeHiAndVersion, int clockSeqHiAndReserved,
                      int clockSeqLow, byte[] node) {
    public static final int WIRE_SIZE = 44;
    public static final AfsUuid NIL = new AfsUuid(0, 0, 0, 0, 0, new byte[6]);

    public AfsUuid {
        if (node.length != 6) {
            throw new IllegalArgumentException("node must have 6 bytes");
        }
        timeMid &= 0xffff;
        timeHiAndVersion &= 0xffff;
        clockSeqHiAndReserved &= 0xff;
        clockSeqLow &= 0xff;
        node = node.clone();
    }

    @Override
    public byte[] node() {
        return node.clone();
    }

    public static final XdrCodec<AfsUuid> CODEC = XdrCodec.of(WIRE_SIZE, (w, u) -> {
        w.writeInt(u.timeLow).writeInt(u.timeMid).writeInt(u.timeHiAndVersion)
                .writeInt(u.clockSeqHiAndReserved).writeInt(u.clockSeqLow);
        for (byte b : u.node) {
            w.writeInt(b & 0xff);
        }
    }, r -> {
        int tl = r.readInt();
        int tm = r.readInt();
        int th = r.readInt();
        int ch = r.readInt();
        int cl = r.readInt();
        byte[] n = new byte[6];
        for (int i = 0; i < 6; i++) {
            n[i] = (byte) r.readInt();
        }
        return new AfsUuid(tl, tm, th, ch, cl, n);
    });

    /** As {@code vos listaddrs -printuuid} prints it: {@code 8-4-4-2-2-12} hex digits. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(String.format("%08x-%04x-%04x-%02x-%02x-",
                timeLow, timeMid, timeHiAndVersion, clockSeqHiAndReserved, clockSeqLow));
        for (byte b : node) {
            sb.append(String.format("%02x", b & 0xff));
        }
        return sb.toString();
    }

    /** Parses the form of {@link #toString()}. */
    public static AfsUuid parse(String s) throws XdrException {
        String[] p = s.trim().split("-");
        if (p.length != 6 || p[5].length() != 12) {
            throw XdrException.decode("not an afsUUID: " + s);
        }
        try {
            byte[] n = new byte[6];
            for (int i = 0; i < 6; i++) {
                n[i] = (byte) Integer.parseInt(p[5].substring(2 * i, 2 * i + 2), 16);
            }
            return new AfsUuid((int) Long.parseLong(p[0], 16), Integer.parseInt(p[1], 16),
                    Integer.parseInt(p[2], 16), Integer.parseInt(p[3], 16), Integer.parseInt(p[4], 16), n);
        } catch (NumberFormatException e) {
            throw XdrException.decode("not an afsUUID: " + s);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AfsUuid u && u.timeLow == timeLow && u.timeMid == timeMid
                && u.timeHiAndVersion == timeHiAndVersion && u.clockSeqHiAndReserved == clockSeqHiAndReserved
                && u.clockSeqLow == clockSeqLow && Arrays.equals(u.node, node);
    }

    @Override
    public int hashCode() {
        return timeLow * 31 + Arrays.hashCode(node);
    }
}
