/** DIVERT_RECORD (27, §8.8): a divert created at runtime (2.16+). */
import { BufferReader } from '../binary/reader.js';
import { readNullableString } from '../binary/strings.js';
import { componentRoutingType, readTransformer, type ComponentRoutingType, type TransformerConfig } from './transformer.js';

export interface PersistedDivert {
  name: string | null;
  address: string | null;
  forwardingAddress: string | null;
  routingName: string | null;
  exclusive: boolean;
  filter: string | null;
  /** null when the stored byte is not a known routing type. */
  routingType: ComponentRoutingType | null;
  transformer: TransformerConfig | null;
}

export function decodeDivert(body: Buffer): PersistedDivert {
  const r = new BufferReader(body);
  const name = readNullableString(r);
  const address = readNullableString(r);
  const forwardingAddress = readNullableString(r);
  const routingName = readNullableString(r);
  const exclusive = r.bool();
  const filter = readNullableString(r);
  const routingType = componentRoutingType(r.u8());
  const transformer = readTransformer(r);
  return { name, address, forwardingAddress, routingName, exclusive, filter, routingType, transformer };
}
