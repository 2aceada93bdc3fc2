import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFilter, FilterSyntaxError } from '../support/fake-artemis/filter.js';

const props = (p: Record<string, string | number | boolean>) => (name: string) => p[name];

test('supported filter subset: comparisons, AND/OR/NOT, IN, IS NULL, three-valued logic', () => {
  const cases: Array<[string, Record<string, string | number | boolean>, boolean]> = [
    ["color = 'red'", { color: 'red' }, true],
    ["color = 'red'", { color: 'blue' }, false],
    ["color = 'red'", {}, false],
    ["NOT color = 'red'", {}, false], // unknown stays unknown under NOT
    ["color <> 'red'", { color: 'blue' }, true],
    ['n > 2 AND n <= 5', { n: 5 }, true],
    ['n > 2 AND n <= 5', { n: 6 }, false],
    ["n > 2 OR color = 'x'", { color: 'x' }, true],
    ["kind IN ('a', 'b')", { kind: 'b' }, true],
    ["kind NOT IN ('a', 'b')", { kind: 'c' }, true],
    ['kind IS NULL', {}, true],
    ['kind IS NOT NULL', { kind: 'a' }, true],
    ["name = 'it''s'", { name: "it's" }, true],
    ['flag = TRUE', { flag: true }, true],
    ["(a = 1 OR b = 1) AND NOT c = 'x'", { b: 1, c: 'y' }, true],
    ['AMQPriority >= 7', {}, true],
    ["n = '5'", { n: 5 }, false], // no implicit conversion between strings and numbers
  ];
  for (const [text, p, want] of cases) {
    const f = compileFilter(text)!;
    const lookup = (name: string) => (name === 'AMQPriority' ? 8 : props(p)(name));
    assert.equal(f.matches(lookup), want, `${text} with ${JSON.stringify(p)}`);
  }
  assert.equal(compileFilter(null), null);
  assert.equal(compileFilter('  '), null);
});

test('anything outside the subset is a syntax error, not a silent match', () => {
  for (const text of ["color LIKE 'r%'", 'n BETWEEN 1 AND 2', 'a + 1 = 2', "color = 'open", 'AND']) {
    assert.throws(() => compileFilter(text), FilterSyntaxError, text);
  }
});
