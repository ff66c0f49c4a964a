package afsdr.rx.rxkad;

/**
 * Ticket validity rules (rxkad.md §6.4–6.5; OpenAFS {@code tkt_CheckTimes}, {@code life_to_time},
 * {@code time_to_life}, lifetimes.h). Times are unsigned 32-bit Unix seconds held in longs; the
 * current time is always an argument.
 */
public final class TicketTimes {
    private TicketTimes() {}

    /** {@code KTC_TIME_UNCERTAINTY}: allowed clock skew, seconds. */
    public static final long KTC_TIME_UNCERTAINTY = 15 * 60;
    /** {@code MAXKTCTICKETLIFETIME}: 30 days. */
    public static final long MAXKTCTICKETLIFETIME = 30L * 24 * 3600;
    /** {@code NEVERDATE}: end time of a ticket that never expires. */
    public static final long NEVERDATE = 0xffffffffL;
    /** Life byte meaning "never expires". */
    public static final int LIFE_NEVER = 0xff;
    /** {@code TKTLIFENUMFIXED}: life bytes below this count 5-minute units. */
    public static final int TKTLIFENUMFIXED = 64;
    /** {@code TKTLIFEMINFIXED}: first life byte that indexes the table. */
    public static final int TKTLIFEMINFIXED = 0x80;
    /** {@code TKTLIFEMAXFIXED}: last life byte that indexes the table. */
    public static final int TKTLIFEMAXFIXED = 0xbf;
    /** {@code TKTLIFENOEXPIRE}. */
    public static final int TKTLIFENOEXPIRE = 0xff;
    private static final long FIVE_MINUTES = 300;

    /** {@code tkt_lifetimes}: seconds for life bytes 0x80..0xBF (fcrypt-tables.md §2). */
    private static final int[] TKT_LIFETIMES = {
        38400, 41055, 43894, 46929, 50174, 53643, 57352, 61318,
        65558, 70091, 74937, 80119, 85658, 91581, 97914, 104684,
        111922, 119661, 127935, 136781, 146239, 156350, 167161, 178720,
        191077, 204289, 218415, 233517, 249664, 266926, 285383, 305116,
        326213, 348769, 372885, 398668, 426234, 455705, 487215, 520904,
        556921, 595430, 636601, 680618, 727680, 777995, 831789, 889303,
        950794, 1016537, 1086825, 1161973, 1242318, 1328218, 1420057, 1518247,
        1623226, 1735464, 1855462, 1983758, 2120925, 2267576, 2424367, 2592000};

    /** Outcome of {@link #check}; {@link #code()} is the rxkad error, 0 when valid. */
    public enum Validity {
        VALID(0), BAD(RxkadErrors.RXKADBADTICKET), EXPIRED(RxkadErrors.RXKADEXPIRED), NOT_YET_VALID(RxkadErrors.RXKADNOAUTH);

        private final int code;

        Validity(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }
    }

    /** {@code life_to_time}: the end time of a Kerberos 4 ticket. */
    public static long lifeToTime(long start, int life) {
        life &= 0xff;
        if (life == TKTLIFENOEXPIRE) {
            return NEVERDATE;
        }
        if (life < TKTLIFEMINFIXED) {
            return (start + life * FIVE_MINUTES) & 0xffffffffL;
        }
        int idx = Math.min(life, TKTLIFEMAXFIXED) - TKTLIFEMINFIXED;
        return (start + TKT_LIFETIMES[idx]) & 0xffffffffL;
    }

    /**
     * {@code time_to_life}: the life byte for a ticket valid from start to end, or 0 when the
     * lifetime is not positive or above 30 days.
     */
    public static int timeToLife(long start, long end) {
        if (end == NEVERDATE) {
            return TKTLIFENOEXPIRE;
        }
        long lifetime = end - start;
        if (lifetime <= 0 || lifetime > MAXKTCTICKETLIFETIME) {
            return 0;
        }
        if (lifetime < TKT_LIFETIMES[0]) {
            return (int) ((lifetime + FIVE_MINUTES - 1) / FIVE_MINUTES);
        }
        for (int i = 0; i < TKT_LIFETIMES.length; i++) {
            if (TKT_LIFETIMES[i] >= lifetime) {
                return TKTLIFEMINFIXED + i;
            }
        }
        return 0; // unreachable: the last entry is 30 days
    }

    /** {@code tkt_CheckTimes} (rxkad.md §6.4). */
    public static Validity check(long start, long end, long now) {
        if (start >= end) {
            return Validity.BAD;
        }
        if (start > now + KTC_TIME_UNCERTAINTY + MAXKTCTICKETLIFETIME) {
            return Validity.BAD;
        }
        if (start != 0 && end != NEVERDATE && end - start > MAXKTCTICKETLIFETIME) {
            return Validity.BAD;
        }
        if (end != NEVERDATE && end + KTC_TIME_UNCERTAINTY < now) {
            if (start != 0 && now - start > MAXKTCTICKETLIFETIME + 24 * 60 * 60) {
                return Validity.BAD;
            }
            return Validity.EXPIRED;
        }
        if (start != 0 && start - KTC_TIME_UNCERTAINTY > now) {
            return Validity.NOT_YET_VALID;
        }
        return Validity.VALID;
    }
}
