"""Give every notebook an "Open in Colab" badge and a Colab-only install cell, both derived from the repository URL
in `pyproject.toml` (`[project.urls] Repository`).

    python tools/colab.py          # write the badge and install cells (idempotent)
    python tools/colab.py --check  # exit 1 if any notebook's badge or install line is missing or stale

`nbs/index.ipynb` runs the same check in `nbdev-test`.
"""
from __future__ import annotations
import re, sys, tomllib
from pathlib import Path
from fastcore.nbio import read_nb, write_nb

ROOT = Path(__file__).resolve().parents[1]
BADGE_RE = re.compile(r'\[!\[Open In Colab\]\([^)]*\)\]\(([^)]*)\)')
INSTALL_RE = re.compile(r'^!\s*\[ -e /content \] && pip install .*$', re.M)
REPO_RE = re.compile(r'https://github\.com/[\w.-]+/resnet-fastai(?![\w-])')  # this project's URL typed in prose, e.g. a pip line


def repo_url(root: Path = ROOT) -> str:
    "The repository URL every badge and install line derives from."
    url = tomllib.loads((root/'pyproject.toml').read_text())['project']['urls']['Repository'].rstrip('/')
    if not re.fullmatch(r'https://github\.com/[\w.-]+/[\w.-]+', url):
        raise SystemExit(f"pyproject.toml: [project.urls] Repository must be https://github.com/OWNER/NAME, got {url!r}")
    return url


def badge_link(nb: Path, root: Path = ROOT, branch: str = 'main') -> str:
    owner_name = repo_url(root).removeprefix('https://github.com/')
    return f"https://colab.research.google.com/github/{owner_name}/blob/{branch}/{nb.relative_to(root).as_posix()}"


def install_line(root: Path = ROOT) -> str:
    "Installs the package and what the notebooks import (nbdev's `show_doc`, Accelerate) from the repository, only where /content exists (Colab); a no-op anywhere else."
    return f'! [ -e /content ] && pip install -q "resnet-fastai[notebooks] @ git+{repo_url(root)}.git"'


def problems(nb_path: Path, root: Path = ROOT) -> list[str]:
    "What is wrong with `nb_path`'s badge and install cell (empty when both are right)."
    cells = read_nb(nb_path)['cells']
    md = [''.join(c['source']) for c in cells if c['cell_type'] == 'markdown']
    code = [''.join(c['source']) for c in cells if c['cell_type'] == 'code']
    out = []
    badges = [m.group(1) for s in md[:2] for m in BADGE_RE.finditer(s)]
    if badges != [badge_link(nb_path, root)]:
        out.append(f"{nb_path.name}: Colab badge {badges or 'missing'} should link to {badge_link(nb_path, root)}")
    installs = [m.group(0) for s in code for m in INSTALL_RE.finditer(s)]
    if installs != [install_line(root)]:
        out.append(f"{nb_path.name}: install line {installs or 'missing'} should be {install_line(root)!r}")
    elif not any(INSTALL_RE.search(s) for s in code[:3]):
        out.append(f"{nb_path.name}: the Colab install cell must come before the notebook's imports")
    stale = sorted({u for s in md + code for u in REPO_RE.findall(s) if u != repo_url(root)})
    if stale: out.append(f"{nb_path.name}: {', '.join(stale)} should be {repo_url(root)}")
    return out


def _src(text): return text.splitlines(True)


def fix(nb_path: Path, root: Path = ROOT) -> bool:
    nb = read_nb(nb_path)
    cells, changed = nb['cells'], False
    badge = f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({badge_link(nb_path, root)})"
    # badge: its own markdown cell right after the title cell
    i = next((k for k, c in enumerate(cells[:3]) if c['cell_type'] == 'markdown' and BADGE_RE.search(''.join(c['source']))), None)
    if i is None:
        cells.insert(1, dict(cell_type='markdown', metadata={}, source=_src(badge))); changed = True
    elif ''.join(cells[i]['source']) != badge: cells[i]['source'] = _src(badge); changed = True
    # install: a hidden code cell before anything is imported
    want = f"#| hide\n# Colab only: install this package and what the notebooks import from GitHub (Colab has PyTorch and fastai)\n{install_line(root)}"
    j = next((k for k, c in enumerate(cells) if c['cell_type'] == 'code' and '[ -e /content ]' in ''.join(c['source'])), None)
    if j is not None and ''.join(cells[j]['source']) != want:
        rest = [l for l in ''.join(cells[j]['source']).splitlines() if l.strip() and '/content' not in l
                and not l.startswith('#| hide') and not l.startswith('# Colab')]
        if rest:  # other code shared the cell: keep it, in its own hidden cell
            cells.insert(j + 1, dict(cell_type='code', metadata={}, outputs=[], execution_count=None, source=_src('#| hide\n' + '\n'.join(rest))))
        cells[j]['source'] = _src(want); cells[j]['outputs'] = []; changed = True
    elif j is None:
        k = next((k for k, c in enumerate(cells) if c['cell_type'] == 'code' and not ''.join(c['source']).startswith('#| default_exp')), len(cells))
        cells.insert(k, dict(cell_type='code', metadata={}, outputs=[], execution_count=None, source=_src(want))); changed = True
    for c in cells:  # the repository URL typed anywhere else (a pip line in the prose)
        text = ''.join(c['source'])
        if REPO_RE.sub(repo_url(root), text) != text: c['source'] = _src(REPO_RE.sub(repo_url(root), text)); changed = True
    if changed: write_nb(nb, nb_path)
    return changed


def notebooks(root: Path = ROOT) -> list[Path]:
    return sorted(p for p in (root/'nbs').glob('*.ipynb') if not p.name.startswith(('_', '.')))


if __name__ == '__main__':
    if '--check' in sys.argv[1:]:
        errs = [e for nb in notebooks() for e in problems(nb)]
        print('\n'.join(errs) or f"{len(notebooks())} notebooks: badges and install lines point at {repo_url()}")
        sys.exit(1 if errs else 0)
    for nb in notebooks(): print(f"{nb.name}: {'updated' if fix(nb) else 'up to date'}")
