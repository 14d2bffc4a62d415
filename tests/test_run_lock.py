"""Two nightly runs at once: the second exits at once with a clear message."""

import os
import subprocess
import sys

from config.settings import load
from yiju.run import AlreadyRunning, run_lock


def test_second_run_is_refused_while_the_first_holds_the_lock(tmp_path, config_file):
    settings = load(config_file, environ={})
    with run_lock(settings):
        env = dict(os.environ, YIJU_CONFIG=str(config_file))
        proc = subprocess.run([sys.executable, "-m", "yiju", "run", "--no-crawl"],
                              cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3
    assert "正在运行" in proc.stderr and f"PID {os.getpid()}" in proc.stderr


def test_lock_is_released_after_the_run(tmp_path, config_file):
    settings = load(config_file, environ={})
    with run_lock(settings):
        pass
    with run_lock(settings):
        pass


def test_lock_refuses_in_process_too(tmp_path, config_file):
    settings = load(config_file, environ={})
    import pytest

    with run_lock(settings):
        with pytest.raises(AlreadyRunning):
            with run_lock(settings):
                pass
