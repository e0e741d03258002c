"""Claims that leave a record. `claim()` (03_train) asserts what the prose says and, at the full budget, prints
`claim held: <what it checked>`; under `IN_TEST` the budget is too small to reproduce the effect, so it only computes.
So the saved outputs of a full run hold a record for every claim the cell made, and outputs of a quick run hold none:
committing them by mistake is caught here.

    python tools/claims.py     # list the problems; exit 1 if there are any

A code cell that calls `claim(` N times needs at least N records in its saved outputs (a loop may make more; a claim
skipped by a condition is missing). Cells that test `claim` itself are left out. `NOT_RERUN` lists the notebooks whose
committed outputs predate the records (claims printed nothing before 2026-12-07); each one leaves the list with its
next full run, and the list only shrinks. `nbs/index.ipynb` runs `problems` in `nbdev-test`.
"""
from __future__ import annotations
import re, sys
from pathlib import Path
from fastcore.nbio import read_nb

ROOT = Path(__file__).resolve().parents[1]
RECORD = 'claim held:'
CALL = re.compile(r'(?<![\w.])claim\(')
NOT_RERUN = {'03_train', '08_pooling', '09_pitfalls', '10_tricks', '11_fast'}


def notebooks(root: Path = ROOT) -> list[Path]: return sorted((root/'nbs').glob('[0-9][0-9]_*.ipynb'))


def records(cell) -> int:
    "How many claim records a code cell's saved outputs hold."
    return sum(''.join(o.get('text', '')).count(RECORD) for o in cell.get('outputs', []) if o.get('output_type') == 'stream')


def problems(nb_path: Path) -> list[str]:
    "Cells of `nb_path` whose claims left no record in the saved outputs (empty when every claim has one)."
    if nb_path.stem in NOT_RERUN: return []
    out = []
    for i, c in enumerate(read_nb(nb_path).cells):
        if c.cell_type != 'code' or 'def claim' in c.source or 'test_fail(lambda: claim(' in c.source: continue
        n = len(CALL.findall(c.source))
        if n and records(c) < n:
            out.append(f"{nb_path.name} cell {i} (id {c.get('id')}): {n} claim(s), {records(c)} record(s) in the saved "
                       "outputs: rerun the notebook at its full budget before committing it")
    return out


if __name__ == '__main__':
    found = [p for nb in notebooks() for p in problems(nb)]
    stale = sorted(NOT_RERUN)
    print('\n'.join(found) or f"every claim of the {len(notebooks()) - len(stale)} rerun notebooks left its record"
          + (f"; not rerun since claims leave records: {', '.join(stale)}" if stale else ''))
    sys.exit(1 if found else 0)
