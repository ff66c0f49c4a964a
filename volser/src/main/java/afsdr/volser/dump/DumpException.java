package afsdr.volser.dump;

import java.io.IOException;

/**
 * A dump or restore failed; {@link #volserCode()} is the code the stock volserver returns for the
 * same failure (volser.md §7.1), e.g. VOLSERREAD_DUMPERROR for a malformed stream or for a volume
 * whose data cannot be dumped.
 */
public class DumpException extends IOException {
    /** VOLSERREAD_DUMPERROR, "badly formatted dump". */
    public static final int VOLSERREAD_DUMPERROR = 1492325122;
    /** VOLSERDUMPERROR, "badly formatted dump(2)": the stock server's code when writing the stream fails. */
    public static final int VOLSERDUMPERROR = 1492325123;
    /** EINVAL: the stock DumpDumpHeader refuses a volume whose type is not RW, RO or BK. */
    public static final int EINVAL = 22;

    private final int volserCode;

    public DumpException(int volserCode, String message) {
        super(message);
        this.volserCode = volserCode;
    }

    public DumpException(int volserCode, String message, Throwable cause) {
        super(message, cause);
        this.volserCode = volserCode;
    }

    public int volserCode() {
        return volserCode;
    }

    /**
     * The VOLSER code for any failure of a dump ({@code dumping} true) or restore: a
     * DumpException's own code, otherwise what the stock server answers for an I/O failure on
     * that path (VOLSERDUMPERROR when writing a dump, VOLSERREAD_DUMPERROR when restoring).
     */
    public static int codeOf(Throwable t, boolean dumping) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof DumpException d) {
                return d.volserCode();
            }
        }
        return dumping ? VOLSERDUMPERROR : VOLSERREAD_DUMPERROR;
    }
}
