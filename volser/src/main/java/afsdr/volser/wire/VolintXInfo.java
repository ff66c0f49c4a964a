package afsdr.volser.wire;

import afsdr.rx.xdr.XdrCodec;

import java.util.List;

import static afsdr.volser.wire.VolserConstants.VNAMESIZE;

/**
 * {@code volintXInfo} (volser.md §2.3), 320 bytes: the extended entry of XListVolumes /
 * XListOneVolume. Like {@link VolintInfo} up to size but without needsSalvaged, destroyMe,
 * flags and spares, then the access statistics copied from the volume header:
 * stat_reads[4] (192), stat_writes[4] (208), stat_fileSameAuthor[6] (224),
 * stat_fileDiffAuthor[6] (248), stat_dirSameAuthor[6] (272), stat_dirDiffAuthor[6] (296).
 */
public record VolintXInfo(String name, int volid, int type, int backupID, int parentID, int cloneID, int status,
                          int copyDate, int inUse, int creationDate, int accessDate, int updateDate,
                          int backupDate, int dayUse, int filecount, int maxquota, int size,
                          List<Integer> statReads, List<Integer> statWrites, List<Integer> statFileSameAuthor,
                          List<Integer> statFileDiffAuthor, List<Integer> statDirSameAuthor,
                          List<Integer> statDirDiffAuthor) {
    public static final int WIRE_SIZE = 320;
    /** {@code VOLINT_STATS_NUM_RWINFO_FIELDS}: entries of stat_reads/stat_writes. */
    public static final int STATS_NUM_RWINFO_FIELDS = 4;
    /** {@code VOLINT_STATS_NUM_TIME_BUCKETS}: entries of the author arrays. */
    public static final int STATS_NUM_TIME_BUCKETS = 6;

    public VolintXInfo {
        statReads = checked(statReads, STATS_NUM_RWINFO_FIELDS);
        statWrites = checked(statWrites, STATS_NUM_RWINFO_FIELDS);
        statFileSameAuthor = checked(statFileSameAuthor, STATS_NUM_TIME_BUCKETS);
        statFileDiffAuthor = checked(statFileDiffAuthor, STATS_NUM_TIME_BUCKETS);
        statDirSameAuthor = checked(statDirSameAuthor, STATS_NUM_TIME_BUCKETS);
        statDirDiffAuthor = checked(statDirDiffAuthor, STATS_NUM_TIME_BUCKETS);
    }

    private static List<Integer> checked(List<Integer> l, int n) {
        if (l.size() != n) {
            throw new IllegalArgumentException("statistics array needs " + n + " values, got " + l.size());
        }
        return List.copyOf(l);
    }

    private static List<Integer> list(int[] f, int from, int n) {
        Integer[] v = new Integer[n];
        for (int i = 0; i < n; i++) {
            v[i] = f[from + i];
        }
        return List.of(v);
    }

    public static final XdrCodec<VolintXInfo> CODEC = XdrCodec.of(WIRE_SIZE, (w, v) -> {
        w.writeFixedChars(v.name, VNAMESIZE);
        w.writeInt(v.volid).writeInt(v.type).writeInt(v.backupID).writeInt(v.parentID).writeInt(v.cloneID)
                .writeInt(v.status).writeInt(v.copyDate).writeInt(v.inUse & 0xff).writeInt(v.creationDate)
                .writeInt(v.accessDate).writeInt(v.updateDate).writeInt(v.backupDate).writeInt(v.dayUse)
                .writeInt(v.filecount).writeInt(v.maxquota).writeInt(v.size);
        for (List<Integer> l : List.of(v.statReads, v.statWrites, v.statFileSameAuthor, v.statFileDiffAuthor,
                v.statDirSameAuthor, v.statDirDiffAuthor)) {
            for (int x : l) {
                w.writeInt(x);
            }
        }
    }, r -> {
        String name = r.readFixedChars(VNAMESIZE);
        int[] f = r.readFixedInts(16 + 2 * 4 + 4 * 6);
        return new VolintXInfo(name, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7] & 0xff, f[8], f[9], f[10],
                f[11], f[12], f[13], f[14], f[15], list(f, 16, 4), list(f, 20, 4), list(f, 24, 6), list(f, 30, 6),
                list(f, 36, 6), list(f, 42, 6));
    });
}
