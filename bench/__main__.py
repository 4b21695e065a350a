"""``make bench``: run every benchmark and print its figures as ratios against same-run baselines."""

from __future__ import annotations

import sys

from bench import cold_start


def main() -> int:
    rows = cold_start.run()
    width = max(len(str(r["figure"])) for r in rows)
    print(f"{'figure'.ljust(width)}  {'value':>9}  {'baseline':>9}  {'ratio':>6}  target")
    for r in rows:
        flag = "ok" if r["ok"] else "OVER"
        print(
            f"{str(r['figure']).ljust(width)}  {r['value_ms']:>7}ms  {r['baseline_ms']:>7}ms  "
            f"{r['ratio']:>5}x  {r['target']} {flag}   (baseline: {r['baseline']})"
        )
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
