#!/usr/bin/env bash
# Makes sure Debian's rabbitmq-server (which ships the rabbitmq_amqp1_0 plugin) is installed, so the
# AMQP 1.0 tests have a real broker. Idempotent: does nothing when the broker binary is already there.
# Starts nothing itself: the tests run their own throwaway broker (test/support/rabbitmq/broker.ts).
set -euo pipefail

BIN=/usr/lib/rabbitmq/bin/rabbitmq-server
if [ -x "$BIN" ]; then
  exit 0
fi
if [ "${SKIP_RABBITMQ:-}" = 1 ]; then
  echo "ensure-installed: SKIP_RABBITMQ=1, not installing rabbitmq-server (the RabbitMQ tests will be skipped)"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-installed: rabbitmq-server is not installed and we are not root." >&2
  echo "ensure-installed: install it once with: sudo apt-get install -y --no-install-recommends rabbitmq-server" >&2
  echo "ensure-installed: (or set SKIP_RABBITMQ=1 to run the tests without the RabbitMQ ones)" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-installed: rabbitmq-server is missing and apt-get is not available (not a Debian-like system)." >&2
  exit 1
fi

t0=$(date +%s)
echo "ensure-installed: installing rabbitmq-server (apt-get)..."
log=$(mktemp)
export DEBIAN_FRONTEND=noninteractive
# Output goes to a log shown only on failure. A service start attempted by the package's postinst
# (where policy-rc.d allows it) is harmless: our broker uses its own node name, ports and directories.
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends rabbitmq-server; } >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  rm -f "$log"
  echo "ensure-installed: apt-get failed" >&2
  exit 1
fi
rm -f "$log"
if [ ! -x "$BIN" ]; then
  echo "ensure-installed: apt-get succeeded but $BIN is missing" >&2
  exit 1
fi
echo "ensure-installed: rabbitmq-server $(dpkg-query -W -f='${Version}' rabbitmq-server) installed in $(( $(date +%s) - t0 ))s"
