package afsdr.rx.rpc;

import afsdr.rx.xdr.XdrCodec;

import java.util.Objects;

/**
 * One procedure of an rxgen interface: its opcode, name, and the codecs of its IN parameters
 * ({@code A}) and OUT parameters ({@code R}), each group in declaration order (rx.md §17). Group
 * several parameters into a record with one codec; use {@link afsdr.rx.xdr.Xdr#VOID} for none.
 *
 * <p>A split procedure carries a raw byte stream of unknown length on the call besides its XDR:
 * {@link Split#REQUEST} after the arguments (AFSVolRestore: the dump to restore),
 * {@link Split#REPLY} before the results (AFSVolDump: the dump produced).
 *
 * @param <A> arguments
 * @param <R> results
 */
public final class RpcOp<A, R> {

    /** Where a split procedure's raw bytes travel. */
    public enum Split {
        /** An ordinary procedure: XDR only. */
        NONE,
        /** Raw bytes follow the arguments in the request. */
        REQUEST,
        /** Raw bytes precede the results in the reply. */
        REPLY
    }

    private final int opcode;
    private final String name;
    private final XdrCodec<A> args;
    private final XdrCodec<R> results;
    private final Split split;

    private RpcOp(int opcode, String name, XdrCodec<A> args, XdrCodec<R> results, Split split) {
        this.opcode = opcode;
        this.name = Objects.requireNonNull(name);
        this.args = Objects.requireNonNull(args);
        this.results = Objects.requireNonNull(results);
        this.split = split;
    }

    /** An ordinary procedure. */
    public static <A, R> RpcOp<A, R> of(int opcode, String name, XdrCodec<A> args, XdrCodec<R> results) {
        return new RpcOp<>(opcode, name, args, results, Split.NONE);
    }

    /** A split procedure; see {@link Split}. */
    public static <A, R> RpcOp<A, R> split(int opcode, String name, XdrCodec<A> args, XdrCodec<R> results,
                                           Split split) {
        return new RpcOp<>(opcode, name, args, results, Objects.requireNonNull(split));
    }

    public int opcode() {
        return opcode;
    }

    /** The procedure's name without the package prefix, e.g. {@code GetEntryByNameN}. */
    public String name() {
        return name;
    }

    public XdrCodec<A> args() {
        return args;
    }

    public XdrCodec<R> results() {
        return results;
    }

    public Split split() {
        return split;
    }

    @Override
    public String toString() {
        return name + "(" + opcode + ")";
    }
}
