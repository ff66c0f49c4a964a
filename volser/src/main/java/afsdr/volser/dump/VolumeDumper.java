package afsdr.volser.dump;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import afsdr.partition.VnodeClass;
import afsdr.partition.VnodeDiskObject;
import afsdr.partition.Volume;
import afsdr.partition.VolumeDiskData;
import afsdr.partition.VolumeFormatException;

/**
 * Dumps a partition-io {@link Volume} as the stock DumpVolume does (dump-format.md §2–§5) and
 * computes the size of such a dump as SizeDumpVolume does (§8, AFSVolGetSize).
 *
 * <p>File data is streamed from disk through the volume's bounded reader and the writer's 64 KiB
 * buffer; vnode records are read in index chunks. Memory use does not depend on the volume.
 *
 * <p>Who uses which variant (§5.1): AFSVolDump (109) and GetSize: {@code dumpAllDirs = true};
 * AFSVolDumpV2 (65538): {@code !(flags & VOLDUMPV2_OMITDIRS)}; AFSVolForward and ForwardMultiple:
 * {@code false}. The caller must keep the volume from changing during the dump (the volserver
 * holds it in a transaction).
 */
public final class VolumeDumper {
    /** Bytes of the dump header: tag + magic + version, 'v', 't' with two ints; plus 2 + strlen(name). */
    private static final long DUMP_HEADER_FIXED = 9 + 5 + 11;
    /**
     * Volume header without the 'n' and 'O' items (each is its length + 2): tag, i v, s b, u, t,
     * the 13 int items p..B, 'M' (empty), 'W' (count 7), D Z.
     */
    private static final long VOLUME_HEADER_FIXED = 1 + 5 + 5 + 2 + 2 + 5 + 2 + 5 * 13 + 2 + 31 + 5 + 5;
    private static final long VNODE_HEADER = 9;
    /** t l v m a o b p s. */
    private static final long VNODE_ATTRIBUTES = 2 + 3 + 5 + 5 + 5 + 5 + 3 + 5 + 5;
    private static final long END = 5;

    private VolumeDumper() {
    }

    /** AFSVolDump: {@link #dump(Volume, int, boolean, OutputStream)} with every directory in full. */
    public static long dump(Volume v, int fromDate, OutputStream out) throws IOException {
        return dump(v, fromDate, true, out);
    }

    /**
     * Write the dump of {@code v} to {@code out} (flushed, not closed): full records for vnodes
     * whose serverModifyTime &gt;= {@code fromDate} (unsigned comparison, as the C code's) or, with
     * {@code dumpAllDirs}, that are directories; header-only records for the others. Returns the
     * number of bytes written.
     *
     * @throws DumpException VOLSERREAD_DUMPERROR when a data file is missing or its size differs
     *                       from the vnode's length (the stock server refuses such a dump),
     *                       VOLSERDUMPERROR when writing to {@code out} or reading data fails,
     *                       EINVAL when the volume type is not RW, RO or BK
     */
    public static long dump(Volume v, int fromDate, boolean dumpAllDirs, OutputStream out) throws IOException {
        VolumeDiskData d = v.readDiskData();
        DumpHeader header = dumpHeader(d, fromDate);
        DumpWriter w = new DumpWriter(new SinkStream(out));
        w.writeDumpHeader(header);
        w.writeVolumeHeader(d);
        for (VnodeClass c : new VnodeClass[] {VnodeClass.LARGE, VnodeClass.SMALL}) {
            boolean allDirs = dumpAllDirs && c == VnodeClass.LARGE;
            v.index(c).forEach((vn, rec) -> {
                boolean full = allDirs || Integer.compareUnsigned(rec.serverModifyTime(), fromDate) >= 0;
                if (!full) {
                    w.writeVnodeHeaderOnly(vn, rec.uniquifier());
                    return;
                }
                DumpVnode dv = DumpVnode.fromDisk(vn, rec);
                if (!dv.hasData()) {
                    w.writeVnode(dv);
                    return;
                }
                InputStream data;
                try {
                    data = v.openDataSequential(vn, rec);
                } catch (VolumeFormatException e) {
                    throw new DumpException(DumpException.VOLSERREAD_DUMPERROR, "cannot dump vnode " + vn
                        + " of volume " + Integer.toUnsignedString(v.id()) + ": " + e.getMessage(), e);
                }
                try (InputStream in = data) {
                    w.writeVnode(dv);
                    w.writeData(new SourceStream(in, vn), dv.dataLength());
                }
            });
        }
        w.writeEnd();
        return w.bytesWritten();
    }

    /**
     * The dump header DumpDumpHeader writes: 'v' the volume's id, 'n' its name, 't' one pair
     * (fromDate, to) where to = updateDate (RW), creationDate (RO), backupDate or else
     * creationDate (BK).
     */
    public static DumpHeader dumpHeader(VolumeDiskData d, int fromDate) throws DumpException {
        int to = switch (d.type()) {
            case VolumeDiskData.RW -> d.updateDate();
            case VolumeDiskData.RO -> d.creationDate();
            case VolumeDiskData.BK -> d.backupDate() != 0 ? d.backupDate() : d.creationDate();
            default -> throw new DumpException(DumpException.EINVAL, "volume " + Integer.toUnsignedString(d.id())
                + " has type " + d.type() + ", not RW, RO or BK: cannot dump it");
        };
        return DumpHeader.of(d.id(), nameOf(d), fromDate, to);
    }

    private static String nameOf(VolumeDiskData d) {
        ByteBuffer r = ByteBuffer.wrap(d.encode()).order(ByteOrder.LITTLE_ENDIAN);
        return new String(DumpWriter.cString(r, 12, VolumeDiskData.NAME_SIZE), StandardCharsets.ISO_8859_1);
    }

    /**
     * AFSVolGetSize (§8): the exact byte length of {@link #dump(Volume, int, boolean, OutputStream)}
     * with dumpAllDirs, computed from the volume info and the index records without reading any
     * data file. As in the stock SizeDumpVolume, every directory is counted with its 'A' item
     * (the dump omits an invalid ACL) and the data length is the one recorded in the vnode.
     */
    public static long getSize(Volume v, int fromDate) throws IOException {
        VolumeDiskData d = v.readDiskData();
        ByteBuffer r = ByteBuffer.wrap(d.encode()).order(ByteOrder.LITTLE_ENDIAN);
        long nameLen = DumpWriter.cString(r, 12, VolumeDiskData.NAME_SIZE).length;
        long msgLen = DumpWriter.cString(r, 296, 128).length;
        long[] size = {DUMP_HEADER_FIXED + 2 + nameLen + VOLUME_HEADER_FIXED + 2 + nameLen + 2 + msgLen + END};
        for (VnodeClass c : VnodeClass.values()) {
            v.index(c).forEach((vn, rec) -> size[0] += vnodeSize(rec, c == VnodeClass.LARGE
                || Integer.compareUnsigned(rec.serverModifyTime(), fromDate) >= 0));
        }
        return size[0];
    }

    /** SizeDumpVnode. */
    static long vnodeSize(VnodeDiskObject rec, boolean full) {
        long n = VNODE_HEADER;
        if (!full) {
            return n;
        }
        n += VNODE_ATTRIBUTES;
        if (rec.group() != 0) {
            n += 5;
        }
        if (rec.type() == VnodeDiskObject.TYPE_DIRECTORY) {
            n += 1 + DumpTags.ACL_SIZE;
        }
        if (rec.inode() != 0) {
            n += ((rec.length() >>> 32) != 0 ? 9 : 5) + rec.length();
        }
        return n;
    }

    /** Tags failures of the output so they map to VOLSERDUMPERROR (the stock iod_Write failure). */
    private static final class SinkStream extends FilterOutputStream {
        SinkStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (DumpException e) {
                throw e;
            } catch (IOException e) {
                throw new DumpException(DumpException.VOLSERDUMPERROR, "writing the dump stream failed: " + e, e);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                throw new DumpException(DumpException.VOLSERDUMPERROR, "writing the dump stream failed: " + e, e);
            }
        }

        @Override
        public void close() {
            // the caller owns the stream
        }
    }

    /** Tags read failures of a data file as VOLSERDUMPERROR (DumpFile's read error). */
    private static final class SourceStream extends InputStream {
        private final InputStream in;
        private final int vnode;

        SourceStream(InputStream in, int vnode) {
            this.in = in;
            this.vnode = vnode;
        }

        @Override
        public int read() throws IOException {
            byte[] b = new byte[1];
            return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (IOException e) {
                throw new DumpException(DumpException.VOLSERDUMPERROR, "reading the data of vnode " + vnode
                    + " failed: " + e, e);
            }
        }
    }
}
