#!/usr/bin/env bash
# Install the real components the test suite starts on 127.0.0.1: TLS and web servers,
# databases, Redis, a headless browser, and the real web stack a kabupaten runs (Apache httpd,
# PHP, WordPress) whose pages the http signatures are tested on, and LibreOffice Calc (headless)
# that opens the --xlsx workbook in tests. Debian packages only; idempotent.
set -euo pipefail
packages=(openssl nginx postgresql postgresql-contrib mariadb-server mariadb-client redis-server
          chromium chromium-driver iproute2 procps
          apache2 php-cli libapache2-mod-php php-mysql wordpress wordpress-theme-twentytwentyone
          libreoffice-calc-nogui)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
echo "system packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
# Do not let the packages start their own system-wide services: tests start private instances.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
chmod +x /usr/sbin/policy-rc.d
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
rm -f /usr/sbin/policy-rc.d
echo "system packages: done"
