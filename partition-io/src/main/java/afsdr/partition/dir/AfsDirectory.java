package afsdr.partition.dir;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * An AFS directory (the contents of a directory vnode's data file), held in memory as its
 * 2048-byte pages and edited exactly as the stock fileserver edits it (src/dir/dir.c:
 * afs_dir_MakeDir, afs_dir_Create, afs_dir_Delete), so that a directory we write is the one the
 * stock code would have written for the same sequence of operations.
 *
 * <pre>
 * page 0:  0..31    page header: pgcount(2) tag=1234(2) freecount(1) freebitmap(8) pad(19)
 *          32..159  alloMap[128]   free entries per page (64 = page not allocated)
 *          160..415 hashTable[128] uint16 first blob of each hash chain
 *          416..    entries 13..63
 * page n:  0..31    page header (pgcount 0), entries 1..63
 * entry:   flag(1)=1 length(1)=0 next(2) vnode(4) unique(4) name (20 bytes, continuing into
 *          the following 32-byte blobs; 1 + ((strlen+16) >> 5) blobs in all)
 * </pre>
 * All fields are big-endian (dump-format.md §9). Names are bytes; this class maps them to
 * Strings as UTF-8.
 */
public final class AfsDirectory {
    /** AFS_PAGESIZE. */
    public static final int PAGE_SIZE = 2048;
    /** EPP: 32-byte entries ("blobs") per page. */
    public static final int ENTRIES_PER_PAGE = 64;
    /** NHASHENT. */
    public static final int HASH_SIZE = 128;
    /** MAXPAGES: pages tracked by alloMap. */
    public static final int MAX_PAGES = 128;
    /** BIGMAXPAGES: absolute page limit. */
    public static final int BIG_MAX_PAGES = 1023;
    /** DHE: entries taken by the directory header on page 0 besides the page header. */
    public static final int DHE = 12;
    /** AFSNAMEMAX (src/fsint/common.xg). */
    public static final int NAME_MAX = 256;
    public static final int PAGE_TAG = 1234;
    private static final int FFIRST = 1;
    private static final int ALLOMAP_OFFSET = 32;
    private static final int HASH_OFFSET = 160;

    private final List<byte[]> pages;
    /** Names the directory (file, volume, vnode) in errors found after parsing. */
    private final String context;

    private AfsDirectory(List<byte[]> pages, String context) {
        this.pages = pages;
        this.context = context;
    }

    /** afs_dir_MakeDir: a new directory holding "." (me) and ".." (parent). */
    public static AfsDirectory makeDir(int meVnode, int meUnique, int parentVnode, int parentUnique) {
        byte[] p0 = new byte[PAGE_SIZE];
        putShort(p0, 0, 1);
        putShort(p0, 2, PAGE_TAG);
        p0[4] = (byte) (ENTRIES_PER_PAGE - DHE - 1);
        p0[5] = (byte) 0xff;
        p0[6] = 0x1f;
        p0[ALLOMAP_OFFSET] = (byte) (ENTRIES_PER_PAGE - DHE - 1);
        for (int i = 1; i < MAX_PAGES; i++) {
            p0[ALLOMAP_OFFSET + i] = (byte) ENTRIES_PER_PAGE;
        }
        List<byte[]> pages = new ArrayList<>();
        pages.add(p0);
        AfsDirectory d = new AfsDirectory(pages, "new directory " + meVnode + "." + meUnique);
        try {
            d.create(".", meVnode, meUnique);
            d.create("..", parentVnode, parentUnique);
        } catch (DirectoryException e) {
            throw new IllegalStateException(e);
        }
        return d;
    }

    /**
     * Parse a directory file. Checks the sizes and the page tags; hash chains are checked lazily
     * (bounded walks, names must end inside their page) as the stock code does.
     */
    public static AfsDirectory parse(byte[] data, String context) throws DirectoryFormatException {
        if (data.length == 0 || data.length % PAGE_SIZE != 0) {
            throw new DirectoryFormatException(context + ": directory length " + data.length
                + " is not a positive multiple of " + PAGE_SIZE);
        }
        int n = data.length / PAGE_SIZE;
        if (n > BIG_MAX_PAGES) {
            throw new DirectoryFormatException(context + ": " + n + " pages, more than " + BIG_MAX_PAGES);
        }
        List<byte[]> pages = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] p = Arrays.copyOfRange(data, i * PAGE_SIZE, (i + 1) * PAGE_SIZE);
            if (getShort(p, 2) != PAGE_TAG) {
                throw new DirectoryFormatException(context + ": page " + i + " has tag " + getShort(p, 2)
                    + ", not " + PAGE_TAG);
            }
            pages.add(p);
        }
        int pgcount = getShort(pages.get(0), 0);
        if (pgcount != 0 && pgcount != n) {
            throw new DirectoryFormatException(context + ": header pgcount " + pgcount + " but file has " + n + " pages");
        }
        return new AfsDirectory(pages, context);
    }

    /** afs_dir_DirHash. */
    public static int hash(byte[] name) {
        int h = 0;
        for (byte b : name) {
            h = h * 173 + (b & 0xff);
        }
        int t = h & (HASH_SIZE - 1);
        if (t != 0 && h < 0) {
            t = HASH_SIZE - t;
        }
        return t;
    }

    /** afs_dir_NameBlobs: blobs taken by an entry whose name is {@code nameLength} bytes. */
    public static int nameBlobs(int nameLength) {
        return 1 + ((nameLength + 1 + 15) >> 5);
    }

    /** Serialized size: pgcount pages (afs_dir_Length). */
    public int length() {
        return pages.size() * PAGE_SIZE;
    }

    public int pageCount() {
        return pages.size();
    }

    public byte[] toBytes() {
        byte[] out = new byte[length()];
        for (int i = 0; i < pages.size(); i++) {
            System.arraycopy(pages.get(i), 0, out, i * PAGE_SIZE, PAGE_SIZE);
        }
        return out;
    }

    private static byte[] encode(String name) {
        return name.getBytes(StandardCharsets.UTF_8);
    }

    private static void checkName(byte[] n, String name) {
        if (n.length == 0) {
            throw new IllegalArgumentException("empty directory entry name");
        }
        if (n.length > NAME_MAX) {
            throw new IllegalArgumentException("name longer than AFSNAMEMAX " + NAME_MAX + ": " + n.length + " bytes");
        }
        for (byte b : n) {
            if (b == 0 || b == '/') {
                throw new IllegalArgumentException("name contains NUL or '/': " + name);
            }
        }
    }

    /** afs_dir_Lookup. */
    public Optional<DirEntry> lookup(String name) throws DirectoryFormatException {
        byte[] n = encode(name);
        int[] found = find(n);
        return found == null ? Optional.empty() : Optional.of(entryAt(found[0]));
    }

    /**
     * Returns {blob, prevPage, prevOffset} of the entry named n, or null; prev locates the 2-byte
     * link (hash table slot or a previous entry's next field) that points at it.
     */
    private int[] find(byte[] n) throws DirectoryFormatException {
        int h = hash(n);
        int prevPage = 0;
        int prevOff = HASH_OFFSET + 2 * h;
        int blob = getShort(pages.get(0), prevOff);
        int steps = 0;
        while (blob != 0) {
            if (++steps > BIG_MAX_PAGES * ENTRIES_PER_PAGE) {
                throw new DirectoryFormatException(context + ": hash chain " + h + " loops");
            }
            byte[] page = pageOf(blob);
            int off = (blob % ENTRIES_PER_PAGE) * 32;
            int end = nameEnd(page, off + 12, blob);
            if (end - (off + 12) == n.length && Arrays.equals(page, off + 12, end, n, 0, n.length)) {
                return new int[] {blob, prevPage, prevOff};
            }
            prevPage = blob / ENTRIES_PER_PAGE;
            prevOff = off + 2;
            blob = getShort(page, off + 2);
        }
        return null;
    }

    private byte[] pageOf(int blob) throws DirectoryFormatException {
        int p = blob / ENTRIES_PER_PAGE;
        if (p >= pages.size() || blob % ENTRIES_PER_PAGE == 0 || (p == 0 && blob <= DHE)) {
            throw new DirectoryFormatException(context + ": hash chain points at blob " + blob + " outside the entries of a "
                + pages.size() + "-page directory");
        }
        return pages.get(p);
    }

    /** Index just past the name: the NUL must come before the end of the page (GetVerifiedBlob). */
    private int nameEnd(byte[] page, int start, int blob) throws DirectoryFormatException {
        for (int i = start; i < PAGE_SIZE; i++) {
            if (page[i] == 0) {
                return i;
            }
        }
        throw new DirectoryFormatException(context + ": name of blob " + blob + " is not terminated within its page");
    }

    private DirEntry entryAt(int blob) throws DirectoryFormatException {
        byte[] page = pageOf(blob);
        int off = (blob % ENTRIES_PER_PAGE) * 32;
        int end = nameEnd(page, off + 12, blob);
        String name = new String(page, off + 12, end - off - 12, StandardCharsets.UTF_8);
        return new DirEntry(name, getInt(page, off + 4), getInt(page, off + 8), blob);
    }

    /** afs_dir_EnumerateDir: every entry, in hash-table order, including "." and "..". */
    public List<DirEntry> entries() throws DirectoryFormatException {
        List<DirEntry> out = new ArrayList<>();
        byte[] p0 = pages.get(0);
        for (int h = 0; h < HASH_SIZE; h++) {
            int blob = getShort(p0, HASH_OFFSET + 2 * h);
            int steps = 0;
            while (blob != 0) {
                if (++steps > BIG_MAX_PAGES * ENTRIES_PER_PAGE) {
                    throw new DirectoryFormatException(context + ": hash chain " + h + " loops");
                }
                DirEntry e = entryAt(blob);
                out.add(e);
                blob = getShort(pageOf(blob), (blob % ENTRIES_PER_PAGE) * 32 + 2);
            }
        }
        return out;
    }

    /** afs_dir_IsEmpty: nothing but "." and "..". */
    public boolean isEmpty() throws DirectoryFormatException {
        for (DirEntry e : entries()) {
            if (!e.name().equals(".") && !e.name().equals("..")) {
                return false;
            }
        }
        return true;
    }

    /**
     * afs_dir_Create: add {@code name} → (vnode, unique). Throws IllegalArgumentException for a bad
     * name, {@link DirectoryFormatException} for a corrupt directory, and
     * {@link DirectoryEntryExistsException} / {@link DirectoryFullException} for EEXIST / EFBIG.
     */
    public void create(String name, int vnode, int unique) throws DirectoryException {
        byte[] n = encode(name);
        checkName(n, name);
        if (find(n) != null) {
            throw new DirectoryEntryExistsException(name);
        }
        int nblobs = nameBlobs(n.length);
        int first = findBlobs(nblobs);
        byte[] page = pages.get(first / ENTRIES_PER_PAGE);
        int off = (first % ENTRIES_PER_PAGE) * 32;
        page[off] = FFIRST;
        putInt(page, off + 4, vnode);
        putInt(page, off + 8, unique);
        System.arraycopy(n, 0, page, off + 12, n.length);
        page[off + 12 + n.length] = 0;
        int h = hash(n);
        byte[] p0 = pages.get(0);
        putShort(page, off + 2, getShort(p0, HASH_OFFSET + 2 * h));
        putShort(p0, HASH_OFFSET + 2 * h, first);
    }

    /** afs_dir_Delete: remove {@code name}; returns false if absent (ENOENT). */
    public boolean delete(String name) throws DirectoryFormatException {
        byte[] n = encode(name);
        int[] f = find(n);
        if (f == null) {
            return false;
        }
        int blob = f[0];
        byte[] page = pages.get(blob / ENTRIES_PER_PAGE);
        int off = (blob % ENTRIES_PER_PAGE) * 32;
        // unlink from its chain
        putShort(pages.get(f[1]), f[2], getShort(page, off + 2));
        int nblobs = nameBlobs(n.length);
        // 1.8 clears the whole entry before freeing its blobs (no stale names on disk)
        Arrays.fill(page, off, off + 32 * nblobs, (byte) 0);
        freeBlobs(blob, nblobs);
        return true;
    }

    private void freeBlobs(int firstBlob, int nblobs) {
        int p = firstBlob / ENTRIES_PER_PAGE;
        int idx = firstBlob % ENTRIES_PER_PAGE;
        byte[] p0 = pages.get(0);
        if (p < MAX_PAGES) {
            p0[ALLOMAP_OFFSET + p] = (byte) ((p0[ALLOMAP_OFFSET + p] & 0xff) + nblobs);
        }
        byte[] page = pages.get(p);
        for (int i = 0; i < nblobs; i++) {
            int e = idx + i;
            page[5 + (e >> 3)] &= (byte) ~(1 << (e & 7));
        }
    }

    private void addPage(int pageno) {
        while (pages.size() <= pageno) {
            pages.add(null);
        }
        byte[] p = new byte[PAGE_SIZE];
        putShort(p, 2, PAGE_TAG);
        p[4] = (byte) (ENTRIES_PER_PAGE - 1);
        p[5] = 0x01;
        pages.set(pageno, p);
    }

    /** FindBlobs: first run of n free entries, adding pages as the stock code does; EFBIG when full. */
    private int findBlobs(int n) throws DirectoryException {
        byte[] p0 = pages.get(0);
        for (int i = 0; i < BIG_MAX_PAGES; i++) {
            int free = i < MAX_PAGES ? p0[ALLOMAP_OFFSET + i] & 0xff : -1;
            if (i < MAX_PAGES && free < n) {
                continue;
            }
            if (i >= MAX_PAGES) {
                int pgcount = getShort(p0, 0);
                if (pgcount == 0) {
                    pgcount = MAX_PAGES;
                    putShort(p0, 0, pgcount);
                }
                if (i > pgcount - 1) {
                    addPage(i);
                    putShort(p0, 0, i + 1);
                }
            } else if (free == ENTRIES_PER_PAGE) {
                addPage(i);
                p0[ALLOMAP_OFFSET + i] = (byte) (ENTRIES_PER_PAGE - 1);
                putShort(p0, 0, i + 1);
            }
            if (i >= pages.size() || pages.get(i) == null) {
                throw new DirectoryFormatException(context + ": allocation map says page " + i + " exists but the directory has "
                    + pages.size() + " pages");
            }
            byte[] page = pages.get(i);
            for (int j = 0; j <= ENTRIES_PER_PAGE - n; j++) {
                boolean ok = true;
                for (int k = 0; k < n; k++) {
                    int e = j + k;
                    if (((page[5 + (e >> 3)] >> (e & 7)) & 1) != 0) {
                        ok = false;
                        break;
                    }
                }
                if (ok) {
                    if (i < MAX_PAGES) {
                        p0[ALLOMAP_OFFSET + i] = (byte) ((p0[ALLOMAP_OFFSET + i] & 0xff) - n);
                    }
                    for (int k = 0; k < n; k++) {
                        int e = j + k;
                        page[5 + (e >> 3)] |= (byte) (1 << (e & 7));
                    }
                    return j + i * ENTRIES_PER_PAGE;
                }
            }
        }
        throw new DirectoryFullException();
    }

    static int getShort(byte[] b, int off) {
        return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
    }

    static void putShort(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    static int getInt(byte[] b, int off) {
        return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }

    static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    /** EEXIST from afs_dir_Create. */
    public static final class DirectoryEntryExistsException extends DirectoryException {
        private static final long serialVersionUID = 1L;

        public DirectoryEntryExistsException(String name) {
            super("directory entry exists: " + name);
        }
    }

    /** EFBIG from afs_dir_Create: no room for the name in 1023 pages. */
    public static final class DirectoryFullException extends DirectoryException {
        private static final long serialVersionUID = 1L;

        public DirectoryFullException() {
            super("directory is full (" + BIG_MAX_PAGES + " pages)");
        }
    }
}
