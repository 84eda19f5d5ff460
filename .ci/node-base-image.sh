#!/usr/bin/env bash
# Builds a stand-in for node:26-trixie-slim in podman's local store, for machines that reach no
# container registry (README, "Container"). It honours what the Dockerfile asks of its base: a
# Debian-based Node 26 image with npm, a shell and a `node` user (uid 1000, as the official images).
#
#   .ci/node-base-image.sh [TAG]        TAG defaults to localhost/balance-gateway-node-base:26
#
# The rootfs is assembled, not installed: the repository's Node 26 (node_modules/node, so run
# `npm ci` first, or point NODE_BINARY at another Node 26), the host's copies of the libraries `ldd`
# names for it (Debian's glibc and libstdc++ on a Debian host), Debian's busybox-static for /bin/sh
# and the usual utilities, npm ${NPM_VERSION:-11} from the npm registry (the major Node 26 bundles),
# the host's CA bundle (which Node trusts through NODE_EXTRA_CA_CERTS), and passwd/group files with
# root and node. `podman import` turns it into an image: nothing here runs a container or needs a
# container registry.
set -euo pipefail
repository="$(cd "$(dirname "$0")/.." && pwd)"
tag="${1:-localhost/balance-gateway-node-base:26}"
node_binary="${NODE_BINARY:-$repository/node_modules/node/bin/node}"
npm_version="${NPM_VERSION:-11}"

fail() { echo "node-base-image: $*" >&2; exit 1; }
command -v podman >/dev/null || fail "podman is not installed"
command -v npm >/dev/null || fail "npm is needed to fetch npm@$npm_version"
busybox="$(command -v busybox || true)"
[ -n "$busybox" ] || fail "busybox is not installed (Debian: apt-get install busybox-static)"
# A dynamically linked busybox would need its own libraries in the image too.
if ldd "$busybox" >/dev/null 2>&1; then fail "$busybox is not static (Debian: apt-get install busybox-static)"; fi
[ -x "$node_binary" ] || fail "no Node binary at $node_binary (run npm ci, or set NODE_BINARY)"
node_version="$("$node_binary" --version)"
case "$node_version" in v26.*) ;; *) fail "$node_binary is $node_version, not Node 26" ;; esac

work="$(mktemp -d "${TMPDIR:-/tmp}/node-base-image.XXXXXX")"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"

# Debian's merged /usr: /bin, /sbin, /lib and /lib64 are links into /usr.
mkdir -p "$root"/usr/{bin,sbin,lib,lib64,local/bin,local/lib/node_modules} "$root"/{etc/ssl/certs,root,tmp,home/node}
for directory in bin sbin lib lib64; do ln -s "usr/$directory" "$root/$directory"; done
chmod 1777 "$root/tmp"
chmod 700 "$root/root"

# Node 26 and, at the same paths as on the host, every library it loads.
cp "$node_binary" "$root/usr/local/bin/node"
while read -r library; do
  mkdir -p "$root$(dirname "$library")"
  cp -L "$library" "$root$library"
done < <(ldd "$node_binary" | grep -o '/[^ ]*')

cp "$busybox" "$root/usr/bin/busybox"
for applet in $("$busybox" --list); do
  [ -e "$root/usr/bin/$applet" ] || ln -s busybox "$root/usr/bin/$applet"
done

# npm as the official image has it: in /usr/local/lib/node_modules, linked from /usr/local/bin.
(cd "$work" && npm pack --silent "npm@$npm_version" >/dev/null)
tar -xzf "$work"/npm-*.tgz -C "$root/usr/local/lib/node_modules"
mv "$root/usr/local/lib/node_modules/package" "$root/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"

# The host's trust: its CA bundle and any NODE_EXTRA_CA_CERTS, which Node (and so npm) reads. Where
# the registry is reached through a TLS-inspecting proxy (these machines), `npm ci` needs it.
bundle="$root/etc/ssl/certs/ca-certificates.crt"
touch "$bundle"
[ -f /etc/ssl/certs/ca-certificates.crt ] && cat /etc/ssl/certs/ca-certificates.crt >>"$bundle"
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ] \
  && ! cmp -s "$NODE_EXTRA_CA_CERTS" /etc/ssl/certs/ca-certificates.crt; then
  cat "$NODE_EXTRA_CA_CERTS" >>"$bundle"
fi
cp -L /etc/os-release "$root/etc/os-release" 2>/dev/null || true
printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nnode:x:1000:\n' >"$root/etc/group"
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"

# Everything is root's but the node user's home, whatever user runs this script.
tar --numeric-owner --owner=0 --group=0 --exclude=./home/node -C "$root" -cf "$work/rootfs.tar" .
tar --numeric-owner --owner=1000 --group=1000 -C "$root" -rf "$work/rootfs.tar" ./home/node
previous="$(podman image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)"
podman import --quiet \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=${node_version#v}" \
  --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
  --change 'CMD ["node"]' \
  --message "stand-in for node:26-trixie-slim (.ci/node-base-image.sh)" \
  "$work/rootfs.tar" "$tag" >/dev/null
# The tag's previous image, now untagged, would stay behind on every run; one still in use stays.
[ -n "$previous" ] && podman rmi "$previous" >/dev/null 2>&1 || true
echo "node-base-image: $tag (Node $node_version, npm $("$node_binary" "$root/usr/local/lib/node_modules/npm/bin/npm-cli.js" --version))"
