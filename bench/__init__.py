"""Benchmarks (`make bench`): not tests. Each prints ratios against a floor measured in the same run and
writes its figures to bench/results/*.json; `python -m bench.report` renders them into bench/README.md."""
