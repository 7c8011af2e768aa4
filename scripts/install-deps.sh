#!/usr/bin/env bash
# Installs the Debian packages licensedesk needs to build, test and run.
# Idempotent: does nothing when every package is already present.
set -euo pipefail

PACKAGES=(
  g++ cmake make pkg-config ninja-build
  libboost-dev libcpp-httplib-dev nlohmann-json3-dev libsqlite3-dev libpq-dev
  libsodium-dev libcli11-dev libfmt-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev libcairo2-dev libpango1.0-dev
  libcurl4-openssl-dev libcjose-dev libjansson-dev
  postgresql fonts-noto-cjk fonts-dejavu-core sqlite3 openssl
)
# Extra packages for optional targets (make fuzz: clang-14 libclang-rt-14-dev).
if [ -n "${LICENSEDESK_EXTRA_PACKAGES:-}" ]; then
  read -r -a extra <<< "$LICENSEDESK_EXTRA_PACKAGES"
  PACKAGES+=("${extra[@]}")
fi
if [ "${LICENSEDESK_WEB:-1}" = 1 ]; then
  PACKAGES+=(nodejs npm chromium)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# nodejs/npm may come from outside Debian on some machines: accept any working node.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  filtered=()
  for p in "${missing[@]}"; do
    case "$p" in nodejs|npm) ;; *) filtered+=("$p") ;; esac
  done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
