"""The registry-free test image runs on the real Docker Engine and serves on loopback.

This is the ground the agent's end-to-end tests stand on: if it fails, Docker or the
image build is broken, not Dockyard.
"""

from __future__ import annotations

import time
import urllib.request


def test_image_runs_busybox_httpd_on_a_dynamic_loopback_port(docker_client, test_image) -> None:
    container = docker_client.containers.run(  # type: ignore[attr-defined]
        test_image,
        ["sh", "-c", "mkdir -p /www && echo dockyard-ok > /www/index.html && "
                     "exec httpd -f -p 8080 -h /www"],
        detach=True, ports={"8080/tcp": ("127.0.0.1", None)},
        labels={"dockyard.test": "test_image"},
    )
    try:
        container.reload()
        binding = container.attrs["NetworkSettings"]["Ports"]["8080/tcp"][0]
        assert binding["HostIp"] == "127.0.0.1"
        url = f"http://127.0.0.1:{binding['HostPort']}/"
        body = b""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    body = response.read()
                    break
            except OSError:
                time.sleep(0.1)
        assert body == b"dockyard-ok\n"
    finally:
        container.remove(force=True)


def test_image_reports_exit_codes(docker_client, test_image) -> None:
    container = docker_client.containers.run(  # type: ignore[attr-defined]
        test_image, ["sh", "-c", "exit 7"], detach=True,
        labels={"dockyard.test": "test_image"},
    )
    try:
        assert container.wait(timeout=30)["StatusCode"] == 7
    finally:
        container.remove(force=True)
