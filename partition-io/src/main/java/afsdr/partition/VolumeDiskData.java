package afsdr.partition;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * struct VolumeDiskData, the 552-byte volume information special file (VI_VOLINFO, host order;
 * disk-format.md §5.1). Kept as its raw bytes so that fields we do not interpret (statistics,
 * reserved words) survive a read-modify-write unchanged.
 */
public final class VolumeDiskData {
    public static final int SIZE = 552;
    /** VOLUMEINFOMAGIC. */
    public static final int MAGIC = 0x78a1b2c5;
    public static final int VERSION = 1;
    /** VNAMESIZE. */
    public static final int NAME_SIZE = 32;
    /** Value of destroyMe meaning "destroy on salvage" (DESTROY_ME). */
    public static final int DESTROY_ME = 0xD3;
    /** Value of dontSalvage meaning "don't salvage" (DONT_SALVAGE). */
    public static final int DONT_SALVAGE = 0xE5;
    public static final int RW = 0;
    public static final int RO = 1;
    public static final int BK = 2;
    private static final int OFFLINE_MESSAGE = 296;
    private static final int OFFLINE_MESSAGE_SIZE = 128;

    private final ByteBuffer b;

    private VolumeDiskData(byte[] raw) {
        this.b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A zeroed structure with its stamp set. */
    public static VolumeDiskData blank() {
        VolumeDiskData d = new VolumeDiskData(new byte[SIZE]);
        d.b.putInt(0, MAGIC).putInt(4, VERSION);
        return d;
    }

    public static VolumeDiskData decode(byte[] raw, String file, long volumeId) throws VolumeFormatException {
        if (raw.length < SIZE) {
            throw new VolumeFormatException(file, volumeId, "volume info is " + raw.length + " bytes, expected " + SIZE);
        }
        VolumeDiskData d = new VolumeDiskData(Arrays.copyOf(raw, SIZE));
        if (d.b.getInt(0) != MAGIC || d.b.getInt(4) != VERSION) {
            throw new VolumeFormatException(file, volumeId, String.format("bad volume info stamp magic 0x%08x version %d",
                d.b.getInt(0), d.b.getInt(4)));
        }
        if (Integer.toUnsignedLong(d.id()) != volumeId) {
            throw new VolumeFormatException(file, volumeId, "volume info names volume " + Integer.toUnsignedString(d.id()));
        }
        return d;
    }

    public byte[] encode() {
        return b.array().clone();
    }

    public VolumeDiskData copy() {
        return new VolumeDiskData(b.array().clone());
    }

    private String string(int off, int size) {
        byte[] a = b.array();
        int end = off;
        while (end < off + size && a[end] != 0) {
            end++;
        }
        return new String(a, off, end - off, StandardCharsets.UTF_8);
    }

    private void putString(int off, int size, String s) {
        byte[] v = s.getBytes(StandardCharsets.UTF_8);
        if (v.length >= size) {
            throw new IllegalArgumentException("longer than " + (size - 1) + " bytes: " + s);
        }
        Arrays.fill(b.array(), off, off + size, (byte) 0);
        System.arraycopy(v, 0, b.array(), off, v.length);
    }

    private int u8(int off) {
        return b.get(off) & 0xff;
    }

    public int id() { return b.getInt(8); }
    public VolumeDiskData id(int v) { b.putInt(8, v); return this; }
    public String name() { return string(12, NAME_SIZE); }
    public VolumeDiskData name(String v) { putString(12, NAME_SIZE, v); return this; }
    public int inUse() { return u8(44); }
    public VolumeDiskData inUse(int v) { b.put(44, (byte) v); return this; }
    public boolean inService() { return u8(45) != 0; }
    public VolumeDiskData inService(boolean v) { b.put(45, (byte) (v ? 1 : 0)); return this; }
    public boolean blessed() { return u8(46) != 0; }
    public VolumeDiskData blessed(boolean v) { b.put(46, (byte) (v ? 1 : 0)); return this; }
    public boolean needsSalvaged() { return u8(47) != 0; }
    public VolumeDiskData needsSalvaged(boolean v) { b.put(47, (byte) (v ? 1 : 0)); return this; }
    public int uniquifier() { return b.getInt(48); }
    public VolumeDiskData uniquifier(int v) { b.putInt(48, v); return this; }
    public int type() { return b.getInt(52); }
    public VolumeDiskData type(int v) { b.putInt(52, v); return this; }
    public int parentId() { return b.getInt(56); }
    public VolumeDiskData parentId(int v) { b.putInt(56, v); return this; }
    public int cloneId() { return b.getInt(60); }
    public VolumeDiskData cloneId(int v) { b.putInt(60, v); return this; }
    public int backupId() { return b.getInt(64); }
    public VolumeDiskData backupId(int v) { b.putInt(64, v); return this; }
    public int restoredFromId() { return b.getInt(68); }
    public VolumeDiskData restoredFromId(int v) { b.putInt(68, v); return this; }
    public boolean needsCallback() { return u8(72) != 0; }
    public int destroyMe() { return u8(73); }
    public VolumeDiskData destroyMe(int v) { b.put(73, (byte) v); return this; }
    public int dontSalvage() { return u8(74); }
    public VolumeDiskData dontSalvage(int v) { b.put(74, (byte) v); return this; }
    public int maxquota() { return b.getInt(100); }
    public VolumeDiskData maxquota(int v) { b.putInt(100, v); return this; }
    public int minquota() { return b.getInt(104); }
    public VolumeDiskData minquota(int v) { b.putInt(104, v); return this; }
    public int maxfiles() { return b.getInt(108); }
    public int accountNumber() { return b.getInt(112); }
    public VolumeDiskData accountNumber(int v) { b.putInt(112, v); return this; }
    public int owner() { return b.getInt(116); }
    public VolumeDiskData owner(int v) { b.putInt(116, v); return this; }
    public int filecount() { return b.getInt(152); }
    public VolumeDiskData filecount(int v) { b.putInt(152, v); return this; }
    public int diskused() { return b.getInt(156); }
    public VolumeDiskData diskused(int v) { b.putInt(156, v); return this; }
    public int dayUse() { return b.getInt(160); }
    public VolumeDiskData dayUse(int v) { b.putInt(160, v); return this; }
    public int weekUse(int i) { return b.getInt(164 + 4 * i); }
    public VolumeDiskData weekUse(int i, int v) { b.putInt(164 + 4 * i, v); return this; }
    public int dayUseDate() { return b.getInt(192); }
    public VolumeDiskData dayUseDate(int v) { b.putInt(192, v); return this; }
    public int volUpdateCounter() { return b.getInt(196); }
    public VolumeDiskData volUpdateCounter(int v) { b.putInt(196, v); return this; }
    public int creationDate() { return b.getInt(240); }
    public VolumeDiskData creationDate(int v) { b.putInt(240, v); return this; }
    public int accessDate() { return b.getInt(244); }
    public VolumeDiskData accessDate(int v) { b.putInt(244, v); return this; }
    public int updateDate() { return b.getInt(248); }
    public VolumeDiskData updateDate(int v) { b.putInt(248, v); return this; }
    public int expirationDate() { return b.getInt(252); }
    public VolumeDiskData expirationDate(int v) { b.putInt(252, v); return this; }
    public int backupDate() { return b.getInt(256); }
    public VolumeDiskData backupDate(int v) { b.putInt(256, v); return this; }
    public int copyDate() { return b.getInt(260); }
    public VolumeDiskData copyDate(int v) { b.putInt(260, v); return this; }
    public boolean statInitialized() { return b.getInt(264) != 0; }
    public String offlineMessage() { return string(OFFLINE_MESSAGE, OFFLINE_MESSAGE_SIZE); }
    public VolumeDiskData offlineMessage(String v) { putString(OFFLINE_MESSAGE, OFFLINE_MESSAGE_SIZE, v); return this; }

    /** Zero the detailed statistics (stat_reads .. stat_dirDiffAuthor, 424..551) and stat_initialized. */
    public VolumeDiskData clearDetailedStats() {
        Arrays.fill(b.array(), 424, SIZE, (byte) 0);
        b.putInt(264, 0);
        return this;
    }

    /** The fileserver brings a volume online only with these (attach2 rules, disk-format.md §5.1). */
    public boolean isOnlineable() {
        return inService() && blessed() && !needsSalvaged() && destroyMe() != DESTROY_ME;
    }
}
