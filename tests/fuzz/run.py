"""`python -m tests.fuzz.run -n N [--seed S] [--jobs J]`: generate, run, compare, record findings.

Programs run in a pool of worker processes, each with a time limit: a worker that dies (a
signal) is a crash finding, one that overruns is a hang finding; both are restarted and the run
goes on. Findings go to --out, one folder each (the two sources, the arguments, both outcomes,
and program.pkl for `python -m tests.fuzz.reduce`).
"""

import argparse
import multiprocessing as mp
import os
import pickle
import random
import resource
import shutil
import signal
import sys
import tempfile
import time
import traceback
from multiprocessing.connection import wait

from .gen import Options, generate
from .render import render

# case.py checks ferrojit._native.live_buffers() after every call; ferrojit counts buffers
# only when this is set before it is imported (the workers import it).
os.environ["FERROJIT_COUNT_BUFFERS"] = "1"

CASES = 3
MEMORY_LIMIT = 8 << 30


def make_task(seed, idx, opts):
    prog = generate(f"{seed}:{idx}", opts)
    from .case import arg_specs, written
    args = arg_specs(random.Random(f"args:{seed}:{idx}"), prog.entry.params, CASES,
                     {n for n, _ in prog.entry.params} - written(prog.entry))
    return prog, args


def worker(conn, workdir):
    # A generated kernel may allocate a huge array: let it fail with MemoryError rather than
    # take the machine's memory (address space, so the limit holds before pages are touched).
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    from . import case
    n = 0
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        prog, args = task
        n += 1
        try:
            res = case.run(prog, args, workdir, f"fz_{os.getpid()}_{n}")
        except Exception:  # a bug of the fuzzer itself, reported as such
            res = {"status": "fuzzer_error", "message": traceback.format_exc()}
        conn.send(res)


class Pool:
    """Worker processes fed one task at a time; a dead or late worker is replaced."""

    def __init__(self, jobs, timeout):
        self.ctx = mp.get_context("fork")
        self.timeout = timeout
        self.workdir = tempfile.mkdtemp(prefix="ferrojit-fuzz-")
        sys.path.insert(0, self.workdir)
        self.slots = [self.spawn() for _ in range(jobs)]

    def spawn(self):
        parent, child = self.ctx.Pipe()
        p = self.ctx.Process(target=worker, args=(child, self.workdir), daemon=True)
        p.start()
        child.close()
        return {"proc": p, "conn": parent, "task": None, "start": 0.0}

    def run(self, tasks):
        """Yields (key, task, result) for each (key, task) of tasks, in completion order."""
        tasks = iter(tasks)
        busy = 0
        done = False
        while True:
            for i, s in enumerate(self.slots):
                if s["task"] is None and not done:
                    nxt = next(tasks, None)
                    if nxt is None:
                        done = True
                        continue
                    s["task"], s["start"] = nxt, time.time()
                    s["conn"].send(nxt[1])
                    busy += 1
            if busy == 0:
                return
            ready = wait([s["conn"] for s in self.slots if s["task"] is not None], timeout=0.5)
            now = time.time()
            for i, s in enumerate(self.slots):
                if s["task"] is None:
                    continue
                res = None
                if s["conn"] in ready:
                    try:
                        res = s["conn"].recv()
                    except (EOFError, OSError):
                        s["proc"].join(5)
                        res = {"status": "crash", "message": f"worker died, exit code {s['proc'].exitcode}"}
                elif now - s["start"] > self.timeout:
                    res = {"status": "hang", "message": f"no result after {self.timeout} s"}
                if res is None:
                    continue
                key, task = s["task"]
                s["task"] = None
                busy -= 1
                if res["status"] in ("crash", "hang"):
                    s["proc"].kill()
                    s["proc"].join()
                    self.slots[i] = self.spawn()
                yield key, task, res

    def close(self):
        for s in self.slots:
            s["conn"].close()
            s["proc"].kill()
            s["proc"].join()
        shutil.rmtree(self.workdir, ignore_errors=True)


def save_finding(out, name, prog, args, res):
    from .case import make_args, positional, show
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    jit_src, ref_src = render(prog)
    with open(os.path.join(d, "jit.py"), "w") as f:
        f.write(jit_src)
    with open(os.path.join(d, "ref.py"), "w") as f:
        f.write(ref_src)
    with open(os.path.join(d, "program.pkl"), "wb") as f:
        pickle.dump((prog, args, res), f)
    with open(os.path.join(d, "README.txt"), "w") as f:
        f.write(f"status: {res['status']}\n")
        for k in ("message", "tags", "known"):
            if res.get(k):
                f.write(f"{k}: {res[k]}\n")
        for line in res.get("diffs", []):
            f.write(line + "\n")
        cases = [args[res["case"]]] if "case" in res else args
        npos = positional(prog.entry)
        for c in cases:  # bound as case.call binds them
            args = [show(a) if k < npos else f"{n}={show(a)}" for k, ((n, _), a)
                    in enumerate(zip(prog.entry.params, make_args(c))) if k < npos or n not in prog.entry.omit]
            f.write("call: f(" + ", ".join(args) + ")\n")


STATUSES = ["ok", "wrong", "known", "crash", "hang", "internal_error", "compile_error", "fuzzer_error"]


def fuzz(n, seed="0", start=0, jobs=2, timeout=60.0, out="fuzz-findings", opts=None, log=print):
    """Runs programs start..start+n; returns (counts per status, [(program id, result)] of findings)."""
    opts = opts or Options()
    counts = dict.fromkeys(STATUSES, 0)
    counts["cases"] = counts["skipped"] = 0
    findings = []
    pool = Pool(jobs, timeout)
    tasks = ((i, make_task(seed, i, opts)) for i in range(start, start + n))
    try:
        for idx, (prog, args), res in pool.run(tasks):
            counts[res["status"]] += 1
            counts["cases"] += res.get("cases", 0)
            counts["skipped"] += res.get("skipped", 0)
            if res["status"] != "ok":
                findings.append((f"{seed}:{idx}", res))
                if out:
                    save_finding(out, f"{res['status']}-{seed}-{idx}", prog, args, res)
                if res["status"] != "known":
                    log(f"program {seed}:{idx}: {res['status']}: "
                        f"{(res.get('diffs') or [res.get('message', '')])[0][:300]}")
    finally:
        pool.close()
    return counts, findings


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("-n", type=int, default=1000, help="programs to run")
    p.add_argument("--seed", default="0")
    p.add_argument("--start", type=int, default=0, help="index of the first program")
    p.add_argument("--jobs", type=int, default=os.cpu_count())
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per program")
    p.add_argument("--out", default="fuzz-findings")
    p.add_argument("--max-stmts", type=int, default=Options.max_stmts, help="statements per block")
    p.add_argument("--max-depth", type=int, default=Options.max_depth, help="nesting of blocks and expressions")
    p.add_argument("--arrays", type=float, default=Options.arrays,
                   help="how often a program uses arrays as values (0 to 1)")
    p.add_argument("--exprs", type=float, default=Options.exprs,
                   help="how often array expressions, NumPy functions and reductions appear (0 to 1)")
    a = p.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so that the pool's workers are ended too
    t0 = time.time()
    opts = Options(max_stmts=a.max_stmts, max_depth=a.max_depth, arrays=a.arrays, exprs=a.exprs)
    counts, _ = fuzz(a.n, a.seed, a.start, a.jobs, a.timeout, a.out, opts,
                     log=lambda m: print(m, flush=True))
    print(f"programs {a.n}  cases {counts['cases']} (skipped as unspecified: {counts['skipped']})  "
          f"time {time.time() - t0:.1f} s")
    print("  ".join(f"{k} {counts[k]}" for k in STATUSES))
    print(f"findings in {a.out}/" if a.n > counts["ok"] else "no findings")
    return counts


if __name__ == "__main__":
    c = main()
    sys.exit(1 if any(c[k] for k in ("wrong", "crash", "hang", "internal_error", "fuzzer_error")) else 0)
