/**
 * XDR as rxgen encodes it over Rx (rx.md §17): {@link afsdr.rx.xdr.XdrWriter} and
 * {@link afsdr.rx.xdr.XdrReader} over byte arrays or blocking streams, {@link afsdr.rx.xdr.XdrCodec}
 * for structs and parameter groups, {@link afsdr.rx.xdr.Xdr} for the primitives.
 *
 * <p>Pure codec: no Rx, no threads. Every length and count is checked against its declared bound
 * and against the bytes actually available before anything is allocated; a violation is an
 * {@link afsdr.rx.xdr.XdrException}, which the RPC layer turns into the rxgen code of its side.
 */
package afsdr.rx.xdr;
