/**
 * Client of the VL (volume location) service, vldb.md: the wire types
 * ({@link afsdr.vldb.NvldbEntry}, {@link afsdr.vldb.UvldbEntry}, {@link afsdr.vldb.VldbEntry},
 * {@link afsdr.vldb.AfsUuid}, {@link afsdr.vldb.VldbListByAttributes},
 * {@link afsdr.vldb.ListAddrByAttributes}), the procedures ({@link afsdr.vldb.VlOps}), constants and
 * error codes named as in OpenAFS, a {@link afsdr.vldb.VlClient} that chooses servers as a ubik client
 * does, and a {@link afsdr.vldb.CellServDb} parser.
 */
package afsdr.vldb;
