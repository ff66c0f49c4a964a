package afsdr.partition;

import java.io.IOException;

/** The volume's header file already exists (VVOLEXISTS, 104). */
public class VolumeExistsException extends IOException {
    private static final long serialVersionUID = 1L;

    public VolumeExistsException(String partition, long volumeId) {
        super("volume " + volumeId + " already exists on " + partition);
    }
}
