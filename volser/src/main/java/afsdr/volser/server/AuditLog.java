package afsdr.volser.server;

import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The -auditlog file: one record per RPC that changes a volume or a transaction, in the shape of the
 * stock "file" audit interface: time, event name (the stock AFS_VS_* names), result code, caller,
 * caller's host, then the event's arguments. Flushed per record: it is evidence.
 */
final class AuditLog implements Closeable {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("EEE MMM dd HH:mm:ss yyyy", Locale.ROOT);

    private final Writer out;
    private final Clock clock;

    private AuditLog(Writer out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    /** Opens (appends to) the audit file, or returns null when none is configured. */
    static AuditLog open(Path file, Clock clock) throws IOException {
        if (file == null) {
            return null;
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        return new AuditLog(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
            StandardOpenOption.APPEND, StandardOpenOption.WRITE), clock);
    }

    synchronized void record(String event, int code, String caller, String host, String args) {
        try {
            out.write(ZonedDateTime.now(clock).format(STAMP));
            out.write(" EVENT " + event + " CODE " + code + " NAME " + caller + " HOST " + host);
            if (!args.isEmpty()) {
                out.write(' ');
                out.write(args);
            }
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            System.err.println("volserver: audit log write failed: " + e + "; record was " + event + " " + args);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
