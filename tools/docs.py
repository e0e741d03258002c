"""The documentation site's build step without Quarto, and the checks on what it produces.

    python tools/docs.py                        # process every notebook, then run the checks; exit 1 on a problem
    python tools/docs.py --no-proc              # only the checks, on the `_proc/` already there (`nbdev-docs` makes one too)
    python tools/docs.py --fix-exports nbs/02_data.ipynb ...   # apply the exports rule to these notebooks
    python tools/docs.py --no-proc --built docs                 # after `nbdev-docs` (Quarto): every page is in docs/

Processing is nbdev's own, `nbdev.serve.proc_nbs`: what `nbdev-docs` runs before Quarto. It re-executes, with
`IN_TEST=1`, every exported cell, every `show_doc` cell and every cell that contains an import, and stops at the
first error; a notebook's cells must therefore stand on their own (imports go in the hidden import cell, so that
cells with saved results are not re-run). If the whole run fails, each notebook is processed alone so that every
failing notebook is named.

Checks:
- saved outputs: no cell with saved outputs is re-run by the docs step (`show_doc` cells aside), so a slow or
  machine-dependent cell shows the results it was committed with.
- exports: an exported cell that holds more than imports is marked `#| exports`, not `#| export`: the site then
  shows its source (under "Exported source", open) next to its documentation; `#| export` would hide it.
- doc placement: every documentation entry nbdev adds stands directly above the source that defines it. nbdev puts
  one entry of a cell with several public definitions above it and the others below, and lets a cell with only
  private helpers take the next cell's entry, so every public name gets its own `#| exports` cell.
- links: every link between pages (`NN_name.ipynb#anchor`, `#anchor`) and every link in README.md to the
  documentation site names a page that processing produces (nbdev drops the number: `00_blocks.ipynb` becomes
  `blocks.html`) and an anchor that page has (a heading, or a `show_doc` entry).
"""
from __future__ import annotations
import ast, re, sys, time, tomllib
from pathlib import Path
from fastcore.nbio import read_nb, write_nb

ROOT = Path(__file__).resolve().parents[1]
PROC = ROOT/'_proc'
EXPORT = re.compile(r'^(\s*#\|\s*)export(\s*)$', re.M)
LINK = re.compile(r'\]\(([^)\s]+)\)|href="([^"]+)"')
HEADING = re.compile(r'^#{1,6}\s+(.+?)\s*$', re.M)


def notebooks(root: Path = ROOT) -> list[Path]: return sorted((root/'nbs').glob('*.ipynb'))


def page_name(nb: Path | str) -> str:
    "The page nbdev and Quarto make from a notebook: `00_blocks.ipynb` -> `blocks.html`"
    from nbdev.config import nbpath2html
    return nbpath2html(Path(nb).name).name


def doc_url(root: Path = ROOT) -> str:
    return tomllib.loads((root/'pyproject.toml').read_text())['project']['urls']['Documentation'].rstrip('/') + '/'


# exports -----------------------------------------------------------------------------------------------------------
def _src(c) -> str: return ''.join(c['source']) if isinstance(c['source'], list) else c['source']


def _only_imports(src: str) -> bool:
    code = '\n'.join(l for l in src.splitlines() if not l.lstrip().startswith('#|'))
    body = ast.parse(code).body
    return all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in body)


def hidden_exports(nb: Path) -> list[str]:
    "Cells of `nb` exported with `#| export` although they hold more than imports: their source is missing on the site"
    cells = read_nb(nb)['cells']
    return [f"{nb.name} cell {i} (id {c.get('id')}): `#| export` -> `#| exports`: {_src(c).splitlines()[1][:60] if len(_src(c).splitlines()) > 1 else ''}"
            for i, c in enumerate(cells) if c['cell_type'] == 'code' and EXPORT.search(_src(c)) and not _only_imports(_src(c))]


def fix_exports(nb: Path) -> int:
    "Apply the rule to `nb` in place (only the directive line changes); the number of cells changed"
    d = read_nb(nb); n = 0
    for c in d['cells']:
        if c['cell_type'] == 'code' and EXPORT.search(_src(c)) and not _only_imports(_src(c)):
            c['source'] = EXPORT.sub(r'\1exports\2', _src(c), count=1).splitlines(True); n += 1
    if n: write_nb(d, nb)
    return n


# processing ------------------------------------------------------------------------------------------------------
def process(root: Path = ROOT, n_workers: int = 2, only: list[str] | None = None) -> list[str]:
    "Run nbdev's docs processing on every notebook (or the notebooks named in `only`) into `_proc/`; one line per failing notebook"
    import os
    from nbdev.serve import proc_nbs
    os.chdir(root)
    nbs = [root/'nbs'/n for n in only] if only else notebooks(root)
    if not only:
        try:
            proc_nbs(str(root/'nbs'), n_workers=n_workers, force=True)
            return []
        except Exception: pass  # process them one at a time to name every failing notebook
    fails = []
    for nb in nbs:
        try: proc_nbs(str(root/'nbs'), n_workers=0, file_glob=nb.name)
        except Exception as e: fails.append(f"{nb.name}: nbdev's docs processing failed: {str(e).strip()[:1500]}")
    return fails


def _outs(c): return [{k: v for k, v in o.items() if k != 'execution_count'} for o in c.get('outputs', [])]


def rerun_problems(root: Path = ROOT, proc: Path = PROC) -> list[str]:
    "Cells with saved outputs that the docs step re-ran, replacing what the notebook shows (show_doc cells aside)"
    res = []
    for pnb in sorted(proc.glob('*.ipynb')):
        src = root/'nbs'/pnb.name
        if not src.exists(): continue
        saved = {c.get('id'): c for c in read_nb(src)['cells'] if c['cell_type'] == 'code'}
        for c in read_nb(pnb)['cells']:
            s = saved.get(c.get('id'))
            if c['cell_type'] != 'code' or s is None or not s.get('outputs') or 'show_doc(' in _src(s): continue
            if _outs(c) != _outs(s):
                res.append(f"{pnb.name} cell id {c.get('id')}: the docs step re-ran it and replaced its saved outputs "
                           f"(it holds an import: move that to the hidden import cell): {_src(s).splitlines()[0][:60]}")
    return res


# links -----------------------------------------------------------------------------------------------------------
def slug(heading: str) -> str:
    "The id Pandoc (Quarto) gives a heading"
    t = re.sub(r'\s*\{[^}]*\}\s*$', '', heading)
    t = re.sub(r'!?\[([^\]]*)\]\([^)]*\)', r'\1', t)
    t = re.sub(r'<[^>]+>|[`*]', '', t).lower()
    t = ''.join(ch for ch in t if ch.isalnum() or ch in '_-. ' or ch.isspace())
    t = re.sub(r'^[^a-z]+', '', re.sub(r'\s+', '-', t.strip()))
    return t or 'section'


def _texts(cell):
    "The Markdown a reader sees in a processed cell: its source (Markdown cells) and its Markdown/HTML outputs"
    if cell['cell_type'] == 'markdown': yield _src(cell)
    for o in cell.get('outputs', []):
        for k in ('text/markdown', 'text/html'):
            v = o.get('data', {}).get(k)
            if v: yield ''.join(v) if isinstance(v, list) else v


def pages(proc: Path = PROC) -> dict[str, dict]:
    "Processed pages by the name the site gives them: their anchors and their links"
    res = {}
    for nb in sorted(proc.glob('*.ipynb')):
        cells = read_nb(nb)['cells']
        texts = [t for c in cells for t in _texts(c)]
        anchors = {slug(h) for t in texts for h in HEADING.findall(t)}
        anchors |= {m for t in texts for m in re.findall(r'\{#([\w.-]+)[^}]*\}|\bid="([^"]+)"', t) for m in m if m}
        links = [a or b for t in texts for a, b in LINK.findall(t)]
        fm = re.search(r'^output-file:\s*(\S+)', _src(cells[0]), re.M) if cells and cells[0]['cell_type'] == 'raw' else None
        res[fm[1] if fm else page_name(nb)] = dict(nb=nb.name, anchors=anchors, links=links)  # nbdev writes the name it gives
    return res


def _resolve(target: str, here: str, site: dict, base: str) -> str | None:
    "None if `target` is fine, else what is wrong with it"
    if target.startswith(base): target = target[len(base):] or 'index.html'
    elif re.match(r'^[a-z]+:|^//', target): return None  # another site
    path, _, anchor = target.partition('#')
    if path and not re.search(r'\.(ipynb|html|qmd|md)$', path): return None  # a file of the repository, not a page
    page = (page_name(path) if path.endswith('.ipynb') else Path(path).name) if path else here
    if page not in site: return f"no page {page}" + (f" (from {path})" if path != page else '')
    if anchor and anchor not in site[page]['anchors']: return f"{page} has no anchor #{anchor}"
    return None


def link_problems(root: Path = ROOT, proc: Path = PROC) -> list[str]:
    site, base, res = pages(proc), doc_url(root), []
    for here, p in site.items():
        for t in p['links']:
            if (why := _resolve(t, here, site, base)): res.append(f"{p['nb']}: link {t}: {why}")
    readme = (root/'README.md').read_text()
    for a, b in LINK.findall(readme):
        t = a or b
        if t.startswith(base) and (why := _resolve(t, 'index.html', site, base)): res.append(f"README.md: link {t}: {why}")
    return res


SHOW_DOC = re.compile(r'^show_doc\((\w+)', re.M)


def _defines(src: str) -> set[str]:
    code = '\n'.join(l for l in src.splitlines() if not l.lstrip().startswith('#|'))
    try: body = ast.parse(code).body
    except SyntaxError: return set()
    return {n.name for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


def doc_order_problems(proc: Path = PROC) -> list[str]:
    "Documentation entries that nbdev did not put directly above the source that defines them"
    res = []
    for pnb in sorted(proc.glob('*.ipynb')):
        cells = read_nb(pnb)['cells']
        for i, c in enumerate(cells):
            src = _src(c)
            if c['cell_type'] != 'code' or 'output: asis' not in src or not (m := SHOW_DOC.search(src)): continue
            nxt, prev = (_src(cells[i + 1]) if i + 1 < len(cells) else ''), (_src(cells[i - 1]) if i else '')
            if 'Exported source' in nxt and m.group(1) not in _defines(nxt):
                res.append(f"{pnb.name}: the doc of {m.group(1)} stands above the source of {sorted(_defines(nxt)) or 'other code'} "
                           f"(give every public name its own #| exports cell, helpers with the name that uses them)")
            elif 'Exported source' not in nxt and 'Exported source' in prev and m.group(1) in _defines(prev):
                res.append(f"{pnb.name}: the doc of {m.group(1)} comes after its source (one public name per #| exports cell)")
    return res


def main(args) -> int:
    if '--fix-exports' in args:
        for a in args:
            if a.endswith('.ipynb'): print(f"{a}: {fix_exports(Path(a))} cells now `#| exports`")
        return 0
    problems = []
    if '--no-proc' not in args:
        t0 = time.time()
        fails = process()
        print(f"nbdev docs processing of {len(notebooks())} notebooks: {'ok' if not fails else 'FAILED'} in {time.time() - t0:.0f} s")
        problems += fails
    rerun = rerun_problems()
    print(f"cells whose saved outputs the docs step replaced: {len(rerun)}")
    exp = [p for nb in notebooks() for p in hidden_exports(nb)]
    print(f"exported cells whose source the site would hide: {len(exp)}")
    order = doc_order_problems()
    print(f"documentation entries not directly above their source: {len(order)}")
    links = link_problems()
    site = pages()
    print(f"links: {sum(len(p['links']) for p in site.values())} in {len(site)} processed pages, plus README.md: {len(links)} broken")
    problems += rerun + exp + order + links
    if '--built' in args:
        built = ROOT/args[args.index('--built') + 1]
        missing = [f"{p['nb']}: Quarto did not write {built.name}/{name}" for name, p in site.items() if not (built/name).exists()]
        print(f"pages in {built.name}/: {len(site) - len(missing)} of {len(site)}")
        problems += missing
    for p in problems: print('  ' + p)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
