/** Test-only writer for hand-built bindings payloads: the §1 primitives plus the §1.4 nullables. */
import { Writer } from '../support/encode.js';

export class PayloadWriter extends Writer {
  /** §1.4 nullable String */
  nstr(s: string | null): this {
    return s === null ? this.u8(0) : this.u8(1).str(s);
  }
  /** §1.4 nullable primitives (marker 0x00 / 0x01; BufferHelper style uses 0xFF, see `marker`). */
  nint(v: number | null, marker = 1): this {
    return v === null ? this.u8(0) : this.u8(marker).i32(v);
  }
  nlong(v: bigint | null, marker = 1): this {
    return v === null ? this.u8(0) : this.u8(marker).i64(v);
  }
  nbool(v: boolean | null, marker = 1): this {
    return v === null ? this.u8(0) : this.u8(marker).bool(v);
  }
  ndouble(v: number | null, marker = 0xff): this {
    return v === null ? this.u8(0) : this.u8(marker).f64(v);
  }
}
