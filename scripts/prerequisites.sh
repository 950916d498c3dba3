#!/usr/bin/env bash
# Installs what the demo and the tests need, only when missing: Debian's docker-registry, docker.io
# (dockerd), skopeo, unzip and openssl, and the npm dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for pair in docker-registry:docker-registry dockerd:docker.io skopeo:skopeo unzip:unzip openssl:openssl; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "Missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install -y ${missing[*]})" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Packages only: their services must not start (the test bed starts its own on private sockets and ports).
  made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; made_policy=1; fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [ "$made_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
fi

# onnxruntime-node's install script downloads GPU libraries; its CPU binding ships in the package.
export ONNXRUNTIME_NODE_INSTALL=skip
if [ -L node_modules ]; then
  # A node_modules shared from another checkout (a git worktree's symlink): npm ci would empty the
  # other checkout's tree through the link. Install there instead.
  :
elif [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
