package afsdr.volser.dump;

/**
 * The dump stream is malformed (truncated, wrong magic, bad tag, bad length, trailing bytes...).
 * Carries the stream offset of the offending byte, the tag being parsed and what was expected;
 * maps to VOLSERREAD_DUMPERROR as in the stock RestoreVolume.
 */
public final class DumpFormatException extends DumpException {
    private final long offset;
    private final int tag;
    private final String section;

    /**
     * @param offset  byte offset in the stream where the problem was found
     * @param section "dump header", "volume header", "vnode 17" ...
     * @param tag     the tag whose value was being read, -1 if none
     * @param problem what was expected and what was found
     */
    public DumpFormatException(long offset, String section, int tag, String problem) {
        super(VOLSERREAD_DUMPERROR, "bad dump stream at offset " + offset + " in " + section
            + (tag >= 0 ? ", tag " + DumpTags.describe(tag) : "") + ": " + problem);
        this.offset = offset;
        this.tag = tag;
        this.section = section;
    }

    public long offset() {
        return offset;
    }

    /** The tag being read, or -1. */
    public int tag() {
        return tag;
    }

    public String section() {
        return section;
    }
}
