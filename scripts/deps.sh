#!/usr/bin/env bash
# deps.sh — make sure the Debian packages aprender builds with are present.
#
#   scripts/deps.sh check     exit 0 when everything is installed, 1 otherwise (prints what is missing)
#   scripts/deps.sh install   install what is missing with apt-get (directly as root, else via sudo)
#   scripts/deps.sh install clang libclang-rt-dev   ... and these too (make fuzz asks for them)
#
# Each package is listed with the reason we depend on it; README.md repeats the list.
set -u

# package             what it gives us
PACKAGES=(
  build-essential     # g++ 12 and make
  pkg-config          # finds OpenBLAS's flags
  libopenblas-dev     # cblas_sgemm/dgemm: the matrix products
  libfmt-dev          # formatting and printing tensors
  doctest-dev         # the test framework
  nlohmann-json3-dev  # JSON: safetensors headers, tokenizer vocabularies, PEFT configs
  libpcre2-dev        # Unicode regex (\p{L}) for GPT-2's pre-tokenizer
  libutf8proc-dev     # Unicode NFC normalisation and case folding
)

action=${1:-check}
[ $# -gt 0 ] && shift
PACKAGES+=("$@")

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

case "$action" in
  check)
    if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
    echo "deps: missing Debian packages: ${missing[*]}" >&2
    exit 1 ;;
  install)
    if [ ${#missing[@]} -eq 0 ]; then echo "deps: all packages present"; exit 0; fi
    echo "deps: installing ${missing[*]}"
    if [ "$(id -u)" -eq 0 ]; then SUDO=""
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"
    else
      echo "deps: cannot install ${missing[*]}: not root and no password-less sudo." >&2
      echo "deps: ask an administrator to run: apt-get install ${missing[*]}" >&2
      exit 2
    fi
    if ! command -v apt-get >/dev/null; then
      echo "deps: apt-get not found; install these packages by hand: ${missing[*]}" >&2; exit 2
    fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq || { echo "deps: apt-get update failed" >&2; exit 2; }
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" \
      || { echo "deps: apt-get install failed for: ${missing[*]}" >&2; exit 2; }
    ;;
  *) echo "usage: $0 check|install" >&2; exit 2 ;;
esac
