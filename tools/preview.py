"""Preview the documentation pages without Quarto: render the executed notebooks to HTML the way the site shows them.

    python tools/preview.py                      # every notebook in nbs/ -> _preview/NAME.html, plus a summary
    python tools/preview.py nbs/03_training.ipynb --screenshot
                                                 # also _preview/NAME-01.png, -02.png ... (headless Chromium)

What the site drops is dropped here too: cells with `#| hide`, the `#| default_exp` cell, every `#|` directive line,
the input of `#| echo: false` cells and the output of `#| output: false` cells. Links between notebooks point at
the previewed pages. The summary lists, per page, the images, tables, error outputs and stderr outputs; with
`--screenshot` it also reports images the browser could not display. `_preview/` is git-ignored: commit the
script, never the pages or screenshots.

Screenshots need Chromium (`apt-get install chromium`); they are driven through the DevTools protocol
(`websocket-client`, installed with Jupyter) so that whole pages are captured, then cut into 1,280 x 1,600 slices.
Images from the web (the Colab badge) cannot load offline and are counted apart from broken ones.
"""
from __future__ import annotations
import base64, copy, json, re, shutil, socket, subprocess, sys, tempfile, time, urllib.request
from pathlib import Path
import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT/'_preview'
DIRECTIVE = re.compile(r'^\s*#\|\s*([\w-]+)\s*:?\s*(.*)$')


def directives(src: str) -> dict:
    return {m.group(1): m.group(2).strip() for l in src.splitlines() if (m := DIRECTIVE.match(l))}


def site_cells(nb):
    "The cells a reader of the site sees, with directive lines removed"
    nb = copy.deepcopy(nb)
    keep = []
    for c in nb.cells:
        d = directives(c.source)
        if 'hide' in d or 'default_exp' in d or d.get('include') == 'false': continue
        c.source = '\n'.join(l for l in c.source.splitlines() if not DIRECTIVE.match(l)).strip('\n')
        if c.cell_type == 'code':
            if d.get('echo') == 'false' or 'hide_input' in d: c.metadata.setdefault('tags', []).append('remove_input')
            if d.get('output') == 'false': c.outputs = []
            if not c.source and not c.get('outputs'): continue
        keep.append(c)
    nb.cells = keep
    return nb


def render(nb_path: Path, out_dir: Path = OUT) -> tuple[Path, dict]:
    nb = site_cells(nbformat.read(nb_path, as_version=4))
    exporter = HTMLExporter(template_name='lab', exclude_input_prompt=True, exclude_output_prompt=True)
    exporter.register_preprocessor(TagRemovePreprocessor(remove_input_tags={'remove_input'}), enabled=True)
    html, _ = exporter.from_notebook_node(nb)
    html = re.sub(r'href="(\d\d_\w+|index)\.ipynb', r'href="\1.html', html)
    html = html.replace('</head>', '<style>body{max-width:1100px;margin:auto}</style></head>', 1)
    out_dir.mkdir(exist_ok=True)
    dest = out_dir/f'{nb_path.stem}.html'
    dest.write_text(html)
    outs = [o for c in nb.cells if c.cell_type == 'code' for o in c.get('outputs', [])]
    stats = dict(cells=len(nb.cells),
                 images=sum(any(k.startswith('image/') for k in o.get('data', {})) for o in outs),
                 tables=html.count('<table'),
                 errors=sum(o.output_type == 'error' for o in outs),
                 stderr=sum(o.get('name') == 'stderr' for o in outs))
    return dest, stats


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]


class Browser:
    "Headless Chromium driven through the DevTools protocol: full-page screenshots and a JavaScript check"
    def __init__(self, width=1280):
        import websocket  # websocket-client
        exe = next((shutil.which(n) for n in ('chromium', 'chromium-browser', 'google-chrome') if shutil.which(n)), None)
        if exe is None: sys.exit("screenshots need Chromium: `apt-get install chromium` (or drop --screenshot)")
        self.port, self.width, self.profile = _free_port(), width, tempfile.mkdtemp()
        self.proc = subprocess.Popen([exe, '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars',
                                      f'--remote-debugging-port={self.port}', '--remote-allow-origins=*',
                                      f'--user-data-dir={self.profile}', 'about:blank'],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                pages = json.load(urllib.request.urlopen(f'http://127.0.0.1:{self.port}/json'))
                ws = next(p['webSocketDebuggerUrl'] for p in pages if p['type'] == 'page'); break
            except Exception: time.sleep(0.1)
        else: sys.exit("Chromium did not start")
        self.ws, self.n = websocket.create_connection(ws, timeout=120), 0
        self.call('Page.enable')

    def call(self, method, **params):
        self.n += 1
        self.ws.send(json.dumps(dict(id=self.n, method=method, params=params)))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get('id') == self.n:
                if 'error' in msg: raise RuntimeError(f"{method}: {msg['error']}")
                return msg['result']

    def js(self, expr):
        return self.call('Runtime.evaluate', expression=expr, returnByValue=True)['result'].get('value')

    def shoot(self, html: Path, slice_h=1600) -> tuple[list[Path], dict]:
        from PIL import Image
        self.call('Emulation.setDeviceMetricsOverride', width=self.width, height=slice_h, deviceScaleFactor=1, mobile=False)
        self.call('Page.navigate', url=html.resolve().as_uri())
        for _ in range(100):
            if self.js('document.readyState') == 'complete': break
            time.sleep(0.1)
        time.sleep(0.5)
        height = int(self.js('document.documentElement.scrollHeight'))
        check = self.js('''({broken: [...document.images].filter(i => !/^https?:/.test(i.src) && (!i.complete || i.naturalWidth == 0)).length,
                             external: [...document.images].filter(i => /^https?:/.test(i.src)).length,
                             images: document.images.length,
                             wide_tables: [...document.querySelectorAll('table')].filter(t => t.scrollWidth > t.parentElement.clientWidth + 2).length})''')
        self.call('Emulation.setDeviceMetricsOverride', width=self.width, height=height, deviceScaleFactor=1, mobile=False)
        png = base64.b64decode(self.call('Page.captureScreenshot', format='png', captureBeyondViewport=True)['data'])
        full = Image.open(__import__('io').BytesIO(png))
        shots = []
        for k, top in enumerate(range(0, full.height, slice_h), 1):
            p = html.with_name(f'{html.stem}-{k:02d}.png')
            full.crop((0, top, full.width, min(top + slice_h, full.height))).save(p)
            shots.append(p)
        return shots, dict(height=height, **check)

    def close(self):
        self.ws.close(); self.proc.terminate(); self.proc.wait(); shutil.rmtree(self.profile, ignore_errors=True)


def main(args):
    nbs = [Path(a) for a in args if not a.startswith('--')] or sorted((ROOT/'nbs').glob('*.ipynb'))
    browser = Browser() if '--screenshot' in args else None
    bad = 0
    try:
        for p in nbs:
            dest, s = render(p)
            line = f"{dest.relative_to(ROOT)}: {s['cells']} cells, {s['images']} images, {s['tables']} tables, {s['errors']} errors, {s['stderr']} stderr outputs"
            bad += s['errors']
            if browser:
                shots, c = browser.shoot(dest)
                bad += c['broken']
                line += f"; browser: {c['height']:,} px tall, {c['images']} images ({c['broken']} broken, {c['external']} from the web, not loaded offline), {c['wide_tables']} tables wider than the page -> {len(shots)} screenshots"
            print(line)
    finally:
        if browser: browser.close()
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
