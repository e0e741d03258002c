"""Checks of the lesson notebooks: each ends with a questions section a reader can answer from it, shows at least one
figure, and keeps the test plumbing out of sight.

    python tools/lessons.py     # list the problems; exit 1 if there are any

A lesson notebook has a markdown cell starting with `## Questions` holding 6 to 12 numbered questions, followed by
"Try it" with 1 to 3 experiments (bullets); at least one saved output is a figure (PNG or SVG); and no visible code cell
mentions `IN_TEST` (the quick test budget goes in a `#| hide` cell after the real one). `nbs/index.ipynb` runs `problems` for every lesson notebook in `nbdev-test`.
"""
from __future__ import annotations
import re, sys
from pathlib import Path
from fastcore.nbio import read_nb, write_nb

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ['00_blocks', '01_models', '03_train', '06_cifar_fast', '07_degradation', '08_pooling', '09_pitfalls', '10_tricks',
           '12_articles']


def lessons(root: Path = ROOT) -> list[Path]: return [root/'nbs'/f'{n}.ipynb' for n in LESSONS]


def hidden(source: str) -> bool: return bool(re.match(r'#\|\s*hide\b', source))


def problems(nb_path: Path) -> list[str]:
    "What is missing from lesson notebook `nb_path`: its questions section, a figure, test plumbing out of sight (empty when fine)."
    cells = read_nb(nb_path)['cells']
    out = [f"{nb_path.name}: a visible cell mentions IN_TEST (move the quick budget into a `#| hide` cell): {''.join(c['source'])[:60]!r}"
           for c in cells if c['cell_type'] == 'code' and 'IN_TEST' in ''.join(c['source']) and not hidden(''.join(c['source']))]
    if not any(k.startswith('image/') for c in cells for o in c.get('outputs', []) for k in o.get('data', {})):
        out.append(f"{nb_path.name}: no figure among the saved outputs")
    qs = [''.join(c['source']) for c in cells if c['cell_type'] == 'markdown' and ''.join(c['source']).startswith('## Questions')]
    if len(qs) != 1: return out + [f"{nb_path.name}: {len(qs)} '## Questions' sections, expected one"]
    text = qs[0]
    head, _, tries = text.partition('**Try it**')
    n_q = len(re.findall(r'^\d+\. ', head, re.M))
    n_try = len(re.findall(r'^- ', tries, re.M))
    if not 6 <= n_q <= 12: out.append(f"{nb_path.name}: {n_q} questions, expected 6 to 12")
    if not 1 <= n_try <= 3: out.append(f"{nb_path.name}: {n_try} experiments under **Try it**, expected 1 to 3")
    return out


if __name__ == '__main__':
    found = [p for nb in lessons() for p in problems(nb)]
    print('\n'.join(found) or f"{len(LESSONS)} lesson notebooks: questions, figures, no visible test plumbing")
    sys.exit(1 if found else 0)
