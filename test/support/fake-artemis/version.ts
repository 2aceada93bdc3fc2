/**
 * Broker version and the behaviour that depends on it (the "since" column of
 * shared/docs/artemis-move-semantics.md §4). A Red Hat build string like "2.33.0.redhat-00012" counts as 2.33.0.
 */
export const DEFAULT_VERSION = '2.44.0';

export function parseVersion(version: string): [number, number, number] {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(version);
  if (!m) throw new Error(`not an Artemis version: ${version}`);
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

export function atLeast(version: string, min: string): boolean {
  const a = parseVersion(version);
  const b = parseVersion(min);
  for (let i = 0; i < 3; i++) {
    if (a[i] !== b[i]) return a[i] > b[i];
  }
  return true;
}

/** What a given broker version does, per the docs. */
export interface Features {
  /** Producers may target `address::queue` (2.7, ARTEMIS-1867). */
  fqqnProducers: boolean;
  /** `_AMQ_DUPL_ID` honoured on AMQP messages (2.8, ARTEMIS-2294). */
  amqpDuplicateDetection: boolean;
  /** A queue's filter is applied to FQQN sends (2.35, ARTEMIS-4795). */
  fqqnFilterEnforced: boolean;
}

export function featuresOf(version: string): Features {
  return {
    fqqnProducers: atLeast(version, '2.7'),
    amqpDuplicateDetection: atLeast(version, '2.8'),
    fqqnFilterEnforced: atLeast(version, '2.35'),
  };
}
