/** What message decoders need to know about the data directory around them. */
import type { Diagnostics } from '../diagnostics.js';

export interface MessageContext {
  /** Absolute path of the data directory (for display paths). */
  dataDir: string;
  /** Absolute path of the large-messages folder, or null when the data directory has none. */
  largeMessagesDir: string | null;
  diagnostics: Diagnostics;
  /** Where the record being decoded is, for diagnostics. */
  where: { file: string; offset: number };
}
