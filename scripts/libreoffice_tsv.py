#!/usr/bin/env python3
"""libreoffice_tsv.py — the labelled classification set of tutorial 10: LibreOffice help
paragraphs (pt-BR) labelled by the module whose help folder they come from.

    libreoffice_tsv.py TEXT_DIR OUT_PREFIX   reads TEXT_DIR/<module>/**/*.html, writes
                                             OUT_PREFIX.{train,val,test}.tsv
    libreoffice_tsv.py --self-test           checks the extraction on a hand-made HTML page

TEXT_DIR is usr/share/libreoffice/help/pt-BR/text of the unpacked libreoffice-help-pt-br .deb.
Label = the folder under text/ (scalc, swriter, simpress, sbasic, sdatabase, smath, schart,
sdraw); text/shared/ is help common to every module and is not a class. Steps:

  * only the page's <div id="DisplayArea"> (not the menus around it); comments, scripts,
    styles removed; the text of <p> elements whose class is a prose class (paragraph,
    listitem, table cells...) — headings, code ("code", "bascode"), "related" links and
    "howtogetheader" menu paths are not prose;
  * tags stripped, HTML entities decoded, white space squeezed;
  * paragraphs of at least 15 words; each paragraph once per class;
  * a paragraph that occurs in more than one class is dropped from all of them (it says
    nothing about the module);
  * per class, in sorted file order: paragraph i goes to val when i % 10 == 8, to test when
    i % 10 == 9, else to train (80/10/10) — the same on every machine.

Output lines: label<TAB>paragraph. Python 3 standard library only.
"""
import html
import os
import re
import sys

PROSE = {"paragraph", "paragraphintable", "tablecontentintable", "tablecontentsintable", "tablecontent",
         "listitem", "listitemintable", "ol_item", "ul_item", "ul_itemintable"}
MIN_WORDS = 15


def paragraphs_of_page(page):
    """The prose paragraphs of one help page, cleaned, in page order."""
    at = page.find('id="DisplayArea"')
    if at >= 0:
        page = page[at:]
    page = re.sub(r"<!--.*?-->", " ", page, flags=re.S)
    page = re.sub(r"<(script|style)\b.*?</\1\s*>", " ", page, flags=re.S)
    out = []
    for m in re.finditer(r"<p\b([^>]*)>(.*?)</p\s*>", page, flags=re.S):
        cls = re.search(r'class="([^"]*)"', m.group(1))
        if not cls or cls.group(1) not in PROSE:
            continue
        text = re.sub(r"<[^>]+>", " ", m.group(2))
        text = " ".join(html.unescape(text).split())
        text = re.sub(r" ([.,;:!?)\]])", r"\1", text)  # "arquivo ." (a tag was there) → "arquivo."
        text = re.sub(r"([(\[]) ", r"\1", text)
        if text:
            out.append(text)
    return out


def labelled(pages):
    """pages: (label, html) in a fixed order → {label: [paragraph, ...]} (filters applied)."""
    per = {}
    for label, page in pages:
        seen = per.setdefault(label, {})
        for p in paragraphs_of_page(page):
            if len(p.split()) >= MIN_WORDS and p not in seen:
                seen[p] = True
    classes_of = {}
    for label, ps in per.items():
        for p in ps:
            classes_of[p] = classes_of.get(p, 0) + 1
    return {label: [p for p in ps if classes_of[p] == 1] for label, ps in sorted(per.items())}, \
        sum(1 for n in classes_of.values() if n > 1)


def split_of(i):
    return "val" if i % 10 == 8 else "test" if i % 10 == 9 else "train"


def build(text_dir, prefix):
    pages = []
    for label in sorted(os.listdir(text_dir)):
        d = os.path.join(text_dir, label)
        if label == "shared" or not os.path.isdir(d):
            continue
        files = []
        for dirpath, _, names in os.walk(d):
            files += [os.path.join(dirpath, n) for n in names if n.endswith(".html")]
        for f in sorted(files):
            with open(f, encoding="utf-8") as fh:
                pages.append((label, fh.read()))
    per, cross = labelled(pages)
    outs = {s: open(f"{prefix}.{s}.tsv", "w", encoding="utf-8") for s in ("train", "val", "test")}
    for label, ps in per.items():
        counts = {"train": 0, "val": 0, "test": 0}
        for i, p in enumerate(ps):
            outs[split_of(i)].write(f"{label}\t{p}\n")
            counts[split_of(i)] += 1
        print(f"  {label:<10} {len(ps):5d} paragraphs (train {counts['train']}, val {counts['val']}, "
              f"test {counts['test']})")
    for f in outs.values():
        f.close()
    print(f"  {cross} paragraphs occurred in more than one module and were dropped")


def self_test():
    words = "um dois três quatro cinco seis sete oito nove dez onze doze treze catorze"
    calc = f"""<html><head><title>x</title><script>var p = "<p class='paragraph'>{words} menu</p>";</script></head>
<body><header><p dir="auto">Ajuda do LibreOffice 7.4 com mais de quinze palavras aqui para ser ignorada pelo extrator sim</p></header>
<div id="DisplayArea">
<h1 id="hd_1">Título</h1>
<p id="par_1" class="paragraph" dir="auto">Use a função <span class="emph">SOMA</span> para somar as células &amp; as linhas de uma planilha inteira de uma vez , sem esforço .</p>
<!-- <p class="paragraph">{words} comentário</p> -->
<p class="code">{words} código</p>
<p class="paragraph">Curto demais.</p>
<p class="paragraph">Este parágrafo aparece nas ajudas do Calc e do Writer e por isso não diz nada sobre o módulo.</p>
<p class="listitem">Use a função <span class="emph">SOMA</span> para somar as células &amp; as linhas de uma planilha inteira de uma vez , sem esforço .</p>
</div></body></html>"""
    writer = """<div id="DisplayArea"><p class="paragraph">Este parágrafo aparece nas ajudas do Calc e do Writer e por isso não diz nada sobre o módulo.</p>
<p class="tablecontentintable">O estilo de parágrafo (<span>Corpo do texto</span>) define recuo, espaçamento e fonte do texto do documento inteiro.</p></div>"""
    per, cross = labelled([("scalc", calc), ("swriter", writer)])
    want = {"scalc": ["Use a função SOMA para somar as células & as linhas de uma planilha inteira de uma vez, sem esforço."],
            "swriter": ["O estilo de parágrafo (Corpo do texto) define recuo, espaçamento e fonte do texto do documento inteiro."]}
    ok = per == want and cross == 1 and [split_of(i) for i in range(10)] == ["train"] * 8 + ["val", "test"]
    if not ok:
        print(f"libreoffice_tsv self-test FAILED:\n  got  {per} (cross {cross})\n  want {want} (cross 1)")
        return 1
    print("libreoffice_tsv self-test: ok (DisplayArea only, tags/entities/comments/code dropped, "
          "< 15 words dropped, duplicates once, cross-class dropped, 80/10/10 split)")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(self_test())
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(2)
    build(sys.argv[1], sys.argv[2])
