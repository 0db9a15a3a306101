#!/usr/bin/env bash
# data.sh — the `make data` step: real Brazilian-Portuguese corpora from Debian packages.
#
# Nothing is installed. Each package is fetched with `apt-get download` (a plain .deb file)
# and unpacked with `dpkg-deb -x` into the git-ignored folder data/cache/, and clean UTF-8
# text is extracted from it:
#
#   general     focalinux-text               Guia Foca GNU/Linux, ISO-8859-1 → UTF-8,
#                                            repeated lines dropped (its 3 levels overlap)
#   tecnico     manpages-pt-br(-dev)         man pages rendered with `groff -Kutf8`,
#                                            translator footers ("TRADUÇÃO") stripped
#   financeiro  kmymoney-common              the pt_BR KMyMoney handbook, DocBook tags stripped
#   libreoffice libreoffice-help-pt-br       labelled: help paragraphs → module (scalc, swriter,
#                                            simpress, sbasic, …), for 10_lora's classification
#                                            table; scripts/libreoffice_tsv.py (self-tested first)
#
# Output: data/cache/corpora/<name>.{train,val,test}.txt — one paragraph per line;
# data/cache/corpora/libreoffice.{train,val,test}.tsv — label<TAB>paragraph (split 80/10/10
# per class, see scripts/libreoffice_tsv.py).
# The split is deterministic: paragraph i goes to val when i % 20 == 18, to test when
# i % 20 == 19, to train otherwise (90/5/5), so every run on every machine agrees.
#
# Idempotent: a corpus whose three files exist is skipped (--force redoes everything).
# Offline: a package that cannot be fetched is reported with what to do, the other corpora
# are still built, and the step exits 0 — the tutorials fall back to the small committed
# sentence sets in data/lecture/ and say so. Put .deb files into data/cache/debs/ by hand
# to work without a network.
set -u
cd "$(dirname "$0")/.."

CACHE=data/cache
DEBS=$CACHE/debs
ROOTFS=$CACHE/rootfs
OUT=$CACHE/corpora
FORCE=0
case "${1:-}" in
  --force) FORCE=1 ;;
  -h|--help)
    sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'
    echo; echo "usage: scripts/data.sh [--force]"; exit 0 ;;
  "") ;;
  *) echo "data.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
esac
mkdir -p "$DEBS" "$ROOTFS" "$OUT"

# The sha256 of each .deb as recorded in data/SOURCES.md. Debian can republish a package
# (point release); a different hash is reported, not fatal.
declare -A EXPECTED_SHA256=(
  [focalinux-text]=21e42b7112aec61f255cdafbeb441a50526c98e167fc0d33d74939d191db92dc
  [manpages-pt-br]=da971a7bc0107f7b74b4ae592d1d7cc6424fa7e77cc1808f5c110a07edaf3890
  [manpages-pt-br-dev]=b29bb07536eb0a754e75055a0ae9888e0d2a1ab76798826bcefc5c4db6f6917c
  [kmymoney-common]=9c42d420f6f1842b7829c9eefa6ca10a344e3840555930fbf7ccedf0865949dd
  [libreoffice-help-pt-br]=600d4294e52a6534be923521aff7b1b9eb7e6ddb7e30b2598ad04b2fe9cf8278
)

PY=$(command -v /usr/bin/python3 || command -v python3 || true)
missing_tools=()
for tool in apt-get dpkg-deb iconv groff gzip; do
  command -v "$tool" >/dev/null || missing_tools+=("$tool")
done
[ -n "$PY" ] || missing_tools+=(python3)
if [ ${#missing_tools[@]} -gt 0 ]; then
  echo "data: missing tools: ${missing_tools[*]} (Debian: apt-get install groff-base python3 gzip libc-bin)." >&2
  echo "data: no corpora built; the tutorials will use the small committed data in data/lecture/." >&2
  exit 0
fi

# A fresh machine may have no package lists yet: refresh them once (as root, or through
# password-less sudo) and try the download again.
LISTS_REFRESHED=0
refresh_lists_and_retry() {
  [ "$LISTS_REFRESHED" = 0 ] || return 1
  LISTS_REFRESHED=1
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null && sudo -n true 2>/dev/null || return 1
    sudo="sudo -n"
  fi
  echo "data: refreshing the package lists (apt-get update) and retrying"
  $sudo apt-get update -qq >/dev/null 2>&1 || return 1
  (cd "$DEBS" && apt-get download "$1" >/dev/null 2>"../apt-$1.log")
}

# fetch PKG: make sure data/cache/debs/PKG_*.deb exists and is unpacked under rootfs/.
fetch() {
  local pkg=$1 deb
  deb=$(ls "$DEBS/${pkg}"_*.deb 2>/dev/null | head -n 1)
  if [ -z "$deb" ]; then
    echo "data: downloading $pkg (apt-get download, nothing is installed)"
    if ! (cd "$DEBS" && apt-get download "$pkg" >/dev/null 2>"../apt-$pkg.log") && ! refresh_lists_and_retry "$pkg"; then
      echo "data: ✗ could not download '$pkg' (see $CACHE/apt-$pkg.log)." >&2
      echo "      Offline or stale package lists? Run 'sudo apt-get update' and 'make data' again," >&2
      echo "      or copy ${pkg}_*.deb into $DEBS/ by hand." >&2
      return 1
    fi
    deb=$(ls "$DEBS/${pkg}"_*.deb | head -n 1)
  fi
  local sum; sum=$(sha256sum "$deb" | cut -d' ' -f1)
  if [ "$sum" != "${EXPECTED_SHA256[$pkg]}" ]; then
    echo "data: note: $(basename "$deb") has sha256 $sum, not the one in data/SOURCES.md" \
         "(Debian republished it?). Continuing; numbers in the README may differ slightly."
  fi
  dpkg-deb -x "$deb" "$ROOTFS"
}

# split NAME < paragraphs: one paragraph per line in, three split files out (see header).
split() {
  local name=$1
  awk -v tr="$OUT/$name.train.txt" -v va="$OUT/$name.val.txt" -v te="$OUT/$name.test.txt" '
    { i = NR - 1; f = (i % 20 == 18) ? va : (i % 20 == 19) ? te : tr; print > f }'
  for s in train val test; do
    printf '  %-28s %8d paragraphs %9d bytes\n' "$name.$s.txt" \
      "$(wc -l < "$OUT/$name.$s.txt")" "$(wc -c < "$OUT/$name.$s.txt")"
  done
}

have() { [ $FORCE = 0 ] && [ -s "$OUT/$1.train.txt" ] && [ -s "$OUT/$1.val.txt" ] && [ -s "$OUT/$1.test.txt" ]; }

# paragraphs: text with blank-line separated paragraphs in, one paragraph per line out;
# spaces squeezed, paragraphs without letters (rulers, code punctuation) and repeated
# paragraphs dropped.
paragraphs() {
  "$PY" -c '
import sys, re
seen = set()
for block in re.split(r"\n\s*\n", sys.stdin.read()):
    p = " ".join(block.split())
    if not re.search(r"[^\W\d_]{2}", p) or p in seen:
        continue
    seen.add(p)
    print(p)'
}

status=0

# --- general: Guia Foca GNU/Linux ------------------------------------------------------
if have general; then echo "data: general corpus present (skip)"
elif fetch focalinux-text; then
  echo "data: extracting general (focalinux-text)"
  # The three levels repeat each other: keep only the first occurrence of each non-blank line.
  for level in iniciante intermediario avancado; do
    gzip -dc "$ROOTFS/usr/share/doc/focalinux/text/$level/index.txt.gz"
  done | iconv -f ISO-8859-1 -t UTF-8 \
       | awk '/^[[:space:]]*$/ { print ""; next } !seen[$0]++' \
       | paragraphs | split general
else status=1; fi

# --- tecnico: the pt_BR man pages -------------------------------------------------------
if have tecnico; then echo "data: tecnico corpus present (skip)"
elif fetch manpages-pt-br && fetch manpages-pt-br-dev; then
  echo "data: extracting tecnico (manpages-pt-br, manpages-pt-br-dev; groff -Kutf8)"
  find "$ROOTFS/usr/share/man/pt_BR" -name '*.gz' -type f | LC_ALL=C sort | while read -r page; do
    # -rHY=0: no hyphenation (words stay whole); -P-cbou: no overstrike/colour codes.
    gzip -dc "$page" | groff -Kutf8 -man -Tutf8 -P-cbou -rHY=0 2>/dev/null \
      | "$PY" -c '
import sys
lines = sys.stdin.read().splitlines()
# Drop the running header and footer ("CAT(1)  General Commands Manual  CAT(1)").
body = [l for l in lines if l.strip()]
if len(body) > 2:
    first, last = body[0], body[-1]
    lines = [l for l in lines if l not in (first, last)]
out = []
for l in lines:
    if l.strip() == "TRADUÇÃO":      # the translators credit and licence notice: not prose
        break
    out.append(l)
print("\n".join(out)); print()'
  done | paragraphs | split tecnico
else status=1; fi

# --- financeiro: the KMyMoney handbook --------------------------------------------------
if have financeiro; then echo "data: financeiro corpus present (skip)"
elif fetch kmymoney-common; then
  echo "data: extracting financeiro (kmymoney-common, pt_BR handbook)"
  cat "$ROOTFS"/usr/share/doc/HTML/pt_BR/kmymoney/*.docbook | "$PY" -c '
import sys, re, html
t = sys.stdin.read()
t = re.sub(r"<!--.*?-->", " ", t, flags=re.S)
t = re.sub(r"<(screen|programlisting|screenshot|mediaobject)\b.*?</\1\s*>", "\n\n", t, flags=re.S)
# Block-level elements end a paragraph; inline ones are just removed.
t = re.sub(r"</?(para|title|term|listitem|sect\d|chapter|row|entry|tip|note|caution|warning|step)\b[^>]*>", "\n\n", t)
t = re.sub(r"<[^>]+>", " ", t)
names = {"kmymoney": "KMyMoney", "kappname": "KMyMoney", "kde": "KDE", "ie": "ou seja", "eg": "por exemplo"}
t = re.sub(r"&([A-Za-z][\w.-]*);", lambda m: names.get(m.group(1).lower(), " "), t)
print(html.unescape(t))' | paragraphs | split financeiro
else status=1; fi

# --- libreoffice: labelled help paragraphs (classification) -----------------------------
if [ $FORCE = 0 ] && [ -s "$OUT/libreoffice.train.tsv" ] && [ -s "$OUT/libreoffice.val.tsv" ] \
   && [ -s "$OUT/libreoffice.test.tsv" ]; then
  echo "data: libreoffice labelled set present (skip)"
elif ! "$PY" scripts/libreoffice_tsv.py --self-test; then
  echo "data: ✗ the LibreOffice extractor failed its self-test; labelled set not built." >&2
  status=1
elif fetch libreoffice-help-pt-br; then
  echo "data: extracting libreoffice (libreoffice-help-pt-br: paragraphs labelled by module)"
  if "$PY" scripts/libreoffice_tsv.py "$ROOTFS/usr/share/libreoffice/help/pt-BR/text" "$OUT/libreoffice"; then
    for s in train val test; do
      printf '  %-28s %8d paragraphs %9d bytes\n' "libreoffice.$s.tsv" \
        "$(wc -l < "$OUT/libreoffice.$s.tsv")" "$(wc -c < "$OUT/libreoffice.$s.tsv")"
    done
  else
    rm -f "$OUT"/libreoffice.*.tsv
    echo "data: ✗ extracting the LibreOffice help failed (see above)." >&2
    status=1
  fi
else
  echo "data: without it, 10_lora skips its classification table (and says so)." >&2
  status=1
fi

# --- tokenizer reference files (scripts/fetch-tokenizer-files.sh) -------------------------
if [ -x scripts/fetch-tokenizer-files.sh ]; then
  scripts/fetch-tokenizer-files.sh || echo "data: fetch-tokenizer-files.sh failed (tokenizer reference tests will skip)" >&2
fi

if [ $status = 0 ]; then
  echo "data: corpora ready in $OUT/"
else
  echo "data: some corpora are missing (see above); tutorials fall back to data/lecture/." >&2
fi
exit 0
