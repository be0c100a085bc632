#!/usr/bin/python3
"""Writes the appendix of docs/model.md: every population and model parameter of the default
policies with its default, unit and source, taken from `wlsim check --list` (the parameter
tables the program uses). Usage: scripts/model_params.py LIST.md docs/model.md
The appendix sits between the markers below and is replaced in place; the rest of the page is
kept. `make docs` runs this; tests/e2e/run.sh fails when the appendix is out of date."""
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


def main(list_md, model_md):
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
    main(sys.argv[1], sys.argv[2])
