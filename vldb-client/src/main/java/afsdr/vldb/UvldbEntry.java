package afsdr.vldb;

import afsdr.rx.xdr.XdrCodec;
import afsdr.rx.xdr.XdrException;

import java.util.ArrayList;
import java.util.List;

import static afsdr.vldb.VlConstants.NMAXNSERVERS;
import static afsdr.vldb.VlConstants.VL_MAXNAMELEN;

/**
 * {@code uvldbentry}, the entry of GetEntryByNameU (vldb.md §3.3), 1048 bytes on the wire:
 * name[65] (260), nServers, afsUUID serverNumber[13] (13 × 44), serverUnique[13],
 * serverPartition[13], serverFlags[13], volumeId[3], cloneId, flags, matchindex, spares2..9.
 * A multihomed server is named by its UUID with {@code VLSF_UUID} in its flags; otherwise
 * {@code serverNumber.time_low} holds its IPv4 address.
 */
public record UvldbEntry(String name, List<Site> sites, List<Integer> volumeIds, int cloneId, int flags,
                         int matchIndex) {
    public static final int WIRE_SIZE = 1048;

    /** One site: server UUID (or IPv4 in timeLow), the server's uniquifier, partition, VLSF_* flags. */
    public record Site(AfsUuid server, int serverUnique, int partition, int flags) {
    }

    public UvldbEntry {
        sites = List.copyOf(sites);
        volumeIds = List.copyOf(volumeIds);
        if (sites.size() > NMAXNSERVERS || volumeIds.size() != VlConstants.MAXTYPES) {
            throw new IllegalArgumentException("uvldbentry holds 13 sites and 3 ids");
        }
    }

    public static final XdrCodec<UvldbEntry> CODEC = XdrCodec.of(WIRE_SIZE, (w, e) -> {
        w.writeFixedChars(e.name, VL_MAXNAMELEN);
        w.writeInt(e.sites.size());
        for (int i = 0; i < NMAXNSERVERS; i++) {
            AfsUuid.CODEC.encode(w, i < e.sites.size() ? e.sites.get(i).server() : AfsUuid.NIL);
        }
        for (int i = 0; i < NMAXNSERVERS; i++) {
            w.writeInt(i < e.sites.size() ? e.sites.get(i).serverUnique() : 0);
        }
        for (int i = 0; i < NMAXNSERVERS; i++) {
            w.writeInt(i < e.sites.size() ? e.sites.get(i).partition() : 0);
        }
        for (int i = 0; i < NMAXNSERVERS; i++) {
            w.writeInt(i < e.sites.size() ? e.sites.get(i).flags() : 0);
        }
        for (int id : e.volumeIds) {
            w.writeInt(id);
        }
        w.writeInt(e.cloneId).writeInt(e.flags).writeInt(e.matchIndex);
        for (int i = 0; i < 8; i++) {
            w.writeInt(0);
        }
    }, r -> {
        String name = r.readFixedChars(VL_MAXNAMELEN);
        int n = r.readInt();
        if (n < 0 || n > NMAXNSERVERS) {
            throw XdrException.decode("uvldbentry nServers " + n + " outside 0.." + NMAXNSERVERS);
        }
        AfsUuid[] uuids = new AfsUuid[NMAXNSERVERS];
        for (int i = 0; i < NMAXNSERVERS; i++) {
            uuids[i] = AfsUuid.CODEC.decode(r);
        }
        int[] unique = r.readFixedInts(NMAXNSERVERS);
        int[] parts = r.readFixedInts(NMAXNSERVERS);
        int[] flags = r.readFixedInts(NMAXNSERVERS);
        List<Site> sites = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            sites.add(new Site(uuids[i], unique[i], parts[i], flags[i]));
        }
        int[] ids = r.readFixedInts(VlConstants.MAXTYPES);
        int clone = r.readInt();
        int eflags = r.readInt();
        int match = r.readInt();
        r.readFixedInts(8);
        return new UvldbEntry(name, sites, List.of(ids[0], ids[1], ids[2]), clone, eflags, match);
    });
}
