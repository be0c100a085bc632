#!/usr/bin/python3
"""Write the wlsim(1) man page from the program's own --help texts (so the two cannot drift).

Usage: manpage.py path/to/wlsim > wlsim.1   (`make man`; `make install` installs it)
The page: NAME, SYNOPSIS and DESCRIPTION from `wlsim --help`, then one section per command from
`wlsim COMMAND --help`, then FILES and SEE ALSO. Text is set verbatim (.nf), escaped for roff.
"""
import subprocess
import sys

COMMANDS = ["run", "check", "verify", "rank", "export", "info"]


def roff(text):
    out = []
    for line in text.rstrip("\n").split("\n"):
        line = line.replace("\\", "\\e")
        if line.startswith((".", "'")):
            line = "\\&" + line
        out.append(line)
    return "\n".join(out)


def helptext(binary, *args):
    r = subprocess.run([binary, *args, "--help"], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"manpage.py: {binary} {' '.join(args)} --help exited with {r.returncode}")
    return r.stdout


def main(argv):
    if len(argv) != 2:
        sys.exit("usage: manpage.py path/to/wlsim")
    binary = argv[1]
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.split()
    version = version[1] if len(version) > 1 else "?"
    main_help = helptext(binary)
    first, _, rest = main_help.partition("\n\n")
    print(f'.TH WLSIM 1 "" "wlsim {version}" "User Commands"')
    print(".SH NAME")
    print("wlsim \\- " + " ".join(first.replace("\n", " ").split("\u2014", 1)[-1].split()))
    print(".SH SYNOPSIS\n.nf")
    print(roff(rest))
    print(".fi")
    for cmd in COMMANDS:
        text = helptext(binary, cmd) if cmd != "run" else None
        if text is None:  # run --help is the program's help, shown above
            continue
        print(f".SH {cmd.upper()}\n.nf")
        print(roff(text))
        print(".fi")
    print(".SH FILES\n.TP\n.I scenarios/default.yaml\nThe calibrated default scenario; a variant names it with "
          "\\fBbase: default.yaml\\fR (docs/scenario.md). Installed in the wlsim share folder.")
    print(".SH SEE ALSO\nREADME.md, docs/scenario.md, docs/output.md, docs/rules.md, docs/compare.md "
          "in the wlsim source tree.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
