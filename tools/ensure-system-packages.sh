#!/bin/sh
# Installs the Debian packages given as arguments when they are missing.
# As root: apt-get install. Otherwise: prints the exact command and carries on
# (the demos that need a missing package say so on their page).
set -u
missing=""
for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $pkg"
    fi
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "Paquets système manquants :$missing (installez-les avec le gestionnaire de paquets de votre système)." >&2
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "Paquets système manquants :$missing" >&2
    echo "Installez-les avec : sudo apt-get install -y$missing" >&2
    exit 0
fi
echo "Installation des paquets système :$missing"
export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists only when they are missing or older than a day.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages' -mtime -1 2>/dev/null | head -n 1)" ]; then
    apt-get update -qq
fi
apt-get install -y -qq --no-install-recommends $missing
