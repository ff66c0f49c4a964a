package afsdr.volser.shadow;

/**
 * Where a shadow volume on this server comes from: the "shadow mark" OpenAFS 1.8 lacks (vos-flows.md
 * §2.5: a stock shadow is an ordinary volume and nothing checks that an incremental comes from the
 * same source, §2.6). Kept durably next to the volume by {@link LineageStore}.
 *
 * <p>The identity of a lineage is ({@link #sourceVolumeId}, {@link #sourceCreationDate}): a
 * different source volume, or the same id re-created (a new creation date), is another lineage.
 * The other fields are what an operator wants to see.
 *
 * @param volumeId           the shadow (our volume)
 * @param sourceVolumeId     the source's volume group id (the parentId in its dump: the same in the
 *                           temporary clone's dump that vos shadow forwards first and in the live
 *                           volume's dump that follows)
 * @param sourceServer       IPv4 address of the server the last apply came from (the forwarding
 *                           volserver, or the vos client for a dump it piped in)
 * @param sourceCreationDate the source volume's creationDate, seconds since the epoch; 0 while
 *                           unknown (a temporary clone's dump carries the clone's date instead)
 * @param lastUpdate         the source's updateDate as of the last apply (the dump's volume header)
 * @param lastApply          our clock when the last apply committed
 */
public record ShadowLineage(int volumeId, int sourceVolumeId, String sourceServer, int sourceCreationDate,
                            int lastUpdate, int lastApply) {
    /** Longest source-server text kept (an IPv4 dotted quad, or a host name from an older writer). */
    public static final int MAX_SERVER = 64;

    public ShadowLineage {
        if (sourceServer == null || sourceServer.isEmpty() || sourceServer.length() > MAX_SERVER
            || !sourceServer.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
            throw new IllegalArgumentException("source server must be 1.." + MAX_SERVER
                + " printable ASCII characters without blanks: '" + sourceServer + "'");
        }
    }

    /** What a dump stream says about its source (see {@link #sameSource}). */
    public record Source(int volumeId, int creationDate, int updateDate) {
        /** The creation date is 0 when the stream cannot tell (a temporary clone's dump). */
        public boolean creationKnown() {
            return creationDate != 0;
        }
    }

    /**
     * Whether {@code s} is this lineage's source: same volume group, and the same creation date
     * whenever both sides know it.
     */
    public boolean sameSource(Source s) {
        if (s.volumeId() != sourceVolumeId) {
            return false;
        }
        return !s.creationKnown() || sourceCreationDate == 0 || s.creationDate() == sourceCreationDate;
    }

    /** The lineage after one more apply from {@code s} by {@code server} at {@code now}. */
    public ShadowLineage applied(Source s, String server, int now) {
        int created = s.creationKnown() ? s.creationDate() : sourceCreationDate;
        return new ShadowLineage(volumeId, sourceVolumeId, server, created, s.updateDate(), now);
    }

    /** A new lineage: the first apply of {@code s} onto {@code volumeId}. */
    public static ShadowLineage first(int volumeId, Source s, String server, int now) {
        return new ShadowLineage(volumeId, s.volumeId(), server, s.creationDate(), s.updateDate(), now);
    }

    /** For log lines: "source volume S created C on server X, last update U". */
    public String describe() {
        return "source volume " + Integer.toUnsignedString(sourceVolumeId) + " created "
            + LineageStore.date(sourceCreationDate) + " from " + sourceServer + ", last update "
            + LineageStore.date(lastUpdate) + ", last apply " + LineageStore.date(lastApply);
    }

    public static String describe(Source s) {
        return "source volume " + Integer.toUnsignedString(s.volumeId()) + " created "
            + LineageStore.date(s.creationDate()) + ", updated " + LineageStore.date(s.updateDate());
    }
}
