package afsdr.partition;

import java.io.IOException;

/** No header file for the volume on this partition (the condition OpenAFS reports as VNOVOL, 103). */
public class NoSuchVolumeException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long volumeId;

    public NoSuchVolumeException(String partition, long volumeId) {
        super("no volume " + volumeId + " on " + partition);
        this.volumeId = volumeId;
    }

    public long volumeId() {
        return volumeId;
    }
}
