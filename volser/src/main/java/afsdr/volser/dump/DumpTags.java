package afsdr.volser.dump;

/**
 * Tags and magic numbers of the volume dump stream (dump-format.md §1, §7; OpenAFS {@code dump.h}).
 * Tags up to {@link #D_MAX} are section markers, larger ones are attributes of the current section.
 */
public final class DumpTags {
    /** D_DUMPHEADER: followed by DUMPBEGINMAGIC and DUMPVERSION. */
    public static final int D_DUMPHEADER = 0x01;
    /** D_VOLUMEHEADER: followed by the volume attributes. */
    public static final int D_VOLUMEHEADER = 0x02;
    /** D_VNODE: followed by vnode number, uniquifier and the vnode attributes. */
    public static final int D_VNODE = 0x03;
    /** D_DUMPEND: followed by DUMPENDMAGIC; must be the last 5 bytes of the stream. */
    public static final int D_DUMPEND = 0x04;
    /** D_MAX: tags up to this value end the current section. */
    public static final int D_MAX = 20;

    /** DUMPBEGINMAGIC. */
    public static final int DUMPBEGINMAGIC = 0xB3A11322;
    /** DUMPENDMAGIC. */
    public static final int DUMPENDMAGIC = 0x3A214B6E;
    /** DUMPVERSION written by OpenAFS 1.8. */
    public static final int DUMPVERSION = 1;

    /** Marks the next attribute as critical: an unknown tag right after it aborts the parse (§7). */
    public static final int CRITICAL_NEXT = 0x7e;
    /** Unknown tags 0x06..0x60 carry a length field and that many bytes (MIN..MAX_TLV_TAG, §7). */
    public static final int MIN_TLV_SKIP_TAG = 0x06;
    public static final int MAX_TLV_TAG = 0x60;
    /** Unknown tags 0x61..0x7a carry a 4-byte value (MAX_STANDARD_TAG). */
    public static final int MAX_STANDARD_TAG = 0x7a;
    /** Unknown tags 0x7b..0x7f carry nothing; 0x80 and above are invalid. */
    public static final int MAX_DATALESS_TAG = 0x7f;

    /** Size of the 'A' item: SIZEOF_LARGEDISKVNODE - SIZEOF_SMALLDISKVNODE (VAclDiskSize). */
    public static final int ACL_SIZE = 192;
    /** Number of weekUse slots written in 'W' (VolumeDiskData.weekUse[7]). */
    public static final int WEEK_USE_SLOTS = 7;
    /** MAXDUMPTIMES of struct DumpHeader: at most this many (from, to) pairs in the dump header 't'. */
    public static final int MAX_DUMP_TIMES = 50;
    /** Length bytes a TLV length field may announce: the stock reader's buffer is 8 bytes. */
    public static final int MAX_TLV_LENGTH_BYTES = 8;

    private DumpTags() {
    }

    /** Printable form of a tag for messages: 'n' (0x6e), or 0x03 for non-printables. */
    public static String describe(int tag) {
        if (tag < 0) {
            return "end of stream";
        }
        if (tag >= 0x21 && tag < 0x7f) {
            return String.format("'%c' (0x%02x)", (char) tag, tag);
        }
        return String.format("0x%02x", tag);
    }
}
