// Latency samples and their summary. Every sample is kept (a run is at most a few hundred thousand requests),
// so percentiles are exact rather than estimated from buckets.

/** The summary of one measured run. */
export interface RunSummary {
  /** Requests (or events) that completed successfully. */
  count: number;
  /** Requests that failed. */
  errors: number;
  /** The first error's message, to tell why a run failed. */
  firstError?: string;
  /** Wall time of the run, in milliseconds. */
  totalMs: number;
  /** Completed requests per second of wall time. */
  perSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** CPU milliseconds the servers used during the run (all members; absent for an external cluster). */
  serverCpuMs?: number;
}

/** Collects latencies in milliseconds. */
export class LatencyRecorder {
  private samples = new Float64Array(1024);
  private size = 0;
  /** Failed requests. */
  errors = 0;
  /** The first failure's message. */
  firstError: string | undefined;

  /** Adds one latency, in milliseconds. */
  record(latencyMs: number): void {
    if (this.size === this.samples.length) {
      const grown = new Float64Array(this.samples.length * 2);
      grown.set(this.samples);
      this.samples = grown;
    }
    this.samples[this.size] = latencyMs;
    this.size += 1;
  }

  /** Counts one failure, keeping the first message. */
  fail(error: unknown): void {
    this.errors += 1;
    this.firstError ??= error instanceof Error ? error.message : String(error);
  }

  /** The summary of everything recorded over a run of `totalMs`. */
  summary(totalMs: number): RunSummary {
    const sorted = this.samples.slice(0, this.size).sort();
    const at = (fraction: number): number =>
      sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
    return {
      count: this.size,
      errors: this.errors,
      ...(this.firstError === undefined ? {} : { firstError: this.firstError }),
      totalMs,
      perSecond: totalMs > 0 ? (this.size * 1000) / totalMs : NaN,
      p50Ms: at(0.5),
      p90Ms: at(0.9),
      p99Ms: at(0.99),
      maxMs: sorted.length === 0 ? NaN : sorted[sorted.length - 1],
    };
  }
}
