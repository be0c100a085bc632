#!/usr/bin/python3
"""Writes the field tables of docs/output.md from `wlsim info --fields` (the registry of result
tables, sim/rec.h), so that they cannot drift from the code. Each table's fields sit between
    <!-- BEGIN generated: wlsim info --fields /NAME -->
    <!-- END generated -->
and are replaced in place; the rest of the page (the hand-written prose) is kept.
Usage: scripts/output_fields.py FIELDS.md docs/output.md
`make docs` runs this; tests/e2e/run.sh fails when a table is out of date."""
import re
import sys

END = "<!-- END generated -->"


def sections(fields_md):
    """table name -> its Markdown field table (lines), from `wlsim info --fields`."""
    out, name = {}, None
    for line in open(fields_md, encoding="utf-8"):
        m = re.match(r"### /(\w+)$", line.rstrip("\n"))
        if m:
            name = m.group(1)
            out[name] = []
        elif name and line.startswith("|"):
            out[name].append(line)
    return out


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    tables = sections(argv[1])
    text = open(argv[2], encoding="utf-8").read().splitlines(keepends=True)
    out, skip, seen = [], False, set()
    for line in text:
        m = re.match(r"<!-- BEGIN generated: wlsim info --fields /(\w+) -->", line)
        if m:
            name = m.group(1)
            if name not in tables:
                print(f"{argv[2]}: no table /{name} in {argv[1]}", file=sys.stderr)
                return 1
            out.append(line)
            out.extend(tables[name])
            seen.add(name)
            skip = True
            continue
        if skip and line.startswith(END):
            skip = False
        if not skip:
            out.append(line)
    missing = sorted(set(tables) - seen)
    if missing:
        print(f"{argv[2]}: no generated section for " + ", ".join("/" + m for m in missing), file=sys.stderr)
        return 1
    open(argv[2], "w", encoding="utf-8").writelines(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
