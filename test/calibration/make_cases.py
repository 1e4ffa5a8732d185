#!/usr/bin/env python3
"""Writes every calibration case of scenarios.py (the engine-calibration inputs, vendored
unchanged) for the given seeds: OUT/<family>/<case label>/<seed>/{job.json,docs.ndjson,injections.json}.
The case label is the one calibration.tsv uses ("default", "daily=200, days=30").

  python3 make_cases.py OUT SEED [SEED ...]
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scenarios  # noqa: E402


def label(case):
    return ', '.join('%s=%s' % (k, v) for k, v in case.items()) or 'default'


def main(argv):
    out, seeds = argv[1], [int(s) for s in argv[2:]]
    n = 0
    for family, (_, cases) in scenarios.FAMILIES.items():
        for case in cases:
            for seed in seeds:
                d = os.path.join(out, family, label(case), str(seed))
                if os.path.exists(os.path.join(d, 'injections.json')):
                    continue
                scenarios.main(['scenarios.py', family, json.dumps(case), str(seed), d])
                n += 1
    print('%d cases written' % n)


if __name__ == '__main__':
    main(sys.argv)
