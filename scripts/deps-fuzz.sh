#!/bin/sh
# Installs what `make fuzz` needs beyond scripts/deps.sh, only when missing: clang with its
# libFuzzer and sanitizer runtimes, and LLVM's OpenMP runtime (clang's -fopenmp links libomp).
# Separate from deps.sh so that `make test` on a fresh machine does not need them.
set -e
PKGS="clang libclang-rt-14-dev libomp-dev"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "wlsim: installing missing Debian packages for fuzzing:$missing"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
