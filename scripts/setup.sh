#!/usr/bin/env bash
# Everything a fresh Debian machine (as root) needs to build and run autossh-ts, its lab and its
# tests: OpenSSH's server (tests and chaos runs start their own on loopback), the real autossh
# 1.4g (the oracle and the comparisons), iproute2 and nftables (network namespaces and faults),
# chromium (the report test renders every HTML report headless), logrotate (the shipped snippet
# is run against a live log), g++ and make build unix-dgram (sd_notify's datagram socket; Node
# has none) against the headers under nodedir; mandoc lints the man pages and man-db's `man -w`
# finds them after the package test's npm install; dpkg-dev and lintian build and check the .deb
# (scripts/build-deb.sh), systemd-container boots the real systemd its test installs it under
# (without recommends: those would edit the host's nsswitch.conf), procps (ps, pgrep) looks inside
# it; prometheus brings promtool and the server the alert rules are tested with; then the npm
# packages and the build. These are test-time needs, never the package's Depends.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
need=()
for pkg in openssh-server openssh-client autossh iproute2 nftables util-linux bsdutils python3 g++ make chromium \
  logrotate mandoc man-db dpkg-dev lintian systemd-container procps prometheus; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
mkdir -p /run/sshd
# Debian's prometheus enables prometheus.service and starts it when it can (under systemd, or a
# SysV init with no policy-rc.d saying no): a server on *:9090 scraping for good, and one more
# service booting in every nspawn container made from this root. The tests run their own, on a
# loopback port, so the package's is disabled and stopped, every run. `systemctl disable` works
# without a running systemd (it edits the links, SysV's too); `service` stops it either way.
if dpkg -s prometheus >/dev/null 2>&1; then
  if command -v systemctl >/dev/null; then systemctl disable --quiet prometheus.service; else update-rc.d prometheus disable; fi
  service prometheus stop >/dev/null 2>&1 || true
fi
# The lock records every platform's optional packages (rollup's too), so npm ci takes it as it
# is; a lock that disagrees with package.json fails here, loudly.
# node-gyp must find node's headers here, never download them (no network but the registry)
if [ -f /usr/include/node/common.gypi ]; then export npm_config_nodedir="${npm_config_nodedir:-/usr}"; fi
npm ci --no-audit --no-fund
npm run build
