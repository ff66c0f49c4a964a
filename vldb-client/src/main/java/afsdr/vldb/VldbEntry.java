package afsdr.vldb;

import afsdr.rx.xdr.XdrCodec;

import java.util.List;

import static afsdr.vldb.VlConstants.OMAXNSERVERS;
import static afsdr.vldb.VlConstants.VL_MAXNAMELEN;

/**
 * {@code vldbentry}, the entry of the old (pre-"N") RPCs, 384 bytes on the wire (vldb.md §3.2):
 * name[65] (260), spares3, nServers, serverNumber[8], serverPartition[8], serverFlags[8],
 * volumeId[3], cloneId, flags. Only servers that answer RXGEN_OPCODE to the N calls need it.
 */
public record VldbEntry(String name, List<VldbSite> sites, List<Integer> volumeIds, int cloneId, int flags) {
    public static final int WIRE_SIZE = 384;

    public VldbEntry {
        sites = List.copyOf(sites);
        volumeIds = List.copyOf(volumeIds);
        if (sites.size() > OMAXNSERVERS || volumeIds.size() != VlConstants.MAXTYPES) {
            throw new IllegalArgumentException("vldbentry holds 8 sites and 3 ids");
        }
    }

    public static final XdrCodec<VldbEntry> CODEC = XdrCodec.of(WIRE_SIZE, (w, e) -> {
        w.writeFixedChars(e.name, VL_MAXNAMELEN);
        w.writeInt(0); // spares3
        NvldbEntry.writeSites(w, e.sites, OMAXNSERVERS);
        for (int id : e.volumeIds) {
            w.writeInt(id);
        }
        w.writeInt(e.cloneId).writeInt(e.flags);
    }, r -> {
        String name = r.readFixedChars(VL_MAXNAMELEN);
        r.readInt();
        List<VldbSite> sites = NvldbEntry.readSites(r, OMAXNSERVERS);
        int[] ids = r.readFixedInts(VlConstants.MAXTYPES);
        return new VldbEntry(name, sites, List.of(ids[0], ids[1], ids[2]), r.readInt(), r.readInt());
    });
}
