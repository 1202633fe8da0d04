"""Smoke-parse every SPL query the unit tests emitted with splparser (Python 2.7).

Usage (from the workspace root):
    rm -rf /tmp/spl-dump && mkdir /tmp/spl-dump
    KQLPORT_SPL_DUMP=/tmp/spl-dump cargo test -p kqlport-spl
    <oracles>/spl/bin/python backends/spl/tests/oracle/splparse.py /tmp/spl-dump

splparser is a 2014 grammar: it predates eval functions such as in(), json_extract(),
single-quoted field names on the left of a where comparison, and `+field` in sort. Each
command is parsed on its own (the base search with a stub for the others) so one gap does
not hide the rest; failures are listed per command for review.
"""
import glob
import os
import sys

import splparser


def main(directory):
    ok, bad = 0, []
    for path in sorted(glob.glob(os.path.join(directory, "*.spl"))):
        with open(path) as f:
            text = f.read()
        lines = [l for l in text.split("\n") if l]
        assert text.endswith("\n") and not text.endswith("\n\n"), path
        head, rest = lines[0], [l[2:] for l in lines[1:]]
        units = [head] + ["search x | " + c for c in rest]
        for unit in units:
            try:
                splparser.parse(unit)
                ok += 1
            except Exception as e:  # splparser raises its own error types
                bad.append((unit, str(e).split("\n")[0][:80]))
    for unit, err in bad:
        print("FAIL %s\n     %s" % (unit, err))
    print("%d commands parsed, %d rejected" % (ok, len(bad)))


if __name__ == "__main__":
    main(sys.argv[1])
