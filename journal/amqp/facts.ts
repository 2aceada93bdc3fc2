/**
 * The few facts the broker takes from an AMQP message's sections when it reloads it: durability and
 * priority from the header, ttl, and `properties.absolute-expiry-time`. Found by walking sections
 * and skipping everything else, so a big body costs nothing.
 */
import type { BufferReader } from '../binary/reader.js';
import type { AmqpSection } from '../model/message.js';
import { readAmqpValue } from './codec/read-value.js';
import { skipAmqpValue } from './codec/skip-value.js';
import { SectionCode } from './section-codes.js';
import { readSectionDescriptor } from './sections.js';
import { absoluteExpiryTime, headerView, type AmqpHeaderView } from './view.js';

export interface AmqpFacts {
  header: AmqpHeaderView | null;
  /** `properties.absolute-expiry-time` in ms; null when absent (or not looked for). */
  absoluteExpiry: bigint | null;
}

/** Broker defaults: durable false, priority 4; priorities above 9 count as 9. */
export const DEFAULT_PRIORITY = 4;

export function effectivePriority(header: AmqpHeaderView | null): number {
  const p = header?.priority ?? DEFAULT_PRIORITY;
  return p > 9 ? 9 : p;
}

export function effectiveDurable(header: AmqpHeaderView | null): boolean {
  return header?.durable ?? false;
}

/** Epoch ms the broker derives for v1/v2 records (no ttl arithmetic: see AmqpMessage ttl). */
export function expiryFromProperties(absoluteExpiry: bigint | null): number {
  return absoluteExpiry !== null && absoluteExpiry > 0n ? Number(absoluteExpiry) : 0;
}

/**
 * Walks the sections in `r` (a whole message encoding) up to the end, or (unless `walkAll`) until
 * the header and, when `wantProperties`, the properties were found. Facts are stored into `facts`
 * as they are found, so they survive a DecodeError thrown by a later section.
 */
export function scanAmqpFacts(
  r: BufferReader,
  wantProperties: boolean,
  facts: AmqpFacts = { header: null, absoluteExpiry: null },
  walkAll = false,
): AmqpFacts {
  let haveHeader = false;
  let haveProperties = !wantProperties;
  while (r.remaining > 0 && (walkAll || !(haveHeader && haveProperties))) {
    const offset = r.position;
    const { code } = readSectionDescriptor(r);
    if ((code === SectionCode.HEADER && !haveHeader) || (code === SectionCode.PROPERTIES && !haveProperties)) {
      const value = readAmqpValue(r, { copy: false });
      const section: AmqpSection = { code, offset, length: r.position - offset, value };
      if (code === SectionCode.HEADER) {
        facts.header = headerView(section);
        haveHeader = true;
      } else {
        facts.absoluteExpiry = absoluteExpiryTime(section);
        haveProperties = true;
      }
    } else {
      skipAmqpValue(r);
    }
  }
  return facts;
}

/** The same facts from already decoded sections (first header / properties win). */
export function factsOfSections(sections: AmqpSection[]): AmqpFacts {
  const header = sections.find((s) => s.code === SectionCode.HEADER);
  const props = sections.find((s) => s.code === SectionCode.PROPERTIES);
  return {
    header: header ? headerView(header) : null,
    absoluteExpiry: props ? absoluteExpiryTime(props) : null,
  };
}
