package afsdr.rx.rxkad;

import afsdr.rx.security.RxSecurityException;

/**
 * {@code rxkad_level} (rxkad.md §1, §7): what rxkad protects in each DATA packet, with the
 * security header and maximum trailer sizes {@code rxkad_SetLevel} gives the connection.
 */
public enum RxkadLevel {
    /** {@code rxkad_clear} (0): only the 16-bit header checksum. */
    CLEAR(0, 0, 0),
    /** {@code rxkad_auth} (1): a sealed length/sequence word in front of the data. */
    AUTH(1, 4, 4),
    /** {@code rxkad_crypt} (2): the whole payload PCBC-encrypted. */
    CRYPT(2, 8, 8);

    private final int wire;
    private final int headerSize;
    private final int trailerSize;

    RxkadLevel(int wire, int headerSize, int trailerSize) {
        this.wire = wire;
        this.headerSize = headerSize;
        this.trailerSize = trailerSize;
    }

    /** The value in challenges and responses. */
    public int wire() {
        return wire;
    }

    public int headerSize() {
        return headerSize;
    }

    public int maxTrailerSize() {
        return trailerSize;
    }

    /**
     * The level a peer named on the wire.
     *
     * @throws RxSecurityException RXKADLEVELFAIL when it is not 0..2 (what rxkad_CheckResponse answers
     *         to a level above crypt; rxkad.md §4.3 step 6)
     */
    public static RxkadLevel fromWire(int level) throws RxSecurityException {
        return switch (level) {
            case 0 -> CLEAR;
            case 1 -> AUTH;
            case 2 -> CRYPT;
            default -> throw new RxSecurityException(RxkadErrors.RXKADLEVELFAIL, "rxkad level " + level + " is not 0..2");
        };
    }
}
