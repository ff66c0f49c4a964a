package afsdr.volser.server;

import afsdr.vldb.CellServDb;
import afsdr.vldb.Ipv4;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the volserver reads at start-up from the server configuration folder (stock default
 * /etc/openafs/server: ThisCell, CellServDB, UserList; KeyFile and KeyFileExt belong to rxkad) and
 * from the local folder (stock default /var/lib/openafs/local: NetInfo, NetRestrict, NoAuth).
 *
 * <p>Address choice follows the stock servers (realcell README G2): NetInfo lists the addresses the
 * server may use, one per line; a line {@code f ADDR} is taken even when no interface carries the
 * address (that is how 127.1.0.x works on a host whose lo only shows 127.0.0.1); other lines are
 * kept only when an interface has that exact address. NetRestrict removes addresses. With neither
 * file, the interface addresses are used, loopback ones excluded. The first address left is the
 * primary one, which {@code -rxbind} binds to.
 */
public final class ServerConfig {
    public final String thisCell;
    public final boolean noAuth;
    public final List<String> superUsers;
    public final List<InetAddress> addresses;
    public final Path configDir;
    public final Path localDir;

    private ServerConfig(String thisCell, boolean noAuth, List<String> superUsers, List<InetAddress> addresses,
                         Path configDir, Path localDir) {
        this.thisCell = thisCell;
        this.noAuth = noAuth;
        this.superUsers = superUsers;
        this.addresses = addresses;
        this.configDir = configDir;
        this.localDir = localDir;
    }

    public static ServerConfig load(Path configDir, Path localDir) throws IOException {
        Path thisCellFile = configDir.resolve("ThisCell");
        if (!Files.isRegularFile(thisCellFile)) {
            throw new IOException("No cell name: " + thisCellFile + " is missing");
        }
        String cell = CellServDb.readThisCell(thisCellFile);
        boolean noAuth = Files.exists(localDir.resolve("NoAuth"));
        List<String> users = new ArrayList<>();
        Path userList = configDir.resolve("UserList");
        if (Files.isRegularFile(userList)) {
            for (String line : Files.readAllLines(userList, StandardCharsets.UTF_8)) {
                String u = line.trim();
                if (!u.isEmpty()) {
                    users.add(u);
                }
            }
        }
        List<InetAddress> addrs = chooseAddresses(localDir.resolve("NetInfo"), localDir.resolve("NetRestrict"),
            interfaceAddresses());
        return new ServerConfig(cell, noAuth, Collections.unmodifiableList(users), addrs, configDir, localDir);
    }

    /** The address {@code -rxbind} binds to, or {@code null} when no usable address is known. */
    public InetAddress primaryAddress() {
        return addresses.isEmpty() ? null : addresses.get(0);
    }

    static List<InetAddress> chooseAddresses(Path netInfo, Path netRestrict, Set<InetAddress> interfaces)
            throws IOException {
        Set<InetAddress> chosen = new LinkedHashSet<>();
        if (Files.isRegularFile(netInfo)) {
            for (String raw : Files.readAllLines(netInfo, StandardCharsets.UTF_8)) {
                String line = raw.trim();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                boolean forced = false;
                if (line.startsWith("f ") || line.startsWith("f\t")) {
                    forced = true;
                    line = line.substring(2).trim();
                }
                InetAddress a = Ipv4.parse(line, netInfo.toString());
                if (forced || interfaces.contains(a)) {
                    chosen.add(a);
                }
            }
        } else {
            for (InetAddress a : interfaces) {
                if (!a.isLoopbackAddress()) {
                    chosen.add(a);
                }
            }
        }
        if (Files.isRegularFile(netRestrict)) {
            for (String raw : Files.readAllLines(netRestrict, StandardCharsets.UTF_8)) {
                String line = raw.trim();
                if (!line.isEmpty() && !line.startsWith("#")) {
                    chosen.remove(Ipv4.parse(line, netRestrict.toString()));
                }
            }
        }
        return List.copyOf(chosen);
    }

    private static Set<InetAddress> interfaceAddresses() throws SocketException {
        Set<InetAddress> out = new LinkedHashSet<>();
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                if (a instanceof Inet4Address) {
                    out.add(a);
                }
            }
        }
        return out;
    }
}
