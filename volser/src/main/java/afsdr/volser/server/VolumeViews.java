package afsdr.volser.server;

import afsdr.partition.VolumeDiskData;
import afsdr.volser.wire.VolintInfo;
import afsdr.volser.wire.VolintXInfo;
import afsdr.volser.wire.VolserConstants;
import afsdr.volser.wire.VolserStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * What the VOLSER replies say about a volume, computed from its volume info (pure functions;
 * volser.md §2.1–2.3).
 */
final class VolumeViews {
    /** OneDay: usage counters older than this are reported as 0. */
    static final int ONE_DAY = 24 * 60 * 60;

    private VolumeViews() {
    }

    /**
     * inUse as vos reads it (1 = "On-line"). This server has no separate fileserver, so it reports
     * what a fileserver would do with the volume (volser.md §2.2 note): online when it is in
     * service, blessed, not in need of salvage and not marked for destruction.
     */
    static int reportedInUse(VolumeDiskData d) {
        return d.isOnlineable() ? 1 : 0;
    }

    private static boolean usageCurrent(VolumeDiskData d, int now) {
        return now - d.dayUseDate() <= ONE_DAY;
    }

    static int weekUseSum(VolumeDiskData d) {
        int s = 0;
        for (int i = 0; i < 7; i++) {
            s += d.weekUse(i);
        }
        return s;
    }

    /** volintInfo of an attached volume, status VOK. */
    static VolintInfo info(VolumeDiskData d, int now) {
        return new VolintInfo(d.name(), d.id(), d.type(), d.backupId(), d.parentId(), d.cloneId(), VolserConstants.VOK,
            d.copyDate(), reportedInUse(d), d.needsSalvaged() ? 1 : 0, d.destroyMe(), d.creationDate(),
            d.accessDate(), d.updateDate(), d.backupDate(), usageCurrent(d, now) ? d.dayUse() : 0, d.filecount(),
            d.maxquota(), d.diskused(), 0, d.minquota(), weekUseSum(d), d.volUpdateCounter(), 0);
    }

    /** volintInfo of a volume another transaction holds: only the id and VBUSY. */
    static VolintInfo busyInfo(int volid) {
        return new VolintInfo("", volid, 0, 0, 0, 0, VolserConstants.VBUSY, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0);
    }

    /** volintInfo of a volume that cannot be attached: status 0, the header file's name. */
    static VolintInfo unattachableInfo(int volid, String headerName) {
        return new VolintInfo(headerName, volid, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    /** ListVolumes with flags 0: the id alone. */
    static VolintInfo idOnly(int volid) {
        return new VolintInfo("", volid, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    private static final List<Integer> Z4 = List.of(0, 0, 0, 0);
    private static final List<Integer> Z6 = List.of(0, 0, 0, 0, 0, 0);

    static VolintXInfo xinfo(VolumeDiskData d, int now) {
        boolean current = usageCurrent(d, now);
        byte[] raw = d.encode();
        return new VolintXInfo(d.name(), d.id(), d.type(), d.backupId(), d.parentId(), d.cloneId(), VolserConstants.VOK,
            d.copyDate(), reportedInUse(d), d.creationDate(), d.accessDate(), d.updateDate(), d.backupDate(),
            current ? d.dayUse() : 0, d.filecount(), d.maxquota(), d.diskused(),
            current ? stats(raw, STAT_READS, 4) : Z4, current ? stats(raw, STAT_WRITES, 4) : Z4,
            current ? stats(raw, STAT_FILE_SAME, 6) : Z6, current ? stats(raw, STAT_FILE_DIFF, 6) : Z6,
            current ? stats(raw, STAT_DIR_SAME, 6) : Z6, current ? stats(raw, STAT_DIR_DIFF, 6) : Z6);
    }

    static VolintXInfo busyXInfo(int volid) {
        return new VolintXInfo("", volid, 0, 0, 0, 0, VolserConstants.VBUSY, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Z4, Z4,
            Z6, Z6, Z6, Z6);
    }

    static VolintXInfo unattachableXInfo(int volid, String headerName) {
        return new VolintXInfo(headerName, volid, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Z4, Z4, Z6, Z6, Z6,
            Z6);
    }

    static VolintXInfo xIdOnly(int volid) {
        return new VolintXInfo("", volid, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Z4, Z4, Z6, Z6, Z6, Z6);
    }

    // Detailed statistics in VolumeDiskData (disk-format.md §5.1): stat_reads[4] at 424, stat_writes[4]
    // at 440, stat_fileSameAuthor[6] 456, stat_fileDiffAuthor[6] 480, stat_dirSameAuthor[6] 504,
    // stat_dirDiffAuthor[6] 528.
    static final int STAT_READS = 424;
    static final int STAT_WRITES = 440;
    static final int STAT_FILE_SAME = 456;
    static final int STAT_FILE_DIFF = 480;
    static final int STAT_DIR_SAME = 504;
    static final int STAT_DIR_DIFF = 528;

    private static List<Integer> stats(byte[] raw, int off, int n) {
        List<Integer> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int p = off + 4 * i;
            l.add((raw[p] & 0xff) | (raw[p + 1] & 0xff) << 8 | (raw[p + 2] & 0xff) << 16 | (raw[p + 3] & 0xff) << 24);
        }
        return l;
    }

    /** volser_status of GetStatus. */
    static VolserStatus status(VolumeDiskData d) {
        return new VolserStatus(d.id(), d.uniquifier(), d.type(), d.parentId(), d.cloneId(), d.backupId(),
            d.restoredFromId(), d.maxquota(), d.minquota(), d.owner(), d.creationDate(), d.accessDate(),
            d.updateDate(), d.expirationDate(), d.backupDate(), d.copyDate());
    }
}
