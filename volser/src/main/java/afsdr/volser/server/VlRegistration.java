package afsdr.volser.server;

import afsdr.rx.RxClientConnection;
import afsdr.rx.rpc.RpcException;
import afsdr.vldb.AfsUuid;
import afsdr.vldb.CellServDb;
import afsdr.vldb.VlClient;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Registers this server's addresses in the VLDB (VL_RegisterAddrs), as a stock fileserver does at
 * start-up. A DR host runs no fileserver, and without a registration {@code vos create -server}
 * and friends cannot name this host; vos also needs the registration to tell that two addresses
 * are the same server.
 *
 * <p>The server's UUID lives in the stock {@code sysid} file of the local directory, in the stock
 * layout, so a stock fileserver started here later keeps the same identity:
 * <pre>
 *   0 magic 0x88aabbcc (host order)   4 version 1 (host order)
 *   8 afsUUID in network order: time_low(4) time_mid(2) time_hi_and_version(2)
 *     clock_seq_hi_and_reserved(1) clock_seq_low(1) node(6)
 *  24 number of addresses (host order), then the addresses (network order)
 * </pre>
 * A failing registration (no quorum, VL_PERM in an authenticated cell) is logged and retried
 * until it succeeds; it never stops the volserver.
 */
final class VlRegistration {
    static final int SYSIDMAGIC = 0x88aabbcc;
    static final int SYSIDVERSION = 1;
    /** ADDRSPERSITE: most addresses one server may register. */
    static final int ADDRSPERSITE = 16;
    /** How long to wait between attempts after a failure. */
    static final int RETRY_SECONDS = 60;

    private VlRegistration() {
    }

    /** The sysid file's UUID and addresses. */
    record SysId(AfsUuid uuid, List<InetAddress> addresses) {
    }

    static SysId read(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        if (b.length < 28) {
            throw new IOException(file + ": " + b.length + " bytes, too short for a sysid file");
        }
        ByteBuffer le = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        if (le.getInt(0) != SYSIDMAGIC || le.getInt(4) != SYSIDVERSION) {
            throw new IOException(String.format("%s: bad magic 0x%08x or version %d", file, le.getInt(0), le.getInt(4)));
        }
        ByteBuffer be = ByteBuffer.wrap(b).order(ByteOrder.BIG_ENDIAN);
        byte[] node = new byte[6];
        System.arraycopy(b, 18, node, 0, 6);
        AfsUuid uuid = new AfsUuid(be.getInt(8), be.getShort(12), be.getShort(14), b[16], b[17], node);
        int n = le.getInt(24);
        if (n < 0 || n > ADDRSPERSITE || b.length < 28 + 4 * n) {
            throw new IOException(file + ": bad address count " + n);
        }
        List<InetAddress> addrs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] a = new byte[4];
            System.arraycopy(b, 28 + 4 * i, a, 0, 4);
            addrs.add(InetAddress.getByAddress(a));
        }
        return new SysId(uuid, addrs);
    }

    static byte[] encode(SysId s) {
        ByteBuffer b = ByteBuffer.allocate(28 + 4 * s.addresses().size());
        b.order(ByteOrder.LITTLE_ENDIAN).putInt(SYSIDMAGIC).putInt(SYSIDVERSION);
        AfsUuid u = s.uuid();
        b.order(ByteOrder.BIG_ENDIAN).putInt(u.timeLow()).putShort((short) u.timeMid())
            .putShort((short) u.timeHiAndVersion()).put((byte) u.clockSeqHiAndReserved()).put((byte) u.clockSeqLow())
            .put(u.node());
        b.order(ByteOrder.LITTLE_ENDIAN).putInt(s.addresses().size());
        for (InetAddress a : s.addresses()) {
            b.put(a.getAddress());
        }
        return b.array();
    }

    /** A random (version 4) UUID in afsUUID form. */
    static AfsUuid newUuid(SecureRandom r) {
        byte[] x = new byte[16];
        r.nextBytes(x);
        ByteBuffer be = ByteBuffer.wrap(x);
        byte[] node = new byte[6];
        System.arraycopy(x, 10, node, 0, 6);
        return new AfsUuid(be.getInt(0), be.getShort(4), (be.getShort(6) & 0x0fff) | 0x4000, (x[8] & 0x3f) | 0x80,
            x[9], node);
    }

    /**
     * The UUID from {@code localDir/sysid}, creating the file (or rewriting its address list when
     * the addresses changed, keeping the old file as {@code sysid.old} as the stock server does).
     */
    static AfsUuid sysId(Path localDir, List<InetAddress> addresses, VolserLog log) throws IOException {
        Path file = localDir.resolve("sysid");
        AfsUuid uuid = null;
        if (Files.isRegularFile(file) && Files.size(file) > 0) {
            try {
                SysId s = read(file);
                if (s.addresses().equals(addresses)) {
                    return s.uuid();
                }
                uuid = s.uuid();
                Files.copy(file, localDir.resolve("sysid.old"), StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                log.log("Ignoring unusable " + file + ": " + e.getMessage());
            }
        }
        if (uuid == null) {
            uuid = newUuid(new SecureRandom());
            log.log("Creating new SysID file " + file);
        }
        Path tmp = localDir.resolve("sysid.tmp");
        Files.write(tmp, encode(new SysId(uuid, addresses)));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return uuid;
    }

    /** The addresses as VL_RegisterAddrs carries them: host-order integers (a.b.c.d = a<<24|...). */
    static int[] bulkAddrs(List<InetAddress> addresses) {
        int[] out = new int[addresses.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ByteBuffer.wrap(addresses.get(i).getAddress()).getInt();
        }
        return out;
    }

    /**
     * Starts registering in the background when the server's CellServDB lists database servers
     * for ThisCell: first attempt at once, then every {@link #RETRY_SECONDS} until one succeeds.
     */
    static void start(ServerConfig config, VolserLog log, ScheduledExecutorService executor,
                      Function<InetSocketAddress, RxClientConnection> connector) {
        List<InetAddress> addrs = new ArrayList<>();
        for (InetAddress a : config.addresses) {
            if (a instanceof Inet4Address && addrs.size() < ADDRSPERSITE) {
                addrs.add(a);
            }
        }
        if (addrs.isEmpty()) {
            log.log("VL registration skipped: no address of our own (NetInfo/NetRestrict)");
            return;
        }
        CellServDb.Cell cell;
        try {
            Path csdb = config.configDir.resolve("CellServDB");
            cell = Files.isRegularFile(csdb) ? CellServDb.read(csdb).cell(config.thisCell) : null;
        } catch (IOException e) {
            log.log("VL registration skipped: cannot read CellServDB: " + e.getMessage());
            return;
        }
        if (cell == null || cell.servers().isEmpty()) {
            log.log("VL registration skipped: CellServDB lists no database servers for " + config.thisCell);
            return;
        }
        AfsUuid uuid;
        try {
            uuid = sysId(config.localDir, addrs, log);
        } catch (IOException e) {
            log.log("VL registration skipped: sysid file: " + e.getMessage());
            return;
        }
        Runnable attempt = new Runnable() {
            @Override
            public void run() {
                try (VlClient vl = VlClient.forCell(cell, connector::apply)) {
                    vl.registerAddrs(uuid, bulkAddrs(addrs));
                    log.log("Registered " + addrs.stream().map(InetAddress::getHostAddress).toList()
                        + " with the VLDB as " + uuid);
                } catch (RpcException e) {
                    log.log("VL_RegisterAddrs failed (code " + e.code() + "); will retry in " + RETRY_SECONDS + " s: "
                        + e.getMessage());
                    reschedule(this);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    log.log("VL_RegisterAddrs failed: " + e + "; will retry in " + RETRY_SECONDS + " s");
                    reschedule(this);
                }
            }

            private void reschedule(Runnable r) {
                if (!executor.isShutdown()) {
                    executor.schedule(r, RETRY_SECONDS, TimeUnit.SECONDS);
                }
            }
        };
        executor.execute(attempt);
    }
}
