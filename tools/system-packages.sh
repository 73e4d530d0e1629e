#!/usr/bin/env bash
# Install the Debian packages the tests drive for real: Chromium (browser tests), nginx
# (deployment tests) and Node.js (the YAML language server of the editor test). On a machine where they cannot be installed, say so: the tests then skip,
# except under CI=true, where a missing browser or server is a failure.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
[ ${#missing[@]} -eq 0 ] && exit 0

if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "Installing ${missing[*]} from the distribution's packages..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo apt-get update -qq
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Note: ${missing[*]} not installed and cannot be installed here; the browser and nginx tests will skip." >&2
  [ "${CI:-}" = "true" ] && { echo "CI=true: a missing browser or server is a failure." >&2; exit 1; }
fi
exit 0
