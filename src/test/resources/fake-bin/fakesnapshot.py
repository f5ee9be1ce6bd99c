"""Shared code of the fake `nomad` and `consul` CLIs (tests only).

A snapshot is what the real agents serve and the real CLIs save: a gzipped tar of exactly meta.json (raft snapshot
metadata), state.bin (the state) and SHA256SUMS ("<hex>  <name>" lines), in that order (hashicorp helper/snapshot
archive.go, identical in consul snapshot/archive.go). Errors are the real CLIs' texts.

The test controls the fakes through fake-cli.json beside them:
  {"nomad": {"token": "...", "down": false, "delay_seconds": 0, "state_bytes": 65536, "index": 1234,
             "corrupt": false},
   "consul": {...}}
and reads calls.log (one JSON line per call: argv and whether the token came in the environment).
"""
import gzip
import hashlib
import io
import json
import os
import random
import sys
import tarfile
import time
from urllib.parse import urlparse

HERE = os.path.dirname(os.path.realpath(__file__))


def config(program):
    path = os.path.join(HERE, "fake-cli.json")
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return json.load(f).get(program, {})


def record(program, argv, token_var, addr_var, conf):
    token = os.environ.get(token_var)
    entry = {
        "program": program,
        "argv": argv,
        "token_in_env": token is not None,
        "token_matches": conf.get("token") is not None and token == conf.get("token"),
        "addr": os.environ.get(addr_var),
        "pid": os.getpid(),
    }
    with open(os.path.join(HERE, "calls.log"), "a") as f:
        f.write(json.dumps(entry) + "\n")


def fail(message, code=1):
    sys.stderr.write(message + "\n")
    sys.exit(code)


def refuse_token_on_command_line(program, argv, conf, token_var):
    """The real CLIs accept -token=...; the application must never use it: a token in argv is visible to ps."""
    token = conf.get("token")
    for arg in argv:
        if (arg.startswith("-") and arg.lstrip("-").startswith("token")) or (token and token in arg):
            fail("fake %s: the ACL token was passed on the command line; it must come from %s" % (program, token_var),
                 code=3)


def host_port(addr, default_port):
    url = urlparse(addr if "://" in addr else "http://" + addr)
    return url.scheme, "%s:%d" % (url.hostname or "127.0.0.1", url.port or default_port)


class SlowReader(io.RawIOBase):
    """state.bin's bytes, handed out slowly when the test asks for a long save (to stop a run mid-write)."""

    def __init__(self, data, delay_seconds):
        self.data = io.BytesIO(data)
        self.total = max(1, len(data))
        self.delay = delay_seconds

    def readable(self):
        return True

    def readinto(self, buffer):
        n = self.data.readinto(buffer)
        if self.delay and n:
            time.sleep(self.delay * n / self.total)
        return n


def write_archive(path, conf):
    index = int(conf.get("index", 1234))
    rng = random.Random(index)
    state = rng.randbytes(int(conf.get("state_bytes", 65536)))
    meta = json.dumps({
        "Version": 1,
        "ID": "2-%d-%d" % (index, int(time.time() * 1000)),
        "Index": index,
        "Term": 2,
        "Peers": "ka8xMjcuMC4wLjE6NDY0Nw==",
        "Configuration": {"Servers": [{"Suffrage": 0, "ID": "9c4b8e1c-1b5a-4f7e-a2d4-36a1d7b61f2e",
                                       "Address": "127.0.0.1:4647"}]},
        "ConfigurationIndex": 1,
        "Size": len(state),
    }).encode()
    state_sum = hashlib.sha256(state).hexdigest()
    if conf.get("corrupt"):
        state_sum = hashlib.sha256(b"not the state").hexdigest()
    sums = ("%s  meta.json\n%s  state.bin\n" % (hashlib.sha256(meta).hexdigest(), state_sum)).encode()
    with open(path, "xb") as raw, gzip.GzipFile(fileobj=raw, mode="wb") as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in (("meta.json", meta), ("state.bin", state), ("SHA256SUMS", sums)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o600
            info.mtime = int(time.time())
            source = SlowReader(data, float(conf.get("delay_seconds", 0))) if name == "state.bin" \
                else io.BytesIO(data)
            tar.addfile(info, io.BufferedReader(source) if name == "state.bin" else source)
    return index
