"""`yiju schedule`: cron from config, coalescing, one instance, grace time, clean stop on SIGTERM."""

import os
import signal
import subprocess
import sys
import time

from yiju.schedule import build_scheduler


def test_job_options():
    scheduler = build_scheduler(lambda: None, "30 2 * * *", "Asia/Shanghai", 1800)
    job = scheduler.get_jobs()[0]
    assert job.coalesce is True
    assert job.max_instances == 1
    assert job.misfire_grace_time == 1800
    assert str(job.trigger.timezone) == "Asia/Shanghai"
    fields = {f.name: str(f) for f in job.trigger.fields}
    assert fields["hour"] == "2" and fields["minute"] == "30"


def test_schedule_stops_cleanly_on_sigterm(tmp_path, config_file):
    env = dict(os.environ, YIJU_CONFIG=str(config_file))
    proc = subprocess.Popen(
        [sys.executable, "-m", "yiju", "schedule"],
        cwd=tmp_path, env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 30
        seen = ""
        while time.monotonic() < deadline and "schedule started" not in seen:
            line = proc.stderr.readline()
            if not line:
                break
            seen += line
        assert "schedule started" in seen, seen
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "schedule stopped" in err
