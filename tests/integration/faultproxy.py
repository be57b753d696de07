#!/usr/bin/env python3
"""A TCP proxy that injects network faults between two processes in integration tests.

It forwards bytes and nothing else: TLS and any other protocol pass through it untouched. A test
steers it by rewriting a control file; the proxy polls the file every 50 ms and applies the new
mode to new connections and, where that makes sense, to the connections it already holds.

Usage:
  faultproxy.py --listen HOST:PORT --target HOST:PORT --control FILE [--port-file FILE]

Port 0 in --listen picks a free port. Once listening, the proxy writes the port and a newline to
--port-file (atomically) and prints `listening PORT` on stdout.

The control file holds one line (a missing file means `pass`; a line it cannot parse is reported
on stderr and ignored). Write it atomically (write a temporary file, then rename) so that the
proxy never reads half a line:
  pass        forward normally; held or delayed bytes go out at once.
  drop        close every connection it holds (a link cut, without flushing what is buffered) and
              close each new connection as soon as it is accepted.
  delay MS    hold each chunk, and each close, for MS milliseconds after it arrived before
              forwarding it; order is kept in each direction.
  cut BYTES   close a connection, both sides, once BYTES bytes have passed through it in total,
              both directions together; the chunk that crosses the limit is truncated so that
              exactly BYTES pass. A connection is counted from its accept, or from the switch to
              this mode if it was open before; switching to another `cut` restarts the count.
  blackhole   a silent partition: forward nothing and close nothing. A new connection is accepted
              but the target is not dialled until the mode changes. What arrives meanwhile is held
              (with TCP back-pressure once about 4 MiB are held per direction) and is forwarded,
              in order, when the mode leaves `blackhole`, as TCP would retransmit it.

Events go to stderr, one line each, so that a test can wait for them and count them:
  mode MODE                    the mode now in force (also printed once at start)
  accept N PEER                connection number N was accepted from PEER
  close N REASON BYTES         connection N closed after forwarding BYTES bytes in total, where
                               REASON is eof, reset, drop, cut, refused (the target did not
                               answer) or shutdown
  control: ...                 a control line that was ignored
SIGTERM or SIGINT closes everything and exits 0.
"""

import argparse
import asyncio
import os
import signal
import sys

CHUNK = 65536
QUEUE_CHUNKS = 64        # chunks held per direction before the reader stops reading
POLL_SECONDS = 0.05      # control file poll interval
CONNECT_SECONDS = 10     # how long to wait for the target to answer
LINGER_SECONDS = 1       # how long a graceful close may take to flush before it is aborted

EOF = "eof"              # queue item: the sender closed its side
RESET = "reset"          # queue item: the sender's connection failed


def log(*words):
    try:
        print(*words, file=sys.stderr, flush=True)
    except OSError:
        pass  # Nobody is reading stderr any more; the proxy keeps working regardless.


def parse_mode(text):
    """Returns the mode a control file's text asks for as (name, number), or None if malformed."""
    lines = text.strip().splitlines()
    words = lines[0].split() if lines else []
    if words in (["pass"], ["drop"], ["blackhole"]):
        return (words[0], 0)
    if len(words) == 2 and words[0] in ("delay", "cut") and words[1].isdigit():
        return (words[0], int(words[1]))
    return None


def mode_text(mode):
    name, number = mode
    return f"{name} {number}" if name in ("delay", "cut") else name


def split_address(text):
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f"want HOST:PORT, got {text!r}")
    return host.strip("[]"), int(port)


class Proxy:
    """Owns the listening socket, the current mode and every open Link. Single-threaded: all of
    it runs on one asyncio loop."""

    def __init__(self, target, control):
        self.target = target
        self.control = control
        self.mode = ("pass", 0)
        self.links = set()
        self.accepted = 0
        self._changed = asyncio.Event()  # set, then replaced, at every mode change
        self._control_signature = None

    async def next_mode(self):
        """Returns once the mode has changed after this call."""
        await self._changed.wait()

    def set_mode(self, mode):
        if mode == self.mode:
            return
        self.mode = mode
        log("mode", mode_text(mode))
        changed, self._changed = self._changed, asyncio.Event()
        name, number = mode
        for link in list(self.links):
            if name == "drop" or (name == "cut" and number == 0):
                link.close("drop" if name == "drop" else "cut")
            elif name == "cut":
                link.cut_base = link.forwarded
        changed.set()

    def poll_control(self):
        try:
            st = os.stat(self.control)
            # Size and inode as well as mtime: a rename or a rewrite within one mtime tick counts.
            signature = (st.st_mtime_ns, st.st_size, st.st_ino)
        except FileNotFoundError:
            signature = None
        except OSError as e:
            log(f"control: cannot stat {self.control}: {e}")
            return
        if signature == self._control_signature:
            return
        self._control_signature = signature
        if signature is None:
            self.set_mode(("pass", 0))
            return
        try:
            with open(self.control, encoding="utf-8", errors="replace") as f:
                text = f.read(4096)
        except FileNotFoundError:
            self._control_signature = None
            self.set_mode(("pass", 0))
            return
        except OSError as e:
            log(f"control: cannot read {self.control}: {e}")
            self._control_signature = None  # try again at the next poll
            return
        mode = parse_mode(text)
        if mode is None:
            log(f"control: ignoring {text.strip()!r}")
        else:
            self.set_mode(mode)

    async def watch_control(self):
        while True:
            await asyncio.sleep(POLL_SECONDS)
            self.poll_control()

    async def accept(self, reader, writer):
        self.accepted += 1
        peer = writer.get_extra_info("peername")
        peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)
        log("accept", self.accepted, peer)
        link = Link(self, self.accepted, reader, writer)
        self.links.add(link)
        link.start()

    def close_all(self, reason):
        for link in list(self.links):
            link.close(reason)


class Link:
    """One client connection and its connection to the target, with a reader and a forwarder task
    per direction. Owned by its Proxy, which drops it from `links` when it closes."""

    def __init__(self, proxy, number, client_reader, client_writer):
        self.proxy = proxy
        self.number = number
        self.client = (client_reader, client_writer)
        self.target = None        # (reader, writer) once dialled
        self.forwarded = 0        # bytes written to either side
        self.cut_base = 0         # `forwarded` when the current `cut` mode began for this link
        self.eofs = 0             # directions that have delivered their EOF
        self.closed = False
        self.tasks = []

    def start(self):
        self.tasks.append(asyncio.get_running_loop().create_task(self._run()))

    async def _run(self):
        proxy = self.proxy
        # A partition hides the target: do not dial it until the partition heals.
        while proxy.mode[0] == "blackhole":
            await proxy.next_mode()
        if proxy.mode[0] == "drop" or proxy.mode == ("cut", 0):
            self.close("drop" if proxy.mode[0] == "drop" else "cut")
            return
        try:
            self.target = await asyncio.wait_for(
                asyncio.open_connection(*proxy.target), CONNECT_SECONDS)
        except (OSError, asyncio.TimeoutError):
            self.close("refused", graceful=True)
            return
        if self.closed:  # closed by a mode change while dialling
            self.target[1].transport.abort()
            return
        loop = asyncio.get_running_loop()
        for src, dst in ((self.client[0], self.target[1]), (self.target[0], self.client[1])):
            queue = asyncio.Queue(QUEUE_CHUNKS)
            self.tasks.append(loop.create_task(self._receive(src, queue)))
            self.tasks.append(loop.create_task(self._forward(queue, dst)))

    async def _receive(self, reader, queue):
        loop = asyncio.get_running_loop()
        while True:
            try:
                data = await reader.read(CHUNK)
            except Exception:  # ECONNRESET and friends: whatever it is, the connection is gone
                await queue.put((loop.time(), RESET))
                return
            await queue.put((loop.time(), data or EOF))
            if not data:
                return

    async def _forward(self, queue, writer):
        loop = asyncio.get_running_loop()
        proxy = self.proxy
        while True:
            arrived, item = await queue.get()
            # Hold the item while partitioned or until its delay has passed. `drop` never gets
            # here: it closes the link, which cancels this task.
            while True:
                name, number = proxy.mode
                if name == "blackhole":
                    await proxy.next_mode()
                    continue
                if name == "delay":
                    wait = arrived + number / 1000 - loop.time()
                    if wait > 0:
                        try:
                            await asyncio.wait_for(proxy.next_mode(), wait)
                        except asyncio.TimeoutError:
                            pass
                        continue
                break
            if item is RESET:
                self.close("reset")
                return
            if item is EOF:
                try:
                    if writer.can_write_eof():
                        writer.write_eof()  # half-close; the other direction carries on
                except (OSError, RuntimeError):
                    pass
                self.eofs += 1
                if self.eofs == 2:
                    self.close("eof", graceful=True)
                return
            if name == "cut":
                item = item[:max(0, number - (self.forwarded - self.cut_base))]
            if item:
                writer.write(item)
                self.forwarded += len(item)
            if name == "cut" and self.forwarded - self.cut_base >= number:
                self.close("cut", graceful=True)  # flushes what was just written
                return
            try:
                await writer.drain()
            except OSError:
                self.close("reset")
                return

    def close(self, reason, graceful=False):
        """Closes both sides, once. Graceful flushes what is buffered first (for at most
        LINGER_SECONDS); otherwise buffered bytes are discarded, like a cut link."""
        if self.closed:
            return
        self.closed = True
        self.proxy.links.discard(self)
        current = asyncio.current_task()
        for task in self.tasks:
            if task is not current:
                task.cancel()
        loop = asyncio.get_running_loop()
        for side in (self.client, self.target):
            if side is None:
                continue
            transport = side[1].transport
            if graceful:
                transport.close()
                loop.call_later(LINGER_SECONDS, transport.abort)
            else:
                transport.abort()
        log("close", self.number, reason, self.forwarded)


def write_port_file(path, port):
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(f"{port}\n")
    os.replace(tmp, path)


async def serve(args):
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)

    proxy = Proxy(args.target, args.control)
    proxy.poll_control()
    if proxy.mode == ("pass", 0):
        log("mode pass")  # set_mode logs only changes; say what the start mode is either way
    server = await asyncio.start_server(proxy.accept, *args.listen)
    port = server.sockets[0].getsockname()[1]
    if args.port_file:
        write_port_file(args.port_file, port)
    try:
        print("listening", port, flush=True)
    except OSError:
        pass  # stdout closed: the port file, if any, still says where we are

    watcher = loop.create_task(proxy.watch_control())
    await stop.wait()
    watcher.cancel()
    server.close()
    proxy.close_all("shutdown")
    await asyncio.sleep(0)  # let the aborts run before the loop goes away


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--listen", required=True, type=split_address, metavar="HOST:PORT")
    parser.add_argument("--target", required=True, type=split_address, metavar="HOST:PORT")
    parser.add_argument("--control", required=True, metavar="FILE")
    parser.add_argument("--port-file", metavar="FILE")
    args = parser.parse_args()
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
