#!/usr/bin/env python3
"""Lists every file the corpus manifest names, one absolute path a line, for the benchmark
scripts: a directory walk would skip the corpus's Markdown and .txt files.

    scripts/corpus-files.py CORPUS_DIR OUT_FILE
"""
import csv
import os
import sys

corpus, listing = sys.argv[1], sys.argv[2]
paths = []
with open(os.path.join(corpus, "MANIFEST.tsv"), newline="", encoding="utf-8") as f:
    for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
        path = os.path.join(corpus, row["corpus_path"])
        if "\n" in path or not os.path.isfile(path):
            sys.exit(f"corpus-files.py: manifest names {row['corpus_path']!r}, not a file under {corpus}")
        paths.append(path)
with open(listing, "w", encoding="utf-8") as f:
    f.write("".join(p + "\n" for p in paths))
