package afsdr.rx.rxkad;

/**
 * The rxkad error table ({@code rxkad_errs.et}, com_err table "RXK", base 19270400; rxkad.md §2).
 * These travel in ABORT packets, so the numbers are wire constants.
 */
public final class RxkadErrors {
    private RxkadErrors() {}

    public static final int ERROR_TABLE_BASE_RXK = 19270400;
    /** Security module structure inconsistent. */
    public static final int RXKADINCONSISTENCY = 19270400;
    /** Packet too short for security challenge. */
    public static final int RXKADPACKETSHORT = 19270401;
    /** Security level negotiation failed. */
    public static final int RXKADLEVELFAIL = 19270402;
    /** Ticket length too short or too long. */
    public static final int RXKADTICKETLEN = 19270403;
    /** Packet had bad sequence number. */
    public static final int RXKADOUTOFSEQUENCE = 19270404;
    /** Caller not authorized. */
    public static final int RXKADNOAUTH = 19270405;
    /** Illegal key: bad parity or weak. */
    public static final int RXKADBADKEY = 19270406;
    /** Security object was passed a bad ticket. */
    public static final int RXKADBADTICKET = 19270407;
    /** Ticket contained unknown key version number. */
    public static final int RXKADUNKNOWNKEY = 19270408;
    /** Authentication expired. */
    public static final int RXKADEXPIRED = 19270409;
    /** Sealed data inconsistent. */
    public static final int RXKADSEALEDINCON = 19270410;
    /** User data too long. */
    public static final int RXKADDATALEN = 19270411;
    /** Caller not authorized to use encrypted connections. */
    public static final int RXKADILLEGALLEVEL = 19270412;

    private static final String[] NAMES = {
        "RXKADINCONSISTENCY", "RXKADPACKETSHORT", "RXKADLEVELFAIL", "RXKADTICKETLEN", "RXKADOUTOFSEQUENCE",
        "RXKADNOAUTH", "RXKADBADKEY", "RXKADBADTICKET", "RXKADUNKNOWNKEY", "RXKADEXPIRED", "RXKADSEALEDINCON",
        "RXKADDATALEN", "RXKADILLEGALLEVEL"};

    /** The OpenAFS name of an rxkad code, or null when the code is not in the table. */
    public static String name(int code) {
        int i = code - ERROR_TABLE_BASE_RXK;
        return i >= 0 && i < NAMES.length ? NAMES[i] : null;
    }
}
