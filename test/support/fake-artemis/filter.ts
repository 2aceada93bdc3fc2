/**
 * A small subset of Artemis' SQL-92-like filter language, enough for queue filters in tests:
 *   comparisons  ident (= | <> | < | > | <= | >=) literal     (string 'x' with '' escapes, number, TRUE, FALSE)
 *   ident IS [NOT] NULL, ident [NOT] IN ('a', 'b', ...), AND, OR, NOT, parentheses, and the constants TRUE/FALSE.
 * Identifiers name application properties; AMQPriority / JMSPriority name the header priority.
 * SQL three-valued logic: a comparison with a missing property is unknown, and only TRUE matches.
 * Anything else (LIKE, BETWEEN, arithmetic, ...) is rejected at parse time as an invalid filter, so a test
 * that needs it fails loudly instead of routing wrongly.
 */
export type FilterValue = string | number | boolean | null;
export type PropertyLookup = (name: string) => FilterValue | undefined;
type Tri = boolean | undefined; // undefined = SQL unknown

interface Node {
  eval(get: PropertyLookup): Tri | FilterValue | undefined;
}

export class FilterSyntaxError extends Error {}

type Token =
  | { kind: 'ident'; text: string }
  | { kind: 'string'; text: string }
  | { kind: 'number'; value: number }
  | { kind: 'op'; text: string }
  | { kind: 'punct'; text: '(' | ')' | ',' };

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IS', 'NULL', 'IN', 'TRUE', 'FALSE']);

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new FilterSyntaxError('unterminated string');
        if (src[i] === "'") {
          if (src[i + 1] === "'") {
            s += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        s += src[i++];
      }
      out.push({ kind: 'string', text: s });
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^-?\d+(\.\d+)?/.exec(src.slice(i))!;
      out.push({ kind: 'number', value: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z_$][A-Za-z0-9_$.]*/.exec(src.slice(i))!;
      out.push({ kind: 'ident', text: m[0] });
      i += m[0].length;
    } else if (c === '(' || c === ')' || c === ',') {
      out.push({ kind: 'punct', text: c });
      i++;
    } else {
      const m = /^(<>|<=|>=|=|<|>)/.exec(src.slice(i));
      if (!m) throw new FilterSyntaxError(`unexpected character ${c}`);
      out.push({ kind: 'op', text: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Node {
    const n = this.or();
    if (this.pos !== this.tokens.length) throw new FilterSyntaxError('trailing input');
    return n;
  }

  private peekKeyword(word: string): boolean {
    const t = this.tokens[this.pos];
    return t?.kind === 'ident' && t.text.toUpperCase() === word;
  }

  private takeKeyword(word: string): boolean {
    if (this.peekKeyword(word)) {
      this.pos++;
      return true;
    }
    return false;
  }

  private expectPunct(p: string): void {
    const t = this.tokens[this.pos++];
    if (t?.kind !== 'punct' || t.text !== p) throw new FilterSyntaxError(`expected ${p}`);
  }

  private or(): Node {
    let left = this.and();
    while (this.takeKeyword('OR')) {
      const l = left;
      const r = this.and();
      left = { eval: (g) => or3(l.eval(g) as Tri, r.eval(g) as Tri) };
    }
    return left;
  }

  private and(): Node {
    let left = this.not();
    while (this.takeKeyword('AND')) {
      const l = left;
      const r = this.not();
      left = { eval: (g) => and3(l.eval(g) as Tri, r.eval(g) as Tri) };
    }
    return left;
  }

  private not(): Node {
    if (this.takeKeyword('NOT')) {
      const inner = this.not();
      return { eval: (g) => not3(inner.eval(g) as Tri) };
    }
    return this.predicate();
  }

  private literal(): FilterValue {
    const t = this.tokens[this.pos++];
    if (!t) throw new FilterSyntaxError('expected a literal');
    if (t.kind === 'string') return t.text;
    if (t.kind === 'number') return t.value;
    if (t.kind === 'ident' && t.text.toUpperCase() === 'TRUE') return true;
    if (t.kind === 'ident' && t.text.toUpperCase() === 'FALSE') return false;
    throw new FilterSyntaxError('expected a literal');
  }

  private predicate(): Node {
    const t = this.tokens[this.pos];
    if (!t) throw new FilterSyntaxError('unexpected end');
    if (t.kind === 'punct' && t.text === '(') {
      this.pos++;
      const inner = this.or();
      this.expectPunct(')');
      return inner;
    }
    if (t.kind === 'ident' && (t.text.toUpperCase() === 'TRUE' || t.text.toUpperCase() === 'FALSE')) {
      this.pos++;
      const v = t.text.toUpperCase() === 'TRUE';
      return { eval: () => v };
    }
    if (t.kind !== 'ident' || KEYWORDS.has(t.text.toUpperCase())) throw new FilterSyntaxError('expected an identifier');
    this.pos++;
    const name = t.text;
    if (this.takeKeyword('IS')) {
      const negated = this.takeKeyword('NOT');
      if (!this.takeKeyword('NULL')) throw new FilterSyntaxError('expected NULL');
      return { eval: (g) => (g(name) === undefined || g(name) === null) !== negated };
    }
    const notIn = this.takeKeyword('NOT');
    if (this.takeKeyword('IN')) {
      this.expectPunct('(');
      const items: FilterValue[] = [this.literal()];
      while (this.tokens[this.pos]?.kind === 'punct' && (this.tokens[this.pos] as { text: string }).text === ',') {
        this.pos++;
        items.push(this.literal());
      }
      this.expectPunct(')');
      return {
        eval: (g) => {
          const v = g(name);
          if (v === undefined || v === null) return undefined;
          return items.some((x) => x === v) !== notIn;
        },
      };
    }
    if (notIn) throw new FilterSyntaxError('expected IN');
    const op = this.tokens[this.pos++];
    if (op?.kind !== 'op') throw new FilterSyntaxError('expected a comparison');
    const lit = this.literal();
    return { eval: (g) => compare(g(name), op.text, lit) };
  }
}

function compare(v: FilterValue | undefined, op: string, lit: FilterValue): Tri {
  if (v === undefined || v === null || lit === null) return undefined;
  if (typeof v !== typeof lit) return op === '<>' ? undefined : false;
  switch (op) {
    case '=':
      return v === lit;
    case '<>':
      return v !== lit;
    case '<':
      return v < lit;
    case '>':
      return v > lit;
    case '<=':
      return v <= lit;
    case '>=':
      return v >= lit;
    default:
      return undefined;
  }
}

function and3(a: Tri, b: Tri): Tri {
  if (a === false || b === false) return false;
  if (a === undefined || b === undefined) return undefined;
  return true;
}

function or3(a: Tri, b: Tri): Tri {
  if (a === true || b === true) return true;
  if (a === undefined || b === undefined) return undefined;
  return false;
}

function not3(a: Tri): Tri {
  return a === undefined ? undefined : !a;
}

export interface CompiledFilter {
  readonly text: string;
  matches(get: PropertyLookup): boolean;
}

/** Compile a filter string; null / empty means "matches everything". Throws FilterSyntaxError. */
export function compileFilter(text: string | null | undefined): CompiledFilter | null {
  if (text === null || text === undefined || text.trim() === '') return null;
  const node = new Parser(tokenize(text)).parse();
  return { text, matches: (get) => node.eval(get) === true };
}
