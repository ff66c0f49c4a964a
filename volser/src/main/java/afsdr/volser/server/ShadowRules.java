package afsdr.volser.server;

import afsdr.partition.NameiPartition;
import afsdr.partition.Volume;
import afsdr.partition.VolumeDiskData;
import afsdr.rx.RxCall;
import afsdr.rx.RxCallException;
import afsdr.volser.dump.DumpException;
import afsdr.volser.dump.DumpHeader;
import afsdr.volser.dump.VolumeRestorer;
import afsdr.volser.shadow.LineageStore;
import afsdr.volser.shadow.ShadowLineage;
import afsdr.volser.wire.RestoreCookie;
import afsdr.volser.wire.VolserErrors;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import static afsdr.volser.server.VolserContext.vol;
import static afsdr.volser.wire.VolserConstants.ITOffline;
import static afsdr.volser.wire.VolserConstants.RWVOL;

/**
 * The shadow safety rules the stock volserver lacks (vos-flows.md §2.5–2.6):
 * <ol>
 * <li><b>Lineage</b>: every shadow apply (a Restore on a transaction that vos shadow made, see
 * {@link ShadowIntents}) records where the shadow comes from in a mark next to the volume
 * ({@link LineageStore}); a restore that is not a shadow apply never creates a mark.</li>
 * <li><b>Guarded incrementals</b>: an incremental stream onto a marked volume must come from the
 * mark's lineage (same source volume group, same source creation date: a source re-created under
 * the same id is another lineage); an incremental shadow onto an unmarked volume is refused (it is
 * not known to be a shadow of that source). Refusals answer {@link #REFUSED} and log both
 * lineages; the stream is refused from its headers, before anything is applied.</li>
 * <li><b>No shadow onto its own source</b>: the target TransCreate/CreateVolume of a vos shadow
 * whose target is the source itself (same server, partition and id — the stock sequence then
 * deletes the source) is refused before anything is touched.</li>
 * </ol>
 *
 * <p>Why a pre-image: vos shadow forwards two streams into one target transaction, first a dump of
 * a temporary clone of the source and then an incremental of the live source (vos-flows.md §2.2).
 * A clone's header carries the clone's creation date, not the source's, so a source re-created
 * under the same id is only recognisable in the second stream, after the first was applied. When
 * the first stream of an incremental shadow cannot be checked in full, the target's volume info and
 * mark are kept, and a clone of the target (a pre-image: index copy, data files shared) is taken
 * right before that stream first changes anything; if the second stream is refused, the target is
 * put back from them, so a refused shadow leaves the target's content as it was. A first stream
 * that changes no vnode (the refresh of an unchanged volume) needs no clone. The pre-image is
 * dropped once the lineage is confirmed or the transaction ends.
 *
 * <p>Within a confirmed lineage a shadow apply keeps the target's data file for a vnode the stream
 * re-sends at the version the target has ({@link VolumeRestorer.HeaderCheck#continuesTarget}).
 *
 * <p>Error code: VOLSERBADOP (1492325131). vos prints it as "VOLSER: illegal operation", which is
 * what these are (nothing to retry, nothing to salvage, unlike VOLSERVOLBUSY or VSALVAGE), and no
 * stock server path vos shadow takes returns it, so it cannot be mistaken for another failure.
 */
final class ShadowRules {
    /** VOLSERBADOP: the answer to a refused shadow operation (see the class comment). */
    static final int REFUSED = VolserErrors.VOLSERBADOP;
    /** Name of a pre-image clone; start-up deletes leftovers with this name only. */
    static final String PREIMAGE_NAME = "afsdr.shadow.preimage";
    /** Pre-image ids come from 0xE0000000..0xEFFFFFFE, above VLDB ids, below restore staging ids. */
    static final long PREIMAGE_ID_BASE = 0xE0000000L;
    private static final long PREIMAGE_ID_SPAN = 0x0FFFFFFFL;

    private final VolserContext ctx;
    private final VolserLog log;
    final ShadowIntents intents = new ShadowIntents();

    ShadowRules(VolserContext ctx) {
        this.ctx = ctx;
        this.log = ctx.log;
    }

    private static ShadowIntents.Client client(RxCall call) {
        return ShadowIntents.Client.of(call.connection());
    }

    /** ListOneVolume / XListOneVolume: the probe vos shadow makes on its target. */
    void probed(RxCall call, int partId, int volumeId) {
        intents.probed(client(call), partId, volumeId, ctx.now());
    }

    /** Clone: remember UV_CopyVolume2's temporary clone of the source. */
    void cloned(RxCall call, int partId, int sourceId, int cloneId, String name) {
        intents.cloned(client(call), partId, sourceId, cloneId, name, ctx.now());
    }

    /**
     * The check before every TransCreate and CreateVolume ({@code iflags} -1): refuses a vos shadow
     * whose target is its own source. Signs, from the same vos process:
     * <ul>
     * <li>it probed this (partition, volume) twice in quick succession, once as the source and once
     * as the target (vos-flows.md §2.1 steps 3/6; {@link ShadowIntents#probedAsSourceAndTarget}): then even the first source-side TransCreate (ITBusy, before the
     * clone) is refused, so nothing at all changes — this is the earliest RPC that can tell;</li>
     * <li>it holds a temporary clone of this very volume on this partition and asks for a target
     * transaction (ITOffline) or volume on it: the same shadow seen later, should the probes have
     * been missed (e.g. a vos that skipped one).</li>
     * </ul>
     */
    void refuseShadowOntoSource(RxCall call, String proc, int volumeId, NameiPartition part, int iflags)
            throws IOException {
        if (part == null) {
            return;
        }
        ShadowIntents.Client c = client(call);
        int now = ctx.now();
        boolean probedTwice = intents.probedAsSourceAndTarget(c, part.partitionId(), volumeId, now);
        boolean targetCall = iflags == -1 || (iflags & ITOffline) != 0;
        int clone = targetCall ? intents.tempClone(c, part.partitionId(), volumeId, now) : 0;
        boolean cloneHeld = clone != 0 && part.volumeExists(clone);
        if (!cloneHeld && !probedTwice) {
            return;
        }
        String why = cloneHeld ? "it holds temporary clone " + vol(clone) + " of that volume"
            : "it asked for that volume on that partition as both source and target";
        log.log("Shadow onto its own source refused: " + ctx.who(call.connection()) + " asked " + proc + " for volume "
            + vol(volumeId) + " on " + part.name() + " as a shadow target, but that volume is the shadow's source ("
            + why + "); nothing was changed");
        throw new RxCallException(REFUSED, proc + ": volume " + vol(volumeId) + " on " + part.name()
            + " is the source of this shadow; a shadow onto its own source is refused");
    }

    /** After a target TransCreate/CreateVolume: a transaction vos shadow probed for is a shadow target. */
    void tag(RxCall call, Transaction t) {
        t.client = client(call);
        t.shadowIntent = intents.probes(t.client, t.partitionId, t.volumeId, ctx.now()) > 0;
    }

    // ------------------------------------------------------------------ restores

    /**
     * What a dump stream says about its source: the volume group (parentId, the same in the clone's
     * and the live volume's dump), the creation date when the dump is of the live RW volume itself
     * (a clone's or RO's creation date is the date of the clone), and the update date.
     */
    static ShadowLineage.Source source(VolumeDiskData dumped) {
        int group = dumped.parentId() != 0 ? dumped.parentId() : dumped.id();
        boolean live = dumped.type() == RWVOL && dumped.id() == group;
        return new ShadowLineage.Source(group, live ? dumped.creationDate() : 0, dumped.updateDate());
    }

    /** One Restore on a transaction: the lineage decision and what to record afterwards. */
    final class Apply implements VolumeRestorer.HeaderCheck {
        final Transaction t;
        final boolean shadowApply;
        final String server;
        final ShadowLineage mark;
        final String markError;
        ShadowLineage.Source src;
        boolean incremental;
        int fromDate;
        /** The stream is an incremental of the confirmed lineage the target's mark records. */
        boolean continuesTarget;

        Apply(Transaction t, boolean shadowApply, String server, ShadowLineage mark, String markError) {
            this.t = t;
            this.shadowApply = shadowApply;
            this.server = server;
            this.mark = mark;
            this.markError = markError;
        }

        @Override
        public void check(DumpHeader dh, VolumeDiskData dumped, VolumeDiskData target) throws IOException {
            src = source(dumped);
            fromDate = dh.fromDate();
            incremental = fromDate != 0;
            String what = (shadowApply ? "shadow apply" : "restore") + " onto volume " + vol(t.volumeId) + " on "
                + t.partition.name() + " of an incremental dump (from " + Integer.toUnsignedString(fromDate) + ") of "
                + ShadowLineage.describe(src) + " from " + server;
            if (markError != null) {
                if (incremental) {
                    refuse(what + " refused: its shadow mark cannot be read (" + markError + "), so the lineage "
                        + "cannot be checked; a full shadow rewrites the mark");
                }
                return;
            }
            if (mark != null && incremental && !mark.sameSource(src)) {
                refuse(what + " refused: the volume is a shadow of " + mark.describe() + "; the stream is of another "
                    + "lineage");
            }
            if (mark == null && incremental && shadowApply) {
                refuse(what + " refused: the volume is not marked as a shadow (no lineage), so it is not known to "
                    + "be a shadow of that source; a full shadow makes it one");
            }
            // Confirmed lineage only: the live source's own creation date matches the mark's, or,
            // for a clone's stream (which cannot tell the source's creation date), the source has
            // not been updated since the last apply, which a source re-created under the same id
            // would have been.
            continuesTarget = shadowApply && incremental && mark != null && mark.sameSource(src)
                && (src.creationKnown() ? mark.sourceCreationDate() != 0 : src.updateDate() == mark.lastUpdate());
            if (mark != null && incremental && shadowApply && !src.creationKnown() && mark.sourceCreationDate() != 0
                && t.preimageInfo == null) {
                // what to put back if the second stream shows another lineage; the clone of the
                // target's records is only taken if this stream changes any (beforeFirstChange)
                t.preimageInfo = target;
                t.preimageMark = mark;
                t.preimagePending = true;
            } else if (src.creationKnown()) {
                // this stream is checked in full before it is applied: a clone of the target made
                // now could never be needed (the one the first stream may need is taken already)
                t.preimagePending = false;
            }
        }

        @Override
        public boolean continuesTarget() {
            return continuesTarget;
        }

        @Override
        public void beforeFirstChange() throws IOException {
            if (t.preimagePending) {
                takePreimage(t);
                t.preimagePending = false;
            }
        }

        private void refuse(String message) throws DumpException {
            log.log("Shadow lineage: " + message + "; the volume is unchanged");
            throw new DumpException(REFUSED, message);
        }
    }

    /** Before a Restore on {@code t} (volume closed, transaction held): reads the mark. */
    Apply begin(Transaction t, RestoreCookie cookie, InetSocketAddress peer) {
        boolean shadowApply = t.shadowIntent && cookie.parent() == 0 && cookie.cloneId() == 0;
        ShadowLineage mark = null;
        String error = null;
        try {
            mark = LineageStore.read(t.partition, t.volumeId).orElse(null);
        } catch (IOException e) {
            error = e.getMessage();
            log.log("Shadow lineage of volume " + vol(t.volumeId) + " on " + t.partition.name() + " unreadable: "
                + error);
        }
        return new Apply(t, shadowApply, peer.getAddress().getHostAddress(), mark, error);
    }

    /** After a committed Restore: records, updates or drops the mark; logs every shadow apply. */
    void committed(Apply a, VolumeRestorer.Result r) throws IOException {
        Transaction t = a.t;
        int now = ctx.now();
        String kind = a.incremental ? "incremental dump (from " + Integer.toUnsignedString(a.fromDate) + ")"
            : "full dump";
        ShadowLineage next;
        if (a.shadowApply) {
            next = a.mark != null && a.mark.sameSource(a.src) ? a.mark.applied(a.src, a.server, now)
                : ShadowLineage.first(t.volumeId, a.src, a.server, now);
        } else if (a.mark != null && (a.incremental || a.mark.sameSource(a.src))) {
            next = a.mark.applied(a.src, a.server, now);
        } else {
            if (a.mark != null || a.markError != null) {
                LineageStore.remove(t.partition, t.volumeId);
                log.log("Volume " + vol(t.volumeId) + " on " + t.partition.name() + ": a full restore of "
                    + ShadowLineage.describe(a.src) + " from " + a.server + " replaced the shadow of "
                    + (a.mark != null ? a.mark.describe() : "an unreadable lineage") + "; it is no longer a shadow");
            }
            return;
        }
        if (!next.equals(a.mark)) {
            // (the second pass of a shadow usually lands in the same second as the first, with
            // nothing new to record: the mark on disk already says it, and a rewrite is 3 syncs)
            LineageStore.write(t.partition, next);
        }
        log.log("Shadow volume " + vol(t.volumeId) + " on " + t.partition.name() + ": applied " + kind + " of "
            + ShadowLineage.describe(a.src) + " from " + a.server + " (vnodes: " + r.vnodesRestored() + " written, "
            + r.vnodesKept() + " kept, of which " + r.vnodesUnchanged() + " re-sent unchanged, " + r.vnodesDeleted()
            + " deleted); lineage: " + next.describe());
        if (t.preimageInfo != null && a.src.creationKnown()) {
            dropPreimage(t);
        }
    }

    /** After a refused or failed Restore: a pre-image taken for this shadow puts the target back. */
    void failed(Apply a, IOException cause) {
        Transaction t = a.t;
        if (t.preimageInfo == null || cause == null || DumpException.codeOf(cause, false) != REFUSED) {
            return;
        }
        try {
            // no pre-image clone: the first stream changed no vnode, only the volume info
            if (t.preimageId != 0) {
                t.partition.recloneVolume(t.preimageId, t.volumeId, null);
            }
            try (Volume v = t.partition.openVolume(t.volumeId)) {
                v.writeDiskData(t.preimageInfo);
            }
            if (t.preimageMark != null) {
                LineageStore.write(t.partition, t.preimageMark);
            } else {
                LineageStore.remove(t.partition, t.volumeId);
            }
            log.log("Shadow lineage: volume " + vol(t.volumeId) + " on " + t.partition.name()
                + " put back as it was before this shadow's first stream ("
                + (t.preimageId != 0 ? "pre-image " + vol(t.preimageId) : "its volume info and mark; no vnode had changed")
                + ")");
        } catch (IOException e) {
            log.log("Shadow lineage: putting volume " + vol(t.volumeId) + " back from pre-image "
                + vol(t.preimageId) + " failed: " + e.getMessage());
            cause.addSuppressed(e);
        } finally {
            dropPreimage(t);
        }
    }

    private void takePreimage(Transaction t) throws IOException {
        NameiPartition p = t.partition;
        int id = pickPreimageId(p, t.volumeId);
        try (Volume pv = p.cloneVolume(t.volumeId, id, d -> d.name(PREIMAGE_NAME).inService(false)
            .destroyMe(VolumeDiskData.DESTROY_ME).inUse(0))) {
            pv.readDiskData();
        }
        t.preimageId = id;
        log.log("Shadow lineage: pre-image " + vol(id) + " of volume " + vol(t.volumeId) + " on " + p.name()
            + " taken: a stream whose lineage the next one confirms is about to change it");
    }

    private static int pickPreimageId(NameiPartition p, int targetId) throws IOException {
        long start = Integer.toUnsignedLong(targetId) % PREIMAGE_ID_SPAN;
        for (long i = 0; i < PREIMAGE_ID_SPAN; i++) {
            int id = (int) (PREIMAGE_ID_BASE + (start + i) % PREIMAGE_ID_SPAN);
            if (!p.volumeExists(id)) {
                return id;
            }
        }
        throw new IOException("no free pre-image volume id on " + p.name());
    }

    /** Deletes the transaction's pre-image, if any. Never throws. */
    void dropPreimage(Transaction t) {
        int id = t.preimageId;
        t.preimageId = 0;
        t.preimageInfo = null;
        t.preimageMark = null;
        t.preimagePending = false;
        if (id == 0) {
            return;
        }
        try {
            deleteIfPreimage(t.partition, id);
        } catch (IOException e) {
            log.log("Deleting pre-image " + vol(id) + " of volume " + vol(t.volumeId) + " failed: " + e.getMessage()
                + " (it is deleted at the next start)");
        }
    }

    private static boolean deleteIfPreimage(NameiPartition p, int id) throws IOException {
        if (!p.volumeExists(id)) {
            return false;
        }
        try (Volume v = p.openVolume(id)) {
            if (!PREIMAGE_NAME.equals(v.readDiskData().name())) {
                return false;
            }
        }
        p.deleteVolume(id);
        return true;
    }

    /** A volume was deleted: it is no longer a shadow. */
    void volumeDeleted(NameiPartition p, int volumeId) {
        try {
            if (LineageStore.remove(p, volumeId)) {
                log.log("Volume " + vol(volumeId) + " on " + p.name() + " deleted; its shadow mark is removed");
            }
        } catch (IOException e) {
            log.log("Removing the shadow mark of deleted volume " + vol(volumeId) + ": " + e.getMessage());
        }
    }

    /**
     * Start-up: pre-images left by a server that stopped mid-shadow are deleted (the shadow they
     * guarded was either confirmed or its transaction is gone). Returns the ids deleted.
     */
    static List<Integer> removeLeftoverPreimages(NameiPartition p, VolserLog log) throws IOException {
        List<Integer> done = new ArrayList<>();
        for (int id : p.listVolumeIds()) {
            if (Integer.toUnsignedLong(id) >= PREIMAGE_ID_BASE
                && Integer.toUnsignedLong(id) < PREIMAGE_ID_BASE + PREIMAGE_ID_SPAN && deleteIfPreimage(p, id)) {
                log.log("Partition " + p.name() + ": deleted leftover shadow pre-image " + vol(id));
                done.add(id);
            }
        }
        return done;
    }
}
