#!/bin/sh
# node.sh STATE_DIR NODE CMD [ARGS...]
#
# Written into every cell's state directory by afsdr.realcell.RealCell and run as
#   unshare --mount --uts --propagation private -- /bin/sh node.sh STATE_DIR NODE CMD...
# i.e. already inside the test run's loopback-only network namespace and in a
# mount + UTS namespace of its own.  The Debian OpenAFS binaries have their
# configuration, state and partition paths compiled in, so each node gets its
# own copies bind-mounted over them; the bind mounts die with the namespace,
# which dies with the last process in it.  Ends with exec, so the PID the
# caller holds is the PID of CMD itself.
set -eu
state=$1
node=$2
shift 2
nd="$state/nodes/$node"
[ -d "$nd/local" ] || { echo "node.sh: unknown node '$node' in $state" >&2; exit 2; }

# The hard network rule: never run a server where it could reach anything but
# loopback.  /proc/self/net/dev lists the interfaces of our own network namespace.
others=$(awk -F: 'NR > 2 { gsub(/ /, "", $1); if ($1 != "lo") print $1 }' /proc/self/net/dev)
if [ -n "$others" ]; then
    echo "node.sh: network namespace has interfaces other than lo ($others); refusing to run" >&2
    exit 3
fi

# ubik takes its own address from gethostbyname(gethostname()) (gotcha G3), so
# the hostname must resolve, through the private /etc/hosts, to the node's address.
echo "afs-$node" > /proc/sys/kernel/hostname

mount --bind "$state/etc"         /etc/openafs
mount --bind "$state/hosts"       /etc/hosts
mount --bind "$state/resolv.conf" /etc/resolv.conf
mount --bind "$nd/local"          /var/lib/openafs/local
mount --bind "$nd/logs"           /var/log/openafs
if [ -d "$nd/db" ]; then
    mount --bind "$nd/db" /var/lib/openafs/db
fi
for part in "$nd"/vicep*; do
    [ -d "$part" ] || continue
    mount --bind "$part" "/$(basename "$part")"
done
cd /
exec "$@"
