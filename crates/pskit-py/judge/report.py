"""Prints psutil's and pskit's results on psutil's tests side by side.

usage: report.py [--gate PERCENT] XML_DIR FILE...
       (junit XML files named {impl}-{file}.xml)

Per file and implementation: passed, failed (failures and errors), skipped,
excluded (skipped by excluded.tsv). Then the pass rate: of the tests psutil
passes here and that are not excluded, how many pass against pskit, and the
ones that do not.

With --gate, exits 1 when the rate is below PERCENT, when a test of
test_contracts or test_process_all that psutil passes fails against pskit (the
issue wants all of those), or when a file gave no result for either.
"""

import os
import sys
import xml.etree.ElementTree as ET


def results(path):
    """{test id: 'passed' | 'failed' | 'skipped' | 'excluded'} from one junit file."""
    out = {}
    if not os.path.exists(path):
        return None
    for case in ET.parse(path).getroot().iter("testcase"):
        name = "%s::%s" % (case.get("classname"), case.get("name"))
        state = "passed"
        for child in case:
            if child.tag in ("failure", "error"):
                state = "failed"
                break
            if child.tag == "skipped":
                msg = child.get("message") or ""
                state = "excluded" if "excluded: " in msg else "skipped"
        out[name] = state
    return out


# Every test psutil passes in these files must pass against pskit too.
WHOLE = ("test_contracts", "test_process_all")


def main():
    args = sys.argv[1:]
    gate = None
    if args[:1] == ["--gate"]:
        gate = float(args[1])
        args = args[2:]
    xml_dir, files = args[0], args[1:]
    missing = []
    misses = []
    kinds = ("passed", "failed", "skipped", "excluded")
    print()
    print("%-18s | %-29s | %-29s" % ("", "psutil 7.2.2", "pskit"))
    print("%-18s | %6s %6s %6s %8s | %6s %6s %6s %8s" % (("file",) + ("pass", "fail", "skip", "excluded") * 2))
    base = hit = 0
    for f in files:
        a = results(os.path.join(xml_dir, "psutil-%s.xml" % f))
        b = results(os.path.join(xml_dir, "pskit-%s.xml" % f))
        cols = []
        for r in (a, b):
            if r is None:
                missing.append(f)
                cols.append("%29s" % "(no result: collection failed)")
            else:
                counts = [sum(1 for v in r.values() if v == k) for k in kinds]
                cols.append("%6d %6d %6d %8d" % tuple(counts))
        print("%-18s | %s | %s" % (f, cols[0], cols[1]))
        for test, state in (a or {}).items():
            if state == "passed":
                base += 1
                if (b or {}).get(test) == "passed":
                    hit += 1
                else:
                    misses.append((f, test))
    rate = 100.0 * hit / base if base else 0.0
    print()
    print("pskit passes %d of the %d tests psutil passes here (excluded ones aside): %.1f %%" % (hit, base, rate))
    for f, test in misses:
        print("  not passed against pskit: %s: %s" % (f, test))
    if gate is None:
        return
    problems = []
    if rate < gate:
        problems.append("the pass rate %.1f %% is below %g %%" % (rate, gate))
    whole = [t for f, t in misses if f in WHOLE]
    if whole:
        problems.append("tests of %s that psutil passes fail: %s" % (" and ".join(WHOLE), whole))
    if missing:
        problems.append("no result for: %s" % ", ".join(missing))
    if problems:
        print("FAILED: " + "; ".join(problems))
        sys.exit(1)
    print("gate passed: at least %g %%, and all of %s" % (gate, " and ".join(WHOLE)))


if __name__ == "__main__":
    main()
