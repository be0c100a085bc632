#!/usr/bin/python3
"""Writes the generated parameter tables of the documentation from `wlsim check --list` (the
parameter tables the program uses), so that they cannot drift from the code:
  - the appendix of docs/model.md: every population and model parameter of the default policies
    with its default, unit and source;
  - with a third argument, the table of docs/rules.md §2.3: every `model.pancreas.` parameter of
    the default pancreas policy with its default, meaning and source.
Usage: scripts/model_params.py LIST.md docs/model.md [docs/rules.md]
Each table sits between its markers and is replaced in place; the rest of the page is kept.
`make docs` runs this; tests/e2e/run.sh fails when a table is out of date."""
import sys

BEGIN = "<!-- BEGIN generated: scripts/model_params.py -->"
END = "<!-- END generated -->"


def rows(list_md):
    """Rows of the run/population table and of the default policies' tables (first of each)."""
    out, section, seen_policy = [], None, set()
    for line in open(list_md, encoding="utf-8"):
        if line.startswith("### `policy."):
            organ = line.split("policy.")[1].split(".")[0]
            section = organ if organ not in seen_policy else None
            seen_policy.add(organ)
        if line.startswith("| `population.") or (section and line.startswith("| `model.")):
            cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
            out.append((cells[0], cells[1], cells[3], cells[5]))
    return out


RULES_BEGIN = "<!-- BEGIN generated: scripts/model_params.py model.pancreas -->"


def policy_rows(list_md, prefix):
    """(key without prefix, default, meaning, source) of the default policy's `prefix` keys."""
    out, section, seen_policy = [], None, set()
    organ = prefix.split(".")[1]
    for line in open(list_md, encoding="utf-8"):
        if line.startswith("### `policy."):
            o = line.split("policy.")[1].split(".")[0]
            section = o if o not in seen_policy else None
            seen_policy.add(o)
        if section == organ and line.startswith("| `" + prefix):
            cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
            out.append((cells[0].strip("`")[len(prefix):], cells[1], cells[4], cells[5]))
    return out


def replace_block(path, begin, lines):
    """Replaces the block from `begin` to END in the file at path (appends it when missing)."""
    text = open(path, encoding="utf-8").read()
    block = begin + "\n" + "\n".join(lines) + "\n" + END
    if begin in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    open(path, "w", encoding="utf-8").write(text)


def rules_table(list_md, rules_md):
    """docs/rules.md §2.3: the pancreas model parameters, default and meaning with source."""
    table = ["| parameter (`model.pancreas.`) | default | meaning / source |", "|---|---|---|"]
    table += [f"| `{k}` | {d} | {m} Source: {s} |" for k, d, m, s in
              policy_rows(list_md, "model.pancreas.")]
    replace_block(rules_md, RULES_BEGIN, table)


def main(list_md, model_md, rules_md=None):
    if rules_md:
        rules_table(list_md, rules_md)
    table = ["## Appendix: every population and model parameter and its source", "",
             "Generated from the parameter tables (`make docs`); the source column names the "
             "docs/calibration.md figure, the derivation in the sections above, or says that the value "
             "is an assumption without a figure.", "",
             "| key | default | unit | source |", "|---|---|---|---|"]
    table += [f"| {k} | {d} | {u} | {s} |" for k, d, u, s in rows(list_md)]
    text = open(model_md, encoding="utf-8").read()
    block = BEGIN + "\n" + "\n".join(table) + "\n" + END
    if BEGIN in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    open(model_md, "w", encoding="utf-8").write(text)


if __name__ == "__main__":
    main(*sys.argv[1:4])
