#!/usr/bin/env bash
# Runs vagrant/provision.sh twice in a fresh Debian 12 chroot, as on a new debian/bookworm64 VM,
# and checks what it did. The project's machine cannot boot VMs; this is the closest check of the
# provisioning script it can make. Needs root, debootstrap (apt-get install debootstrap) and a
# Debian mirror; takes about 10 minutes; removes everything it made, also on failure.
#
#   vagrant/check-provision.sh            # exit 0 when every check passed
#   DEBIAN_MIRROR=http://... vagrant/check-provision.sh
#
# The chroot shares this machine's network for apt. Everything that touches iptables runs in a
# network namespace of its own, so no rule ever reaches this machine's firewall.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

[ "$(id -u)" = 0 ] || { echo "check-provision.sh: run as root" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "check-provision.sh: needs debootstrap (apt-get install debootstrap)" >&2; exit 2; }

work=$(mktemp -d /var/tmp/leasekv-provision-check.XXXXXX)
# Mounts live only in the unshare'd processes' private mount namespaces, so they are gone by now.
trap 'rm -rf --one-file-system "$work"' EXIT
root="$work/rootfs"

echo "== debootstrap bookworm into $root"
debootstrap --variant=minbase bookworm "$root" "$mirror" > "$work/debootstrap.log" 2>&1 \
  || { tail -n 20 "$work/debootstrap.log"; exit 1; }
cp /etc/resolv.conf "$root/etc/resolv.conf"
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"   # no services start in a chroot
chmod +x "$root/usr/sbin/policy-rc.d"
ssh-keygen -q -t ed25519 -N '' -C leasekv-harness -f "$work/harness_key"
cp "$here/provision.sh" "$root/root/provision.sh"
cat > "$root/root/box.sh" <<'EOF'
# What the debian/bookworm64 box already has: a vagrant user with passwordless sudo.
set -e
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq --no-install-recommends sudo >/dev/null
useradd -m -s /bin/bash vagrant
echo 'vagrant ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/vagrant
chmod 440 /etc/sudoers.d/vagrant
EOF

in_chroot() {  # in_chroot [unshare flags...] -- COMMAND: runs COMMAND (a shell line) in the chroot
  local flags=()
  while [ "$1" != -- ]; do flags+=("$1"); shift; done
  shift
  unshare --mount --propagation private --pid --fork "${flags[@]}" sh -c \
    'r=$1; shift; mount -t proc proc "$r/proc" && mount --rbind /dev "$r/dev" && mount -t sysfs sys "$r/sys" && exec chroot "$r" sh -c "$1"' \
    sh "$root" "$1"
}

key=$(cat "$work/harness_key.pub")
hosts="192.168.56.11 n1,192.168.56.12 n2,192.168.56.13 n3,192.168.56.14 n4,192.168.56.15 n5"
echo "== the box's vagrant user, then provision.sh twice"
in_chroot -- "bash /root/box.sh"
in_chroot -- "bash /root/provision.sh n1 '$key' '$hosts'"
in_chroot -- "bash /root/provision.sh n1 '$key' '$hosts'"

echo "== checks"
failed=0
check() {  # check DESCRIPTION SHELL-LINE: the line runs in the chroot, in its own network namespace
  if in_chroot --net -- "$2" > "$work/check.out" 2>&1; then
    echo "ok    $1"
  else
    echo "FAIL  $1"; sed 's/^/      /' "$work/check.out"; failed=1
  fi
}
check "java 17" "java -version 2>&1 | grep -q 'version \"17\\.'"
for c in iptables rsync fusermount setsid md5sum pkill perl socat python3 sudo; do
  check "$c is installed" "command -v $c"
done
check "libfuse.so.2 (jnr-fuse) is installed" "ls /usr/lib/*/libfuse.so.2"
check "the harness key is authorized once, after two runs" \
  "[ \"\$(grep -cxF '$key' /home/vagrant/.ssh/authorized_keys)\" = 1 ]"
check "~vagrant/.ssh is 700 and authorized_keys 600, both vagrant's" \
  "[ \"\$(stat -c '%U %a' /home/vagrant/.ssh /home/vagrant/.ssh/authorized_keys | tr '\n' ' ')\" = 'vagrant 700 vagrant 600 ' ]"
check "/etc/hosts names the five nodes once each" "[ \"\$(grep -c '# leasekv-harness\$' /etc/hosts)\" = 5 ]"
check "the base dir exists" "[ -d /var/tmp/leasekv-harness ]"
check "fuse is loaded at boot" "grep -qx fuse /etc/modules-load.d/leasekv-fuse.conf"
check "vagrant runs iptables through sudo -n (a partition rule, added and removed)" \
  "sudo -n -u vagrant sudo -n iptables -w -A INPUT -s 10.99.0.1 -j DROP -m comment --comment leasekv-harness 2>&1 | grep -v 'unable to resolve host' ; sudo -n -u vagrant sudo -n iptables -w -S INPUT | grep -q leasekv-harness && sudo -n -u vagrant sudo -n iptables -w -D INPUT -s 10.99.0.1 -j DROP -m comment --comment leasekv-harness 2>/dev/null"
check "a bad key is refused with a message" \
  "bash /root/provision.sh n1 'not a key' 2>&1 | grep -q 'does not look like an OpenSSH public key'"

if [ "$failed" = 0 ]; then echo "check-provision.sh: every check passed"; else echo "check-provision.sh: FAILED"; fi
exit "$failed"
