/**
 * Recognising Artemis 1.x data (§16, §19.1). The container format of 1.x journals is the same as
 * 2.x, so the evidence has to come from the records:
 *  - strong: a queue binding holding only the 5 base fields (every 2.x writer stores at least 8);
 *  - strong: queue bindings but no ADDRESS_BINDING record at all (2.x persists every address of a
 *    durable queue) while queue names/addresses carry the 1.x JMS prefixes `jms.queue.`/`jms.topic.`;
 *  - weak: a legacy `activemq-jms-*.jms` journal next to the bindings (WildFly/EAP with 2.x has one
 *    too), reported but never decisive.
 */
export interface FormatVerdict {
  artemis1x: boolean;
  /** Why artemis1x is true; when false, only weak hints that were outweighed or inconclusive. */
  reasons: string[];
}

export interface FormatEvidence {
  queues: ReadonlyArray<{ name: string; address: string; fieldsPresent: number }>;
  /** Live ADDRESS_BINDING records (any, even undecodable ones). */
  addressBindingRecords: number;
  /** Names of legacy JMS journal files seen in the bindings folder. */
  legacyJmsFiles: readonly string[];
}

const JMS_PREFIXES = ['jms.queue.', 'jms.topic.'];
const hasJmsPrefix = (s: string): boolean => JMS_PREFIXES.some((p) => s.startsWith(p));

export function detectFormat(e: FormatEvidence): FormatVerdict {
  const reasons: string[] = [];

  const baseOnly = e.queues.filter((q) => q.fieldsPresent <= 5);
  if (baseOnly.length > 0) {
    reasons.push(
      `${baseOnly.length} of ${e.queues.length} queue binding(s) hold only the 5 base fields written by ` +
        `Artemis 1.x (e.g. queue "${baseOnly[0]!.name}")`,
    );
  }

  if (e.queues.length > 0 && e.addressBindingRecords === 0) {
    const prefixed = e.queues.filter((q) => hasJmsPrefix(q.name) || hasJmsPrefix(q.address));
    if (prefixed.length > 0) {
      reasons.push(
        `${e.queues.length} queue binding(s) but no address binding record, and ${prefixed.length} use the ` +
          `1.x JMS prefixes jms.queue./jms.topic. (e.g. "${prefixed[0]!.name}")`,
      );
    }
  }

  const artemis1x = reasons.length > 0;
  if (e.legacyJmsFiles.length > 0) {
    const files = e.legacyJmsFiles.join(', ');
    reasons.push(
      artemis1x
        ? `legacy JMS journal present (${files})`
        : `legacy JMS journal present (${files}) — only a weak hint (WildFly/EAP with Artemis 2.x keeps one too); ` +
            `the bindings records ${e.queues.length > 0 ? 'are Artemis 2.x' : 'hold no queue to decide on'}`,
    );
  }
  return { artemis1x, reasons };
}
