package afsdr.partition.dir;

import java.io.IOException;

/** A directory operation failed: corrupt directory, name exists (EEXIST), or directory full (EFBIG). */
public class DirectoryException extends IOException {
    private static final long serialVersionUID = 1L;

    public DirectoryException(String message) {
        super(message);
    }
}
