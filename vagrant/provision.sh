#!/usr/bin/env bash
# Prepares one Debian 12 VM as a node of the leasekv harness's `ssh` remote. Vagrant runs it as
# root on every `vagrant up` of a new VM and on `vagrant provision`; running it again changes
# nothing that is already right.
#
#   provision.sh NODE_NAME HARNESS_PUBLIC_KEY [HOSTS]
#
# NODE_NAME           this node's name (n1..n5), also its hostname
# HARNESS_PUBLIC_KEY  the public key the harness logs in with (vagrant/harness_key.pub's content)
# HOSTS               comma-separated "address name" pairs written to /etc/hosts (for operators;
#                     the harness itself uses the addresses in vagrant/nodes)
#
# Environment: HARNESS_USER (default vagrant) is the login user that gets the key; it must have
# passwordless sudo (Vagrant boxes have it), because the harness runs every command as root
# through `sudo -n`. HARNESS_BASE_DIR (default /var/tmp/leasekv-harness) is the harness's default
# --base-dir: each node keeps its data, logs, jars and lazyfs mounts in a directory under it.
set -euo pipefail

node_name=${1:-}
public_key=${2:-}
hosts=${3:-}
harness_user=${HARNESS_USER:-vagrant}
base_dir=${HARNESS_BASE_DIR:-/var/tmp/leasekv-harness}

fail() { echo "provision.sh: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fail "must run as root (Vagrant's shell provisioner does)"
[[ "$node_name" =~ ^[A-Za-z0-9][A-Za-z0-9-]*$ ]] || fail "NODE_NAME must be a host name such as n1, got '${node_name}'"
if [ -z "$public_key" ]; then
  fail "no harness key. On the host, run
    ssh-keygen -t ed25519 -N '' -C leasekv-harness -f vagrant/harness_key
then \`vagrant provision\` (see docs/vagrant.md)."
fi
[[ "$public_key" =~ ^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp[0-9]+)\ [A-Za-z0-9+/=]+ ]] \
  || fail "HARNESS_PUBLIC_KEY does not look like an OpenSSH public key: '${public_key:0:40}...'"
id "$harness_user" >/dev/null 2>&1 || fail "user $harness_user does not exist"

# --- packages --------------------------------------------------------------------------------
# openjdk-17-jre-headless  runs the store (java -jar leasekv-store.jar) and lazyfs
# iptables                 partitions: INPUT DROP rules commented leasekv-harness
# rsync                    copying data directories by hand, and what a user's tooling expects
# fuse3, libfuse2          lazyfs (power-loss faults) is jnr-fuse on libfuse 2; fuse3 brings
#                          /dev/fuse's helper fusermount (a link to fusermount3) for unmounting
# procps, psmisc           ps, kill, pkill, fuser: signals to the daemons, finding their pids
# util-linux, coreutils    setsid (daemons), md5sum (the store jar is uploaded only when it changed)
# socat, python3           talking to lazyfs's Unix control socket without starting a JVM
# sudo                     the harness's commands run through `sudo -n` as the login user
# systemd-timesyncd        keeps the system clock near the host's; see docs/vagrant.md on clocks
packages=(openjdk-17-jre-headless iptables rsync fuse3 libfuse2 procps psmisc util-linux coreutils
          socat python3 sudo systemd-timesyncd ca-certificates)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "provision.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- FUSE ------------------------------------------------------------------------------------
# The module is built into Debian's kernel config as a module; load it now and on every boot.
# lazyfs mounts run as root (through sudo), so /etc/fuse.conf's user_allow_other is not needed
# for its allow_other option and stays off.
echo fuse > /etc/modules-load.d/leasekv-fuse.conf
modprobe fuse 2>/dev/null || true
[ -e /dev/fuse ] || echo "provision.sh: warning: /dev/fuse is missing; power-loss faults will not work" >&2

# --- the harness's login -----------------------------------------------------------------------
home=$(getent passwd "$harness_user" | cut -d: -f6)
install -d -m 700 -o "$harness_user" -g "$(id -gn "$harness_user")" "$home/.ssh"
keys="$home/.ssh/authorized_keys"
touch "$keys"
grep -qxF "$public_key" "$keys" || echo "$public_key" >> "$keys"
chown "$harness_user:$(id -gn "$harness_user")" "$keys"
chmod 600 "$keys"
sudo -n -u "$harness_user" sudo -n true 2>/dev/null \
  || fail "$harness_user has no passwordless sudo; the harness needs it (sudo -n)"

# --- directories -----------------------------------------------------------------------------
# The harness creates each node's own directory under the base dir; the base dir exists up front
# so that a non-default --base-dir is the only thing that needs creating by hand.
install -d -m 755 "$base_dir"

# --- names and time --------------------------------------------------------------------------
# Vagrant sets the hostname (node.vm.hostname); the names of all nodes go to /etc/hosts.
if [ -n "$hosts" ]; then
  sed -i '/# leasekv-harness$/d' /etc/hosts
  IFS=, read -ra entries <<< "$hosts"
  for e in "${entries[@]}"; do echo "$e # leasekv-harness" >> /etc/hosts; done
fi
systemctl enable --now systemd-timesyncd >/dev/null 2>&1 || true

java_version=$(java -version 2>&1 | head -n 1)
echo "provision.sh: $node_name ready: $java_version; login $harness_user; base dir $base_dir"
