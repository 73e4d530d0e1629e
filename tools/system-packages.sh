#!/usr/bin/env bash
# Install the Debian packages the tests drive for real: Chromium (browser tests, Lighthouse),
# nginx (deployment tests), Node.js (the YAML language server of the editor test, Lighthouse) and
# Java (the Nu Html Checker). On a machine where they cannot be installed, say so: the tests then
# skip, except under CI=true, where a missing browser or server is a failure.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
command -v java >/dev/null 2>&1 || [ -x /usr/bin/java ] || missing+=(default-jre-headless)
[ ${#missing[@]} -eq 0 ] && exit 0

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }

if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }; then
  echo "Installing ${missing[*]} from the distribution's packages..."
  as_root apt-get update -qq
  # nginx-light is Debian 12's smallest nginx; releases without it have plain nginx. Chromium
  # keeps its recommended packages: they bring the fonts that printed pages are checked with.
  if [[ " ${missing[*]} " == *" nginx-light "* ]] && ! apt-cache show nginx-light >/dev/null 2>&1; then
    missing=("${missing[@]/nginx-light/nginx}")
  fi
  # Java's packages link their manual pages into /usr/share/man/man1, which slim images lack.
  [[ " ${missing[*]} " == *" default-jre-headless "* ]] && as_root mkdir -p /usr/share/man/man1
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "Note: ${missing[*]} not installed and cannot be installed here; the browser and nginx tests will skip." >&2
  [ "${CI:-}" = "true" ] && { echo "CI=true: a missing browser or server is a failure." >&2; exit 1; }
fi
exit 0
