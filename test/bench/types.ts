/**
 * The contract between the bench runner (run.ts) and the suites it runs. A suite is a list of named
 * scenarios that all write to one JSON file under bench-results/; the event store suite is one, and
 * a Kafka relay or HTTP suite adds itself by exporting a `BenchSuite` and appending it to `suites`
 * in run.ts. Nothing here knows about Postgres.
 */

/** One contender at one setting (e.g. "ours" at 16 writers): the rate of each timed run. */
export type Measurement = {
  readonly contender: string;
  /** Free-form setting shown in the table, e.g. "16 writers". */
  readonly setting: string;
  readonly unit: string;
  readonly runs: readonly number[];
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Anything else worth keeping (latency percentiles, event counts, ...). */
  readonly details?: Record<string, unknown>;
};

/** `numerator / denominator` of two measurements' medians at one setting. */
export type Ratio = {
  readonly name: string;
  readonly setting: string;
  readonly value: number;
  /** The goal's threshold, when this ratio has a goal. */
  readonly goal?: number;
  readonly met?: boolean;
};

export type ScenarioResult = {
  readonly name: string;
  readonly description: string;
  /** The goal in words, as the lead stated it. */
  readonly goal?: string;
  /** true when every ratio with a goal meets it; absent when the scenario has no goal. */
  readonly met?: boolean;
  readonly measurements: readonly Measurement[];
  readonly ratios: readonly Ratio[];
  readonly notes?: readonly string[];
};

export type BenchContext = {
  /** Smaller amounts of work: a smoke check, not a measurement. */
  readonly quick: boolean;
  readonly log: (message: string) => void;
};

export type Scenario = {
  readonly name: string;
  readonly description: string;
  /** Diagnostics: skipped unless --only names it or its suite. */
  readonly optional?: boolean;
  run(context: BenchContext): Promise<ScenarioResult>;
};

export type BenchSuite = {
  readonly name: string;
  /** File name under bench-results/ (quick runs write `<name>.quick.json` instead). */
  readonly output: string;
  readonly scenarios: readonly Scenario[];
  /** What the suite runs against (server versions, settings), recorded next to the machine. */
  environment?(): Promise<Record<string, unknown>>;
};
