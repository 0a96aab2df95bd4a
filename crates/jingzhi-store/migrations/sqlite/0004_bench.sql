-- A table for the write baseline of the benchmarks (POST /bench/insert, enabled by the
-- bench_endpoints setting): one single-row insert transaction through the same store.
CREATE TABLE bench_probe (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    note TEXT NOT NULL
);
