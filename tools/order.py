"""The reading order of the notebooks: each uses only what it defines itself or what a lower-numbered notebook
exports, so a learner who reads them in their numbers' order never meets a name before the notebook that makes it.

    python tools/order.py     # list the problems; exit 1 if there are any

Every `NN_name.ipynb` owns the module its `#| default_exp` line names. An import of `resnet_fastai.X` in any cell of a
notebook (its lessons, tests and exported code alike) must name a module owned by a notebook whose number is not
higher. `nbs/index.ipynb` runs `problems` in `nbdev-test`.
"""
from __future__ import annotations
import re, sys
from pathlib import Path
from fastcore.nbio import read_nb, write_nb

ROOT = Path(__file__).resolve().parents[1]
IMPORT = re.compile(r'^\s*(?:from|import)\s+resnet_fastai\.(\w+)', re.M)
DEFAULT_EXP = re.compile(r'^#\|\s*default_exp\s+(\w+)', re.M)


def numbered(root: Path = ROOT) -> list[Path]: return sorted((root/'nbs').glob('[0-9][0-9]_*.ipynb'))


def sources(nb: Path) -> str: return '\n'.join(''.join(c['source']) for c in read_nb(nb)['cells'])


def owners(root: Path = ROOT) -> dict[str, Path]:
    "Module name -> the notebook that exports it."
    return {m: nb for nb in numbered(root) for m in DEFAULT_EXP.findall(sources(nb))}


def problems(root: Path = ROOT) -> list[str]:
    "Imports of a module that a later notebook exports (empty when the order holds)."
    own, out = owners(root), []
    for nb in numbered(root):
        for mod in sorted(set(IMPORT.findall(sources(nb)))):
            if mod not in own: out.append(f"{nb.name} imports resnet_fastai.{mod}, which no notebook exports")
            elif own[mod].name[:2] > nb.name[:2]:
                out.append(f"{nb.name} imports resnet_fastai.{mod}, exported by the later {own[mod].name}: "
                           f"move what it uses into a notebook numbered {nb.name[:2]} or lower")
    return out


if __name__ == '__main__':
    found = problems()
    print('\n'.join(found) or f"{len(numbered())} notebooks in reading order: none imports a later one's module")
    sys.exit(1 if found else 0)
