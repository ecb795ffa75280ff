#!/usr/bin/env bash
# Browser tests drive Debian's chromium (never a browser download).
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
echo "installing Debian's chromium"
sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
sudo_ apt-get update -q
DEBIAN_FRONTEND=noninteractive sudo_ apt-get install -y -q chromium
