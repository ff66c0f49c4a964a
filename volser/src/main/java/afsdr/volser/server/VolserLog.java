package afsdr.volser.server;

import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The VolserLog: one line per event, each prefixed with the local time in the ctime-like form the
 * stock servers use ("Wed Nov 25 09:44:12 2026 ", day of month zero-padded), so existing log readers and operators' greps
 * keep working. Lines are flushed as written: the log is what an operator reads after a crash.
 */
public final class VolserLog implements Closeable {
    private static final DateTimeFormatter STAMP =
        DateTimeFormatter.ofPattern("EEE MMM dd HH:mm:ss yyyy", Locale.ROOT);

    private final Writer out;
    private final Clock clock;

    private VolserLog(Writer out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    /**
     * Opens the log. With {@code transarcStyle} an existing log is first renamed to
     * {@code <name>.old} (the stock -transarc-logs behaviour); otherwise new lines are appended.
     */
    public static VolserLog open(Path file, boolean transarcStyle, Clock clock) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (transarcStyle && Files.exists(file)) {
            Files.move(file, file.resolveSibling(file.getFileName() + ".old"), StandardCopyOption.REPLACE_EXISTING);
        }
        Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        return new VolserLog(w, clock);
    }

    public synchronized void log(String message) {
        try {
            out.write(ZonedDateTime.now(clock).format(STAMP));
            out.write(' ');
            out.write(message);
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            // A log that cannot be written must not take the server down; say so where we still can.
            System.err.println("VolserLog write failed: " + e + "; message was: " + message);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
