"""CI: the notebook's stop button in the real Jupyter .NET kernel (called by .ci/notebook-kernel-check).

Starts the ".NET (C#)" kernel that notebooks/setup-kernel.sh registered, runs NotebookTraining.Solve, TrainVelocity and
Run (without fast mode) with budgets too large to finish in seconds, interrupts each a few seconds in (what Jupyter's and VS Code's stop button
do), and asserts that the cell ends soon after, that the kernel is alive with its variables, and that a following cell
reads a usable result soon after: exit reason Cancelled and fewer iterations than the budget. Then a plain sleeping
loop, which has no cancellation of its own: the cell must end as cancelled and the kernel must survive.

Usage: /usr/bin/python3 .ci/notebook-interrupt-check.py WORKING_FOLDER (needs jupyter_client; Debian: jupyter-client).
"""
import queue
import signal
import sys
import time

from jupyter_client.manager import start_new_kernel

BUDGET = 1_000_000
# Training stops within one iteration (milliseconds); the slack covers a loaded 2-core machine.
STOP_WITHIN_SECONDS = 30


class Failure(Exception):
    pass


def run(client, manager, code, interrupt_after=None, timeout=900):
    """Runs one cell; returns (outputs, errors, seconds from the interrupt to the end of the cell, time of the
    interrupt); the last two are None without an interrupt."""
    msg_id = client.execute(code)
    started = time.monotonic()
    interrupted_at = None
    outputs, errors = [], []
    while True:
        now = time.monotonic()
        if interrupt_after is not None and interrupted_at is None and now - started >= interrupt_after:
            manager.interrupt_kernel()
            interrupted_at = now
        if now - started > timeout:
            raise Failure(f"the cell did not finish within {timeout} s: {code[:80]!r}")
        try:
            message = client.get_iopub_msg(timeout=0.5)
        except queue.Empty:
            if not manager.is_alive():
                raise Failure(f"the kernel died while running {code[:80]!r}")
            continue
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = message["msg_type"], message["content"]
        if kind == "status" and content["execution_state"] == "idle":
            break
        if kind == "error":
            errors.append(f"{content['ename']}: {content['evalue']}")
        elif kind in ("execute_result", "display_data", "update_display_data"):
            outputs.append(content["data"].get("text/plain", ""))
        elif kind == "stream":
            outputs.append(content["text"])
    stop_seconds = None if interrupted_at is None else time.monotonic() - interrupted_at
    return outputs, errors, stop_seconds, interrupted_at


def value(client, manager, expression):
    outputs, errors, _, _ = run(client, manager, expression)
    if errors:
        raise Failure(f"{expression!r} failed: {errors[0][:300]}")
    return outputs[-1].strip().strip('"') if outputs else ""


def check_interrupted_training(client, manager, name, cell, read):
    _, errors, stop_seconds, interrupted_at = run(client, manager, cell, interrupt_after=8)
    if not manager.is_alive():
        raise Failure(f"{name}: the kernel died on the interrupt")
    # The cell ends as cancelled at once; the training loop sees the cancellation before its next iteration and
    # returns, and only then does the next cell run: the time to its answer bounds the time training went on.
    # read answers "<exit reason> <iterations completed> <budget> <kept + 1>".
    answer = value(client, manager, read).split()
    answered_seconds = time.monotonic() - interrupted_at
    if answered_seconds > STOP_WITHIN_SECONDS:
        raise Failure(f"{name}: the next cell answered {answered_seconds:.1f} s after the interrupt")
    if len(answer) != 4:
        raise Failure(f"{name}: unexpected answer {answer}")
    reason, iterations, budget, kept = answer[0], int(answer[1]), int(answer[2]), answer[3]
    if reason != "Cancelled" or not 0 < iterations < budget or kept != "42":
        raise Failure(f"{name}: exit reason {reason}, {iterations} of {budget} iterations, kept variable {kept}")
    print(f"ok: {name} interrupted: the cell ended {stop_seconds:.1f} s after the interrupt ({'; '.join(errors)[:40] or 'no error'}), "
          f"the next cell answered after {answered_seconds:.1f} s: {reason} after {iterations} of {budget} iterations; "
          f"kernel alive with its variables")


def main():
    folder = sys.argv[1]
    # The kernel's interrupt is SIGINT. A background job of a non-interactive shell (CI started with `... &`) has
    # SIGINT ignored, the kernel would inherit that, and .NET installs no handler for an ignored signal: every
    # interrupt would be lost and the check would wait on a training cell for ever. Jupyter started from a terminal
    # has the default disposition; give the kernel that.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    manager, client = start_new_kernel(kernel_name=".net-csharp", cwd=folder, startup_timeout=300)
    try:
        _, errors, _, _ = run(client, manager, '#r "nuget: NeuralOT.Interactive, 0.1.0-dev.*"')
        if errors:
            raise Failure(f"loading the package failed: {errors[0][:300]}")
        _, errors, _, _ = run(client, manager, """
            using NeuralOT.Costs; using NeuralOT.Distributions; using NeuralOT.Solvers; using NeuralOT.Interactive.Progress;
            var kept = 41;
            var source = GaussianDistribution.StandardNormal(2);
            var target = new GaussianDistribution([3, 3], new double[,] { { 1, 0.5 }, { 0.5, 0.5 } });
            """)
        if errors:
            raise Failure(f"set-up cell failed: {errors[0][:300]}")
        check_interrupted_training(
            client, manager, "NotebookTraining.Solve",
            f"var map = NotebookTraining.Solve(source, target, QuadraticCost.Instance, new SolverOptions {{ Iterations = {BUDGET}, Seed = 1 }});",
            '$"{map.ExitReason} {map.IterationsCompleted} {map.Options.Iterations} {kept + 1}"')
        check_interrupted_training(
            client, manager, "NotebookTraining.TrainVelocity",
            f"var velocity = NotebookTraining.TrainVelocity(map, new VelocityOptions {{ Iterations = {BUDGET}, Seed = 1 }});",
            '$"{velocity.ExitReason} {velocity.IterationsCompleted} {velocity.Options.Iterations} {kept + 1}"')
        check_interrupted_training(
            client, manager, "NotebookTraining.Run",
            # The catalogue's budget (4,000 iterations, minutes on this machine); the check runs without fast mode.
            'var run = NotebookTraining.Run("gaussian-2d");',
            '$"{run.Result.ExitReason} {run.Result.IterationsCompleted} {run.Result.Options.Iterations} {kept + 1}"')

        # A cell that is not training and never looks at a cancellation token (20 s of sleeping). .NET cannot abort
        # its thread: the cell ends as cancelled at once and the kernel survives, but the loop runs to its end before
        # the next cell starts.
        _, errors, stop_seconds, interrupted_at = run(
            client, manager, "for (var i = 0; i < 100; i++) System.Threading.Thread.Sleep(200);", interrupt_after=4)
        if not manager.is_alive():
            raise Failure("sleeping loop: the kernel died on the interrupt")
        if stop_seconds is None or stop_seconds > 5 or not any("cancel" in e.lower() for e in errors):
            raise Failure(f"sleeping loop: the cell ended {stop_seconds} s after the interrupt with {errors}")
        answer = value(client, manager, '$"{kept + 1}"')
        if answer != "42":
            raise Failure(f"sleeping loop: the next cell read {answer!r}")
        print(f"ok: a sleeping loop: the cell ended as cancelled {stop_seconds:.1f} s after the interrupt, the kernel kept "
              f"its variables (the next cell answered {time.monotonic() - interrupted_at:.1f} s after the interrupt, "
              f"when the loop had run out)")
    finally:
        manager.shutdown_kernel(now=True)


if __name__ == "__main__":
    try:
        main()
    except Failure as failure:
        print(f"FAILED: interrupt check: {failure}", file=sys.stderr)
        sys.exit(1)
