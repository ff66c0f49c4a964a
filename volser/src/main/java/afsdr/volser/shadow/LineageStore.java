package afsdr.volser.shadow;

import afsdr.nativeio.Errno;
import afsdr.nativeio.NativeIoException;
import afsdr.partition.NameiPartition;
import afsdr.partition.VolumeHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * The shadow mark on disk: one small text file per shadow, {@code .afsdr-shadow-<id, 10 digits>}
 * at the partition root, next to the volume's {@code V<id>.vol} header.
 *
 * <p>Why there: the stock fileserver, volserver, salvager and volinfo only look at {@code V*.vol}
 * headers and the {@code AFSIDat} tree, so a file of another name at the root is invisible to them
 * (the restore journal, {@code .afsdr-restore-*}, relies on the same rule; the interop tests run
 * {@code salvager -nowrite} on a partition carrying marks). The volume header itself has no spare
 * field that the stock tools would leave alone, so the mark cannot live in it.
 *
 * <p>Format (ASCII, one field per line, in this order; numbers unsigned decimal; dates in seconds
 * since the epoch, 0 = unknown), so that an operator can read it with {@code cat}:
 * <pre>
 * afsdr shadow lineage 1
 * volume 536870912
 * source-volume 536870912
 * source-server 127.1.0.2
 * source-created 1795594061
 * last-update 1795594073
 * last-apply 1795594100
 * crc32 89abcdef
 * </pre>
 * The last line is the CRC-32 (8 lower-case hex digits) of every byte before it, so a truncated or
 * altered file is recognised rather than half-believed. Writes are atomic: a temporary file is
 * written and fsync'd, renamed over the mark, and the partition directory fsync'd; a reader sees
 * the old mark, the new one, or (for a new shadow) none.
 */
public final class LineageStore {
    /** File name prefix of a mark; the volume id follows as 10 decimal digits. */
    public static final String PREFIX = ".afsdr-shadow-";
    /** First line; the trailing number is the format version. */
    static final String MAGIC_LINE = "afsdr shadow lineage 1";
    /** Bound on a mark's size: the longest valid record is about 220 bytes. */
    static final int MAX_SIZE = 1024;
    private static final String[] KEYS = {"volume", "source-volume", "source-server", "source-created", "last-update",
        "last-apply"};

    private LineageStore() {
    }

    /** Path of the mark of {@code volumeId} on {@code p}. */
    public static Path path(NameiPartition p, int volumeId) {
        return p.path().resolve(fileName(volumeId));
    }

    static String fileName(int volumeId) {
        return PREFIX + VolumeHeader.tenDigits(volumeId);
    }

    // ------------------------------------------------------------------ codec (pure)

    public static byte[] encode(ShadowLineage l) {
        StringBuilder s = new StringBuilder();
        s.append(MAGIC_LINE).append('\n');
        s.append("volume ").append(Integer.toUnsignedString(l.volumeId())).append('\n');
        s.append("source-volume ").append(Integer.toUnsignedString(l.sourceVolumeId())).append('\n');
        s.append("source-server ").append(l.sourceServer()).append('\n');
        s.append("source-created ").append(Integer.toUnsignedString(l.sourceCreationDate())).append('\n');
        s.append("last-update ").append(Integer.toUnsignedString(l.lastUpdate())).append('\n');
        s.append("last-apply ").append(Integer.toUnsignedString(l.lastApply())).append('\n');
        byte[] body = s.toString().getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(body);
        s.append("crc32 ").append(String.format("%08x", crc.getValue())).append('\n');
        return s.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Parses a mark; {@code where} names it in errors. The record must be complete, in order, with
     * a matching CRC, and name {@code expectedVolume} (a mark copied to another id is refused).
     */
    public static ShadowLineage decode(byte[] b, String where, int expectedVolume) throws LineageFormatException {
        if (b.length > MAX_SIZE) {
            throw new LineageFormatException(where + ": " + b.length + " bytes, more than a lineage record ("
                + MAX_SIZE + ")");
        }
        for (byte x : b) {
            if (x != '\n' && (x < ' ' || x > '~')) {
                throw new LineageFormatException(where + ": not a lineage record (byte 0x"
                    + Integer.toHexString(x & 0xff) + ")");
            }
        }
        String text = new String(b, StandardCharsets.US_ASCII);
        if (!text.endsWith("\n")) {
            throw new LineageFormatException(where + ": truncated lineage record (" + b.length + " bytes, no final "
                + "newline)");
        }
        String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        if (lines.length == 0 || !lines[0].equals(MAGIC_LINE)) {
            throw new LineageFormatException(where + ": not a lineage record (first line '"
                + (lines.length > 0 ? lines[0] : "") + "')");
        }
        if (lines.length != KEYS.length + 2) {
            throw new LineageFormatException(where + ": truncated or extended lineage record (" + lines.length
                + " lines, expected " + (KEYS.length + 2) + ")");
        }
        String crcLine = lines[lines.length - 1];
        int bodyLength = text.length() - crcLine.length() - 1;
        if (!crcLine.startsWith("crc32 ") || crcLine.length() != 6 + 8) {
            throw new LineageFormatException(where + ": lineage record without its crc32 line");
        }
        // Lower-case only: a flipped case bit must not pass as the same checksum.
        if (!crcLine.substring(6).chars().allMatch(ch -> (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) {
            throw new LineageFormatException(where + ": bad crc32 '" + crcLine.substring(6) + "'");
        }
        long stored = Long.parseLong(crcLine.substring(6), 16);
        CRC32 crc = new CRC32();
        crc.update(b, 0, bodyLength);
        if (crc.getValue() != stored) {
            throw new LineageFormatException(where + ": lineage record damaged (crc32 " + String.format("%08x",
                crc.getValue()) + ", recorded " + crcLine.substring(6) + ")");
        }
        String[] v = new String[KEYS.length];
        for (int i = 0; i < KEYS.length; i++) {
            String line = lines[i + 1];
            if (!line.startsWith(KEYS[i] + " ") || line.length() == KEYS[i].length() + 1) {
                throw new LineageFormatException(where + ": line " + (i + 2) + " should be '" + KEYS[i]
                    + " <value>': '" + line + "'");
            }
            v[i] = line.substring(KEYS[i].length() + 1);
        }
        int volume = number(v[0], where, KEYS[0]);
        if (volume != expectedVolume) {
            throw new LineageFormatException(where + ": lineage record of volume " + Integer.toUnsignedString(volume)
                + ", not " + Integer.toUnsignedString(expectedVolume));
        }
        try {
            return new ShadowLineage(volume, number(v[1], where, KEYS[1]), v[2], number(v[3], where, KEYS[3]),
                number(v[4], where, KEYS[4]), number(v[5], where, KEYS[5]));
        } catch (IllegalArgumentException e) {
            throw new LineageFormatException(where + ": " + e.getMessage());
        }
    }

    private static int number(String s, String where, String key) throws LineageFormatException {
        if (s.isEmpty() || s.length() > 10 || !s.chars().allMatch(Character::isDigit)) {
            throw new LineageFormatException(where + ": " + key + " '" + s + "' is not an unsigned 32-bit number");
        }
        long n = Long.parseLong(s);
        if (n > 0xFFFFFFFFL) {
            throw new LineageFormatException(where + ": " + key + " " + s + " does not fit 32 bits");
        }
        return (int) n;
    }

    /** A date for operators: ISO-8601 UTC, or "unknown" for 0. */
    public static String date(int seconds) {
        return seconds == 0 ? "unknown" : Instant.ofEpochSecond(Integer.toUnsignedLong(seconds)).toString();
    }

    // ------------------------------------------------------------------ files

    /** The mark of {@code volumeId}, empty when the volume is not marked as a shadow. */
    public static Optional<ShadowLineage> read(NameiPartition p, int volumeId) throws IOException {
        Path f = path(p, volumeId);
        byte[] b;
        try {
            if (Files.size(f) > MAX_SIZE) {
                throw new LineageFormatException(f + ": " + Files.size(f) + " bytes, more than a lineage record");
            }
            b = Files.readAllBytes(f);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        return Optional.of(decode(b, f.toString(), volumeId));
    }

    /** Writes (or replaces) the mark atomically and durably. */
    public static void write(NameiPartition p, ShadowLineage l) throws IOException {
        byte[] rec = encode(l);
        p.replaceRootFile(fileName(l.volumeId()), ByteBuffer.allocateDirect(rec.length).put(rec).flip(), 0644);
    }

    /** Removes the mark (the volume is no longer a shadow); true if there was one. */
    public static boolean remove(NameiPartition p, int volumeId) throws IOException {
        try {
            p.posix().unlink(path(p, volumeId).toString());
        } catch (NativeIoException e) {
            if (e.errno() == Errno.ENOENT) {
                return false;
            }
            throw e;
        }
        p.posix().fsyncDirectory(p.path().toString());
        return true;
    }

    /** One mark found on a partition: its lineage, or why it could not be read. */
    public record Entry(int volumeId, ShadowLineage lineage, String error) {
    }

    /** Every mark on {@code p}, in volume id order; unreadable ones carry their error. */
    public static List<Entry> list(NameiPartition p) throws IOException {
        List<Entry> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(p.path(), PREFIX + "*")) {
            for (Path f : ds) {
                String n = f.getFileName().toString();
                String digits = n.substring(PREFIX.length());
                if (digits.length() != 10 || !digits.chars().allMatch(Character::isDigit)
                    || Long.parseLong(digits) > 0xFFFFFFFFL) {
                    continue; // a .tmp left by a crash mid-write, or not ours
                }
                int id = (int) Long.parseLong(digits);
                try {
                    out.add(new Entry(id, read(p, id).orElse(null), null));
                } catch (IOException e) {
                    out.add(new Entry(id, null, e.getMessage()));
                }
            }
        }
        out.removeIf(e -> e.lineage() == null && e.error() == null);
        out.sort((x, y) -> Integer.compareUnsigned(x.volumeId(), y.volumeId()));
        return out;
    }
}
