"""Ctrl-C in a long call raises KeyboardInterrupt promptly; the GIL is released meanwhile."""
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import relumix


@pytest.mark.parametrize("call", ['relumix.mc("256x32", 0.1, samples=10**9, threads=1)',
                                  'relumix.mu_sigma2(64, numpy.linspace(0.1, 3, 10**6), order=2)'])
def test_ctrl_c_raises_keyboard_interrupt(call):
    code = textwrap.dedent("""
        import sys, time, numpy, relumix
        print("ready", flush=True)
        t = time.time()
        try:
            CALL
        except KeyboardInterrupt:
            print("interrupted %.2f" % (time.time() - t), flush=True)
            # the library is usable again afterwards
            print(relumix.J(1, 1, "pi/3", digits=10), flush=True)
            sys.exit(0)
        sys.exit(3)
    """).replace("CALL", call)
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=os.environ.copy())
    assert p.stdout.readline().strip() == "ready"
    time.sleep(1.0)
    p.send_signal(signal.SIGINT)
    out, _ = p.communicate(timeout=60)
    assert p.returncode == 0, out
    lines = out.split()
    assert lines[0] == "interrupted"
    assert lines[2] == relumix.J(1, 1, "pi/3", digits=10)


def test_gil_released_during_long_calls():
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.005)
    th = threading.Thread(target=tick)
    th.start()
    t = time.time()
    relumix.mc("256x32", 0.1, samples=3000, threads=1)
    elapsed = time.time() - t
    stop.set()
    th.join()
    assert elapsed < 0.05 or len(ticks) >= 3
