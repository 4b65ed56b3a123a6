"""Unit tests of runtime_client.py's pure helpers (run by src/runtime-driver.test.ts, or directly:
`python3 packages/bench/python/test_runtime_client.py`)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import runtime_client  # noqa: E402


class ParseProcStat(unittest.TestCase):
    def test_fields_14_and_15(self):
        text = '4242 (node) S 1 4242 4242 0 -1 4194560 2000 0 0 0 137 42 0 0 20 0 11 0 123 0 0\n'
        self.assertEqual(runtime_client.parse_proc_stat(text), (137, 42))

    def test_command_with_spaces_and_parentheses(self):
        text = '7 (a b) c)) R 1 7 7 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0 9 0 0'
        self.assertEqual(runtime_client.parse_proc_stat(text), (5, 6))

    def test_this_process(self):
        with open(f'/proc/{os.getpid()}/stat') as stat:
            utime, stime = runtime_client.parse_proc_stat(stat.read())
        self.assertGreaterEqual(utime + stime, 0)


class Quantile(unittest.TestCase):
    def test_interpolates_like_stats_ts(self):
        self.assertEqual(runtime_client.quantile([1, 2], 0.5), 1.5)
        self.assertEqual(runtime_client.quantile([1, 2, 3, 4, 5], 0.5), 3)
        self.assertAlmostEqual(runtime_client.quantile(list(range(1, 101)), 0.99), 99.01)

    def test_ends_and_empty(self):
        self.assertEqual(runtime_client.quantile([3, 7], 0), 3)
        self.assertEqual(runtime_client.quantile([3, 7], 1), 7)
        self.assertEqual(runtime_client.quantile([5], 0.99), 5)
        self.assertIsNone(runtime_client.quantile([], 0.5))


class Arguments(unittest.TestCase):
    def test_defaults_and_subset(self):
        args = runtime_client.parse_args(['--socket', '/s', '--pid', '1', '--only', 'get,list'])
        self.assertEqual(args.only, ['GET', 'LIST'])
        self.assertEqual((args.ops, args.seconds, args.warmup, args.value_bytes), (5000, 5.0, 300, 1024))
        self.assertGreater(args.clock_ticks, 0)

    def test_key_paths_are_quoted(self):
        self.assertEqual(runtime_client.key_path('runtime/a b'), '/keys/runtime/a%20b')


if __name__ == '__main__':
    unittest.main()
