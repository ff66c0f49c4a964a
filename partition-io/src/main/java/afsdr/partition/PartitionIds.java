package afsdr.partition;

/** Vice partition names and ids (volutil_GetPartitionID, disk-format.md §1): a..z = 0..25, aa..iu = 26..254. */
public final class PartitionIds {
    /** VOLMAXPARTS. */
    public static final int MAX_PARTITIONS = 255;

    private PartitionIds() {
    }

    /** The id of "/vicepX", "vicepX" or "X"; -1 if not a valid partition name. */
    public static int idOf(String name) {
        String s = name;
        if (s.startsWith("/")) {
            s = s.substring(1);
        }
        if (s.startsWith("vicep")) {
            s = s.substring(5);
        }
        if (s.length() == 1) {
            char c = s.charAt(0);
            return c >= 'a' && c <= 'z' ? c - 'a' : -1;
        }
        if (s.length() == 2) {
            char c1 = s.charAt(0);
            char c2 = s.charAt(1);
            if (c1 < 'a' || c1 > 'z' || c2 < 'a' || c2 > 'z') {
                return -1;
            }
            int id = 26 + (c1 - 'a') * 26 + (c2 - 'a');
            return id < MAX_PARTITIONS ? id : -1;
        }
        return -1;
    }

    /** "/vicepa" for 0 ... "/vicepiu" for 254. */
    public static String nameOf(int id) {
        if (id < 0 || id >= MAX_PARTITIONS) {
            throw new IllegalArgumentException("partition id " + id);
        }
        if (id < 26) {
            return "/vicep" + (char) ('a' + id);
        }
        int r = id - 26;
        return "/vicep" + (char) ('a' + r / 26) + (char) ('a' + r % 26);
    }
}
