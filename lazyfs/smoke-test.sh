#!/usr/bin/env bash
# Shell-level smoke test of bin/lazyfs as the harness uses it (needs root and /dev/fuse):
# mount, fsync'd and unsynced writes, lose-unsynced, remount, check; SIGTERM; kill -9 + umount.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
lazyfs="$here/bin/lazyfs"
work=$(mktemp -d /tmp/lazyfs-smoke-XXXXXX)
backing=$work/backing mnt=$work/mnt sock=$work/ctl.sock
pid=

cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  "$lazyfs" umount --mount "$mnt" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "smoke test FAILED: $*" >&2; exit 1; }

start_mount() {
  "$lazyfs" mount --backing "$backing" --mount "$mnt" --control "$sock" >>"$work/mount.log" 2>&1 &
  pid=$!
  disown "$pid"                                 # no "Killed" notice from bash for the kill -9 below
  for _ in $(seq 1 150); do
    if "$lazyfs" ctl --control "$sock" ping >/dev/null 2>&1; then return 0; fi
    kill -0 "$pid" 2>/dev/null || fail "mount exited: $(cat "$work/mount.log")"
    sleep 0.2
  done
  fail "mount not ready after 30 s"
}

wait_exit() {
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  fail "mount process $pid did not exit"
}

start_mount
echo "synced" | dd of="$mnt/synced" conv=fsync status=none
sync "$mnt"                                   # fsync(2) of the directory: the new name is durable
echo "lost" > "$mnt/unsynced"                 # never fsynced
echo "also lost" >> "$mnt/synced"             # appended after the fsync
reply=$("$lazyfs" ctl --control "$sock" lose-unsynced) || fail "lose-unsynced: $reply"
echo "lose-unsynced: $reply"
"$lazyfs" umount --mount "$mnt" >/dev/null
wait_exit
start_mount
[ "$(cat "$mnt/synced")" = "synced" ] || fail "synced file reads '$(cat "$mnt/synced")'"
[ ! -e "$mnt/unsynced" ] || fail "the unsynced file survived the power loss"
echo "after remount: synced file intact, unsynced file gone"

echo "kept" > "$mnt/kept"
kill -TERM "$pid"; wait_exit                  # SIGTERM: clean unmount, which syncs
grep -q " $mnt " /proc/mounts && fail "SIGTERM left the mount behind"
[ "$(cat "$backing/kept")" = "kept" ] || fail "SIGTERM did not sync pending data"
echo "SIGTERM: unmounted cleanly after syncing"

start_mount
kill -9 "$pid"; wait_exit
grep -q " $mnt " /proc/mounts || fail "expected a dead mount after kill -9"
out=$("$lazyfs" umount --mount "$mnt") || fail "umount of the dead mount: $out"
grep -q " $mnt " /proc/mounts && fail "umount left the dead mount behind"
echo "kill -9: dead mount cleaned by 'lazyfs umount' ($out)"
echo "smoke test passed"
