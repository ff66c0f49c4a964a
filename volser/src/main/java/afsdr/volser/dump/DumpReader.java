package afsdr.volser.dump;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import afsdr.partition.NameiInode;
import afsdr.partition.VnodeClass;
import afsdr.partition.VnodeDiskObject;
import afsdr.partition.VolumeDiskData;
import afsdr.partition.VolumeFormatException;

/**
 * Pull parser of the volume dump stream (dump-format.md), accepting what the stock RestoreVolume
 * accepts (including the §7 extension rules for unknown tags) and refusing the rest with a
 * {@link DumpFormatException} that names the offset, the tag and what was expected.
 *
 * <pre>
 * DumpReader r = new DumpReader(in);
 * DumpHeader h = r.readDumpHeader();
 * VolumeDiskData vol = r.readVolumeHeader();
 * for (DumpReader.Section s; (s = r.next(consumer)) != Section.END; ) {
 *     if (s == Section.VNODE) ... r.vnode() ...            // file data went to consumer
 *     else ... r.volumeHeader() ...                          // a further D_VOLUMEHEADER
 * }
 * </pre>
 *
 * <p>Memory is bounded independently of the stream: file data is handed to the
 * {@link DataConsumer} as a length-limited stream over the input (never buffered), strings keep
 * only as many bytes as their on-disk field holds, unknown attributes are skipped without
 * allocating, and every count is checked before anything is sized by it. END is returned only
 * after the end marker's magic and the end of the stream (trailing bytes are an error, as in the
 * stock server) were seen.
 *
 * <p>Not thread-safe.
 */
public final class DumpReader {
    private static final System.Logger LOG = System.getLogger(DumpReader.class.getName());

    /** What {@link #next} found. */
    public enum Section {
        /** A D_VNODE record: see {@link #vnode()}. */
        VNODE,
        /** A further D_VOLUMEHEADER section (legal, never written by OpenAFS): see {@link #volumeHeader()}. */
        VOLUME_HEADER,
        /** D_DUMPEND with the right magic, followed by the end of the stream. */
        END
    }

    /** Receives the file data of a vnode ('f' / 'h' item). */
    @FunctionalInterface
    public interface DataConsumer {
        /**
         * @param soFar  the vnode's attributes read before the data item (the stock writer puts
         *               the data last, so these are all of them), with {@code dataLength} set
         * @param length number of bytes in {@code data}
         * @param data   exactly {@code length} bytes; reading past a truncated stream throws
         *               {@link DumpFormatException}. Bytes the consumer leaves unread are skipped.
         */
        void accept(DumpVnode soFar, long length, InputStream data) throws IOException;
    }

    /** Consumer that discards file data. */
    public static final DataConsumer SKIP_DATA = (v, len, data) -> { };

    /** Largest vnode number a namei volume can hold (26-bit field, all-ones reserved for specials). */
    public static final int MAX_VNODE_NUMBER = NameiInode.INODESPECIAL - 1;

    /**
     * Uniquifiers every volume is granted for {@link #vnodeNumberLimit}, whatever its header says: a
     * dump without a 'u' (uniquifier 0) may still name vnodes up to twice this (a vnode index of
     * at most 16 MiB), and a volume whose uniquifier rolled over recently keeps some room.
     */
    static final long UNIQUIFIER_FLOOR = 1 << 16;

    private static final int SECTION_DUMP_HEADER = 0;
    private static final int SECTION_VOLUME_HEADER = 1;
    private static final int SECTION_VNODE = 2;
    /**
     * Tags the stock reader registers as "old" (non-TLV) for the volume header section; its
     * HandleUnknownTag checks an unknown 0x06..0x60 tag of any section against this set and aborts
     * on a match instead of reading a length (initNonStandardTags / ReadStandardTagLen).
     */
    private static final String OLD_VOLUME_HEADER_TAGS = "ACDEMUWZObnst";

    /** Attribute tags of a vnode record. */
    private static final String VNODE_ATTRIBUTE_TAGS = "tlvmsaogbpAfh";

    private static final int VDD_NAME = 12;
    private static final int VDD_OFFLINE_MESSAGE = 296;
    private static final int VDD_OFFLINE_MESSAGE_SIZE = 128;
    private static final int VDD_WEEK_USE = 164;

    private enum State { START, DUMP_HEADER_READ, BODY, ENDED }

    private final DumpInput in;
    private State state = State.START;
    /** The section-ending tag read after the last attribute, not yet acted on. */
    private int pendingTag;
    private DumpVnode vnode;
    private VolumeDiskData volumeHeader;
    /** Largest uniquifier this stream has shown: its volume header's and its vnodes' (unsigned). */
    private long uniquifierReach;

    public DumpReader(InputStream in) {
        this.in = new DumpInput(in);
    }

    /** Offset in the stream of the next unread byte (= bytes consumed). */
    public long offset() {
        return in.offset();
    }

    /** The dump header section (D_DUMPHEADER, magic, version, attributes). */
    public DumpHeader readDumpHeader() throws IOException {
        requireState(State.START, "readDumpHeader");
        in.section = "dump header";
        int t = in.peekRead();
        if (t != DumpTags.D_DUMPHEADER) {
            throw in.error(-1, "expected D_DUMPHEADER (0x01) as first byte, found "
                + (t < 0 ? "end of stream" : String.format("0x%02x", t)));
        }
        long magicAt = in.offset();
        int magic = in.i32(DumpTags.D_DUMPHEADER, "DUMPBEGINMAGIC");
        if (magic != DumpTags.DUMPBEGINMAGIC) {
            throw new DumpFormatException(magicAt, in.section, DumpTags.D_DUMPHEADER, String.format(
                "expected DUMPBEGINMAGIC 0x%08x, found 0x%08x", DumpTags.DUMPBEGINMAGIC, magic));
        }
        int version = in.i32(DumpTags.D_DUMPHEADER, "DUMPVERSION");
        int volumeId = 0;
        String name = "";
        int[] times = new int[0];
        int critical = 0;
        int tag;
        while ((tag = in.peekRead()) > DumpTags.D_MAX) {
            critical = critical > 0 ? critical - 1 : 0;
            switch (tag) {
                case 'v' -> volumeId = in.i32(tag, "volume id");
                case 'n' -> name = new String(in.string(tag, DumpHeader.NAME_MAX + 1, "volume name"),
                    StandardCharsets.ISO_8859_1);
                case 't' -> {
                    int n = in.u16(tag, "dump time count");
                    if (n > 2 * DumpTags.MAX_DUMP_TIMES || (n & 1) != 0) {
                        throw in.error(tag, "dump time count " + n + " is not an even number up to "
                            + 2 * DumpTags.MAX_DUMP_TIMES);
                    }
                    times = new int[n];
                    for (int i = 0; i < n; i++) {
                        times[i] = in.i32(tag, "dump time " + i);
                    }
                }
                case DumpTags.CRITICAL_NEXT -> critical = 2;
                default -> skipUnknown(tag, SECTION_DUMP_HEADER, critical > 0);
            }
        }
        if (tag < 0) {
            throw in.error(-1, "stream ends after the dump header (expected D_VOLUMEHEADER)");
        }
        if (volumeId == 0 || times.length == 0) {
            throw in.error(tag, "dump header lacks " + (volumeId == 0 ? "a volume id ('v')" : "dump times ('t')"));
        }
        pendingTag = tag;
        state = State.DUMP_HEADER_READ;
        return new DumpHeader(version, volumeId, name, times);
    }

    /** The (first) volume header section; must follow the dump header. */
    public VolumeDiskData readVolumeHeader() throws IOException {
        requireState(State.DUMP_HEADER_READ, "readVolumeHeader");
        if (pendingTag != DumpTags.D_VOLUMEHEADER) {
            throw new DumpFormatException(in.offset() - 1, "dump header", pendingTag,
                "expected D_VOLUMEHEADER (0x02) after the dump header");
        }
        volumeHeader = parseVolumeHeader();
        uniquifierReach = Math.max(uniquifierReach, Integer.toUnsignedLong(volumeHeader.uniquifier()));
        state = State.BODY;
        return volumeHeader;
    }

    /** {@link #next(DataConsumer)} discarding file data. */
    public Section next() throws IOException {
        return next(SKIP_DATA);
    }

    /**
     * Parse the next section: a vnode record (its file data, if any, is passed to {@code data}
     * while parsing), a further volume header, or the end marker.
     */
    public Section next(DataConsumer data) throws IOException {
        requireState(State.BODY, "next");
        int tag = pendingTag;
        vnode = null;
        switch (tag) {
            case DumpTags.D_VNODE -> {
                vnode = parseVnode(data);
                return Section.VNODE;
            }
            case DumpTags.D_VOLUMEHEADER -> {
                volumeHeader = parseVolumeHeader();
                uniquifierReach = Math.max(uniquifierReach, Integer.toUnsignedLong(volumeHeader.uniquifier()));
                return Section.VOLUME_HEADER;
            }
            case DumpTags.D_DUMPEND -> {
                in.section = "end marker";
                long at = in.offset();
                int magic = in.i32(tag, "DUMPENDMAGIC");
                if (magic != DumpTags.DUMPENDMAGIC) {
                    throw new DumpFormatException(at, in.section, tag, String.format(
                        "expected DUMPENDMAGIC 0x%08x, found 0x%08x", DumpTags.DUMPENDMAGIC, magic));
                }
                int extra = in.peekRead();
                if (extra >= 0) {
                    throw new DumpFormatException(in.offset() - 1, in.section, tag, String.format(
                        "expected end of stream after the end marker, found byte 0x%02x", extra));
                }
                state = State.ENDED;
                return Section.END;
            }
            default -> throw new DumpFormatException(tag < 0 ? in.offset() : in.offset() - 1, in.section, tag,
                "expected D_VNODE (0x03), D_VOLUMEHEADER (0x02) or D_DUMPEND (0x04), found "
                    + (tag < 0 ? "end of stream" : DumpTags.describe(tag)));
        }
    }

    /** The record returned by the last {@link #next} that returned VNODE. */
    public DumpVnode vnode() {
        if (vnode == null) {
            throw new IllegalStateException("no vnode record is current");
        }
        return vnode;
    }

    /** The latest volume header read (first one, or the one of the last VOLUME_HEADER). */
    public VolumeDiskData volumeHeader() {
        if (volumeHeader == null) {
            throw new IllegalStateException("no volume header read yet");
        }
        return volumeHeader;
    }

    private void requireState(State s, String op) {
        if (state != s) {
            throw new IllegalStateException(op + " called in state " + state);
        }
    }

    private VolumeDiskData parseVolumeHeader() throws IOException {
        in.section = "volume header";
        // ReadVolumeHeader starts from a zeroed VolumeDiskData; values not in the dump stay zero.
        byte[] raw = new byte[VolumeDiskData.SIZE];
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, VolumeDiskData.MAGIC).putInt(4, VolumeDiskData.VERSION);
        int critical = 0;
        int tag;
        while ((tag = in.peekRead()) > DumpTags.D_MAX) {
            critical = critical > 0 ? critical - 1 : 0;
            switch (tag) {
                case 'i' -> b.putInt(8, in.i32(tag, "volume id"));
                case 'v' -> in.i32(tag, "stamp version"); // ignored, as the stock reader does
                case 'n' -> putBytes(raw, VDD_NAME, VolumeDiskData.NAME_SIZE,
                    in.string(tag, VolumeDiskData.NAME_SIZE, "volume name"));
                case 's' -> b.put(45, (byte) in.u8(tag, "inService"));
                case 'b' -> b.put(46, (byte) in.u8(tag, "blessed"));
                case 'u' -> b.putInt(48, in.i32(tag, "uniquifier"));
                case 't' -> b.putInt(52, in.u8(tag, "type"));
                case 'p' -> b.putInt(56, in.i32(tag, "parentId"));
                case 'c' -> b.putInt(60, in.i32(tag, "cloneId"));
                case 'q' -> b.putInt(100, in.i32(tag, "maxquota"));
                case 'm' -> b.putInt(104, in.i32(tag, "minquota"));
                case 'd' -> b.putInt(156, in.i32(tag, "diskused"));
                case 'f' -> b.putInt(152, in.i32(tag, "filecount"));
                case 'a' -> b.putInt(112, in.i32(tag, "accountNumber"));
                case 'o' -> b.putInt(116, in.i32(tag, "owner"));
                case 'C' -> b.putInt(240, in.i32(tag, "creationDate"));
                case 'A' -> b.putInt(244, in.i32(tag, "accessDate"));
                case 'U' -> b.putInt(248, in.i32(tag, "updateDate"));
                case 'E' -> b.putInt(252, in.i32(tag, "expirationDate"));
                case 'B' -> b.putInt(256, in.i32(tag, "backupDate"));
                case 'O' -> putBytes(raw, VDD_OFFLINE_MESSAGE, VDD_OFFLINE_MESSAGE_SIZE,
                    in.string(tag, VDD_OFFLINE_MESSAGE_SIZE, "offline message"));
                // The old motd slot: the stock reader copies it over the detailed statistics
                // (which a restore then overwrites or clears); writers send "". Read and dropped.
                case 'M' -> in.string(tag, VDD_OFFLINE_MESSAGE_SIZE, "motd");
                case 'W' -> {
                    int n = in.u16(tag, "weekUse count");
                    for (int i = 0; i < n; i++) {
                        int v = in.i32(tag, "weekUse[" + i + "]");
                        if (i < DumpTags.WEEK_USE_SLOTS) {
                            b.putInt(VDD_WEEK_USE + 4 * i, v);
                        }
                    }
                }
                case 'D' -> b.putInt(192, in.i32(tag, "dayUseDate"));
                case 'Z' -> b.putInt(160, in.i32(tag, "dayUse"));
                case 'V' -> in.i32(tag, "volUpdateCounter"); // read and discarded, as the stock reader does
                case DumpTags.CRITICAL_NEXT -> critical = 2;
                default -> skipUnknown(tag, SECTION_VOLUME_HEADER, critical > 0);
            }
        }
        pendingTag = tag;
        int id = b.getInt(8);
        try {
            return VolumeDiskData.decode(raw, "dump stream", Integer.toUnsignedLong(id));
        } catch (VolumeFormatException e) {
            throw new IllegalStateException("volume info built from a dump does not decode", e);
        }
    }

    private static void putBytes(byte[] raw, int off, int size, byte[] v) {
        System.arraycopy(v, 0, raw, off, Math.min(v.length, size - 1));
    }

    /**
     * The largest vnode number a volume can hold when its uniquifiers reach {@code uniquifierReach}
     * (the larger of the volume header's uniquifier, which the fileserver keeps above every one it
     * handed out, and any vnode's seen so far). The fileserver gives each new vnode the next
     * uniquifier (the root 1.1 the first) and the lowest free slot of its class, so slot s is only
     * ever taken after at least s other vnodes were made: s < uniquifier, vnode number 2s+1 or
     * 2s+2 ≤ 2 × uniquifier. A uniquifier that rolled over (after 2^32 creations) is covered by
     * the older vnodes' uniquifiers, seen first in the ascending order of a dump, and by
     * {@link #UNIQUIFIER_FLOOR}. Never above {@link #MAX_VNODE_NUMBER}.
     */
    public static long vnodeNumberLimit(long uniquifierReach) {
        return Math.min(MAX_VNODE_NUMBER, 2 * Math.max(uniquifierReach, UNIQUIFIER_FLOOR));
    }

    private DumpVnode parseVnode(DataConsumer consumer) throws IOException {
        long start = in.offset() - 1;
        in.section = "vnode record at offset " + start;
        int vn = in.i32(DumpTags.D_VNODE, "vnode number");
        if (vn <= 0 || vn > MAX_VNODE_NUMBER) {
            throw new DumpFormatException(in.offset() - 4, in.section, DumpTags.D_VNODE, "vnode number "
                + Integer.toUnsignedString(vn) + " outside 1.." + MAX_VNODE_NUMBER);
        }
        in.section = "vnode " + vn;
        long numberAt = in.offset() - 4;
        int uniq = in.i32(DumpTags.D_VNODE, "uniquifier");
        uniquifierReach = Math.max(uniquifierReach, Integer.toUnsignedLong(uniq));
        long limit = vnodeNumberLimit(uniquifierReach);
        if (vn > limit) {
            // The stock reader would write the record that far into a sparse vnode index (GiB for
            // a 26-bit number) that every later scan of the volume then has to read through.
            throw new DumpFormatException(numberAt, in.section, DumpTags.D_VNODE, "vnode number " + vn
                + " beyond " + limit + ", the most a volume whose uniquifiers reach " + uniquifierReach
                + " can have used (a new vnode takes its class's lowest free slot and the next uniquifier)");
        }
        boolean full = false;
        boolean sawData = false;
        int type = 0, linkCount = 0, dataVersion = 0, mtime = 0, author = 0, owner = 0, group = 0, mode = 0;
        int parent = 0, smt = 0;
        byte[] acl = null;
        long dataLength = -1;
        int critical = 0;
        int tag;
        while ((tag = in.peekRead()) > DumpTags.D_MAX) {
            // The stock reader treats a record with any attribute as full; an unknown
            // (skipped) extension tag alone leaves it header-only here, so that an extension
            // added to header-only records cannot turn them into free slots.
            full |= VNODE_ATTRIBUTE_TAGS.indexOf(tag) >= 0;
            critical = critical > 0 ? critical - 1 : 0;
            switch (tag) {
                case 't' -> type = in.u8(tag, "type");
                case 'l' -> linkCount = (short) in.u16(tag, "linkCount");
                case 'v' -> dataVersion = in.i32(tag, "dataVersion");
                case 'm' -> mtime = in.i32(tag, "unixModifyTime");
                case 's' -> smt = in.i32(tag, "serverModifyTime");
                case 'a' -> author = in.i32(tag, "author");
                case 'o' -> owner = in.i32(tag, "owner");
                case 'g' -> group = in.i32(tag, "group");
                case 'b' -> mode = in.u16(tag, "modeBits") & 0xfff;
                case 'p' -> parent = in.i32(tag, "parent");
                case 'A' -> {
                    long at = in.offset();
                    byte[] a = new byte[DumpTags.ACL_SIZE];
                    in.readFully(a, 0, a.length, tag, "ACL (" + DumpTags.ACL_SIZE + " bytes)");
                    String problem = AclCodec.problemOfNetwork(a);
                    if (problem != null) {
                        throw new DumpFormatException(at, in.section, tag, "invalid ACL: " + problem);
                    }
                    acl = a;
                }
                case 'f', 'h' -> {
                    long len;
                    if (tag == 'h') {
                        long hi = Integer.toUnsignedLong(in.i32(tag, "file length (high word)"));
                        len = (hi << 32) | Integer.toUnsignedLong(in.i32(tag, "file length (low word)"));
                        if (len < 0) {
                            throw new DumpFormatException(in.offset() - 8, in.section, tag, "file length "
                                + Long.toUnsignedString(len) + " exceeds 2^63-1");
                        }
                    } else {
                        len = Integer.toUnsignedLong(in.i32(tag, "file length"));
                    }
                    if (sawData) {
                        LOG.log(Level.WARNING, "{0}: ignoring duplicate file data item of {1} bytes at offset {2}",
                            in.section, len, in.offset());
                        in.skip(len, tag, "duplicate file data");
                    } else {
                        sawData = true;
                        dataLength = len;
                        DumpVnode soFar = new DumpVnode(vn, uniq, true, type, linkCount, dataVersion, mtime, author,
                            owner, group, mode, parent, smt, acl, len);
                        checkType(soFar, tag);
                        deliver(consumer, soFar, len, tag);
                    }
                }
                case DumpTags.CRITICAL_NEXT -> critical = 2;
                default -> skipUnknown(tag, SECTION_VNODE, critical > 0);
            }
        }
        pendingTag = tag;
        DumpVnode v = full ? new DumpVnode(vn, uniq, true, type, linkCount, dataVersion, mtime, author, owner, group,
            mode, parent, smt, acl, dataLength) : DumpVnode.headerOnly(vn, uniq);
        if (full) {
            checkType(v, -1);
        }
        return v;
    }

    /**
     * The stock reader writes whatever type it is given into the index of the vnode number's class;
     * a directory in the small index (or a file in the large one, or type 0 with attributes)
     * makes a volume the fileserver and the salvager reject. Refused here.
     */
    private void checkType(DumpVnode v, int tag) throws DumpFormatException {
        int t = v.type();
        boolean ok = VnodeClass.of(v.vnodeNumber()) == VnodeClass.LARGE ? t == VnodeDiskObject.TYPE_DIRECTORY
            : (t == VnodeDiskObject.TYPE_FILE || t == VnodeDiskObject.TYPE_SYMLINK);
        if (!ok) {
            throw new DumpFormatException(in.offset(), in.section, tag, "vnode type " + t + " (from 't') is not valid for "
                + (VnodeClass.of(v.vnodeNumber()) == VnodeClass.LARGE ? "odd (directory" : "even (file/symlink")
                + ") vnode number " + v.vnodeNumber());
        }
    }

    private void deliver(DataConsumer consumer, DumpVnode soFar, long len, int tag) throws IOException {
        DataStream ds = new DataStream(len, tag);
        consumer.accept(soFar, len, ds);
        if (ds.remaining > 0) {
            in.skip(ds.remaining, tag, "file data of " + in.section);
        }
    }

    private void skipUnknown(int tag, int section, boolean critical) throws IOException {
        long at = in.offset() - 1;
        if (critical) {
            throw new DumpFormatException(at, in.section, tag, "unknown tag marked critical (0x7e)");
        }
        if (tag >= DumpTags.MIN_TLV_SKIP_TAG && tag <= DumpTags.MAX_TLV_TAG) {
            if (OLD_VOLUME_HEADER_TAGS.indexOf(tag) >= 0) {
                throw new DumpFormatException(at, in.section, tag, "unexpected tag (not valid in this section, "
                    + "and not a length-prefixed extension tag)");
            }
            int lb = in.u8(tag, "length of unknown tag");
            long len;
            if (lb < 0x80) {
                len = lb;
            } else {
                int n = lb & 0x7f;
                if (n > DumpTags.MAX_TLV_LENGTH_BYTES) {
                    throw in.error(tag, "length field of " + n + " bytes (at most " + DumpTags.MAX_TLV_LENGTH_BYTES
                        + ")");
                }
                len = 0;
                for (int i = 0; i < n; i++) {
                    len = (len << 8) | in.u8(tag, "length of unknown tag");
                }
                if (len < 0) {
                    throw in.error(tag, "length " + Long.toUnsignedString(len) + " of unknown tag exceeds 2^63-1");
                }
            }
            in.skip(len, tag, "value of unknown tag");
        } else if (tag <= DumpTags.MAX_STANDARD_TAG) {
            in.i32(tag, "4-byte value of unknown tag");
        } else if (tag > DumpTags.MAX_DATALESS_TAG) {
            throw new DumpFormatException(at, in.section, tag, "invalid tag (0x80 and above are never valid)");
        }
        LOG.log(Level.DEBUG, "{0}: skipped unknown tag {1} at offset {2}", in.section, DumpTags.describe(tag), at);
    }

    /** The data of one 'f'/'h' item: at most {@code remaining} bytes, a short stream is an error. */
    private final class DataStream extends InputStream {
        long remaining;
        private final int tag;
        private final long length;

        DataStream(long length, int tag) {
            this.remaining = length;
            this.length = length;
            this.tag = tag;
        }

        @Override
        public int read() throws IOException {
            if (remaining == 0) {
                return -1;
            }
            int b = in.peekRead();
            if (b < 0) {
                throw shortData();
            }
            remaining--;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (remaining == 0) {
                return -1;
            }
            int n = in.readSome(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw shortData();
            }
            remaining -= n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long k = Math.min(Math.max(n, 0), remaining);
            in.skip(k, tag, "file data of " + in.section);
            remaining -= k;
            return k;
        }

        @Override
        public int available() {
            return 0;
        }

        private DumpFormatException shortData() {
            return in.error(tag, "stream ends inside the file data after " + (length - remaining) + " of " + length
                + " bytes");
        }
    }
}
