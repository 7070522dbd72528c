#!/usr/bin/env bash
# Installs the Debian packages of the servers that Sluice's integration tests and examples start privately:
#   scripts/install-services.sh [PACKAGE...]   (redis-server, nats-server, postgresql; all three by default)
# Installs only what is missing, and only as root with apt-get; otherwise says in one line what is missing.
# Exits 0 when every package asked for is there afterwards, 1 when one is not.
# Never starts, uses or changes a system-wide service: the tests and examples start their own servers.
set -euo pipefail

# The commands by which each package is known to be installed. They need not be on PATH: nats-server is in
# /usr/sbin (not on a user's PATH) and PostgreSQL's are in /usr/lib/postgresql/VERSION/bin.
commands_of() {
  case "$1" in
    redis-server) echo redis-server ;;
    nats-server) echo nats-server ;;
    postgresql) echo initdb pg_ctl ;;
    *) echo "install-services.sh: unknown package '$1' (redis-server, nats-server or postgresql)" >&2; exit 2 ;;
  esac
}

is_installed() {
  local command
  for command in $(commands_of "$1"); do
    command -v "$command" >/dev/null && continue
    [[ -x /usr/sbin/$command ]] && continue
    compgen -G "/usr/lib/postgresql/*/bin/$command" >/dev/null && continue
    return 1
  done
}

missing_packages() {
  local package
  for package in "$@"; do
    is_installed "$package" || echo "$package"
  done
}

# Debian's packages start their service after installing it unless /usr/sbin/policy-rc.d forbids it (exit 101);
# systemd does not run in CI's containers, but the init scripts would. Forbid it for the install's duration and
# put back whatever policy was there before.
install_without_starting_services() {
  local policy=/usr/sbin/policy-rc.d saved=""
  if [[ -e $policy ]]; then
    saved=$(mktemp)
    cp -p "$policy" "$saved"
  fi
  # shellcheck disable=SC2064 # the paths are fixed now, on purpose
  trap "restore_policy '$policy' '$saved'" EXIT
  printf '#!/bin/sh\n# Written by Sluice scripts/install-services.sh during apt-get install; removed afterwards.\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

restore_policy() {
  local policy=$1 saved=$2
  if [[ -n $saved ]]; then
    mv "$saved" "$policy"
  else
    rm -f "$policy"
  fi
}

packages=("$@")
((${#packages[@]} > 0)) || packages=(redis-server nats-server postgresql)
for package in "${packages[@]}"; do commands_of "$package" >/dev/null; done
mapfile -t missing < <(missing_packages "${packages[@]}")
((${#missing[@]} == 0)) && exit 0

if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null; then
  echo "not installed: ${missing[*]} (as root: apt-get install ${missing[*]}); what needs them will fail" >&2
  exit 1
fi
echo "installing ${missing[*]} (apt-get; their services are not started)" >&2
install_without_starting_services "${missing[@]}"
mapfile -t still_missing < <(missing_packages "${missing[@]}")
if ((${#still_missing[@]} > 0)); then
  echo "apt-get did not install: ${still_missing[*]}" >&2
  exit 1
fi
