#!/usr/bin/env bash
# Installs Debian's Chromium, which the browser tests (tests/Sluice.BrowserTests) drive through Playwright, when it
# is missing: only as root with apt-get; otherwise says in one line what is missing. Exits 0 when /usr/bin/chromium
# is there afterwards, 1 when it is not. Playwright's own browser download is never used: it needs a CDN this
# machine cannot reach, and Debian's build is the one the tests are pointed at.
set -euo pipefail
chromium=/usr/bin/chromium
[[ -x $chromium ]] && exit 0
if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null; then
  echo "not installed: chromium (as root: apt-get install chromium); the browser tests will fail" >&2
  exit 1
fi
echo "installing chromium (apt-get) for the browser tests" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
[[ -x $chromium ]] || { echo "apt-get did not install $chromium" >&2; exit 1; }
