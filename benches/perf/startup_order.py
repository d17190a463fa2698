"""Writes src-tauri/startup-order.txt: the symbols whose code or data the release app uses from launch until 3 s
after its window is interactive, for the linker to put next to each other (src-tauri/build.rs).

Why: the kernel maps a binary's pages around each page a process uses, and the app's start-up code was spread
over the whole binary, so nearly all of its 12 MB of machine code was resident from the first second
(docs/performance.md). Put together, it takes a few MiB.

How: the app is launched with the binary's pages dropped from the page cache and the read-ahead of the disk
holding it set to 0, so each page it uses is read alone and nothing around it is mapped. The pages mapped
after the launch are then the ones used; the linker's map (`CALLBACK_DESK_LINK_MAP`) names the symbols in
them. Three launches, their pages taken together: a new data folder painting on the CPU, the same folder
again (an existing database), a new folder painting through OpenGL. Needs root (the read-ahead setting) and a
desktop session (scripts/with-desktop-session.sh); run by scripts/startup-order.sh.
"""

import argparse
import ctypes
import mmap
import os
import re
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import measure  # noqa: E402

PAGE = 4096


def readahead_setting(path):
    """The sysfs file of the read-ahead of the disk holding `path` (a partition's is its disk's)."""
    st = os.stat(path)
    dev = os.path.realpath(f"/sys/dev/block/{os.major(st.st_dev)}:{os.minor(st.st_dev)}")
    for d in (dev, os.path.dirname(dev)):
        f = os.path.join(d, "queue", "read_ahead_kb")
        if os.path.exists(f):
            return f
    raise SystemExit(f"no read-ahead setting found for the disk of {path} (a block device is needed, not tmpfs)")


def cached_pages(path):
    """How many of the file's pages are in the page cache (mincore on a mapping of it)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
    libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_ubyte)]
    size = os.path.getsize(path)
    vec = (ctypes.c_ubyte * ((size + PAGE - 1) // PAGE))()
    fd = os.open(path, os.O_RDONLY)
    try:
        addr = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
        if addr in (None, ctypes.c_void_p(-1).value):
            raise OSError(ctypes.get_errno(), "mmap")
        try:
            if libc.mincore(addr, size, vec) != 0:
                raise OSError(ctypes.get_errno(), "mincore")
        finally:
            libc.munmap(addr, size)
    finally:
        os.close(fd)
    return sum(v & 1 for v in vec)


def drop_from_cache(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)
    left = cached_pages(path)
    if left:
        raise SystemExit(f"{left} pages of {path} stayed in the page cache (is it running?)")


def used_pages(binary, data, env_extra, settle=3.0, timeout=60.0):
    """File pages of `binary` mapped in its process `settle` s after the window is interactive."""
    env = dict(os.environ, CALLBACK_DESK_DATA_DIR=data, RUST_LOG="info", NO_COLOR="1", **env_extra)
    proc = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ready = threading.Event()

    def read():
        for line in proc.stderr:
            if b"window interactive" in line:
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        if not ready.wait(timeout):
            raise SystemExit(f"{binary} never reported an interactive window")
        time.sleep(settle)
        real = os.path.realpath(binary)
        pages = set()
        with open(f"/proc/{proc.pid}/maps") as maps, open(f"/proc/{proc.pid}/pagemap", "rb") as pagemap:
            for fields in (line.split() for line in maps):
                if len(fields) < 6 or fields[5] != real:
                    continue
                start, end = (int(x, 16) for x in fields[0].split("-"))
                offset = int(fields[2], 16)
                count = (end - start) // PAGE
                pagemap.seek(start // PAGE * 8)
                entries = pagemap.read(count * 8)
                for i in range(count):
                    if struct.unpack_from("<Q", entries, i * 8)[0] >> 63:  # present
                        pages.add(offset // PAGE + i)
        return pages
    finally:
        measure.kill_tree(proc.pid)  # the app and the WebKit processes it started
        proc.wait(timeout=10)


def loads(binary):
    """(file offset, address, file size) of each loaded segment."""
    out = subprocess.run(["readelf", "-l", "-W", binary], capture_output=True, text=True, check=True).stdout
    return [(int(f[1], 16), int(f[2], 16), int(f[4], 16)) for f in (l.split() for l in out.splitlines())
            if f and f[0] == "LOAD"]


def sections(map_file):
    """(address, size, first symbol) of each input section the linker's map lists with a symbol in it."""
    line_re = re.compile(r"^\s*([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)\s+\d+(\s+)(.*)$")
    out = []
    current = None
    with open(map_file) as f:
        for line in f:
            m = line_re.match(line)
            if not m:
                continue
            addr, size, indent, rest = int(m.group(1), 16), int(m.group(2), 16), len(m.group(3)), m.group(4)
            # Columns: output section (1 space of indent), input section (9), symbol (17).
            if indent >= 17:
                if current is not None and current[2] is None:
                    current[2] = rest.strip()
            elif indent >= 9:
                current = [addr, size, None]
                out.append(current)
    return [tuple(s) for s in out if s[2] is not None]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--app", required=True, help="the release binary the map belongs to")
    ap.add_argument("--map", required=True, help="the linker's map of that binary")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    setting = readahead_setting(args.app)
    with open(setting) as f:
        before = f.read().strip()
    runs = []
    folder = tempfile.mkdtemp(prefix="startup-order-")
    try:
        with open(setting, "w") as f:
            f.write("0")
        for data, painting in ((folder, "1"), (folder, "1"), (tempfile.mkdtemp(prefix="startup-order-"), "0")):
            drop_from_cache(args.app)
            runs.append(used_pages(args.app, data, {"WEBKIT_SKIA_ENABLE_CPU_RENDERING": painting}))
    finally:
        with open(setting, "w") as f:
            f.write(before)
    used = set().union(*runs)
    segs = loads(args.app)

    def file_offset(addr):
        for off, vaddr, size in segs:
            if vaddr <= addr < vaddr + size:
                return addr - vaddr + off
        return None

    chosen, seen, size_total = [], set(), 0
    for addr, size, symbol in sorted(sections(args.map)):
        off = file_offset(addr)
        # The exception tables' labels are numbered anew in each build: no name to keep.
        if off is None or symbol in seen or symbol.startswith("GCC_except_table"):
            continue
        if any(p in used for p in range(off // PAGE, (off + max(size, 1) - 1) // PAGE + 1)):
            seen.add(symbol)
            chosen.append(symbol)
            size_total += size
    with open(args.out, "w") as f:
        f.write("".join(s + "\n" for s in chosen))
    print(f"pages used per launch: {[len(r) for r in runs]}, together {len(used)} "
          f"({len(used) * PAGE / 2**20:.1f} MiB) of {os.path.getsize(args.app) / 2**20:.1f} MiB; "
          f"{len(chosen)} symbols ({size_total / 2**20:.1f} MiB) written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
