"""Run the whole project on whatever accelerator this machine has: every notebook with the quick budget (`IN_TEST=1`,
slow cells skipped), then the command line's train, evaluate, predict and bench. One line per item: passed or
failed, seconds, the device. It passes on a CPU; on a GPU it is the check that the notebooks run there as they do in
Colab.

    python tools/gpu_check.py                      # everything, in the clone
    python tools/gpu_check.py --outside-clone      # the Colab-like check: the notebooks copied to a temporary folder
                                                   # without pyproject.toml, the package installed from the clone (not
                                                   # editable) the way the Colab install line installs it
    python tools/gpu_check.py --only 00 03 --no-cli
    python tools/gpu_check.py --markdown docs.md   # also write the table as Markdown (device, date, each line)
    python tools/gpu_check.py --log out.log        # also keep every item's whole output in one file
    python tools/gpu_check.py --jobs 4             # four items at a time (a GPU machine with many cores); the CLI
                                                   # items stay in order, one after another

Datasets come from `$RESNET_FASTAI_DATA` (e.g. `../shared/data` unpacked); the exit code is 1 if anything failed.
"""
from __future__ import annotations
import argparse, datetime, os, shlex, shutil, subprocess, sys, tempfile, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

RUN_NB = """
import sys
from nbdev.test import test_nb
ok, secs = test_nb(sys.argv[1], skip_flags=['slow'], do_print=False, showerr=True, profile=False)  # (profile=False: no nbdev config needed)
sys.exit(0 if ok else 1)
"""


def device_name(env: dict) -> str:
    "The accelerator the notebooks will use (fastai's default device), named as the training module names it."
    out = subprocess.run([sys.executable, '-c', 'from resnet_fastai.train import hardware; print(hardware())'],
                         capture_output=True, text=True, env=env)
    return out.stdout.strip().splitlines()[-1] if out.returncode == 0 and out.stdout.strip() else f"unknown ({out.stderr.strip()[-200:]})"


def run(cmd, cwd, env, timeout) -> tuple[bool, float, str]:
    "Run `cmd`; (passed, seconds, its output)."
    t0 = time.time()
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
        ok, out = p.returncode == 0, (p.stdout + p.stderr)
    except subprocess.TimeoutExpired as e:
        text = lambda b: (b.decode(errors='replace') if isinstance(b, bytes) else b or '')
        ok, out = False, f"timed out after {timeout} s\n{text(e.stdout)[-2000:]}{text(e.stderr)[-2000:]}"
    return ok, time.time() - t0, out.strip()


def install_outside(work: Path, env: dict) -> dict:
    "Install the package from the clone, not editable, into `work/site`, and put that first on the path, as Colab's install line would."
    site = work/'site'
    p = subprocess.run([sys.executable, '-m', 'pip', 'install', '-q', '--no-deps', '--no-build-isolation', '--target', str(site), str(ROOT)],
                       capture_output=True, text=True)
    if p.returncode: raise SystemExit(f"pip could not install the package from {ROOT}:\n{p.stderr[-3000:]}")
    bin_dir = site/'bin'  # the console script `resnet-fastai` that pip wrote for this copy
    return {**env, 'PYTHONPATH': os.pathsep.join([str(site), env.get('PYTHONPATH', '')]).rstrip(os.pathsep),
            'PATH': os.pathsep.join([str(bin_dir), env['PATH']])}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--only', nargs='*', help="notebook name prefixes, e.g. 00 03 (default: all)")
    ap.add_argument('--outside-clone', action='store_true', help="run the notebooks from a temporary folder without pyproject.toml")
    ap.add_argument('--no-cli', action='store_true', help="skip the command-line checks")
    ap.add_argument('--timeout', type=int, default=1200, help="seconds allowed per item")
    ap.add_argument('--markdown', help="also write the table to this Markdown file")
    ap.add_argument('--log', help="also write every item's whole output to this file")
    ap.add_argument('--jobs', type=int, default=1, help="items run at a time, each with its share of the CPU threads (default 1)")
    args = ap.parse_args(argv)
    env = {**os.environ, 'IN_TEST': '1', 'PYTHONWARNINGS': 'ignore'}
    nbs = sorted(p for p in (ROOT/'nbs').glob('*.ipynb') if not args.only or any(p.name.startswith(o) for o in args.only))
    work = Path(tempfile.mkdtemp(prefix='resnet-fastai-check-'))
    rows = []
    try:
        if args.outside_clone:
            env = install_outside(work, env)
            nb_dir = work/'notebooks'; nb_dir.mkdir()
            for p in nbs: shutil.copy(p, nb_dir/p.name)
            for p in (ROOT/'nbs').glob('_*.csv'): shutil.copy(p, nb_dir/p.name)  # the runs notebooks read (Colab fetches them)
            nbs = [nb_dir/p.name for p in nbs]
            where = subprocess.run([sys.executable, '-c', 'import resnet_fastai; print(resnet_fastai.__file__)'], env=env,
                                   capture_output=True, text=True, cwd=nb_dir).stdout.strip()
            print(f"outside the clone: notebooks in {nb_dir}, package imported from {where}", flush=True)
            if not where.startswith(str(work)): raise SystemExit(f"the package was imported from {where}, not from the copy in {work}")
        device = device_name(env)
        print(f"device: {device}", flush=True)
        groups = [[(f"notebook {p.name}", [sys.executable, '-c', RUN_NB, str(p)], p.parent)] for p in nbs]
        if not args.no_cli:
            run_dir, cli = work/'cli-run', ['resnet-fastai']
            digits = f'$({shlex.quote(sys.executable)} -c "from resnet_fastai.data import digits_path; print(digits_path()[0])")'
            groups.append([  # one group: each item needs the one before it
                ("cli train (digits, 1 epoch)", [*cli, 'train', '--epochs', '1', '--n-per-class', '30', '--out', str(run_dir)], work),
                ("cli evaluate", ['bash', '-c', f'resnet-fastai evaluate "{digits}" --checkpoint {run_dir} --n-per-class 10'], work),
                ("cli predict", ['bash', '-c', f'resnet-fastai predict "$(ls -d "{digits}"/val/3/* | head -1)" --checkpoint {run_dir}'], work),
                ("cli bench --quick", [*cli, 'bench', '--quick', '--no-data'], work)])
        if args.jobs > 1:  # share the cores: each process gets its part of the threads instead of all of them
            env = {**env, 'OMP_NUM_THREADS': str(max(1, (os.cpu_count() or 1) // args.jobs))}
        def run_group(group):
            out = []
            for name, cmd, cwd in group:
                ok, secs, text = run(cmd, cwd, env, args.timeout)
                out.append((name, ok, secs))
                print(f"{'passed' if ok else 'FAILED'}  {secs:7.1f} s  {name}  [{device}]", flush=True)
                if not ok: print('    ' + '\n    '.join(text.splitlines()[-25:]), flush=True)
                if args.log:
                    with open(args.log, 'a') as f: f.write(f"===== {name}: {'passed' if ok else 'FAILED'}, {secs:.1f} s\n{text}\n\n")
            return out
        t0 = time.time()
        with ThreadPoolExecutor(max(1, args.jobs)) as pool:
            for out in pool.map(run_group, groups): rows += out
        wall = time.time() - t0
    finally:
        shutil.rmtree(work, ignore_errors=True)
    failed = [r for r in rows if not r[1]]
    print(f"{len(rows) - len(failed)} passed, {len(failed)} failed, {wall / 60:.1f} min ({args.jobs} at a time) on {device}")
    if args.markdown:
        lines = [f"Run on **{device}**, {datetime.date.today().isoformat()}"
                 + (" (notebooks outside the clone)" if args.outside_clone else "")
                 + f", {args.jobs} item{'s' if args.jobs > 1 else ''} at a time, {wall / 60:.1f} min in all:", "",
                 "| item | result | seconds |", "|---|---|---|"] + [f"| {n} | {'passed' if ok else 'FAILED'} | {s:.0f} |" for n, ok, s in rows]
        Path(args.markdown).write_text('\n'.join(lines) + '\n')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
