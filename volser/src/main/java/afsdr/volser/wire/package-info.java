/**
 * The VOLSER interface on the wire (volser.md §2–4, §7): structures named as in {@code volint.xg}
 * ({@link afsdr.volser.wire.VolintInfo}, {@link afsdr.volser.wire.VolintXInfo},
 * {@link afsdr.volser.wire.DiskPartition64}...), every 1.8 procedure as an
 * {@link afsdr.rx.rpc.RpcOp} in {@link afsdr.volser.wire.VolserOps} (the {@code AFSVol} interface a
 * server registers handlers for), constants and error codes. Pure codecs: no I/O.
 */
package afsdr.volser.wire;
