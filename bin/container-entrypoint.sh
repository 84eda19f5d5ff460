#!/bin/sh
# The container image's entrypoint: the gateway, with a young generation fit for a server when the
# container's memory limit is small. Node sizes V8's heap from the memory limit it finds, and at
# 512 MiB or less V8 keeps its young generation small (a semi-space of 1 MiB on Node 24, 4 MiB on
# Node 26): the gateway then spends much of its time in garbage collection (about half the answers
# per second on either; README, "Container").
# There this adds --max-semi-space-size=16 to NODE_OPTIONS. Above 512 MiB V8 picks 16 MiB or more
# itself, and nothing is added. An operator's own --max-semi-space-size in NODE_OPTIONS (or in
# BALANCE_GATEWAY_NODE_FLAGS, below) wins.
#
# Node refuses most V8 flags in NODE_OPTIONS (--heap-growing-percent among them: "not allowed in
# NODE_OPTIONS", and the process does not start). BALANCE_GATEWAY_NODE_FLAGS puts flags on node's
# command line instead, before the gateway's script; its words are split on spaces and never globbed.
set -eu
# Where the container's cgroup files are (cgroup v2's memory.max, or v1's memory/memory.limit_in_bytes).
root=${BALANCE_GATEWAY_CGROUP_ROOT:-/sys/fs/cgroup}
limit=$(cat "$root/memory.max" 2>/dev/null || cat "$root/memory/memory.limit_in_bytes" 2>/dev/null || echo max)
case "${NODE_OPTIONS:-} ${BALANCE_GATEWAY_NODE_FLAGS:-}" in
  *--max-semi-space-size* | *--max_semi_space_size*) ;;
  *)
    case "$limit" in
      '' | *[!0-9]*) ;; # "max" (v2, no limit) or unreadable
      *)
        if [ "$limit" -le 536870912 ]; then
          NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--max-semi-space-size=16"
          export NODE_OPTIONS
        fi
        ;;
    esac
    ;;
esac
script="$(dirname "$0")/balance-gateway.js"
set -f
# shellcheck disable=SC2086 # the flags are words to split
exec node ${BALANCE_GATEWAY_NODE_FLAGS:-} "$script" "$@"
