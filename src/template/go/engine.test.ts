// The Go text/template engine against Go's documented semantics and error messages.

import assert from "node:assert/strict";
import { test } from "node:test";

import { GoFloat, makeStruct, withStringer } from "./values.js";
import { GoTemplate } from "./template.js";
import type { MissingKey } from "./exec.js";

function run(src: string, data: unknown = {}, missingKey: MissingKey = "invalid"): string {
  return GoTemplate.parse(src, { name: "t", missingKey }).execute(data);
}

function parseError(src: string): string {
  try {
    GoTemplate.parse(src, { name: "t" });
  } catch (e) {
    return (e as Error).message;
  }
  return "no error";
}

function execError(src: string, data: unknown = {}, missingKey: MissingKey = "invalid"): string {
  try {
    run(src, data, missingKey);
  } catch (e) {
    return (e as Error).message;
  }
  return "no error";
}

test("text, fields and trim markers", () => {
  assert.equal(run("a {{ .A }} {{ .B.C }}", { A: 1, B: { C: "x" } }), "a 1 x");
  assert.equal(run("a  \n {{- .A -}} \n  b", { A: "|" }), "a|b");
  assert.equal(run("{{/* comment */}}x{{- /* trimmed */ -}}  y"), "xy");
  assert.equal(run("{{-3}}"), "-3");
});

test("printing follows fmt's %v", () => {
  const data = { l: [1, "a", null], m: { b: 2, a: true }, f: new GoFloat(3), big: 1e6 + 0.5, e: 1e21, s: [] };
  assert.equal(
    run("{{ .l }} {{ .m }} {{ .f }} {{ .big }} {{ .s }}", data),
    "[1 a <nil>] map[a:true b:2] 3 1.0000005e+06 []",
  );
  assert.equal(run("{{ .missing }}", {}), "<no value>");
  assert.equal(run("{{ .missing }}", {}, "zero"), "<no value>");
  assert.equal(run('{{ print .missing }} {{ print 1 2 }} {{ print "a" "b" }}'), "<nil> 1 2 ab");
  assert.equal(run('{{ println 1 "a" }}'), "1 a\n");
});

test("structs, stringers and methods", () => {
  const inner = makeStruct({ X: 1 }, { typeName: "main.Inner" });
  const s = makeStruct({ Name: "n", In: inner }, { typeName: "*main.S", pointer: true });
  assert.equal(run("{{ . }} {{ .In }} {{ .Name }}", s), "&{n {1}} {1} n");
  assert.equal(
    execError("{{ .Nope }}", s),
    'template: t:1:3: executing "t" at <.Nope>: can\'t evaluate field Nope in type *main.S',
  );
  const j = withStringer({ a: 1 }, () => "JSON!");
  assert.equal(run("{{ . }} {{ if . }}yes{{ end }}", j), "JSON! yes");
  class Greeter {
    greet(name: unknown): string {
      return `hi ${String(name)}`;
    }
  }
  assert.equal(run('{{ .greet "bob" }} {{ "x" | .greet }}', new Greeter()), "hi bob hi x");
  // A function stored in a map is a value, not a method (as in Go).
  assert.match(execError('{{ .f "x" }}', { f: () => 1 }), /f is not a method but has arguments/);
});

test("if / else if / else and truthiness", () => {
  const tmpl = "{{ if .A }}a{{ else if .B }}b{{ else }}c{{ end }}";
  assert.equal(run(tmpl, { A: 1 }), "a");
  assert.equal(run(tmpl, { A: 0, B: "x" }), "b");
  assert.equal(run(tmpl, { A: [], B: {} }), "c");
  assert.equal(run("{{ if .S }}t{{ end }}", { S: makeStruct({}, { typeName: "T" }) }), "t");
});

test("range over slices, maps, ints, with else, break and continue", () => {
  assert.equal(run("{{ range $i, $v := .L }}{{ $i }}{{ $v }},{{ end }}", { L: ["a", "b"] }), "0a,1b,");
  assert.equal(
    run("{{ range $k, $v := . }}{{ $k }}={{ $v }};{{ end }}", { b: 2, a: 1, c: 3 }),
    "a=1;b=2;c=3;",
  );
  assert.equal(run("{{ range . }}{{ . }}{{ end }}", { b: 2, a: 1 }), "12");
  assert.equal(run("{{ range 3 }}{{ . }}{{ end }}"), "012");
  assert.equal(run("{{ range .L }}x{{ else }}empty{{ end }}", { L: [] }), "empty");
  assert.equal(run("{{ range .Missing }}x{{ else }}none{{ end }}"), "none");
  const loop =
    "{{ range . }}{{ if eq . 2 }}{{ continue }}{{ end }}{{ if eq . 4 }}{{ break }}{{ end }}{{ . }}{{ end }}";
  assert.equal(run(loop, [1, 2, 3, 4, 5]), "13");
  assert.equal(
    execError("{{ range .S }}{{ end }}", { S: true }),
    'template: t:1:9: executing "t" at <.S>: range can\'t iterate over true',
  );
});

test("variables: declare, assign, scope, $", () => {
  assert.equal(run("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ $y := 3 }}{{ end }}{{ $x }}"), "2");
  assert.equal(run("{{ range .L }}{{ $.N }}{{ end }}", { L: [1, 2], N: "n" }), "nn");
  assert.equal(run("{{ with $v := .A }}{{ $v }}{{ . }}{{ end }}", { A: "a" }), "aa");
  assert.equal(run("{{ with .A }}x{{ else with .B }}{{ . }}{{ end }}", { B: "b" }), "b");
  assert.equal(
    parseError("{{ if true }}{{ $y := 3 }}{{ end }}{{ $y }}"),
    'template: t:1: undefined variable "$y"',
  );
});

test("and / or short-circuit and return the deciding value", () => {
  assert.equal(run('{{ or 0 "" "z" }} {{ and 1 0 2 }} {{ and 1 2 }} {{ or 0 "" }}'), "z 0 2 ");
  // The failing call is never evaluated.
  assert.equal(run("{{ or 1 (index .L 5) }}", { L: [] }), "1");
  assert.equal(run("{{ and 0 (index .L 5) }}", { L: [] }), "0");
});

test("comparison functions", () => {
  assert.equal(
    run(
      '{{ eq 1 2 1 }} {{ eq "a" "a" }} {{ ne 1 2 }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt "b" "a" }} {{ ge 1 2 }}',
    ),
    "true true true true true true false",
  );
  assert.equal(run('{{ eq .Missing "x" }}'), "false");
  assert.match(execError('{{ eq 1 "a" }}'), /error calling eq: incompatible types for comparison/);
  assert.match(execError("{{ lt true false }}"), /error calling lt: invalid type for comparison/);
  assert.match(execError("{{ eq .F 3 }}", { F: new GoFloat(3) }), /incompatible types/);
});

test("len, index, slice, not", () => {
  assert.equal(
    run("{{ len .S }} {{ len .L }} {{ len .M }}", { S: "héllo", L: [1, 2], M: { a: 1 } }),
    "6 2 1",
  );
  assert.equal(
    run('{{ index .L 1 }} {{ index .M "k" }} {{ index .N 0 1 }}', { L: [1, 2], M: { k: "v" }, N: [[1, 2]] }),
    "2 v 2",
  );
  assert.equal(
    run("{{ slice .S 1 3 }} {{ slice .L 1 }} {{ len (slice .L 0 1) }}", { S: "hello", L: [1, 2, 3] }),
    "el [2 3] 1",
  );
  assert.equal(run("{{ not 0 }} {{ not 1 }}"), "true false");
  assert.match(execError("{{ index .L 5 }}", { L: [1] }), /error calling index: index out of range: 5/);
  assert.match(execError("{{ len 3 }}"), /error calling len: len of type int/);
});

test("printf verbs, widths and precision", () => {
  assert.equal(
    run('{{ printf "%s|%d|%v|%q|%t|%%" "a" 42 .L "x\\n" true }}', { L: [1, 2] }),
    'a|42|[1 2]|"x\\n"|true|%',
  );
  assert.equal(
    run('{{ printf "%5.2f|%-4s|%04d|%x|%X|%e|%g" 3.14159 "ab" 7 255 255 1234.5 0.00001 }}'),
    " 3.14|ab  |0007|ff|FF|1.234500e+03|1e-05",
  );
  assert.equal(run('{{ printf "%d %s" "str" }}'), "%!d(string=str) %!s(MISSING)");
  assert.equal(run('{{ printf "%d" 1 2 }}'), "1%!(EXTRA int=2)");
  assert.equal(run('{{ printf "%.1f" 2.25 }} {{ printf "%6.3v" "abcdef" }}'), "2.2    abc");
});

test("html, js, urlquery", () => {
  assert.equal(run("{{ html \"<a href='x'>&</a>\" }}"), "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;");
  assert.equal(run('{{ js "it\'s <b>" }}'), "it\\'s \\u003Cb\\u003E");
  assert.equal(run('{{ urlquery "a b&c=d" }}'), "a+b%26c%3Dd");
});

test("define, template, block and call", () => {
  assert.equal(
    run('{{ define "x" }}<{{ . }}>{{ end }}{{ template "x" .A }}{{ template "x" }}', { A: "a" }),
    "<a><<no value>>",
  );
  assert.equal(run('{{ block "b" .A }}[{{ . }}]{{ end }}', { A: 1 }), "[1]");
  assert.equal(run("{{ call .F 2 3 }}", { F: (a: unknown, b: unknown) => Number(a) * Number(b) }), "6");
  assert.match(execError('{{ template "nope" }}'), /template "nope" not defined/);
});

test("missingkey modes", () => {
  assert.equal(run("{{ .A.B }}", {}), "<no value>");
  assert.equal(
    execError("{{ .A.B }}", {}, "zero"),
    'template: t:1:3: executing "t" at <.A.B>: nil pointer evaluating interface {}.B',
  );
  assert.equal(
    execError("{{ .A }}", {}, "error"),
    'template: t:1:3: executing "t" at <.A>: map has no entry for key "A"',
  );
});

test("parse errors carry Go's wording and the line", () => {
  assert.equal(parseError("{{ .Prompt "), "template: t:1: unclosed action");
  assert.equal(parseError("line1\n{{ foo }}"), 'template: t:2: function "foo" not defined');
  assert.equal(parseError("{{ if .X }}"), "template: t:1: unexpected EOF");
  assert.equal(parseError("{{ end }}"), "template: t:1: unexpected {{end}}");
  assert.equal(parseError("{{ .X | 1 }}"), "template: t:1: non executable command in pipeline stage 2");
  assert.equal(parseError("{{ break }}"), "template: t:1: {{break}} outside {{range}}");
  assert.equal(parseError('{{ "abc }}'), "template: t:1: unterminated quoted string");
  assert.equal(parseError("{{ 1x }}"), 'template: t:1: bad number syntax: "1x"');
  assert.equal(parseError("{{ .A #}}"), 'template: t:1: unexpected "#" in operand');
  assert.equal(parseError("{{ ( .A }}"), "template: t:1: unclosed left paren");
  assert.equal(parseError("{{/* x */"), "template: t:1: comment ends before closing delimiter");
  assert.equal(parseError("{{ $x = 1 }}{{ }}"), "template: t:1: missing value for command");
});

test("execution errors carry line:col and the node", () => {
  assert.equal(
    execError("ab\n  {{ len .N }}", { N: 3 }),
    'template: t:2:5: executing "t" at <len .N>: error calling len: len of type int',
  );
  assert.equal(
    execError("{{ 3 .X }}"),
    'template: t:1:3: executing "t" at <3>: can\'t give argument to non-function 3',
  );
  assert.equal(
    execError("{{ printf .N }}", { N: 3 }),
    'template: t:1:10: executing "t" at <.N>: wrong type for value; expected string; got int',
  );
  assert.equal(
    execError("{{ not }}"),
    'template: t:1:3: executing "t" at <not>: wrong number of args for not: want 1 got 0',
  );
});
