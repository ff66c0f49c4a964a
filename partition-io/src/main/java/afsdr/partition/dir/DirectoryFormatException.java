package afsdr.partition.dir;

/** A directory file that does not follow the AFS directory format (dump-format.md §9). */
public class DirectoryFormatException extends DirectoryException {
    private static final long serialVersionUID = 1L;

    public DirectoryFormatException(String message) {
        super(message);
    }
}
