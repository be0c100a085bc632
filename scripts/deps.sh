#!/bin/sh
# Installs wlsim's build and test dependencies from Debian when any is missing; does nothing
# when all are present. Uses sudo when not root. Called by `make deps` (and so by `make run`
# and `make test`); `sh scripts/deps.sh fuzz` installs instead what `make fuzz` needs beyond that
# (clang with its libFuzzer and sanitizer runtimes, and LLVM's OpenMP runtime, which clang's
# -fopenmp links), so that `make test` on a fresh machine does not need them.
set -e
what=""
PKGS="build-essential bc time pkg-config libgsl-dev libhdf5-dev hdf5-tools libcmocka-dev libyaml-dev libcsv-dev zlib1g-dev python3-h5py python3-numpy python3-matplotlib python3-statsmodels openmpi-bin libopenmpi-dev"
if [ "${1:-}" = fuzz ]; then PKGS="clang libclang-rt-14-dev libomp-dev"; what=" for fuzzing"; fi
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "wlsim: installing missing Debian packages$what:$missing"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
