package afsdr.vldb;

/**
 * One site of a VLDB entry: where one copy of the volume lives.
 *
 * @param server    IPv4 address as a host-order integer ({@link Ipv4}); for a multihomed server its
 *                  first registered address
 * @param partition partition id, 0 = /vicepa (volser.md §2.6)
 * @param flags     {@code VLSF_*} of {@link VlConstants}
 */
public record VldbSite(int server, int partition, int flags) {
    @Override
    public String toString() {
        return Ipv4.format(server) + "/" + partition + "/0x" + Integer.toHexString(flags);
    }
}
