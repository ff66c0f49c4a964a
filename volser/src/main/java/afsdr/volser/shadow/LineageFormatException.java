package afsdr.volser.shadow;

import java.io.IOException;

/** A lineage file that is not one complete record of ours (truncated, altered, foreign). */
public final class LineageFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public LineageFormatException(String message) {
        super(message);
    }
}
