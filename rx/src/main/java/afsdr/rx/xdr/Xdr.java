package afsdr.rx.xdr;

import java.util.List;

/** Codecs of the XDR primitives, for use as RPC arguments and results or array elements. */
public final class Xdr {
    private Xdr() {
    }

    /** No data at all: an RPC with no IN or no OUT parameters. */
    public static final XdrCodec<Void> VOID = XdrCodec.of(0, (w, v) -> { }, r -> null);

    /** {@code int} / {@code afs_int32}, also {@code enum}. */
    public static final XdrCodec<Integer> INT32 = XdrCodec.of(4, XdrWriter::writeInt, XdrReader::readInt);

    /** {@code unsigned} / {@code afs_uint32}: 32 bits in a Java int. */
    public static final XdrCodec<Integer> UINT32 = INT32;

    /** {@code afs_int64} / {@code afs_uint64}. */
    public static final XdrCodec<Long> INT64 = XdrCodec.of(8, XdrWriter::writeLong, XdrReader::readLong);

    public static final XdrCodec<Boolean> BOOL = XdrCodec.of(4, XdrWriter::writeBool, XdrReader::readBool);

    /** {@code string<max>}. */
    public static XdrCodec<String> string(int max) {
        return XdrCodec.of(4, (w, s) -> w.writeString(s, max), r -> r.readString(max));
    }

    /** {@code opaque<max>}. */
    public static XdrCodec<byte[]> opaque(int max) {
        return XdrCodec.of(4, (w, b) -> w.writeOpaque(b, max), r -> r.readOpaque(max));
    }

    /** {@code int<max>} as an int[]. */
    public static XdrCodec<int[]> intArray(int max) {
        return XdrCodec.of(4, (w, v) -> w.writeIntArray(v, max), r -> r.readIntArray(max));
    }

    /** {@code int[n]} as an int[]. */
    public static XdrCodec<int[]> fixedInts(int n) {
        return XdrCodec.of(4 * n, (w, v) -> w.writeFixedInts(v, n), r -> r.readFixedInts(n));
    }

    /** {@code T<max>} as an unmodifiable list. */
    public static <T> XdrCodec<List<T>> array(XdrCodec<T> element, int max) {
        return XdrCodec.of(4, (w, v) -> w.writeArray(v, element, max), r -> r.readArray(element, max));
    }

    /** rxgen's bound for an array declared without one ({@code T x<>}): any count that fits. */
    public static final int UNBOUNDED = Integer.MAX_VALUE;
}
