package afsdr.partition;

/**
 * The namei "flipbase64" file-name encoding (int64_to_flipbase64, disk-format.md §4.3): base-64
 * digits, least significant 6 bits first, alphabet {@code +=0-9A-Za-z}; 0 is "+".
 */
public final class FlipBase64 {
    private static final String ALPHABET = "+=0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private FlipBase64() {
    }

    public static String encode(long value) {
        if (value == 0) {
            return "+";
        }
        StringBuilder sb = new StringBuilder(11);
        long v = value;
        while (v != 0) {
            sb.append(ALPHABET.charAt((int) (v & 0x3f)));
            v >>>= 6;
        }
        return sb.toString();
    }

    /** Inverse of {@link #encode}; IllegalArgumentException for a character outside the alphabet. */
    public static long decode(String s) {
        if (s.isEmpty() || s.length() > 11) {
            throw new IllegalArgumentException("not a flipbase64 name: '" + s + "'");
        }
        long v = 0;
        for (int i = s.length() - 1; i >= 0; i--) {
            int d = ALPHABET.indexOf(s.charAt(i));
            if (d < 0) {
                throw new IllegalArgumentException("not a flipbase64 name: '" + s + "'");
            }
            v = (v << 6) | d;
        }
        return v;
    }
}
