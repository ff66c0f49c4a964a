package afsdr.vldb;

import afsdr.realcell.ExecResult;
import afsdr.realcell.Interop;
import afsdr.realcell.RealCell;
import afsdr.rx.netty.RxEndpoint;
import afsdr.rx.rpc.RpcException;
import afsdr.rx.security.RxNullSecurity;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static afsdr.vldb.VlConstants.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our VL client against the stock 1.8 vlserver of a {@link RealCell}, checked against what stock
 * {@code vos} prints for the same entries.
 */
@Interop
class VlInteropTest {
    static RealCell cell;
    static RxEndpoint endpoint;
    static VlClient vl;
    /** host name in vos output → the server's VLDB number. */
    static final Map<String, Integer> HOSTS = new HashMap<>();

    @BeforeAll
    static void up() throws Exception {
        cell = RealCell.shared();
        for (String node : List.of(RealCell.FS1, RealCell.FS2, RealCell.DB)) {
            HOSTS.put(cell.host(node), Ipv4.toInt(cell.address(node)));
        }
        endpoint = RxEndpoint.builder().bind(InetAddress.getByName("127.0.0.1"), 0).build();
        CellServDb db = CellServDb.read(cell.clientConfigDir().resolve("CellServDB"));
        String thisCell = CellServDb.readThisCell(cell.clientConfigDir().resolve("ThisCell"));
        vl = VlClient.forCell(db.cell(thisCell), addr -> endpoint.connect(addr, VL_SERVICE_ID, RxNullSecurity.INSTANCE));
    }

    @AfterAll
    static void down() {
        if (vl != null) {
            vl.close();
        }
        if (endpoint != null) {
            endpoint.close();
        }
    }

    private static String uniqueName(String prefix) {
        return prefix + "." + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 30), 36);
    }

    /** What {@code vos listvldb}/{@code vos examine} print about one entry. */
    record VosEntry(String name, Map<String, Integer> ids, List<VldbSite> sites, boolean locked, String lockText) {
    }

    private static final Pattern IDS = Pattern.compile("(RWrite|ROnly|Backup): (\\d+)");
    private static final Pattern SITE = Pattern.compile(
            "server (\\S+) partition /vicep([a-z]+) (RW|RO|BK) Site");

    /** Parses the VLDB block of vos output: name line, ids line, site lines, lock lines. */
    static VosEntry parseVldbBlock(String out, String name) {
        String[] lines = out.split("\n");
        int i = 0;
        while (i < lines.length && !lines[i].trim().equals(name)) {
            i++;
        }
        assertTrue(i < lines.length, "entry " + name + " not in vos output:\n" + out);
        return parseVldbLines(lines, i + 1, name);
    }

    /** Parses the lines of one VLDB block from {@code from} to the next blank line. */
    static VosEntry parseVldbLines(String[] lines, int from, String name) {
        int i;
        Map<String, Integer> ids = new HashMap<>();
        List<VldbSite> sites = new ArrayList<>();
        boolean locked = false;
        String lockText = "";
        for (i = from; i < lines.length && !lines[i].isBlank(); i++) {
            String l = lines[i];
            Matcher m = IDS.matcher(l);
            while (m.find()) {
                ids.put(m.group(1), (int) Long.parseLong(m.group(2)));
            }
            Matcher s = SITE.matcher(l);
            if (s.find()) {
                Integer server = HOSTS.get(s.group(1));
                assertTrue(server != null, "unknown host " + s.group(1));
                int part = afsdrPartition(s.group(2));
                int flags = switch (s.group(3)) {
                    case "RW" -> VLSF_RWVOL;
                    case "RO" -> VLSF_ROVOL;
                    default -> VLSF_BACKVOL;
                };
                sites.add(new VldbSite(server, part, flags));
            }
            if (l.contains("Volume is currently LOCKED")) {
                locked = true;
            }
            if (l.contains("Volume is locked for")) {
                lockText = l.trim();
            }
        }
        return new VosEntry(name, ids, sites, locked, lockText);
    }

    private static int afsdrPartition(String letters) {
        return letters.length() == 1 ? letters.charAt(0) - 'a'
                : 26 + (letters.charAt(0) - 'a') * 26 + (letters.charAt(1) - 'a');
    }

    /** Asserts our entry shows what vos shows: ids vos prints, and the sites (type bits only). */
    static void assertSameAsVos(NvldbEntry ours, VosEntry vos) {
        assertEquals(ours.rwId(), vos.ids().get("RWrite"));
        // vos prints ROnly/Backup only when the entry flags say those volumes exist
        assertEquals((ours.flags() & VLF_ROEXISTS) != 0 ? ours.roId() : null, vos.ids().get("ROnly"));
        assertEquals((ours.flags() & VLF_BACKEXISTS) != 0 ? ours.backupId() : null, vos.ids().get("Backup"));
        List<VldbSite> typeOnly = new ArrayList<>();
        for (VldbSite s : ours.sites()) {
            typeOnly.add(new VldbSite(s.server(), s.partition(), s.flags() & (VLSF_RWVOL | VLSF_ROVOL | VLSF_BACKVOL)));
        }
        assertEquals(typeOnly, vos.sites());
        assertEquals((ours.flags() & VLOP_ALLOPERS) != 0, vos.locked());
    }

    private static VosEntry vosListvldb(String name) {
        ExecResult r = cell.vos("listvldb", "-name", name, "-noauth").orFail();
        return parseVldbBlock(r.stdout(), name);
    }

    @Test
    void createLookUpLockReplaceUnlockDelete() throws Exception {
        String name = uniqueName("t.vl");
        int fs1 = Ipv4.toInt(cell.address(RealCell.FS1));
        int fs2 = Ipv4.toInt(cell.address(RealCell.FS2));
        int rw = vl.getNewVolumeId(3);
        assertTrue(vl.getNewVolumeId(0) >= rw + 2, "bumpcount 0 reports the maximum without allocating");

        NvldbEntry created = NvldbEntry.of(name, List.of(new VldbSite(fs1, 0, VLSF_RWVOL)), rw, rw + 1, rw + 2, 0,
                VLF_RWEXISTS);
        vl.createEntryN(created);
        try {
            NvldbEntry byName = vl.getEntryByNameN(name);
            assertEquals(created, byName);
            assertEquals(byName, vl.getEntryByIdN(rw, ANYVOL));
            assertEquals(byName, vl.getEntryByIdN(rw, RWVOL));
            assertEquals(byName, vl.getEntryByNameN(name + ".readonly"), "suffix names the same entry");
            assertEquals(byName, vl.getEntryByNameN(Integer.toUnsignedString(rw)), "digits are an id");
            assertSameAsVos(byName, vosListvldb(name));
            assertEquals(VlErrors.VL_NAMEEXIST, assertThrows(RpcException.class, () -> vl.createEntryN(
                    NvldbEntry.of(name, List.of(new VldbSite(fs1, 0, VLSF_RWVOL)), rw + 100, 0, 0, 0, VLF_RWEXISTS)))
                    .code());

            List<NvldbEntry> listed = vl.listAllN2(new VldbListByAttributes(VLLIST_VOLUMEID, 0, 0, rw, 0));
            assertEquals(1, listed.size());
            assertEquals(name, listed.get(0).name());

            vl.setLock(rw, RWVOL, VLOP_MOVE);
            NvldbEntry locked = vl.getEntryByIdN(rw, RWVOL);
            assertEquals(VLF_RWEXISTS | VLOP_MOVE, locked.flags());
            VosEntry vosLocked = vosListvldb(name);
            assertSameAsVos(locked, vosLocked);
            assertEquals("Volume is locked for a move operation", vosLocked.lockText());
            assertEquals(VlErrors.VL_ENTRYLOCKED,
                    assertThrows(RpcException.class, () -> vl.setLock(rw, RWVOL, VLOP_DELETE)).code());

            NvldbEntry replaced = locked.withSites(List.of(new VldbSite(fs1, 0, VLSF_RWVOL),
                    new VldbSite(fs2, 1, VLSF_ROVOL))).withFlags(VLF_RWEXISTS | VLF_ROEXISTS);
            vl.replaceEntryN(rw, RWVOL, replaced, LOCKREL_ALL);
            NvldbEntry afterReplace = vl.getEntryByNameN(name);
            assertEquals(replaced, afterReplace);
            assertEquals(afterReplace, vl.getEntryByIdN(rw + 1, ROVOL), "RO id found through its own hash");
            assertSameAsVos(afterReplace, vosListvldb(name));

            vl.setLock(rw, RWVOL, VLOP_DELETE);
            assertTrue(vosListvldb(name).locked());
            vl.releaseLock(rw, RWVOL, LOCKREL_ALL);
            NvldbEntry unlocked = vl.getEntryByNameN(name);
            assertEquals(0, unlocked.flags() & VLOP_ALLOPERS);
            assertSameAsVos(unlocked, vosListvldb(name));
        } finally {
            vl.deleteEntry(rw, RWVOL);
        }
        assertEquals(VlErrors.VL_NOENT, assertThrows(RpcException.class, () -> vl.getEntryByNameN(name)).code());
        assertFalse(cell.vos("listvldb", "-name", name, "-noauth").ok());
    }

    @Test
    void entriesOfStockCreatedVolumesMatchVosExamineAndListvldb() throws Exception {
        String name = uniqueName("t.vx");
        cell.vos("create", cell.host(RealCell.FS1), "b", name, "-noauth").orFail();
        try {
            NvldbEntry ours = vl.getEntryByNameN(name);
            assertEquals(name, ours.name());
            ExecResult examine = cell.vos("examine", name, "-noauth").orFail();
            // vos examine: the volserver's part, a blank line, then the VLDB part without a name line
            String[] lines = examine.stdout().split("\n");
            int blank = 0;
            while (!lines[blank].isBlank()) {
                blank++;
            }
            assertSameAsVos(ours, parseVldbLines(lines, blank + 1, name));
            assertEquals(List.of(new VldbSite(Ipv4.toInt(cell.address(RealCell.FS1)), 1, VLSF_RWVOL)), ours.sites());

            // The U form names the multihomed fileserver by its UUID (vldb.md §3.3).
            UvldbEntry u = vl.call(VlOps.GetEntryByNameU, name);
            assertEquals(name, u.name());
            assertEquals(ours.volumeIds(), u.volumeIds());
            assertEquals(ours.flags(), u.flags());
            assertEquals(1, u.sites().size());
            UvldbEntry.Site site = u.sites().get(0);
            assertEquals(VLSF_RWVOL | VLSF_UUID, site.flags());
            assertEquals(1, site.partition());
            assertEquals(vl.getAddrsU(ListAddrByAttributes.byIpAddr(Ipv4.toInt(cell.address(RealCell.FS1)))).uuid(),
                    site.server());

            // The whole VLDB, paged by ListAttributesN2, names the same entries as vos listvldb.
            ExecResult all = cell.vos("listvldb", "-noauth").orFail();
            Set<String> vosNames = new TreeSet<>();
            for (String l : all.stdout().split("\n")) {
                if (!l.isEmpty() && !l.startsWith(" ") && !l.startsWith("VLDB entries") && !l.startsWith("Total")) {
                    vosNames.add(l.trim());
                }
            }
            Set<String> ourNames = new TreeSet<>();
            for (NvldbEntry e : vl.listAllN2(VldbListByAttributes.ALL)) {
                ourNames.add(e.name());
                assertSameAsVos(e, parseVldbBlock(all.stdout(), e.name()));
            }
            assertEquals(vosNames, ourNames);
            assertTrue(ourNames.contains(name));
        } finally {
            cell.vos("remove", "-id", name, "-noauth").orFail();
        }
    }

    @Test
    void getAddrsListsTheRegisteredFileservers() throws Exception {
        int fs1 = Ipv4.toInt(cell.address(RealCell.FS1));
        int fs2 = Ipv4.toInt(cell.address(RealCell.FS2));
        int[] slots = vl.getAddrs();
        Map<String, Set<Integer>> byUuid = new HashMap<>();
        for (int i = 0; i < slots.length; i++) {
            // Stock fileservers register with RegisterAddrs, so their slots are multihomed markers.
            assertEquals(VL_MHSRV_MARKER, slots[i] & 0xff000000, "slot " + i + " = " + Integer.toHexString(slots[i]));
            afsdr.vldb.VlOps.GetAddrsUResult u = vl.getAddrsU(ListAddrByAttributes.byIndex(i + 1));
            assertEquals(u.nentries(), u.addrs().length);
            Set<Integer> addrs = new HashSet<>();
            for (int a : u.addrs()) {
                addrs.add(a);
            }
            byUuid.put(u.uuid().toString(), addrs);
            assertEquals(u.uuid(), vl.getAddrsU(ListAddrByAttributes.byUuid(u.uuid())).uuid());
        }
        assertEquals(Set.of(Set.of(fs1), Set.of(fs2)), new HashSet<>(byUuid.values()));
        assertEquals(byUuid.get(vl.getAddrsU(ListAddrByAttributes.byIpAddr(fs1)).uuid().toString()), Set.of(fs1));
        assertEquals(VlErrors.VL_NOENT, assertThrows(RpcException.class,
                () -> vl.getAddrsU(ListAddrByAttributes.byIpAddr(Ipv4.toInt(cell.address(RealCell.DB))))).code());

        // vos listaddrs -printuuid: "UUID: <uuid>" followed by the server's host names.
        ExecResult r = cell.vos("listaddrs", "-printuuid", "-noauth").orFail();
        Map<String, Set<Integer>> vos = new HashMap<>();
        String current = null;
        for (String l : r.stdout().split("\n")) {
            if (l.startsWith("UUID: ")) {
                current = l.substring(6).trim();
                vos.put(current, new HashSet<>());
            } else if (!l.isBlank() && current != null) {
                Integer a = HOSTS.get(l.trim());
                assertTrue(a != null, "unknown host in listaddrs: " + l);
                vos.get(current).add(a);
            }
        }
        assertEquals(vos, byUuid);
    }
}
