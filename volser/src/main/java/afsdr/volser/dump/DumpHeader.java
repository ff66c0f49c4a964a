package afsdr.volser.dump;

import java.util.Arrays;

/**
 * The dump header section (dump-format.md §3): the dumped volume's id and name and the dump time
 * pairs. Writers emit one pair (fromDate, toDate); {@code dumpTimes} holds every pair read, flat:
 * from0, to0, from1, to1...
 *
 * @param version    the DUMPVERSION found (the stock reader does not check it)
 * @param volumeId   'v': id of the dumped volume (a temporary clone's id for clone dumps)
 * @param name       'n': volume name as raw bytes (ISO-8859-1), at most {@link #NAME_MAX} bytes kept
 */
public record DumpHeader(int version, int volumeId, String name, int[] dumpTimes) {
    /** Bytes of the name a reader keeps (struct DumpHeader volumeName[VNAMESIZE] less the NUL). */
    public static final int NAME_MAX = 31;

    public DumpHeader {
        dumpTimes = dumpTimes.clone();
        if ((dumpTimes.length & 1) != 0) {
            throw new IllegalArgumentException("dump times come in (from, to) pairs");
        }
    }

    public static DumpHeader of(int volumeId, String name, int fromDate, int toDate) {
        return new DumpHeader(DumpTags.DUMPVERSION, volumeId, name, new int[] {fromDate, toDate});
    }

    @Override
    public int[] dumpTimes() {
        return dumpTimes.clone();
    }

    /** From-date of the first pair: 0 for a full dump. */
    public int fromDate() {
        return dumpTimes.length > 0 ? dumpTimes[0] : 0;
    }

    /** To-date of the first pair (the volume's update/creation/backup date). */
    public int toDate() {
        return dumpTimes.length > 1 ? dumpTimes[1] : 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DumpHeader h && h.version == version && h.volumeId == volumeId && h.name.equals(name)
            && Arrays.equals(h.dumpTimes, dumpTimes);
    }

    @Override
    public int hashCode() {
        return (31 * volumeId + name.hashCode()) * 31 + Arrays.hashCode(dumpTimes);
    }

    @Override
    public String toString() {
        return "DumpHeader{volume=" + Integer.toUnsignedString(volumeId) + ", name=" + name + ", times="
            + Arrays.toString(dumpTimes) + "}";
    }
}
