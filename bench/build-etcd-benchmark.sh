#!/usr/bin/env bash
# Builds etcd's own benchmark tool (tools/benchmark of etcd 3.4.23) from Debian's source package,
# offline against Debian's Go packages, and caches the binary in bench/.cache/ (ignored by git).
# Prints the binary's path. Neither etcd's code nor the binary is ever committed.
#
# The tool is not in golang-etcd-server-dev, only in the source package. apt-get source needs a
# deb-src line; it goes into a private sources list under bench/.cache/apt, so the system's apt
# sources stay as they are.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=$here/.cache
bin=$cache/etcd-benchmark-3.4.23
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi
mkdir -p "$cache/apt/lists/partial" "$cache/src"

need=()
for p in golang-go golang-etcd-server-dev dpkg-dev; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "apt: installing ${need[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi

. /etc/os-release
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian ${VERSION_CODENAME:-bookworm} main" \
  > "$cache/apt/sources.list"
apt_private=(-o "Dir::Etc::SourceList=$cache/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
             -o "Dir::State::Lists=$cache/apt/lists")
if ! ls "$cache"/src/etcd_3.4.23*.orig.tar.gz >/dev/null 2>&1; then
  apt-get "${apt_private[@]}" update -qq >&2
  (cd "$cache/src" && apt-get "${apt_private[@]}" source --download-only etcd=3.4.23-4 >&2)
fi
rm -rf "$cache/gopath" && mkdir -p "$cache/gopath/src/go.etcd.io/etcd/tools" "$cache/unpack"
tar -xzf "$cache"/src/etcd_3.4.23*.orig.tar.gz -C "$cache/unpack"
cp -r "$cache"/unpack/etcd-3.4.23/tools/benchmark "$cache/gopath/src/go.etcd.io/etcd/tools/"
rm -rf "$cache/unpack"
echo "building etcd tools/benchmark (offline, Debian's Go packages; a few minutes on 2 cores)" >&2
GO111MODULE=off GOPROXY=off GOFLAGS= GOPATH="$cache/gopath:/usr/share/gocode" GOCACHE="$cache/gocache" \
  go build -o "$bin.tmp" go.etcd.io/etcd/tools/benchmark
mv "$bin.tmp" "$bin"
echo "$bin"
