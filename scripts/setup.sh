#!/usr/bin/env bash
# Installs everything Noctua and its tests need on a Debian machine. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBS=(influxdb snmpsim snmp snmpd fping iputils-ping iproute2 chromium poppler-utils redis-server prometheus-snmp-exporter build-essential python3 fonts-noto-cjk rsyslog snmptrapd openssh-server slapd ldap-utils openssl lldpd ieee-data postgresql)

missing=()
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
      echo "setup: these Debian packages are missing: ${missing[*]}" >&2
      echo "setup: run this script as root (or install sudo), or install them yourself:" >&2
      echo "    apt-get update && apt-get install -y ${missing[*]}" >&2
      exit 1
    fi
  else SUDO=; fi
  echo "setup: installing Debian packages: ${missing[*]}"
  # slapd would otherwise ask for an admin password and build a directory for this host's domain; the tests
  # start their own slapd with a private config, so it is installed without any configuration of its own.
  echo 'slapd slapd/no_configuration boolean true' | $SUDO debconf-set-selections
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
  # The packages start system services on some machines; Noctua starts its own private instances.
  for svc in influxdb snmpd snmptrapd.socket snmptrapd redis-server prometheus-snmp-exporter slapd lldpd; do
    $SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || $SUDO service "$svc" stop >/dev/null 2>&1 || true
  done
else
  echo "setup: Debian packages present"
fi

# `npm ci`: installs exactly the committed lock and never rewrites it, so a clean clone stays clean.
# The lock holds every platform's optional packages (rollup's native builds), as npm 11 writes it.
npm ci --no-audit --no-fund
# better-sqlite3 is a native addon: make sure it was built for this Node.
node -e "require('better-sqlite3')(':memory:').close()" 2>/dev/null || npm rebuild better-sqlite3
echo "setup: done"
