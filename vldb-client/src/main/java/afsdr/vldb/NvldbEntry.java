package afsdr.vldb;

import afsdr.rx.xdr.XdrCodec;
import afsdr.rx.xdr.XdrException;
import afsdr.rx.xdr.XdrReader;
import afsdr.rx.xdr.XdrWriter;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static afsdr.vldb.VlConstants.NMAXNSERVERS;
import static afsdr.vldb.VlConstants.VL_MAXNAMELEN;

/**
 * {@code nvldbentry}, the VLDB entry of the "N" RPCs (vldb.md §3.1), 476 bytes on the wire:
 *
 * <pre>
 *   0  char name[65]              260 bytes, one XDR int per char
 * 260  int32 nServers
 * 264  int32 serverNumber[13]     host-order IPv4
 * 316  int32 serverPartition[13]
 * 368  int32 serverFlags[13]      VLSF_*
 * 420  uint32 volumeId[3]         RW, RO, BK
 * 432  uint32 cloneId
 * 436  int32 flags                VLF_* and VLOP_* lock bits
 * 440  int32 matchindex
 * 444  int32 spares2..spares9     written as 0, ignored when read
 * </pre>
 *
 * Only the first {@code nServers} slots of the three site arrays are meaningful; they are
 * {@link #sites()} here.
 *
 * @param volumeIds the ids indexed by {@link VlConstants#RWVOL}, {@code ROVOL}, {@code BACKVOL}
 *                  (0 where none); unsigned 32-bit values in Java ints
 * @param matchIndex set by ListAttributesN2: (match type &lt;&lt; 16) + matching server slot
 */
public record NvldbEntry(String name, List<VldbSite> sites, List<Integer> volumeIds, int cloneId, int flags,
                         int matchIndex) {
    public static final int WIRE_SIZE = 476;

    public NvldbEntry {
        sites = List.copyOf(sites);
        volumeIds = List.copyOf(volumeIds);
        if (sites.size() > NMAXNSERVERS) {
            throw new IllegalArgumentException(sites.size() + " sites, NMAXNSERVERS is " + NMAXNSERVERS);
        }
        if (volumeIds.size() != VlConstants.MAXTYPES) {
            throw new IllegalArgumentException("volumeIds needs RW, RO and BK");
        }
    }

    /** An entry with the given ids and no match index. */
    public static NvldbEntry of(String name, List<VldbSite> sites, int rwId, int roId, int bkId, int cloneId,
                                int flags) {
        return new NvldbEntry(name, sites, List.of(rwId, roId, bkId), cloneId, flags, 0);
    }

    /** volumeId[type]: type 0 RW, 1 RO, 2 BK. */
    public int volumeId(int type) {
        return volumeIds.get(type);
    }

    public int rwId() {
        return volumeIds.get(VlConstants.RWVOL);
    }

    public int roId() {
        return volumeIds.get(VlConstants.ROVOL);
    }

    public int backupId() {
        return volumeIds.get(VlConstants.BACKVOL);
    }

    public NvldbEntry withFlags(int newFlags) {
        return new NvldbEntry(name, sites, volumeIds, cloneId, newFlags, matchIndex);
    }

    public NvldbEntry withSites(List<VldbSite> newSites) {
        return new NvldbEntry(name, newSites, volumeIds, cloneId, flags, matchIndex);
    }

    public NvldbEntry withVolumeIds(int rwId, int roId, int bkId) {
        return new NvldbEntry(name, sites, List.of(rwId, roId, bkId), cloneId, flags, matchIndex);
    }

    public static final XdrCodec<NvldbEntry> CODEC = XdrCodec.of(WIRE_SIZE, NvldbEntry::encode, NvldbEntry::decode);

    private static void encode(XdrWriter w, NvldbEntry e) throws IOException {
        w.writeFixedChars(e.name, VL_MAXNAMELEN);
        writeSites(w, e.sites, NMAXNSERVERS);
        for (int id : e.volumeIds) {
            w.writeInt(id);
        }
        w.writeInt(e.cloneId).writeInt(e.flags).writeInt(e.matchIndex);
        for (int i = 0; i < 8; i++) {
            w.writeInt(0);
        }
    }

    private static NvldbEntry decode(XdrReader r) throws IOException {
        String name = r.readFixedChars(VL_MAXNAMELEN);
        List<VldbSite> sites = readSites(r, NMAXNSERVERS);
        int[] ids = r.readFixedInts(VlConstants.MAXTYPES);
        int clone = r.readInt();
        int flags = r.readInt();
        int match = r.readInt();
        r.readFixedInts(8);
        return new NvldbEntry(name, sites, List.of(ids[0], ids[1], ids[2]), clone, flags, match);
    }

    /** nServers then the three per-site arrays of {@code slots} entries each. */
    static void writeSites(XdrWriter w, List<VldbSite> sites, int slots) throws IOException {
        if (sites.size() > slots) {
            throw XdrException.encode(sites.size() + " sites do not fit " + slots + " slots");
        }
        w.writeInt(sites.size());
        for (int i = 0; i < slots; i++) {
            w.writeInt(i < sites.size() ? sites.get(i).server() : 0);
        }
        for (int i = 0; i < slots; i++) {
            w.writeInt(i < sites.size() ? sites.get(i).partition() : 0);
        }
        for (int i = 0; i < slots; i++) {
            w.writeInt(i < sites.size() ? sites.get(i).flags() : 0);
        }
    }

    static List<VldbSite> readSites(XdrReader r, int slots) throws IOException {
        long at = r.position();
        int n = r.readInt();
        if (n < 0 || n > slots) {
            throw XdrException.decode("nServers " + n + " at offset " + at + " outside 0.." + slots);
        }
        return sitesOf(n, r.readFixedInts(slots), r.readFixedInts(slots), r.readFixedInts(slots));
    }

    static List<VldbSite> sitesOf(int n, int[] servers, int[] parts, int[] flags) {
        List<VldbSite> sites = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            sites.add(new VldbSite(servers[i], parts[i], flags[i]));
        }
        return sites;
    }
}
