"""Sentence lengths of the lessons' prose: a learner reads it aloud, so the median sentence stays short and none runs on.

    python tools/prose.py            # per lesson: sentences, median and longest length in words; exit 1 on a problem
    python tools/prose.py --long     # also print every sentence over the limit

Counted: the markdown cells of the lesson notebooks (`tools/lessons.py`) and of the landing page, without code blocks,
tables, headings, math and link targets. A sentence ends at `.`, `!` or `?` followed by a space and a capital or a
digit, or at the end of a list item or paragraph. Limits: median at most 22 words, none over 40.
"""
from __future__ import annotations
import re, statistics, sys
from pathlib import Path
from fastcore.nbio import read_nb, write_nb

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lessons import lessons, ROOT

MEDIAN, LONGEST = 22, 40
END = re.compile(r'(?<=[.!?])["\')*_]*\s+(?=[A-Z0-9*_`"(\[])')


def text(md: str) -> str:
    "The readable words of a markdown cell: no code blocks, tables, headings, math or link targets."
    md = re.sub(r'```.*?```', ' ', md, flags=re.S)
    md = re.sub(r'\$\$.*?\$\$', ' ', md, flags=re.S)
    md = re.sub(r'\]\([^)]*\)', ']', md)
    lines = [l for l in md.splitlines() if not l.lstrip().startswith(('|', '#', '>', '<', '!['))]
    md = '\n'.join(lines)
    return re.sub(r'^\s*(?:[-*]|\d+\.)\s+', '\n\n', md, flags=re.M)  # a list item starts a paragraph


def sentences(md: str) -> list[str]:
    out = []
    for para in re.split(r'\n\s*\n', text(md)):
        para = ' '.join(para.split())
        out += [s for s in END.split(para) if len(s.split()) > 2]
    return out


def measure(nb: Path) -> list[str]:
    cells = read_nb(nb)['cells']
    return [s for c in cells if c['cell_type'] == 'markdown' for s in sentences(''.join(c['source']))]


def problems(nb: Path) -> list[str]:
    ss = measure(nb)
    if not ss: return []
    n = [len(s.split()) for s in ss]
    out = [f"{nb.name}: median sentence {statistics.median(n):.0f} words (at most {MEDIAN})"] if statistics.median(n) > MEDIAN else []
    return out + [f"{nb.name}: {len(s.split())} words: {s[:100]}..." for s in ss if len(s.split()) > LONGEST]


if __name__ == '__main__':
    nbs = [*lessons(), ROOT/'nbs'/'index.ipynb']
    bad = 0
    for nb in nbs:
        n = [len(s.split()) for s in measure(nb)]
        over = sum(x > LONGEST for x in n)
        bad += over + (statistics.median(n) > MEDIAN)
        print(f"{nb.name:24} {len(n):4} sentences, median {statistics.median(n):4.0f}, longest {max(n):3}, over {LONGEST}: {over}")
        if '--long' in sys.argv:
            for s in measure(nb):
                if len(s.split()) > LONGEST: print(f"    {len(s.split())}: {s}")
    sys.exit(1 if bad else 0)
