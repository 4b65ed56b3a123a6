#!/usr/bin/env python3
"""Calls a sidecar the way the actor runtime does, and measures it.

The runtime (Python) handles one message at a time per pod, and every file operation of a
handler opens a NEW connection with http.client, sends one request, reads the reply and closes.
This driver does exactly that over the sidecar's Unix socket, at concurrency 1, for each
operation type in turn (PUT, GET, HEAD, LIST):

- set-up: PUT the key GET/HEAD read, and LIST_KEYS keys under the prefix LIST lists;
- warm-up: --warmup operations (bounded by --warmup-seconds too), not measured;
- measured: --ops operations or --seconds, whichever ends first; latency of each operation
  (connect + request + reply read + close) and the server's CPU time over the window, read from
  /proc/<pid>/stat (utime + stime, fields 14 and 15, in clock ticks of SC_CLK_TCK).

Every reply must carry the expected status (GET: 200 and the whole value, PUT: 204, HEAD: 204
with the value's Content-Length and X-Is-File: true, LIST: 200); any other outcome is counted and
the report says ok: false. Prints one JSON object on stdout; exit code 0 when everything was as
expected, 1 otherwise, 2 for bad arguments. Standard library only.
"""

import argparse
import http.client
import json
import os
import socket
import sys
import time
import urllib.parse

OPS = ('PUT', 'GET', 'HEAD', 'LIST')
EXPECTED_STATUS = {'PUT': 204, 'GET': 200, 'HEAD': 204, 'LIST': 200}
PUT_KEYS = 8  # the small rotating key set PUT writes to
LIST_KEYS = 10  # keys under the listed prefix
MAX_ERRORS = 50  # a phase stops after this many failed operations (a dead server fails fast)


class UnixHTTPConnection(http.client.HTTPConnection):
    """http.client over AF_UNIX: what the runtime's client does, one connection per request."""

    def __init__(self, socket_path, timeout):
        super().__init__('localhost', timeout=timeout)
        self._socket_path = socket_path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(self.timeout)
            sock.connect(self._socket_path)
        except BaseException:
            sock.close()
            raise
        self.sock = sock


def parse_proc_stat(text):
    """(utime, stime) in clock ticks from the text of /proc/<pid>/stat.

    The command name (field 2) is in parentheses and may itself hold spaces and ')', so fields
    are counted from the last ')': the state (field 3) comes right after it.
    """
    fields = text[text.rindex(')') + 2:].split()
    return int(fields[14 - 3]), int(fields[15 - 3])


def process_cpu_seconds(pid, clock_ticks):
    with open(f'/proc/{pid}/stat', encoding='ascii', errors='replace') as stat:
        utime, stime = parse_proc_stat(stat.read())
    return (utime + stime) / clock_ticks


def quantile(sorted_values, q):
    """The q-quantile of an ascending list, linear between ranks (R-7, as stats.ts); None if empty."""
    if not sorted_values:
        return None
    if q <= 0:
        return sorted_values[0]
    if q >= 1:
        return sorted_values[-1]
    position = (len(sorted_values) - 1) * q
    below = int(position)
    fraction = position - below
    low = sorted_values[below]
    high = sorted_values[min(below + 1, len(sorted_values) - 1)]
    return low + (high - low) * fraction


def key_path(key):
    return '/keys/' + urllib.parse.quote(key, safe='/')


def request_once(socket_path, timeout, method, target, body=None):
    """One operation as the runtime does it: connect, one request, read the whole reply, close."""
    conn = UnixHTTPConnection(socket_path, timeout)
    try:
        conn.request(method, target, body=body)
        response = conn.getresponse()
        data = response.read()
        return response.status, response.headers, data
    finally:
        conn.close()


class Driver:
    def __init__(self, args):
        self.args = args
        self.value = os.urandom(args.value_bytes)
        self.get_key = f'{args.key_prefix}/get'
        self.list_prefix = f'{args.key_prefix}/list/'
        self.put_count = 0

    def call(self, op):
        """Runs one `op`; returns the outcome label: the status, or the problem with the reply."""
        args = self.args
        if op == 'PUT':
            key = f'{args.key_prefix}/put/{self.put_count % PUT_KEYS}'
            self.put_count += 1
            status, _, _ = request_once(args.socket, args.timeout, 'PUT', key_path(key), self.value)
            return str(status)
        if op == 'GET':
            status, _, data = request_once(args.socket, args.timeout, 'GET', key_path(self.get_key))
            if status == 200 and len(data) != len(self.value):
                return f'200 with {len(data)} bytes'
            return str(status)
        if op == 'HEAD':
            status, headers, _ = request_once(args.socket, args.timeout, 'HEAD', key_path(self.get_key))
            if status == 204:
                length = headers.get('Content-Length')
                is_file = headers.get('X-Is-File')
                if length != str(len(self.value)) or is_file != 'true':
                    return f'204 with Content-Length {length}, X-Is-File {is_file}'
            return str(status)
        query = urllib.parse.urlencode({'prefix': self.list_prefix, 'delimiter': '/'})
        status, _, _ = request_once(args.socket, args.timeout, 'GET', f'/keys/?{query}')
        return str(status)

    def set_up(self):
        """Writes what GET/HEAD/LIST read, and checks the listing once. Returns failures."""
        args = self.args
        failures = []
        targets = [self.get_key] + [f'{self.list_prefix}{i}' for i in range(LIST_KEYS)]
        for key in targets:
            status, _, data = request_once(args.socket, args.timeout, 'PUT', key_path(key), self.value)
            if status != 204:
                failures.append(f'set-up PUT {key}: {status} {data[:200]!r}')
        query = urllib.parse.urlencode({'prefix': self.list_prefix, 'delimiter': '/'})
        status, _, data = request_once(args.socket, args.timeout, 'GET', f'/keys/?{query}')
        if status != 200:
            failures.append(f'set-up LIST: {status} {data[:200]!r}')
        else:
            keys = json.loads(data).get('keys', [])
            if len(keys) != LIST_KEYS:
                failures.append(f'set-up LIST: {len(keys)} keys, expected {LIST_KEYS}: {keys[:12]}')
        return failures

    def phase(self, op):
        args = self.args
        expected = str(EXPECTED_STATUS[op])
        outcomes = {}
        errors = 0

        def attempt():
            nonlocal errors
            try:
                outcome = self.call(op)
            except (OSError, http.client.HTTPException) as error:
                outcome = f'error {type(error).__name__}: {error}'
            if outcome != expected:
                errors += 1
            return outcome

        warm_deadline = time.monotonic() + args.warmup_seconds
        warmed = 0
        while warmed < args.warmup and time.monotonic() < warm_deadline and errors < MAX_ERRORS:
            outcome = attempt()
            warmed += 1
            if outcome != expected:
                outcomes[f'warm-up {outcome}'] = outcomes.get(f'warm-up {outcome}', 0) + 1

        latencies_ms = []
        server0 = process_cpu_seconds(args.pid, args.clock_ticks)
        client0 = time.process_time()
        start = time.perf_counter()
        deadline = start + args.seconds
        while len(latencies_ms) < args.ops and errors < MAX_ERRORS:
            began = time.perf_counter()
            if began >= deadline:
                break
            outcome = attempt()
            latencies_ms.append((time.perf_counter() - began) * 1000)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        seconds = time.perf_counter() - start
        client_cpu = time.process_time() - client0
        server_cpu = process_cpu_seconds(args.pid, args.clock_ticks) - server0

        ops = len(latencies_ms)
        latencies_ms.sort()
        per_op_us = (lambda cpu: cpu * 1e6 / ops) if ops > 0 else (lambda cpu: None)
        return {
            'ops': ops,
            'seconds': seconds,
            'opsPerSec': ops / seconds if seconds > 0 else 0,
            'p50Ms': quantile(latencies_ms, 0.5),
            'p99Ms': quantile(latencies_ms, 0.99),
            'meanMs': sum(latencies_ms) / ops if ops > 0 else None,
            'serverCpuUsPerOp': per_op_us(server_cpu),
            'serverCpuTicks': round(server_cpu * args.clock_ticks),
            'clientCpuUsPerOp': per_op_us(client_cpu),
            'warmupOps': warmed,
            'expectedStatus': int(expected),
            'statuses': outcomes,
            'ok': ops > 0 and errors == 0,
        }


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--socket', required=True, help="the sidecar's Unix socket")
    parser.add_argument('--pid', type=int, required=True, help='the server process, for its CPU time')
    parser.add_argument('--ops', type=int, default=5000, help='measured operations per type, at most')
    parser.add_argument('--seconds', type=float, default=5.0, help='measured seconds per type, at most')
    parser.add_argument('--warmup', type=int, default=300, help='unmeasured operations per type first')
    parser.add_argument('--warmup-seconds', type=float, default=10.0, help='warm-up time limit per type')
    parser.add_argument('--value-bytes', type=int, default=1024)
    parser.add_argument('--key-prefix', default='runtime')
    parser.add_argument('--timeout', type=float, default=10.0, help='socket timeout per operation (s)')
    parser.add_argument('--only', default=','.join(OPS), help='comma-separated subset of PUT,GET,HEAD,LIST')
    args = parser.parse_args(argv)
    args.only = [op.strip().upper() for op in args.only.split(',') if op.strip()]
    unknown = [op for op in args.only if op not in OPS]
    if unknown or args.ops < 1 or args.seconds <= 0 or args.warmup < 0 or args.value_bytes < 1:
        parser.error(f'bad arguments (unknown ops: {unknown})')
    args.clock_ticks = os.sysconf('SC_CLK_TCK')
    return args


def main(argv):
    args = parse_args(argv)
    driver = Driver(args)
    report = {
        'python': sys.version.split()[0],
        'clockTicksPerSecond': args.clock_ticks,
        'valueBytes': args.value_bytes,
        'limits': {'ops': args.ops, 'seconds': args.seconds, 'warmup': args.warmup},
        'ops': {},
        'failures': [],
    }
    try:
        report['failures'] += driver.set_up()
        if not report['failures']:
            for op in [op for op in OPS if op in args.only]:
                result = driver.phase(op)
                report['ops'][op] = result
                if not result['ok']:
                    unexpected = {k: v for k, v in result['statuses'].items() if k != str(EXPECTED_STATUS[op])}
                    report['failures'].append(f'{op}: expected {EXPECTED_STATUS[op]}, got {unexpected}')
    except (OSError, http.client.HTTPException, ValueError) as error:
        report['failures'].append(f'{type(error).__name__}: {error}')
    report['ok'] = not report['failures']
    print(json.dumps(report))
    return 0 if report['ok'] else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
