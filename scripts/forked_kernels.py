"""Fresh kernels that start without importing PyTorch, SymPy and matplotlib again.

A chapter's first code cell spends about five seconds importing PyTorch, SymPy, NumPy,
matplotlib and IPython: when both editions are built, 46 kernels pay it, about two of the eight
minutes the cold build may take. ``scripts/execute_chapters.py`` therefore starts one *template*
process that imports those libraries once (and runs nothing else), and every chapter's kernel is
a ``fork`` of it: a new process with its own memory, its own working directory and environment,
in which IPython's kernel then starts exactly as ``python -m ipykernel_launcher -f …`` would.
Nothing a notebook does can reach the template or another chapter's kernel, the course's own
package is imported by each kernel (it reads ``ACTLIB_LANGUAGE``), and the random states that a
library seeded when it was imported are seeded again in each kernel, as a new process would.

Usage (the template; ``execute_chapters.py`` starts and stops it)::

    python scripts/forked_kernels.py SOCKET

``ForkingKernelManager`` is the ``jupyter_client`` kernel manager that asks the template named by
the environment variable ``ACTLIB_KERNEL_TEMPLATE`` for a kernel; without it, or for a kernel
command that is not IPython's, it starts the kernel as a new program like the default manager.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from pathlib import Path
from typing import Any

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner

ENV = "ACTLIB_KERNEL_TEMPLATE"  # the template's socket, for the workers that run notebooks
LAUNCHER = "ipykernel_launcher"  # the kernel command ends with: -m ipykernel_launcher -f FILE

# Imported once by the template: what every chapter imports and what a kernel itself needs.
# matplotlib's inline backend is not among them (importing it registers it with the running
# IPython, which only exists in the kernel), nor is actlib (it reads the edition's language).
PRELOADED = (
    "numpy",
    "scipy.special",
    "scipy.stats",
    "sympy",
    "torch",
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
    "IPython",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
)


# --- the template process -------------------------------------------------------------------


def serve(address: str) -> None:
    """Import ``PRELOADED``, then fork a kernel for every request until stdin closes."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address + ".new")
    listener.listen(16)  # requests wait in the backlog while the imports run
    os.rename(address + ".new", address)  # the name appears once it accepts connections
    # As ipykernel sets it before any notebook code runs, so matplotlib reads the same backend.
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    for name in PRELOADED:
        try:
            importlib.import_module(name)
        except ImportError as exc:  # the kernel imports it itself, as it would anyway
            print(f"forked_kernels: {name} not preloaded: {exc}", file=sys.stderr)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # finished kernels are reaped by the system
    while True:
        ready, _, _ = select.select([listener, sys.stdin], [], [])
        if sys.stdin in ready:  # the parent closed our stdin: it is done, or gone
            return
        conn, _ = listener.accept()
        with conn:
            try:
                request = _checked(json.loads(_receive(conn)))
                pid = os.fork()
            except (OSError, ValueError) as exc:  # the asking side starts a program instead
                conn.sendall(json.dumps({"error": str(exc)}).encode())
                continue
            if pid == 0:
                listener.close()
                conn.close()
                _become_kernel(request)  # never returns
            conn.sendall(json.dumps({"pid": pid}).encode())


def _checked(request: Any) -> dict[str, Any]:
    """A request as ``_request_kernel`` sends it (``ValueError`` for anything else)."""
    ok = (
        isinstance(request, dict)
        and set(request) == {"args", "cwd", "env"}
        and isinstance(request["args"], list)
        and all(isinstance(a, str) for a in request["args"])
        and isinstance(request["cwd"], str)
        and isinstance(request["env"], dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in request["env"].items())
    )
    if not ok:
        raise ValueError(f"expected args (strings), cwd and env (strings), got {request!r:.200}")
    return request


def _receive(conn: socket.socket) -> bytes:
    chunks = []
    while chunk := conn.recv(1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


def _become_kernel(request: dict[str, Any]) -> None:
    """In the forked child: turn into ``python -m ipykernel_launcher ARGS``; exit when it ends."""
    code = 1
    try:
        os.setsid()  # its own process group, as jupyter_client starts kernels (interrupts)
        for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGPIPE):
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        stdin = os.open(os.devnull, os.O_RDONLY)
        os.dup2(stdin, 0)
        os.close(stdin)
        sys.stdin = open(0, closefd=False)  # noqa: SIM115 (the process's stdin until it exits)
        env = dict(request["env"])
        env.pop(ENV, None)
        env["JPY_PARENT_PID"] = str(os.getppid())  # the kernel exits if the template goes
        os.environ.clear()
        os.environ.update(env)
        os.chdir(request["cwd"])
        _reseed()
        # ipykernel_launcher removes the working directory from sys.path and IPython puts it
        # back; the template's sys.path starts with this script's folder instead.
        if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
            del sys.path[0]
        launcher = importlib.util.find_spec(LAUNCHER)
        sys.argv = [launcher.origin if launcher and launcher.origin else LAUNCHER, *request["args"]]
        # ipykernel read JPY_PARENT_PID when the template imported it: say it again.
        sys.argv.append(f"--IPKernelApp.parent_handle={os.getppid()}")
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 (reported, then the process ends with status 1)
        traceback.print_exc()
    finally:
        try:
            import atexit

            atexit._run_exitfuncs()  # what a normal interpreter exit runs
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _reseed() -> None:
    """Seed again what the libraries seeded from the system when the template imported them."""
    import random

    random.seed()
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed()


# --- the side that runs notebooks -----------------------------------------------------------


class Template:
    """The template process, for a ``with`` block: ``ACTLIB_KERNEL_TEMPLATE`` is set inside it.

    Processes started inside the block (the workers that run notebooks) inherit the variable.
    """

    def __enter__(self) -> Template:
        # A folder only this user can enter: nobody else can ask the template for a kernel.
        self._folder = tempfile.TemporaryDirectory(prefix="actlib-kernels-")
        self.address = os.path.join(self._folder.name, "socket")
        self._process = subprocess.Popen(
            [sys.executable, __file__, self.address], stdin=subprocess.PIPE
        )
        while not os.path.exists(self.address):  # it listens before it imports anything
            if self._process.poll() is not None:
                raise RuntimeError(f"the kernel template exited with {self._process.returncode}")
            time.sleep(0.01)
        self._previous = os.environ.get(ENV)
        os.environ[ENV] = self.address
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = self._previous
        assert self._process.stdin is not None
        self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._folder.cleanup()


def _request_kernel(address: str, args: list[str], cwd: str, env: dict[str, str]) -> int:
    """The process id of a new kernel forked by the template (``OSError`` if it cannot)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.connect(address)
        conn.sendall(json.dumps({"args": args, "cwd": cwd, "env": env}).encode())
        conn.shutdown(socket.SHUT_WR)
        reply = json.loads(_receive(conn) or b"{}")
    if not isinstance(reply.get("pid"), int):
        raise OSError(f"the kernel template could not fork a kernel: {reply.get('error', reply)}")
    return int(reply["pid"])


class _ForkedProcess:
    """The little of ``subprocess.Popen`` that jupyter_client uses, for a kernel we did not fork.

    The template is its parent and reaps it; it has ended when its process id is gone.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0  # its status went to the template
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while (code := self.poll()) is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0.0)
            time.sleep(0.01)
        return code

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            try:
                os.kill(self.pid, signum)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _kernel_arguments(cmd: list[str]) -> list[str] | None:
    """The arguments after ``-m ipykernel_launcher``, or None for another kind of command."""
    for i in range(len(cmd) - 1):
        if cmd[i] == "-m" and cmd[i + 1] == LAUNCHER:
            return cmd[i + 2 :]
    return None


class ForkedProvisioner(LocalProvisioner):  # type: ignore[misc]
    """Starts IPython kernels by asking the template for a fork of itself."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        address = os.environ.get(ENV)
        args = _kernel_arguments(cmd)
        if not address or args is None:
            return await super().launch_kernel(cmd, **kwargs)
        env = dict(kwargs.get("env") or os.environ)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        try:
            pid = await asyncio.get_running_loop().run_in_executor(
                None, _request_kernel, address, args, cwd, env
            )
        except (OSError, ValueError) as exc:  # no template (any more): start it as a program
            print(f"forked_kernels: {exc}; starting the kernel as a program", file=sys.stderr)
            return await super().launch_kernel(cmd, **kwargs)
        self.process = _ForkedProcess(pid)
        self.pid = self.pgid = pid  # the kernel leads its own process group
        self.cwd = cwd
        return self.connection_info


class ForkingKernelManager(AsyncKernelManager):  # type: ignore[misc]
    """A kernel manager whose kernels are forks of the template (see the module's docstring)."""

    async def _async_pre_start_kernel(self, **kw: Any) -> Any:
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", None) or str(uuid.uuid4())
            self.provisioner = ForkedProvisioner(
                kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self
            )
        return await super()._async_pre_start_kernel(**kw)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    serve(sys.argv[1])
