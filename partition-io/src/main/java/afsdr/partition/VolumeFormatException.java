package afsdr.partition;

import java.io.IOException;

/**
 * An on-disk structure of a volume is missing, truncated or corrupt. The message names the file
 * and the volume; nothing was written because of it.
 */
public class VolumeFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final long volumeId;

    public VolumeFormatException(String file, long volumeId, String detail) {
        super((volumeId == 0 ? "" : "volume " + Integer.toUnsignedString((int) volumeId) + ", ") + file + ": " + detail);
        this.file = file;
        this.volumeId = volumeId;
    }

    public VolumeFormatException(String file, long volumeId, String detail, Throwable cause) {
        this(file, volumeId, detail);
        initCause(cause);
    }

    public String file() {
        return file;
    }

    public long volumeId() {
        return volumeId;
    }
}
