/** A target from an issue: `metric` (a key of `metrics`) must be `op` `value`. */
export type Target = {
  metric: string;
  op: '>=' | '<=';
  value: number;
  /** How the value was derived when it is not a constant, e.g. "≥ 0.4 × reference.inserts_per_s". */
  rule?: string;
};

/** What a `bench/<name>.bench.ts` file's `run()` returns; keys carry their unit (`p99_ms`, `msgs_per_s`). */
export type BenchResult = {
  dataset: Record<string, unknown>;
  metrics: Record<string, number>;
  reference: Record<string, number>;
  targets: Target[];
};

export type Bench = { run(): Promise<BenchResult> };
