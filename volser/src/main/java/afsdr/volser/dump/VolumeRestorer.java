package afsdr.volser.dump;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import afsdr.nativeio.Errno;
import afsdr.nativeio.NativeIoException;
import afsdr.partition.LinkTable;
import afsdr.partition.NameiInode;
import afsdr.partition.NameiPartition;
import afsdr.partition.SyncGroup;
import afsdr.partition.VnodeClass;
import afsdr.partition.VnodeDiskObject;
import afsdr.partition.VnodeIndex;
import afsdr.partition.Volume;
import afsdr.partition.VolumeDiskData;
import afsdr.partition.WriterThreads;
import afsdr.volser.wire.RestoreCookie;

/**
 * Restores a dump stream into an existing volume (the volserver's AFSVolRestore; dump-format.md
 * §6), with the semantics of the stock RestoreVolume — full records replace vnodes, header-only
 * records keep them, vnodes absent from the dump are deleted (that is how incremental dumps
 * carry deletions), name/type/clone come from the restore cookie, id/parent/copyDate and usage
 * statistics stay the target's — but <b>atomically</b>: the target is left exactly as it was
 * unless the whole stream, end marker and end of stream included, was read and applied.
 *
 * <h2>How the atomic replace works</h2>
 * <ol>
 * <li>A journal record {@code STAGING(target, staging)} is made durable ({@link RestoreJournal}).</li>
 * <li>A staging volume with a spare id in the target's volume group is created, and the target's
 * index records are copied into it after the link count of every data file they name was
 * incremented (link table synced before the records are written): the staging volume shares all
 * data files with the target, which is not modified at all.</li>
 * <li>The stream is applied to the staging volume. New file data always goes to new data files
 * ({@link Volume#createDataFileUnsynced}), so the target's files are never written; a replaced or
 * deleted vnode only drops the staging volume's reference, after the staging index was synced.
 * Data files are not synced one by one: the records naming them are written in batches, each
 * after one syncfs of the partition that makes the batch's files and link counts durable
 * ({@code RecordBatch}); at the end the staging indexes are synced. So when the COMMIT record is
 * written, everything it refers to is on disk, and at no instant does an index record on disk name
 * a file or count that is not.</li>
 * <li>Only when the reader returned END (end marker and end of stream) is the journal rewritten
 * as {@code COMMIT(target, staging, final volume info)}, atomically (fsync, rename, directory
 * fsync). <b>This is the commit point.</b> Before it, any failure or crash leaves the target
 * untouched; the staging volume is deleted (on failure at once, after a crash by
 * {@link #recover}).</li>
 * <li>The target is made a copy of the staging volume, slot by slot: link counts of the files the
 * new records name are incremented and the link table synced, the records written and the
 * indexes synced, then the replaced files' references dropped; then the target's volume info is
 * written (synced). Every step is idempotent, so after a crash {@link #recover} redoes it from the
 * journal. The staging volume is then deleted and the journal removed.</li>
 * </ol>
 * <p>Steps 1 and 2 wait for the stream's first change (a full vnode record, or a deletion found at
 * its end); until then the stream is only read against the target. A stream that changes no vnode
 * (vos shadow's incremental second pass over an unchanged volume: header records only) makes no
 * staging volume and no journal record at all: its only change, the final volume info, is written
 * in place by one synced pwrite, as every header RPC writes it.
 *
 * <p>A target whose indexes hold only their stamps (a new volume) takes a shorter path with the same
 * guarantee: see {@link #prepareFresh}.
 *
 * <p>A crash can leak link counts (a file kept longer than needed, as in partition-io) but never
 * leaves a reference to a missing file. The staging volume has destroyMe set and is out of
 * service, so volume listings skip it.
 *
 * <p>Memory: file data is streamed to disk (partition-io's fixed transfer buffers); files of up to
 * 64 KiB are first held in one of two 1 MiB buffers per restore and made a run at a time (one
 * link-table update for the run's tags; a full run made on a writer thread while the next one is
 * read, see {@code RecordBatch#readSmallFile}); per-vnode state is a bit per index slot, a bounded
 * batch of pending releases and two bounded batches of records waiting for their files' sync (one
 * being committed on a committer thread, see {@code RecordBatch}).
 *
 * <p>Concurrency: the caller must hold the target exclusively (a volserver transaction) and must
 * not run another restore, clone or delete in the same volume group at the same time (link table
 * rows are updated through our own descriptor).
 */
public final class VolumeRestorer {
    private static final System.Logger LOG = System.getLogger(VolumeRestorer.class.getName());

    /** Name given to staging volumes; {@link #recover} only deletes volumes with this name. */
    public static final String STAGING_NAME = "afsdr.restore.staging";
    /** Staging volume ids are taken from 0xF0000000..0xFFFFFFFE, far above VLDB-allocated ids. */
    static final long STAGING_ID_BASE = 0xF0000000L;
    /** Staging id of a FRESH restore's COMMIT record: the stream went to the target itself. */
    static final int NO_STAGING = 0;
    private static final long STAGING_ID_SPAN = 0x0FFFFFFFL;
    /** Pending releases applied (after an index sync) in batches of this size. */
    private static final int RELEASE_BATCH = 4096;
    /** Slots compared per batch when committing. */
    private static final int COMMIT_BATCH = 1024;

    /**
     * What a restore did.
     *
     * @param volumeId          the target
     * @param dumpHeader        the stream's dump header
     * @param vnodesRestored    full vnode records applied
     * @param vnodesKept        header-only records, and full records equal to the target's vnode
     *                          (see {@link HeaderCheck#continuesTarget}): vnode left as it was
     * @param vnodesUnchanged   of {@code vnodesKept}, the full records
     * @param vnodesDeleted     vnodes of the target absent from the dump, deleted
     * @param dataBytes         file data bytes written
     * @param streamBytes       bytes of the stream consumed
     * @param volumeInfo        the target's volume info after the restore
     */
    public record Result(int volumeId, DumpHeader dumpHeader, int vnodesRestored, int vnodesKept, int vnodesUnchanged,
                         int vnodesDeleted,
                         long dataBytes, long streamBytes, VolumeDiskData volumeInfo) {
    }

    private VolumeRestorer() {
    }

    /**
     * {@link #restore(NameiPartition, int, RestoreCookie, boolean, boolean, InputStream)} keeping
     * the target's usage statistics (the stock default, DoPreserveVolumeStats).
     */
    public static Result restore(NameiPartition p, int volumeId, RestoreCookie cookie, boolean incremental,
                                 InputStream in) throws IOException {
        return restore(p, volumeId, cookie, incremental, true, in);
    }

    /**
     * Restore the dump read from {@code in} (to its end) into volume {@code volumeId} of
     * {@code p}, atomically (see the class comment).
     *
     * @param incremental    the Restore RPC's flags bit; as in OpenAFS 1.8 it changes nothing:
     *                       whether a restore is incremental is implicit in the stream (header-only
     *                       records and absent vnodes). Kept for the RPC layer's sake.
     * @param preserveStats  true: keep the target's weekUse/dayUse/dayUseDate (and detailed
     *                       statistics if initialised); false: clear them (-clear-vol-stats)
     * @throws DumpFormatException malformed stream (VOLSERREAD_DUMPERROR); target unchanged
     * @throws IOException         I/O failure; target unchanged unless it happened after the
     *                             commit point, in which case {@link #recover} completes it
     */
    public static Result restore(NameiPartition p, int volumeId, RestoreCookie cookie, boolean incremental,
                                 boolean preserveStats, InputStream in) throws IOException {
        return restore(p, volumeId, cookie, preserveStats, in, HeaderCheck.NONE);
    }

    /**
     * Vets a stream by its headers before anything of it is applied: called once the dump header
     * and the dumped volume header were read, with the target's current volume info. Throwing
     * refuses the stream; the target is then exactly as it was (nothing is committed). Used for the
     * shadow lineage rules, which can only be decided from what the stream says about its source.
     */
    @FunctionalInterface
    public interface HeaderCheck {
        HeaderCheck NONE = (dumpHeader, dumped, target) -> { };

        void check(DumpHeader dumpHeader, VolumeDiskData dumped, VolumeDiskData target) throws IOException;

        /**
         * Asked once, after {@link #check} accepted the stream: whether the stream is known to
         * continue the target's own content (a shadow apply of the lineage the target's mark
         * records). Then a full vnode record whose vnode, uniquifier, dataVersion, type and length
         * equal the target's names the data the target already has (a fileserver changes the
         * dataVersion with every change of a file's data), and the restore keeps that file
         * instead of writing a copy. An incremental dump re-sends in full every vnode changed in
         * the second of its from-date, so this is what lets a shadow refresh of an unchanged
         * volume change nothing. False (the default) for any other restore: two unrelated volumes
         * can have a vnode with equal numbers and different data.
         */
        default boolean continuesTarget() {
            return false;
        }

        /**
         * Called once, right before the restore first changes anything on the partition (a data
         * file, a staging volume, a journal record); not at all for a stream that changes nothing.
         * Throwing refuses the stream with the target unchanged.
         */
        default void beforeFirstChange() throws IOException {
        }
    }

    /**
     * As {@link #restore(NameiPartition, int, RestoreCookie, boolean, boolean, InputStream)}, with
     * {@code check} run on the stream's headers before any vnode is applied.
     */
    public static Result restore(NameiPartition p, int volumeId, RestoreCookie cookie, boolean preserveStats,
                                 InputStream in, HeaderCheck check) throws IOException {
        return restore(p, volumeId, cookie, preserveStats, in, check, RecordBatch.MAX_RECORDS);
    }

    /** {@link #restore} with at most {@code batchRecords} records per sync batch (tests use small batches). */
    static Result restore(NameiPartition p, int volumeId, RestoreCookie cookie, boolean preserveStats, InputStream in,
                          int batchRecords) throws IOException {
        return restore(p, volumeId, cookie, preserveStats, in, HeaderCheck.NONE, batchRecords);
    }

    private static Result restore(NameiPartition p, int volumeId, RestoreCookie cookie, boolean preserveStats,
                                  InputStream in, HeaderCheck check, int batchRecords) throws IOException {
        Prepared pr = prepare(p, volumeId, cookie, preserveStats, in, check, batchRecords);
        try {
            commit(p, volumeId, pr.stagingId, pr.finalInfo, pr.applied.touched);
        } catch (IOException | RuntimeException e) {
            if (pr.fresh()) {
                // a FRESH restore before its commit point (the record's removal): undone now, not
                // left to the next restore of this volume or the next start
                try {
                    recoverVolume(p, volumeId);
                } catch (IOException | RuntimeException e2) {
                    e.addSuppressed(e2);
                }
            }
            throw e;
        }
        if (pr.journaled) {
            RestoreJournal.remove(p, volumeId);
        }
        VolumeDiskData old = pr.oldInfo;
        if (old.creationDate() != old.updateDate()
            && Integer.compareUnsigned(old.updateDate(), pr.finalInfo.updateDate()) > 0) {
            LOG.log(Level.WARNING, "restore of volume {0}: updateDate went back from {1} to {2} (an older dump was "
                + "restored over a newer volume)", Integer.toUnsignedString(volumeId),
                Integer.toUnsignedString(old.updateDate()), Integer.toUnsignedString(pr.finalInfo.updateDate()));
        }
        Applied a = pr.applied;
        return new Result(volumeId, a.dumpHeader, a.restored, a.kept, a.unchanged, a.deleted, a.dataBytes, a.streamBytes,
            pr.finalInfo);
    }

    /** State at the commit point: the staging volume holds the result, the journal says COMMIT. */
    static final class Prepared {
        final int stagingId;
        final VolumeDiskData oldInfo;
        final VolumeDiskData finalInfo;
        final Applied applied;
        /**
         * A journal record is on the partition: COMMIT (staged), or FRESH (stagingId NO_STAGING);
         * false: nothing but the volume info changes.
         */
        final boolean journaled;

        Prepared(int stagingId, VolumeDiskData oldInfo, VolumeDiskData finalInfo, Applied applied, boolean journaled) {
            this.stagingId = stagingId;
            this.oldInfo = oldInfo;
            this.finalInfo = finalInfo;
            this.applied = applied;
            this.journaled = journaled;
        }

        /** A FRESH restore: the stream went to the target itself, under a FRESH record. */
        boolean fresh() {
            return journaled && stagingId == NO_STAGING;
        }
    }

    /**
     * Steps 1–4: stage the stream and write the COMMIT journal record (a FRESH restore: apply the
     * stream to the target; its commit point comes later, see {@link #prepareFresh}). On any
     * failure before the commit point the staging volume and the journal are removed again and the
     * target is as it was. (Package-private so that tests can stop here and play a crash.)
     */
    static Prepared prepare(NameiPartition p, int volumeId, RestoreCookie cookie, boolean preserveStats,
                            InputStream in) throws IOException {
        return prepare(p, volumeId, cookie, preserveStats, in, HeaderCheck.NONE, RecordBatch.MAX_RECORDS);
    }

    static Prepared prepare(NameiPartition p, int volumeId, RestoreCookie cookie, boolean preserveStats,
                            InputStream in, HeaderCheck check, int batchRecords) throws IOException {
        recoverVolume(p, volumeId);
        VolumeDiskData old;
        try (Volume x = p.openVolume(volumeId)) {
            old = x.readDiskData();
            if (!x.index(VnodeClass.LARGE).isStampOnly() || !x.index(VnodeClass.SMALL).isStampOnly()) {
                return prepareStaged(p, volumeId, x, old, cookie, preserveStats, in, check, batchRecords);
            }
        }
        return prepareFresh(p, volumeId, old, cookie, preserveStats, in, check, batchRecords);
    }

    /** Steps 1-4 for a target that holds records, open as {@code x}, which they only read. */
    private static Prepared prepareStaged(NameiPartition p, int volumeId, Volume x, VolumeDiskData old,
                                          RestoreCookie cookie, boolean preserveStats, InputStream in,
                                          HeaderCheck check, int batchRecords) throws IOException {
        int parent = x.parentId();
        int stagingId = pickStagingId(p, volumeId);
        // The staging volume is made when the stream first changes something (a full vnode record,
        // or a deletion at its end): the second, incremental Restore of every vos shadow carries
        // only header records of unchanged vnodes, and a staging copy of the target made for it
        // cost ~25 fsync-class calls (39 ms for a one-file volume) and a copy and release of
        // every record (~55 ms of CPU for 50 000 files) for nothing. Until then the stream is only
        // read against the target, which nothing has written.
        boolean[] staged = {false};
        try {
            Applied applied;
            try (WriteTarget t = WriteTarget.lazy(x, check, () -> {
                staged[0] = true;
                RestoreJournal.write(p, new RestoreJournal.Entry(RestoreJournal.Phase.STAGING, volumeId, stagingId,
                    null));
                return createStaging(p, x, stagingId, parent);
            })) {
                applied = apply(t, in, batchRecords, check, old);
            }
            VolumeDiskData finalInfo = finalVolumeInfo(applied.volumeHeader, old, cookie, preserveStats);
            if (!staged[0]) {
                // Unchanged vnodes: the new volume info is the whole change, one pwrite in place as
                // every header RPC's, so there is nothing for a journal to make atomic. (With a
                // COMMIT record and its removal this was four sync calls per no-change restore,
                // the common pass of every incremental shadow of an unchanged volume.)
                return new Prepared(NO_STAGING, old, finalInfo, applied, false);
            }
            RestoreJournal.write(p, new RestoreJournal.Entry(RestoreJournal.Phase.COMMIT, volumeId, stagingId,
                finalInfo));
            return new Prepared(stagingId, old, finalInfo, applied, true);
        } catch (IOException | RuntimeException | Error e) {
            // unstaged, only a COMMIT record whose write failed half-way can exist: removed too, so
            // that a refused restore never changes the volume info later in recovery
            discardStaging(p, volumeId, staged[0] ? stagingId : NO_STAGING, e);
            throw e;
        }
    }

    /**
     * A target whose index files hold only their stamps (a volume just made by CreateVolume,
     * as vos restore to a new volume and every full shadow do) has nothing a staging copy would
     * protect: its "previous state" is "empty". The stream is then applied to the target itself
     * under a FRESH journal record that carries the target's volume info, and a failure, or a crash
     * before the record is removed, removes every vnode again ({@link #rollbackFresh}), cutting the
     * indexes back to their stamps as they were, and puts that volume info back. This saves the
     * copy of every record into the target and the release of the staging volume's references:
     * about half the link-table and index I/O of a restore into a new volume.
     *
     * <p>Order: FRESH record (not synced: {@link RestoreJournal#writeVolatile}); the stream, whose
     * first syncfs, before any index record is written, makes the record durable; the indexes synced;
     * then (in {@link #restore}) the final volume info written and synced, and the record removed
     * (unlink, directory fsync): <b>the removal is the commit point</b>. A stream that wrote no record
     * needs no journal on disk: its one change is the volume info, one pwrite. Before session 7 a
     * COMMIT record followed the stream, and the FRESH record had its own syncs: four journal commits
     * more per restore into a new volume.
     */
    private static Prepared prepareFresh(NameiPartition p, int volumeId, VolumeDiskData old, RestoreCookie cookie,
                                         boolean preserveStats, InputStream in, HeaderCheck check,
                                         int batchRecords) throws IOException {
        try {
            Applied applied = applyFresh(p, volumeId, in, batchRecords, check, old);
            VolumeDiskData finalInfo = finalVolumeInfo(applied.volumeHeader, old, cookie, preserveStats);
            return new Prepared(NO_STAGING, old, finalInfo, applied, true);
        } catch (IOException | RuntimeException | Error e) {
            try {
                rollbackFresh(p, volumeId);
                RestoreJournal.remove(p, volumeId);
            } catch (IOException | RuntimeException e2) {
                // the FRESH journal stays: recover() will finish the rollback
                e.addSuppressed(e2);
            }
            throw e;
        }
    }

    /** The FRESH journal record, then the stream applied to the target (package-private: tests stop here). */
    static Applied applyFresh(NameiPartition p, int volumeId, InputStream in, int batchRecords) throws IOException {
        VolumeDiskData old;
        try (Volume x = p.openVolume(volumeId)) {
            old = x.readDiskData();
        }
        return applyFresh(p, volumeId, in, batchRecords, HeaderCheck.NONE, old);
    }

    private static Applied applyFresh(NameiPartition p, int volumeId, InputStream in, int batchRecords,
                                      HeaderCheck check, VolumeDiskData old) throws IOException {
        RestoreJournal.writeVolatile(p, new RestoreJournal.Entry(RestoreJournal.Phase.FRESH, volumeId, NO_STAGING,
            old));
        try (Volume x = p.openVolume(volumeId); WriteTarget t = WriteTarget.of(x, check)) {
            return apply(t, in, batchRecords, check, old);
        }
    }

    /**
     * Undo a FRESH restore: every vnode record of the target is zeroed (indexes synced before any
     * count is lowered, as always), its data files released, and the indexes cut back to their
     * stamps. Idempotent. Records reach the index only after their files and counts are durable
     * ({@code RecordBatch}), so every record found here can be released; files whose record never
     * reached the index stay as leaked counts (reclaimed by the tag reclaim or the salvager).
     */
    private static void rollbackFresh(NameiPartition p, int volumeId) throws IOException {
        if (!p.volumeExists(volumeId)) {
            return;
        }
        try (Volume x = p.openVolume(volumeId)) {
            Releaser rel = new Releaser(x);
            for (VnodeClass c : VnodeClass.values()) {
                VnodeIndex idx = x.index(c);
                byte[] zero = new byte[c.recordSize()];
                List<int[]> used = new ArrayList<>();
                List<Long> inodes = new ArrayList<>();
                idx.forEach((vn, rec) -> {
                    used.add(new int[] {vn});
                    inodes.add(rec.inode());
                });
                for (int i = 0; i < used.size(); i++) {
                    idx.write(used.get(i)[0], VnodeDiskObject.wrap(c, zero, 0));
                    if (inodes.get(i) != 0) {
                        rel.add(inodes.get(i));
                    }
                }
            }
            rel.flush();
            for (VnodeClass c : VnodeClass.values()) {
                x.index(c).truncateToStamp();
                x.index(c).fdatasync();
            }
        }
    }

    /**
     * Finish or roll back every restore of this partition interrupted by a crash (journal files
     * {@code .afsdr-restore-*}): a committed one is completed, an uncommitted one's staging
     * volume is deleted. Call before serving the partition. Returns the target ids handled.
     */
    public static List<Integer> recover(NameiPartition p) throws IOException {
        List<Integer> done = new ArrayList<>();
        List<Path> journals = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(p.path(), RestoreJournal.PREFIX + "*")) {
            ds.forEach(journals::add);
        }
        for (Path j : journals) {
            String n = j.getFileName().toString();
            if (n.endsWith(".tmp")) {
                // an unfinished journal write: the previous record (or none) is the valid one
                Files.deleteIfExists(j);
                continue;
            }
            long id;
            try {
                id = Long.parseLong(n.substring(RestoreJournal.PREFIX.length()));
            } catch (NumberFormatException e) {
                LOG.log(Level.WARNING, "ignoring unexpected file {0}", j);
                continue;
            }
            if (recoverVolume(p, (int) id)) {
                done.add((int) id);
            } else if (Files.deleteIfExists(j)) {
                // an empty or zero-filled FRESH record: never durable, so nothing followed it
                LOG.log(Level.WARNING, "removed {0}, a restore journal record that never reached the disk", j);
            }
        }
        return done;
    }

    /** Complete or roll back an interrupted restore of one target; false if there was none. */
    static boolean recoverVolume(NameiPartition p, int targetId) throws IOException {
        Optional<RestoreJournal.Entry> je = RestoreJournal.read(p, targetId);
        if (je.isEmpty()) {
            return false;
        }
        RestoreJournal.Entry e = je.get();
        if (e.phase() == RestoreJournal.Phase.STAGING) {
            LOG.log(Level.WARNING, "rolling back an interrupted restore of volume {0} (staging volume {1})",
                Integer.toUnsignedString(targetId), Integer.toUnsignedString(e.stagingId()));
            deleteStagingIfOurs(p, e.stagingId());
        } else if (e.phase() == RestoreJournal.Phase.FRESH) {
            LOG.log(Level.WARNING, "rolling back an interrupted restore of volume {0} into an empty volume",
                Integer.toUnsignedString(targetId));
            rollbackFresh(p, targetId);
            if (e.info() != null && p.volumeExists(targetId)) {
                try (Volume x = p.openVolume(targetId)) {
                    x.writeDiskData(e.info());
                }
            }
        } else {
            LOG.log(Level.WARNING, "completing an interrupted restore of volume {0} from staging volume {1}",
                Integer.toUnsignedString(targetId), Integer.toUnsignedString(e.stagingId()));
            commit(p, targetId, e.stagingId(), e.info(), null);
        }
        RestoreJournal.remove(p, targetId);
        return true;
    }

    private static void discardStaging(NameiPartition p, int targetId, int stagingId, Throwable cause) {
        try {
            deleteStagingIfOurs(p, stagingId);
            RestoreJournal.remove(p, targetId);
        } catch (IOException | RuntimeException e) {
            // the journal stays: recover() will finish the cleanup
            cause.addSuppressed(e);
        }
    }

    private static void deleteStagingIfOurs(NameiPartition p, int stagingId) throws IOException {
        if (stagingId == NO_STAGING || !p.volumeExists(stagingId)) {
            return;
        }
        try (Volume s = p.openVolume(stagingId)) {
            if (!STAGING_NAME.equals(s.readDiskData().name())) {
                throw new IOException("volume " + Integer.toUnsignedString(stagingId) + " named in a restore journal is "
                    + "not a staging volume (name " + s.readDiskData().name() + "); not deleting it");
            }
        }
        p.deleteVolume(stagingId);
    }

    private static int pickStagingId(NameiPartition p, int targetId) throws IOException {
        long start = Integer.toUnsignedLong(targetId) % STAGING_ID_SPAN;
        for (long i = 0; i < STAGING_ID_SPAN; i++) {
            int id = (int) (STAGING_ID_BASE + (start + i) % STAGING_ID_SPAN);
            if (!p.volumeExists(id) && RestoreJournal.read(p, id).isEmpty()) {
                return id;
            }
        }
        throw new IOException("no free staging volume id on " + p.name());
    }

    /**
     * Step 2: a volume in the target's group whose records are the target's, sharing its files.
     * {@code x} is the open target; it stays open (the caller's).
     */
    private static Volume createStaging(NameiPartition p, Volume x, int stagingId, int parent) throws IOException {
        Volume s = p.createVolume(stagingId, parent, d -> d.name(STAGING_NAME).inService(false)
            .destroyMe(VolumeDiskData.DESTROY_ME));
        boolean ok = false;
        try {
            LinkTable lt = s.linkTable();
            NameiPartition.InodeList files = new NameiPartition.InodeList();
            for (VnodeClass c : VnodeClass.values()) {
                x.index(c).forEach((vn, rec) -> files.add(rec.inode()));
            }
            // a chunk of rows per system call: the staging copy of a 50 000-file volume was 200 000 calls
            lt.adjustAll(files.inodes(), files.size(), 1);
            lt.fdatasync();
            for (VnodeClass c : VnodeClass.values()) {
                VnodeIndex si = s.index(c);
                si.copyFrom(x.index(c), rec -> rec);
                si.fdatasync();
            }
            ok = true;
            return s;
        } finally {
            if (!ok) {
                s.close();
            }
        }
    }

    static final class Applied {
        DumpHeader dumpHeader;
        VolumeDiskData volumeHeader;
        int restored;
        int kept;
        int deleted;
        long dataBytes;
        long streamBytes;
        /** Full records equal to the target's (same version, same attributes): counted in {@link #kept}. */
        int unchanged;
        /** Slots of the staging indexes the stream wrote or deleted (by VnodeClass ordinal). */
        final BitSet[] touched = {new BitSet(), new BitSet()};
    }

    /**
     * The inode of the target's data file for the vnode {@code soFar} describes when the target
     * holds that very version (same uniquifier, dataVersion, type and length, a data file) and
     * the stream has not had a full record for the vnode before; otherwise 0.
     */
    private static long sameVersionFile(Volume target, BitSet[] seen, DumpVnode soFar, long len) throws IOException {
        int vn = soFar.vnodeNumber();
        VnodeClass c = VnodeClass.of(vn);
        if (seen[c.ordinal()].get(VnodeClass.slot(vn)) || VnodeClass.slot(vn) >= target.index(c).slots()) {
            return 0;
        }
        VnodeDiskObject cur = target.index(c).read(vn);
        if (cur.isFree() || cur.inode() == 0 || cur.uniquifier() != soFar.uniquifier()
            || cur.dataVersion() != soFar.dataVersion() || cur.type() != soFar.type() || cur.length() != len) {
            return 0;
        }
        return cur.inode();
    }

    /** Makes the volume a restore writes into (see {@link WriteTarget#lazy}). */
    private interface VolumeMaker {
        Volume make() throws IOException;
    }

    /**
     * The volume {@link #apply} writes into, with its record batch and releaser: either one that
     * exists from the start (a FRESH restore's target), or a staging volume made on the first
     * write, before which reads go to the target the staging volume will copy.
     */
    private static final class WriteTarget implements AutoCloseable {
        private final Volume readView;
        private final VolumeMaker maker;
        private final HeaderCheck firstChange;
        private Volume volume;
        private boolean written;
        private Releaser rel;
        private RecordBatch batch;

        private WriteTarget(Volume readView, VolumeMaker maker, Volume volume, HeaderCheck firstChange) {
            this.readView = readView;
            this.maker = maker;
            this.volume = volume;
            this.firstChange = firstChange;
        }

        /**
         * Writes go to {@code v} itself (not closed here); {@code check}'s
         * {@link HeaderCheck#beforeFirstChange} runs before the first.
         */
        static WriteTarget of(Volume v, HeaderCheck check) {
            return new WriteTarget(v, null, v, check);
        }

        /**
         * Reads go to {@code target} until the first write makes (and this closes) a volume with
         * {@code maker}, after {@code check}'s {@link HeaderCheck#beforeFirstChange}.
         */
        static WriteTarget lazy(Volume target, HeaderCheck check, VolumeMaker maker) {
            return new WriteTarget(target, maker, null, check);
        }

        Volume reads() {
            return volume != null ? volume : readView;
        }

        Volume writes() throws IOException {
            if (!written) {
                firstChange.beforeFirstChange();
                if (volume == null) {
                    volume = maker.make();
                }
                written = true;
            }
            return volume;
        }

        /** Whether anything was (or may have been) written through {@link #writes}. */
        boolean written() {
            return written;
        }

        Releaser releaser() throws IOException {
            if (rel == null) {
                rel = new Releaser(writes());
            }
            return rel;
        }

        /** The batch of {@code a}'s records (made with the first call; later calls return it). */
        RecordBatch batch(Applied a, int batchRecords) throws IOException {
            if (batch == null) {
                batch = new RecordBatch(writes(), a, releaser(), batchRecords);
            }
            return batch;
        }

        @Override
        public void close() throws IOException {
            if (batch != null) {
                batch.giveBackBuffers();
            }
            if (maker != null && volume != null) {
                volume.close();
            }
        }
    }

    /** {@code pending[0]} of {@link #apply} for data held by the record batch, its file not yet made (not a namei inode: tag 7). */
    private static final long BUFFERED = -1;

    private static Applied apply(WriteTarget t, InputStream in, int batchRecords, HeaderCheck check,
                                 VolumeDiskData targetInfo) throws IOException {
        Applied a = new Applied();
        // inode and length of the data of the current record; 1 in [2] when that is the target's
        // own file, kept (see HeaderCheck.continuesTarget), not a new one
        long[] pending = {0, 0, 0};
        BitSet[] candidates = {new BitSet(), new BitSet()};
        // vnodes that had a full record earlier in this stream (their index record may be pending)
        BitSet[] seen = {new BitSet(), new BitSet()};
        try {
            DumpReader r = new DumpReader(in);
            a.dumpHeader = r.readDumpHeader();
            a.volumeHeader = r.readVolumeHeader();
            check.check(a.dumpHeader, a.volumeHeader, targetInfo);
            boolean keepSameVersions = check.continuesTarget();
            // RestoreVolume's deletion candidates: every slot in use that has a data file
            for (VnodeClass c : VnodeClass.values()) {
                t.reads().index(c).forEach((vn, rec) -> {
                    if (rec.inode() != 0) {
                        candidates[c.ordinal()].set(VnodeClass.slot(vn));
                    }
                });
            }
            DumpReader.DataConsumer toDisk = (soFar, len, data) -> {
                if (keepSameVersions) {
                    long same = sameVersionFile(t.reads(), seen, soFar, len);
                    if (same != 0) {
                        // the data is left unread: the reader skips it
                        pending[0] = same;
                        pending[1] = len;
                        pending[2] = 1;
                        return;
                    }
                }
                Volume w = t.writes();
                if (len <= RecordBatch.SMALL_FILE) {
                    // made with the others of its run; the record picks up its inode then
                    t.batch(a, batchRecords).readSmallFile(soFar, (int) len, data);
                    pending[0] = BUFFERED;
                } else {
                    // not beside a run being made: the volume's create path is used by one thread at a time
                    t.batch(a, batchRecords).makeHeldFiles();
                    pending[0] = w.createDataFileUnsynced(soFar.vnodeNumber(), soFar.uniquifier(),
                        soFar.dataVersion(), data, len);
                }
                pending[1] = len;
                pending[2] = 0;
                a.dataBytes += len;
            };
            DumpReader.Section sec;
            while ((sec = r.next(toDisk)) != DumpReader.Section.END) {
                if (sec == DumpReader.Section.VOLUME_HEADER) {
                    a.volumeHeader = r.volumeHeader();
                    continue;
                }
                DumpVnode dv = r.vnode();
                int vn = dv.vnodeNumber();
                VnodeClass c = VnodeClass.of(vn);
                candidates[c.ordinal()].clear(VnodeClass.slot(vn));
                if (!dv.full()) {
                    a.kept++;
                    continue;
                }
                seen[c.ordinal()].set(VnodeClass.slot(vn));
                VnodeDiskObject rec = dv.toDisk();
                if (pending[0] != 0) {
                    rec.inode(pending[0] == BUFFERED ? 0 : pending[0]).length(pending[1]);
                }
                if (pending[2] != 0) {
                    long kept = pending[0];
                    pending[0] = 0;
                    pending[2] = 0;
                    VnodeDiskObject cur = t.reads().index(c).read(vn);
                    if (cur.inode() != kept || rec.uniquifier() != cur.uniquifier()
                        || rec.dataVersion() != cur.dataVersion() || rec.type() != cur.type()) {
                        // only a stream with items after the data could get here, and its data is gone
                        throw new DumpFormatException(r.offset(), "vnode", 0, "vnode " + Integer.toUnsignedString(vn)
                            + " changed its uniquifier, data version or type after its data");
                    }
                    // the same file, so still shared with whatever shares it (a clone's directory)
                    rec.cloned(cur.cloned());
                    if (Arrays.equals(rec.encode(), cur.encode())) {
                        a.kept++;
                        a.unchanged++;
                        continue;
                    }
                    t.batch(a, batchRecords).add(vn, rec, 0, pending[1]);
                    a.restored++;
                    continue;
                }
                if (pending[0] == BUFFERED) {
                    t.batch(a, batchRecords).addBuffered(vn, rec, pending[1]);
                } else {
                    t.batch(a, batchRecords).add(vn, rec, pending[0], pending[1]);
                }
                pending[0] = 0;
                a.restored++;
            }
            a.streamBytes = r.offset();
            if (t.written()) {
                t.batch(a, batchRecords).finish();
            }
            // vnodes of the target that the dump does not mention: deleted (slot zeroed as ProcessIndex does)
            for (VnodeClass c : VnodeClass.values()) {
                byte[] zero = new byte[c.recordSize()];
                for (int slot = candidates[c.ordinal()].nextSetBit(0); slot >= 0;
                     slot = candidates[c.ordinal()].nextSetBit(slot + 1)) {
                    VnodeIndex idx = t.writes().index(c);
                    int vn = c.vnodeNumber(slot);
                    VnodeDiskObject old = idx.read(vn);
                    idx.write(vn, VnodeDiskObject.wrap(c, zero, 0));
                    a.touched[c.ordinal()].set(slot);
                    if (!old.isFree() && old.inode() != 0) {
                        t.releaser().add(old.inode());
                    }
                    a.deleted++;
                }
            }
            if (t.written()) {
                t.releaser().flush();
                // The staging indexes must be durable before the COMMIT record: recovery copies from them.
                new SyncGroup(t.writes().partition().posix()).add(t.writes().index(VnodeClass.LARGE))
                    .add(t.writes().index(VnodeClass.SMALL)).sync();
            }
            return a;
        } catch (IOException | RuntimeException | Error e) {
            if (t.written()) {
                try {
                    // first: waits for the batch's writer and committer threads, which use the releaser too
                    t.batch(a, batchRecords).abandon(); // files of records never written to the index
                } catch (IOException | RuntimeException e2) {
                    e.addSuppressed(e2);
                }
                try {
                    if (pending[0] != 0 && pending[0] != BUFFERED && pending[2] == 0) {
                        t.releaser().release(pending[0]); // written for a record that never reached the index
                    }
                    t.releaser().flush(); // the staging index must match the counts before it is deleted
                } catch (IOException | RuntimeException e2) {
                    e.addSuppressed(e2);
                }
            }
            throw e;
        }
    }

    /**
     * Full vnode records of the stream waiting for their data files to become durable. Data files
     * are written without a sync each ({@link Volume#createDataFileUnsynced}); the records naming
     * them are held here and written to the staging index only after one
     * {@link NameiPartition#syncFilesystem()} has made the files, their namei directories and their
     * link counts durable. So the partition-io invariant holds at every instant, even across a power
     * failure: no index record on disk names a file or a count that is not on disk. (Before the
     * COMMIT record the staging volume is garbage anyway; the invariant is what lets recovery delete
     * it without finding a record whose count cannot be decremented.)
     *
     * <p>A full batch's syncfs and record writes run on a committer thread while the stream goes
     * on into the next batch (one commit at a time, so batches reach the index in stream order);
     * the files its records replace lose their references afterwards, on the restore thread, when
     * no run of new files is being made ({@link #releaseReplaced}).
     *
     * <p>Bounded: at most {@link #MAX_RECORDS} records and {@link #MAX_BYTES} of data per batch,
     * whichever comes first; with the 1 MiB chunks of a large file that is a few hundred KiB of
     * records and the kernel's dirty pages. Records are applied in stream order, so a vnode that
     * appears twice in a batch ends as its last record, its first file released.
     */
    private static final class RecordBatch {
        static final int MAX_RECORDS = 8192;
        static final long MAX_BYTES = 256L << 20;
        /** Files up to this long are held in memory and made a run at a time ({@link #readSmallFile}). */
        static final int SMALL_FILE = 64 * 1024;
        /** Memory for the held files' data. */
        static final int SMALL_FILE_BYTES = 1 << 20;
        /** Most files in one run. */
        static final int SMALL_FILES = 1024;

        private final Volume s;
        private final Applied a;
        private final Releaser rel;
        private final int maxRecords;
        /** The records being gathered. */
        private Records cur = new Records();
        private long bytes;
        /** The previous batch's commit (syncfs, then its index writes) on a committer thread, or null. */
        private Future<Void> committing;
        /** That commit's records until it is waited for (on its failure, what it did not write is given back from here). */
        private Records committed;

        // Small files read from the stream and not made yet (readSmallFile): filling takes the
        // stream's next ones; a full run is made on a writer thread (inFlight, making) while the
        // next fills; spare is the other buffer when free. All are made before the next syncfs.
        private HeldRun filling;
        private HeldRun inFlight;
        private Future<long[]> making;
        private HeldRun spare;
        private byte[] copy;

        RecordBatch(Volume s, Applied a, Releaser rel, int maxRecords) {
            if (maxRecords < 1) {
                throw new IllegalArgumentException("batch of " + maxRecords + " records");
            }
            this.s = s;
            this.a = a;
            this.rel = rel;
            this.maxRecords = maxRecords;
        }

        void add(int vn, VnodeDiskObject rec, long newIno, long length) throws IOException {
            cur.add(vn, rec, newIno);
            if (newIno != 0) {
                bytes += length;
            }
            if (cur.size() >= maxRecords || bytes >= MAX_BYTES) {
                flush();
            }
        }

        /**
         * Reads the {@code len} bytes of a small file's data into memory; the file is made with the
         * others of its run ({@link HeldRun}): their link-table tags are claimed with one locked
         * update, not one each, and a full run is made on a writer thread while the stream goes on
         * into the other buffer. The record naming it must follow with {@link #addBuffered}.
         */
        void readSmallFile(DumpVnode soFar, int len, InputStream data) throws IOException {
            if (filling == null) {
                filling = HeldRun.take();
                copy = new byte[SMALL_FILE];
            }
            if (!filling.fits(len)) {
                startRun();
            }
            filling.read(soFar, len, data, copy);
        }

        /** {@link #add} for the record of the file {@link #readSmallFile} read last. */
        void addBuffered(int vn, VnodeDiskObject rec, long length) throws IOException {
            if (filling == null || !filling.awaitsRecord(vn)) {
                throw new IllegalStateException("no data held for vnode " + Integer.toUnsignedString(vn));
            }
            filling.record[filling.files - 1] = cur.size();
            bytes += length;
            add(vn, rec, 0, length); // its inode (and the abandon duty) come when its run is made
        }

        /** Hands the filled run to a writer thread (after the one before it is done). */
        private void startRun() throws IOException {
            finishRun();
            HeldRun run = filling;
            run.checkRecords();
            filling = spare != null ? spare : HeldRun.take();
            spare = null;
            inFlight = run;
            making = FILE_WRITERS.submit(() -> run.make(s));
        }

        /** Waits for the run in flight; its records get their inodes. */
        private void finishRun() throws IOException {
            if (making == null) {
                return;
            }
            HeldRun run = inFlight;
            Future<long[]> f = making;
            making = null;
            inFlight = null;
            try {
                run.assign(WriterThreads.await(f, "making a run of small files"), this);
            } finally {
                run.clear();
                spare = run;
            }
        }

        /** Makes every held file (the run in flight, then the one filling, on this thread). */
        void makeHeldFiles() throws IOException {
            finishRun();
            if (filling != null && filling.files > 0) {
                filling.checkRecords();
                try {
                    filling.assign(filling.make(s), this);
                } finally {
                    filling.clear();
                }
            }
        }

        /**
         * Hands the gathered records to a committer thread, which runs syncfs and then writes them
         * (the files they replace are released after it, see {@link #awaitCommit}), and returns:
         * the stream goes on while the batch's files reach the disk (a syncfs of a batch of 8192 small files took ~0.1 s, in
         * which the stream used to stop). First every held file is made and the previous batch's
         * commit waited for, so batches reach the index in stream order, one at a time.
         */
        void flush() throws IOException {
            makeHeldFiles();
            awaitCommit();
            if (cur.size() == 0) {
                return;
            }
            Records r = cur;
            cur = new Records();
            bytes = 0;
            committed = r;
            committing = COMMITTERS.submit(() -> {
                commit(r);
                return null;
            });
        }

        /** {@link #flush}, then wait for the commit: every record of the stream so far is in the index. */
        void finish() throws IOException {
            flush();
            awaitCommit();
        }

        /** Waits for the commit in flight; on its failure its records not written stay in {@link #committed}. */
        private void awaitCommit() throws IOException {
            if (committing == null) {
                return;
            }
            Future<Void> f = committing;
            committing = null;
            WriterThreads.await(f, "writing a batch of vnode records");
            releaseReplaced(committed);
            committed = null;
        }

        /**
         * The files the batch's records replaced lose their reference here, on the restore thread,
         * with no run of files being made and no commit running: a count that reaches 0 is followed
         * by an unlink, and a run claiming that tag meanwhile could create the same path (same
         * vnode and uniquifier) and lose its new file to that unlink.
         */
        private void releaseReplaced(Records r) throws IOException {
            for (int i = 0; i < r.nReplaced; i++) {
                rel.add(r.replaced[i]);
            }
            r.nReplaced = 0;
        }

        /**
         * syncfs, then write the records in stream order (on a committer thread); the files they
         * replace are noted in {@code r}, released later by {@link #awaitCommit}.
         */
        private void commit(Records r) throws IOException {
            s.partition().syncFilesystem();
            // Records go out in stream order, a run of consecutive slots of one class per pwrite
            // (VnodeIndex.writeSlots): a restore of 50 000 files is mostly such runs.
            int n = r.size();
            int start = 0;
            while (start < n) {
                VnodeClass c = VnodeClass.of(r.vnodes[start]);
                int firstSlot = VnodeClass.slot(r.vnodes[start]);
                int end = start + 1;
                while (end < n && end - start < VnodeIndex.MAX_SLOTS_PER_WRITE && VnodeClass.of(r.vnodes[end]) == c
                    && VnodeClass.slot(r.vnodes[end]) == firstSlot + (end - start)) {
                    end++;
                }
                writeRun(r, c, firstSlot, start, end);
                start = end;
            }
        }

        private void writeRun(Records r, VnodeClass c, int firstSlot, int start, int end) throws IOException {
            VnodeDiskObject[] run = new VnodeDiskObject[end - start];
            for (int i = start; i < end; i++) {
                run[i - start] = r.recs.get(i);
                a.touched[c.ordinal()].set(firstSlot + (i - start));
                // From the write on the index may name the file (even a failed pwrite may have
                // written part of the run): a failure must not release it again. At worst a leak.
                r.inodes[i] = 0;
            }
            long[] old = s.index(c).writeSlots(firstSlot, run, run.length);
            for (int i = 0; i < run.length; i++) {
                long newIno = run[i].isFree() ? 0 : run[i].inode();
                if (old[i] != 0 && old[i] != newIno) {
                    r.replaced(old[i]);
                }
            }
        }

        /** Returns the held-file buffers for the next restore's use (none may be in flight). */
        void giveBackBuffers() {
            if (making != null) {
                return; // a writer may still use its run: let both go to the garbage collector
            }
            for (HeldRun r : new HeldRun[] {filling, spare}) {
                if (r != null) {
                    HeldRun.giveBack(r);
                }
            }
            filling = null;
            spare = null;
        }

        /** After a failure: give back the files of records that never reached the index. */
        void abandon() throws IOException {
            // Both waits happen whatever the first one throws: the volume's descriptors are closed
            // after this, and a writer or committer still running could then write through a reused one.
            Throwable inFlightFailure = null;
            try {
                finishRun(); // made files get their records' inodes, so they are given back below
            } catch (IOException | RuntimeException | Error e) {
                inFlightFailure = e; // the run gave back what it made
            }
            try {
                awaitCommit();
            } catch (IOException | RuntimeException | Error e) {
                // its records that did not reach the index are still in committed: given back below
                if (inFlightFailure == null) {
                    inFlightFailure = e;
                } else {
                    inFlightFailure.addSuppressed(e);
                }
            }
            if (filling != null) {
                filling.clear(); // never made: nothing to give back
            }
            for (Records r : new Records[] {committed, cur}) {
                if (r != null) {
                    r.releaseUnwritten(rel);
                    releaseReplaced(r);
                }
            }
            committed = null;
            cur = new Records();
            bytes = 0;
            if (inFlightFailure != null) {
                throw WriterThreads.rethrow(inFlightFailure, "a restore's writer or committer");
            }
        }
    }

    /**
     * Records of a {@link RecordBatch}, in stream order: vnode number, record, and the new data
     * file each names until the record is written (0 from then on, or when it names none).
     */
    private static final class Records {
        final List<VnodeDiskObject> recs = new ArrayList<>();
        int[] vnodes = new int[64];
        long[] inodes = new long[64];
        /** Files that written records no longer name (released by the restore thread). */
        long[] replaced = new long[16];
        int nReplaced;

        void replaced(long ino) {
            if (nReplaced == replaced.length) {
                replaced = Arrays.copyOf(replaced, 2 * nReplaced);
            }
            replaced[nReplaced++] = ino;
        }

        int size() {
            return recs.size();
        }

        void add(int vn, VnodeDiskObject rec, long newIno) {
            int n = recs.size();
            if (n == vnodes.length) {
                vnodes = Arrays.copyOf(vnodes, 2 * n);
                inodes = Arrays.copyOf(inodes, 2 * n);
            }
            vnodes[n] = vn;
            inodes[n] = newIno;
            recs.add(rec);
        }

        /** Gives back the files of records never written to the index. */
        void releaseUnwritten(Releaser rel) throws IOException {
            for (int i = 0; i < recs.size(); i++) {
                if (inodes[i] != 0) {
                    rel.release(inodes[i]);
                    inodes[i] = 0;
                }
            }
        }
    }

    /**
     * Threads that make runs of small files ({@link RecordBatch#readSmallFile}), at most one per
     * restore: the restore thread reads the next run from the stream meanwhile, so the sender is
     * not stopped while a run's files are made (making 256 files of 4 KiB takes about 10 ms).
     * Daemon threads, ended after 30 s idle.
     */
    private static final ExecutorService FILE_WRITERS = WriterThreads.pool("restore-file-writer");

    /** Threads that commit a {@link RecordBatch} (syncfs, index writes) beside the stream, at most one per restore. */
    private static final ExecutorService COMMITTERS = WriterThreads.pool("restore-commit");

    /**
     * Small files read from the stream, to be made together ({@link Volume#createDataFilesUnsynced}):
     * their data back to back in a direct buffer, and per file its vnode, uniquifier, data version,
     * length and the index of its record in the {@link RecordBatch} (-1 until the record is added).
     */
    private static final class HeldRun {
        /**
         * Runs no restore is using, kept for the next (at most {@link #POOLED}): a DR host restores
         * thousands of mostly tiny volumes a night, and a new 1 MiB direct buffer each time would be
         * zeroed per restore and freed only when a collection happens to run.
         */
        private static final ConcurrentLinkedQueue<HeldRun> POOL = new ConcurrentLinkedQueue<>();
        private static final AtomicInteger POOL_SIZE = new AtomicInteger();
        static final int POOLED = 4;

        final ByteBuffer data = ByteBuffer.allocateDirect(RecordBatch.SMALL_FILE_BYTES);
        final int[] vnode = new int[RecordBatch.SMALL_FILES];
        final int[] uniquifier = new int[RecordBatch.SMALL_FILES];
        final int[] dataVersion = new int[RecordBatch.SMALL_FILES];
        final int[] length = new int[RecordBatch.SMALL_FILES];
        final int[] record = new int[RecordBatch.SMALL_FILES];
        int files;

        boolean fits(int len) {
            return files < vnode.length && data.remaining() >= len;
        }

        void read(DumpVnode soFar, int len, InputStream in, byte[] copy) throws IOException {
            int start = data.position();
            int got = 0;
            while (got < len) {
                int n = in.read(copy, 0, Math.min(copy.length, len - got));
                if (n < 0) {
                    data.position(start);
                    throw new IOException("data of vnode " + Integer.toUnsignedString(soFar.vnodeNumber()) + " ended after "
                        + got + " of " + len + " bytes");
                }
                data.put(copy, 0, n);
                got += n;
            }
            vnode[files] = soFar.vnodeNumber();
            uniquifier[files] = soFar.uniquifier();
            dataVersion[files] = soFar.dataVersion();
            length[files] = len;
            record[files] = -1;
            files++;
        }

        boolean awaitsRecord(int vn) {
            return files > 0 && record[files - 1] == -1 && vnode[files - 1] == vn;
        }

        void checkRecords() {
            for (int i = 0; i < files; i++) {
                if (record[i] < 0) {
                    throw new IllegalStateException("held file of vnode " + Integer.toUnsignedString(vnode[i]) + " has no record");
                }
            }
        }

        long[] make(Volume v) throws IOException {
            return v.createDataFilesUnsynced(files, vnode, uniquifier, dataVersion, length, data.duplicate().flip());
        }

        void assign(long[] inos, RecordBatch b) {
            for (int i = 0; i < files; i++) {
                b.cur.recs.get(record[i]).inode(inos[i]);
                b.cur.inodes[record[i]] = inos[i];
            }
        }

        void clear() {
            files = 0;
            data.clear();
        }

        static HeldRun take() {
            HeldRun r = POOL.poll();
            if (r == null) {
                return new HeldRun();
            }
            POOL_SIZE.decrementAndGet();
            return r;
        }

        static void giveBack(HeldRun r) {
            r.clear();
            if (POOL_SIZE.incrementAndGet() <= POOLED) {
                POOL.offer(r);
            } else {
                POOL_SIZE.decrementAndGet();
            }
        }
    }

    /**
     * Drops references of a volume to data files in batches: the indexes are synced before any
     * count is decremented, so a crash never leaves a record naming a file whose count is 0.
     */
    private static final class Releaser {
        private final Volume v;
        private final long[] batch = new long[RELEASE_BATCH];
        private int n;

        Releaser(Volume v) {
            this.v = v;
        }

        void add(long ino) throws IOException {
            if (n == batch.length) {
                flush();
            }
            batch[n++] = ino;
        }

        void flush() throws IOException {
            if (n == 0) {
                return;
            }
            v.index(VnodeClass.LARGE).fdatasync();
            v.index(VnodeClass.SMALL).fdatasync();
            int[] left = v.linkTable().adjustAll(batch, n, -1);
            for (int i = 0; i < n; i++) {
                if (left[i] == 0) {
                    unlinkData(batch[i]);
                }
            }
            n = 0;
            v.linkTable().fdatasync();
        }

        /** IH_DEC: one reference less, the file goes when none is left. */
        void release(long ino) throws IOException {
            int left = v.linkTable().adjust(NameiInode.vnode(ino), NameiInode.tag(ino), -1);
            if (left == 0) {
                unlinkData(ino);
            }
        }

        private void unlinkData(long ino) throws IOException {
            try {
                v.partition().posix().unlink(v.dataPath(ino));
            } catch (NativeIoException e) {
                if (e.errno() != Errno.ENOENT) {
                    throw e;
                }
            }
        }
    }

    /**
     * The target's volume info after the restore (RestoreVolume's end): the dump's header (fields
     * absent from the dump zero), name/type/cloneId from the cookie, usage statistics kept or
     * cleared, then CopyVolumeHeader onto the target: id, parentId and copyDate stay the target's;
     * destroyMe cleared.
     */
    static VolumeDiskData finalVolumeInfo(VolumeDiskData dumped, VolumeDiskData old, RestoreCookie cookie,
                                          boolean preserveStats) throws IOException {
        byte[] raw = dumped.encode();
        byte[] was = old.encode();
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        // strncpy(vol.name, cookie->name, VOLSER_OLDMAXVOLNAME): the name field takes the cookie's name
        byte[] name = cookie.name().getBytes(StandardCharsets.ISO_8859_1);
        Arrays.fill(raw, 12, 12 + VolumeDiskData.NAME_SIZE, (byte) 0);
        System.arraycopy(name, 0, raw, 12, Math.min(name.length, VolumeDiskData.NAME_SIZE - 1));
        b.putInt(52, cookie.type()).putInt(60, cookie.cloneId());
        b.put(47, (byte) 0); // needsSalvaged
        if (preserveStats) {
            System.arraycopy(was, 160, raw, 160, 4 + 28);  // dayUse, weekUse[7]
            System.arraycopy(was, 192, raw, 192, 4);       // dayUseDate
            if (old.statInitialized()) {
                System.arraycopy(was, 424, raw, 424, VolumeDiskData.SIZE - 424);
            }
        } else {
            Arrays.fill(raw, 160, 196, (byte) 0);
        }
        b.putInt(8, old.id()).putInt(56, old.parentId()).putInt(260, old.copyDate());
        b.put(73, (byte) 0); // destroyMe
        b.putInt(0, VolumeDiskData.MAGIC).putInt(4, VolumeDiskData.VERSION);
        return VolumeDiskData.decode(raw, "restored volume info", Integer.toUnsignedLong(old.id()));
    }

    /**
     * Step 5 (also the redo after a crash): make the target's indexes equal to the staging
     * volume's, write its final volume info, delete the staging volume. Idempotent.
     *
     * @param touched the slots that can differ (those the stream wrote or deleted), or null to
     *                compare every slot in use in either volume (recovery, where that is unknown)
     */
    private static void commit(NameiPartition p, int targetId, int stagingId, VolumeDiskData finalInfo,
                               BitSet[] touched) throws IOException {
        if (!p.volumeExists(targetId)) {
            LOG.log(Level.WARNING, "target volume {0} of a committed restore no longer exists",
                Integer.toUnsignedString(targetId));
            deleteStagingIfOurs(p, stagingId);
            return;
        }
        try (Volume x = p.openVolume(targetId)) {
            // Once the staging volume's header is gone its deletion had begun, which happens only
            // after the copy completed: then only the volume info may still be missing.
            if (stagingId != NO_STAGING && p.volumeExists(stagingId)) {
                try (Volume s = p.openVolume(stagingId)) {
                    Releaser rel = new Releaser(x);
                    for (VnodeClass c : VnodeClass.values()) {
                        BitSet slots = touched != null ? touched[c.ordinal()] : inUse(x, s, c);
                        copyIndex(x, s, c, slots, rel);
                    }
                    rel.flush();
                }
            }
            x.writeDiskData(finalInfo);
        }
        deleteStagingIfOurs(p, stagingId);
    }

    /** Slots in use in either volume. */
    private static BitSet inUse(Volume x, Volume s, VnodeClass c) throws IOException {
        BitSet b = new BitSet();
        x.index(c).forEach((vn, rec) -> b.set(VnodeClass.slot(vn)));
        s.index(c).forEach((vn, rec) -> b.set(VnodeClass.slot(vn)));
        return b;
    }

    private static void copyIndex(Volume x, Volume s, VnodeClass c, BitSet slots, Releaser rel) throws IOException {
        VnodeIndex xi = x.index(c);
        VnodeIndex si = s.index(c);
        LinkTable lt = x.linkTable();
        byte[] zero = new byte[c.recordSize()];
        List<int[]> changed = new ArrayList<>();
        List<VnodeDiskObject> newRecs = new ArrayList<>();
        List<Long> oldInodes = new ArrayList<>();
        int slot = slots.nextSetBit(0);
        while (slot >= 0) {
            changed.clear();
            newRecs.clear();
            oldInodes.clear();
            for (int k = 0; k < COMMIT_BATCH && slot >= 0; k++, slot = slots.nextSetBit(slot + 1)) {
                int vn = c.vnodeNumber(slot);
                VnodeDiskObject xr = xi.read(vn);
                VnodeDiskObject sr = si.read(vn);
                if ((xr.isFree() && sr.isFree()) || Arrays.equals(xr.encode(), sr.encode())) {
                    continue;
                }
                long xIno = xr.isFree() ? 0 : xr.inode();
                long sIno = sr.isFree() ? 0 : sr.inode();
                if (sIno != 0 && sIno != xIno) {
                    lt.adjust(NameiInode.vnode(sIno), NameiInode.tag(sIno), 1);
                }
                changed.add(new int[] {vn});
                newRecs.add(sr.isFree() ? VnodeDiskObject.wrap(c, zero, 0) : sr);
                oldInodes.add(xIno != 0 && xIno != sIno ? xIno : 0L);
            }
            if (changed.isEmpty()) {
                continue;
            }
            lt.fdatasync();
            for (int i = 0; i < changed.size(); i++) {
                xi.write(changed.get(i)[0], newRecs.get(i));
            }
            xi.fdatasync();
            for (long ino : oldInodes) {
                if (ino != 0) {
                    rel.add(ino);
                }
            }
        }
    }
}
