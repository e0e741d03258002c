"""Notebook hygiene: what the committed outputs of `nbs/*.ipynb` may not contain.

    python tools/hygiene.py          # list the problems; exit 1 if there are any
    python tools/hygiene.py --fix    # first strip the image outputs of cells marked as showing dataset photos,
                                     # and empty HTML outputs

Checked in every notebook:
- no output of type `error`, and no traceback printed to stderr;
- no absolute local path (`/tmp/...`, `/home/...`, `C:\\Users\\...`) and not this machine's name in any text output;
- images are PNG at a sane size (at most 250 kB and 2,000 px on a side; `--fix` first re-encodes a larger one
  losslessly, pixel for pixel), and the notebook is under 2 MB;
- no leftover progress bars: empty HTML outputs (what a finished fastai progress bar leaves: `<div></div>` or nothing,
  which the site would show as an empty block or a stray `<div></div>`) and stdout outputs that hold nothing but
  fastprogress's text bars (what a bar prints outside a notebook front end); `--fix` drops them;
- dataset photos only as small figures: a figure that shows a few dataset images (`show_batch`, top losses, class
  activation maps over the photo) may stay in a saved output, within the PNG limits above, as in any fastai
  notebook; image files from the datasets never enter the repository (`python tools/hygiene.py` also lists any
  image file tracked by git). A cell that carries the line `PHOTO_MARK` keeps its photos out of the repository
  altogether: `--fix` strips its image outputs, and a stored one is a problem.

`nbs/index.ipynb` runs `problems` for every notebook in `nbdev-test`.
"""
from __future__ import annotations
import base64, re, socket, struct, sys
from pathlib import Path
from fastcore.nbio import read_nb, write_nb

sys.path.insert(0, str(Path(__file__).resolve().parent))
from colab import notebooks  # the same list of notebooks the Colab check walks

ROOT = Path(__file__).resolve().parents[1]
PHOTO_MARK = '# dataset photos: shown when you run it, never stored in the repository'
BAR_STATE = r'\|[█-]+\|\s*[\d.]+% \[\d+/\d+[^\]]*\]'  # one state of a fastprogress text bar: |███---| 40.00% [2/5 00:01<00:02]
TEXT_BAR = re.compile(rf'^\s*█?\s*(Epoch \d+/\d+ :\s*)?({BAR_STATE})?\s*█?\s*$')  # a line of nothing but a bar (with fastprogress's "Epoch k/n :" prefix or without)
BAR_THEN_TEXT = re.compile(rf'^\s*(?:Epoch \d+/\d+ :\s*)?(?:{BAR_STATE}\s*)+(?=\S)')  # bar states a print continues on the same line
ABS_PATH = re.compile(r'(?<![\w.~-])(?:/tmp|/home|/root|/work|/Users|/private/var|/content|/mnt|/opt)/|[A-Za-z]:\\\\?(?:Users|Windows)\\')
MAX_IMAGE_BYTES, MAX_IMAGE_SIDE, MAX_NB_BYTES = 250_000, 2000, 2_000_000


def _text(o: dict) -> str:
    if 'text' in o: return ''.join(o['text'])
    if o.get('output_type') == 'error': return '\n'.join(o.get('traceback', []))
    return '\n'.join(''.join(v) for k, v in o.get('data', {}).items() if k.startswith('text/') or k.endswith('json') and isinstance(v, str))


def _png_size(b: bytes) -> tuple[int, int]:
    return struct.unpack('>II', b[16:24]) if b[:8] == b'\x89PNG\r\n\x1a\n' else (0, 0)


def _machine_names() -> list[str]:
    names = {socket.gethostname(), socket.gethostname().split('.')[0]}
    return [n for n in names if n and n != 'localhost']


def problems(nb_path: Path) -> list[str]:
    "Everything wrong with the committed outputs of notebook `nb_path` (empty when it is clean)"
    raw = nb_path.read_bytes()
    nb, out, name = read_nb(nb_path), [], nb_path.name
    if len(raw) > MAX_NB_BYTES: out.append(f"{name}: {len(raw):,} bytes, over {MAX_NB_BYTES:,}: shrink its outputs")
    hosts = [re.compile(rf'(?<![\w-]){re.escape(h)}(?![\w-])') for h in _machine_names()]
    for i, c in enumerate(nb['cells']):
        if c['cell_type'] != 'code': continue
        src, where = ''.join(c['source']), f"{name} cell {i}"
        photo_cell = PHOTO_MARK in src
        for o in c.get('outputs', []):
            if _empty_html(o) or o.get('name') == 'stdout' and _bars(o):
                out.append(f"{where}: a leftover progress bar (empty HTML or text bars): run `python tools/hygiene.py --fix`")
            if o.get('output_type') == 'error':
                out.append(f"{where}: error output {o.get('ename')}: {o.get('evalue', '')[:80]}")
            text = _text(o)
            if o.get('name') == 'stderr' and 'Traceback (most recent call last)' in text:
                out.append(f"{where}: a traceback printed to stderr")
            if (m := ABS_PATH.search(text)):
                out.append(f"{where}: absolute local path in output: ...{text[max(0, m.start()-30):m.end()+30]!r}...")
            for h in hosts:
                if h.search(text): out.append(f"{where}: this machine's name {h.pattern!r} in output")
            for k, v in o.get('data', {}).items():
                if not k.startswith('image/'): continue
                if photo_cell:
                    out.append(f"{where}: dataset photos in the output: run `python tools/hygiene.py --fix`"); continue
                if k != 'image/png':
                    out.append(f"{where}: {k} output: plots should be PNG"); continue
                b = base64.b64decode(''.join(v))
                w, h = _png_size(b)
                if len(b) > MAX_IMAGE_BYTES: out.append(f"{where}: PNG of {len(b):,} bytes, over {MAX_IMAGE_BYTES:,}: lower figsize or dpi")
                if max(w, h) > MAX_IMAGE_SIDE: out.append(f"{where}: PNG of {w}x{h} px: lower figsize or dpi")
    return out


def _empty_html(o: dict) -> bool:
    "A leftover progress bar: an empty HTML output, or a stdout stream of nothing but text progress bars"
    h = o.get('data', {}).get('text/html')
    if o.get('output_type') == 'display_data' and h is not None and ''.join(h).strip() in ('', '<div></div>'): return True
    return o.get('name') == 'stdout' and _bars(o) and not _without_bars(o)


def _bars(o: dict) -> bool:
    "Whether a stream output holds text progress bars (a line of them, or one that a print continues)"
    return any('|' in p and (TEXT_BAR.match(p) or BAR_THEN_TEXT.match(p)) for p in re.split(r'[\r\n]', ''.join(o.get('text', ''))))


def _without_bars(o: dict) -> list[str]:
    "The lines of a stream output that are not progress-bar states; a bar that a print continues on its line is cut off"
    lines = [BAR_THEN_TEXT.sub('', p) for p in re.split(r'[\r\n]', ''.join(o.get('text', '')))]
    return [p for p in lines if p.strip() and not TEXT_BAR.match(p)]


def strip_empty(nb_path: Path) -> int:
    "Drop leftover progress bars (empty HTML, bare text bars); returns how many were dropped"
    nb, n = read_nb(nb_path), 0
    for c in nb['cells']:
        keep = [o for o in c.get('outputs', []) if not _empty_html(o)]
        n += len(c.get('outputs', [])) - len(keep)
        for o in keep:
            if o.get('name') == 'stdout' and _bars(o): o['text'], n = [l + '\n' for l in _without_bars(o)], n + 1
        if c['cell_type'] == 'code': c['outputs'] = keep
    if n: write_nb(nb, nb_path)
    return n


IMAGE_FILE = re.compile(r'\.(jpe?g|png|gif|bmp|webp|tiff?)$', re.I)

def tracked_images(root: Path = ROOT) -> list[str]:
    "Image files tracked by git: dataset images must never be committed (figures live in notebook outputs)"
    import subprocess
    try: files = subprocess.run(['git', 'ls-files'], cwd=root, capture_output=True, text=True, check=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError): return []  # not a git clone: nothing to check
    return [f"{f}: an image file in the repository (dataset images must never be committed)" for f in files if IMAGE_FILE.search(f)]


def recompress(nb_path: Path) -> int:
    "Re-encode PNG outputs over the size limit losslessly (zlib level 9): the pixels stay identical, checked. How many shrank."
    import base64, io
    import numpy as np
    from PIL import Image
    nb, n = read_nb(nb_path), 0
    for c in nb['cells']:
        for o in c.get('outputs', []):
            b64 = o.get('data', {}).get('image/png')
            if not b64: continue
            raw = base64.b64decode(''.join(b64) if isinstance(b64, list) else b64)
            if len(raw) <= MAX_IMAGE_BYTES: continue
            im, buf = Image.open(io.BytesIO(raw)), io.BytesIO()
            im.save(buf, format='PNG', optimize=True, compress_level=9)
            if len(buf.getvalue()) < len(raw) and (np.asarray(Image.open(buf)) == np.asarray(im)).all():
                o['data']['image/png'] = base64.b64encode(buf.getvalue()).decode() + '\n'; n += 1
    if n: write_nb(nb, nb_path)
    return n


def strip_photos(nb_path: Path) -> int:
    "Drop image outputs from the cells marked with `PHOTO_MARK`; returns how many were dropped"
    nb, n = read_nb(nb_path), 0
    for c in nb['cells']:
        if c['cell_type'] != 'code' or PHOTO_MARK not in ''.join(c['source']): continue
        keep = [o for o in c.get('outputs', []) if not any(k.startswith('image/') for k in o.get('data', {}))]
        n += len(c.get('outputs', [])) - len(keep)
        c['outputs'] = keep
    if n: write_nb(nb, nb_path)
    return n


if __name__ == '__main__':
    nbs = [Path(a) for a in sys.argv[1:] if not a.startswith('--')] or notebooks()
    if '--fix' in sys.argv:
        for p in nbs:
            if (n := strip_photos(p)): print(f"{p.name}: stripped {n} dataset-photo output(s)")
            if (n := strip_empty(p)): print(f"{p.name}: dropped {n} leftover progress bar output(s)")
            if (n := recompress(p)): print(f"{p.name}: re-encoded {n} PNG output(s) over the limit losslessly")
    found = [msg for p in nbs for msg in problems(p)] + tracked_images()
    print('\n'.join(found) if found else f"{len(nbs)} notebooks clean")
    sys.exit(1 if found else 0)
