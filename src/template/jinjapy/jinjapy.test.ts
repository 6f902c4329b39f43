// The Python behaviour jinjapy adds over @huggingface/jinja; expected strings are what Python's Jinja2
// (trim_blocks, lstrip_blocks, as transformers renders chat templates) prints for the same source, except
// that a bare boolean prints as the library spells it ("true"; Python says "True").

import assert from "node:assert/strict";
import { test } from "node:test";

import { parseProgram, pyFormat, pyRepr, renderProgram, strftime } from "./index.js";
import { fromJs } from "./values.js";

function render(src: string, values: Record<string, unknown> = {}): string {
  return renderProgram(parseProgram(src), values, { now: () => new Date(2024, 6, 26, 15, 4, 5) });
}

test("str.format: auto, indexed and named fields, escapes, specs", () => {
  assert.equal(render("{{ '<think{}>'.format(t) }}", { t: ":x" }), "<think:x>");
  assert.equal(render("{{ '{1}-{0}-{name}'.format('a', 'b', name='c') }}"), "b-a-c");
  assert.equal(render("{{ '{{}}{}'.format(1) }}"), "{}1");
  assert.equal(
    render("{{ '{:>5}|{:<4}|{:^5}|{:03d}|{:.2f}|{:,}'.format('ab', 'c', 'x', 7, 3.14159, 1234567) }}"),
    "   ab|c   |  x  |007|3.14|1,234,567",
  );
  assert.equal(render("{{ '{0[a]} {0[b][0]} {1!r}'.format({'a': 1, 'b': [True]}, 'q') }}"), "1 True 'q'");
  assert.throws(() => pyFormat("{", [], new Map()), /Single '\{'/);
});

test("integer dict keys: lookup, dictsort, iteration, membership, repr", () => {
  const src =
    "{% set d = {0: 0, 512: 128, 1024: 256} %}{% for k, v in d | dictsort %}{{ k + 1 }}:{{ v }},{% endfor %}" +
    "|{{ d[512] }}|{{ d.get(1024) }}|{{ 512 in d }}|{{ 3 in d }}|{% for k in d %}{{ k * 2 }} {% endfor %}|{{ d | string }}";
  assert.equal(
    render(src),
    "1:0,513:128,1025:256,|128|256|true|false|0 1024 2048 |{0: 0, 512: 128, 1024: 256}",
  );
});

test("tuples unpack in for loops, are iterable and serialize", () => {
  const src =
    "{% for a, b in [('x', 1), ('y', 2)] %}{{ a }}{{ b }}{% endfor %}|{{ (1, 2) is iterable }}|{{ (1, 'a') | tojson }}";
  assert.equal(render(src), 'x1y2|true|[1, "a"]');
});

test("|string and ~ print Python's str()", () => {
  const tool = {
    type: "function",
    function: { name: "f", required: ["a"], strict: true, x: null, n: 1.5, s: "it's" },
  };
  assert.equal(
    render("{{ tool | string }}", { tool }),
    `{'type': 'function', 'function': {'name': 'f', 'required': ['a'], 'strict': True, 'x': None, 'n': 1.5, 's': "it's"}}`,
  );
  assert.equal(render("{{ 'a' ~ 1 ~ none ~ [1] ~ undefined_var ~ 2.0 }}"), "a1None[1]2.0");
});

test("strip family takes the characters to strip", () => {
  assert.equal(
    render(
      "[{{ '\\n  x \\n'.strip('\\n') }}][{{ '\\n\\n x'.lstrip('\\n') }}][{{ 'x--'.rstrip('-') }}][{{ ' y '.strip() }}]",
    ),
    "[  x ][ x][x][y]",
  );
});

test("more str and list methods", () => {
  assert.equal(
    render("{{ ', '.join(['a', 'b']) }}|{{ 'abcabc'.find('c') }}|{{ 'abcabc'.count('b') }}"),
    "a, b|2|2",
  );
  assert.equal(
    render("{{ 'pre_x'.removeprefix('pre_') }}|{{ 'a\\nb\\n'.splitlines() | length }}|{{ '42'.isdigit() }}"),
    "x|2|true",
  );
  const queue =
    "{% set ns = namespace(ids=[]) %}{% set _ = ns.ids.append('a') %}{% set _ = ns.ids.append('b') %}{{ ns.ids.pop(0) }}{{ ns.ids | length }}";
  assert.equal(render(queue), "a1");
});

test("undefined iterates as empty and has length 0", () => {
  assert.equal(
    render("{% for t in tools %}x{% endfor %}{{ tools | length }}{% for t in tools if t %}y{% endfor %}"),
    "0",
  );
  assert.equal(render("{{ none | selectattr('type', 'equalto', 'x') | list | length }}"), "0");
});

test("dicts are iterable; min, max and sum filters", () => {
  assert.equal(
    render("{{ d is iterable }}|{{ [3, 1, 2] | min }}|{{ ['b', 'A'] | max }}|{{ [1, 2.5] | sum }}", {
      d: { a: 1 },
    }),
    "true|1|b|3.5",
  );
});

test("globals: raise_exception, range, strftime_now", () => {
  assert.throws(() => render("{{ raise_exception('bad role') }}"), /bad role/);
  assert.equal(render("{% for i in range(3) %}{{ i }}{% endfor %}{{ range(5, 1, -2) | length }}"), "0122");
  assert.equal(render("{{ strftime_now('%d %b %Y %H:%M') }}"), "26 Jul 2024 15:04");
  assert.equal(
    strftime(new Date(2024, 0, 5, 0, 0, 9), "%A %a %B %y %I%p %S %%"),
    "Friday Fri January 24 12AM 09 %",
  );
});

test("repr of strings and floats as Python spells them", () => {
  assert.equal(pyRepr(fromJs("a'b")), `"a'b"`);
  assert.equal(pyRepr(fromJs(`a"b'\n\u0001`)), `'a"b\\'\\n\\x01'`);
  assert.equal(pyRepr(fromJs([1e-5, 1e-7, 0.25])), "[1e-05, 1e-07, 0.25]");
});
