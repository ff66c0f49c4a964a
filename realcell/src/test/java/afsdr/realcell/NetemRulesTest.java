package afsdr.realcell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The generated nftables rules, without applying them. */
class NetemRulesTest {

    @Test
    void endpointSelectorsOnBothSides() {
        String rules = Netem.builder().lossEvery(10).onlyHosts("127.1.0.4").onlyUdpPorts(7005, 7000).ruleset();
        assertEquals("""
                table ip afsdr_netem {
                  chain impair_in {
                    numgen inc mod 10 == 9 counter drop comment "loss"
                  }
                  chain in {
                    type filter hook input priority 0; policy accept;
                    meta l4proto udp ip saddr { 127.1.0.4 } udp sport { 7005, 7000 } goto impair_in
                    meta l4proto udp ip daddr { 127.1.0.4 } udp dport { 7005, 7000 } goto impair_in
                  }
                }
                """, rules);
    }

    @Test
    void randomDuplicationOfAllUdp() {
        String rules = Netem.builder().duplicatePercent(2.5).ruleset();
        assertEquals("""
                table ip afsdr_netem {
                  chain impair_pre {
                    meta mark 0x4e44 return
                    numgen random mod 1000000 < 25000 counter meta mark set 0x4e44 dup to ip daddr device "lo" meta mark set 0 comment "duplicate"
                  }
                  chain pre {
                    type filter hook prerouting priority 0; policy accept;
                    meta l4proto udp goto impair_pre
                  }
                }
                """, rules);
    }

    @Test
    void reorderingMarksForTheSlowLaneInOutput() {
        Netem.Builder b = Netem.builder().reorderEvery(10).duplicateEvery(7).onlyUdpPorts(7000);
        assertEquals("""
                table ip afsdr_netem {
                  chain impair_out {
                    meta mark 0x4e44 meta priority set 0 return
                    meta mark 0x4e42 return
                    numgen inc mod 10 == 9 counter meta priority set 1:20 meta mark set 0x4e42 dup to ip daddr device "lo" meta mark set 0 comment "reorder"
                  }
                  chain out {
                    type filter hook output priority 0; policy accept;
                    meta l4proto udp udp sport { 7000 } goto impair_out
                    meta l4proto udp udp dport { 7000 } goto impair_out
                  }
                  chain impair_pre {
                    meta mark 0x4e44 return
                    numgen inc mod 7 == 6 counter meta mark set 0x4e44 dup to ip daddr device "lo" meta mark set 0 comment "duplicate"
                  }
                  chain pre {
                    type filter hook prerouting priority 0; policy accept;
                    meta mark 0x4e42 drop
                    meta l4proto udp udp sport { 7000 } goto impair_pre
                    meta l4proto udp udp dport { 7000 } goto impair_pre
                  }
                }
                """, b.ruleset());
        assertEquals(List.of(
                "/usr/sbin/tc qdisc add dev lo root handle 1: htb default 0 direct_qlen 100000",
                "/usr/sbin/tc class add dev lo parent 1: classid 1:20 htb rate 40000000bit ceil 40000000bit"
                        + " burst 1 cburst 1 quantum 65536",
                "/usr/sbin/tc qdisc add dev lo parent 1:20 handle 20: pfifo limit 100000"),
                b.tcCommands().stream().map(c -> String.join(" ", c)).toList());
        assertTrue(Netem.builder().reorderPercent(5).slowLaneRate(1_000_000).tcCommands().get(1)
                .containsAll(List.of("1000000bit")));
        assertEquals(List.of(), Netem.builder().lossEvery(3).tcCommands(), "no qdisc without reordering");
    }

    @Test
    void seededPercentagesHashTheRxTransmissionFields() {
        String rules = Netem.builder().lossPercent(5).duplicatePercent(1).reorderPercent(2.5).seed(42).ruleset();
        List<String> decisions = rules.lines().filter(l -> l.contains("jhash")).map(String::strip).toList();
        assertEquals(3, decisions.size(), rules);
        // the loss decision also hashes the mark, so a duplicate is not lost just because its original was
        assertTrue(decisions.stream().anyMatch(l -> l.startsWith("jhash @th,128,112 . meta mark mod 1000000 seed 0x")
                && l.contains(" < 50000 counter") && l.endsWith("counter drop comment \"loss\"")), rules);
        assertTrue(decisions.stream().anyMatch(l -> l.startsWith("jhash @th,128,112 mod 1000000 seed 0x")
                && l.contains(" < 10000 counter") && l.contains("dup to")), rules);
        assertTrue(decisions.stream().anyMatch(l -> l.startsWith("jhash @th,128,112 mod 1000000 seed 0x")
                && l.contains(" < 25000 counter") && l.contains("meta priority set 1:20")), rules);
        assertEquals(3, decisions.stream().map(l -> l.replaceAll(".* seed (0x\\p{XDigit}{8}) .*", "$1")).distinct()
                .count(), "one seed per impairment: " + decisions);
        assertEquals(rules, Netem.builder().lossPercent(5).duplicatePercent(1).reorderPercent(2.5).seed(42).ruleset(),
                "same seed, same rules");
        assertNotEquals(rules, Netem.builder().lossPercent(5).duplicatePercent(1).reorderPercent(2.5).seed(43)
                .ruleset());
        assertFalse(Netem.builder().lossPercent(5).ruleset().contains("jhash"), "unseeded: kernel random");
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Netem.builder().lossEvery(1));
        assertThrows(IllegalArgumentException.class, () -> Netem.builder().lossPercent(0));
        assertThrows(IllegalArgumentException.class, () -> Netem.builder().lossPercent(101));
        assertThrows(IllegalArgumentException.class, () -> Netem.builder().onlyUdpPorts(0));
        assertThrows(IllegalArgumentException.class, () -> Netem.builder().onlyHosts("afs-j1"));
        assertThrows(IllegalArgumentException.class, () -> Netem.builder().apply());
        assertThrows(IllegalArgumentException.class, () -> Netem.builder().lossEvery(3).lossPercent(5).apply());
        assertThrows(IllegalArgumentException.class, () -> Netem.builder().reorderEvery(0));
        assertThrows(IllegalArgumentException.class, () -> Netem.builder().reorderPercent(-1));
        assertThrows(IllegalArgumentException.class, () -> Netem.builder().slowLaneRate(0));
        assertThrows(IllegalArgumentException.class, () -> Netem.builder().reorderEvery(3).reorderPercent(5).apply());
    }
}
