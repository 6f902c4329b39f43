import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { InvalidNameError } from "./errors.js";
import {
  MISSING_PART,
  canonicaliseName,
  displayShortest,
  isFullyQualified,
  isValidNamespace,
  isValidPart,
  nameFilepath,
  nameToString,
  parseModelName,
  parseName,
  parseNameBare,
  parseNameFromFilepath,
  type ModelName,
} from "./names.js";

const p80 = "8".repeat(80);
const p350 = "3".repeat(350);

function name(host: string, namespace: string, model: string, tag: string): ModelName {
  return { host, namespace, model, tag };
}

test("parses every part combination", () => {
  const cases: [string, ModelName, string][] = [
    [
      "registry.ollama.ai/library/dolphin-mistral:7b-v2.6-dpo-laser-q6_K",
      name("registry.ollama.ai", "library", "dolphin-mistral", "7b-v2.6-dpo-laser-q6_K"),
      "registry.ollama.ai/library/dolphin-mistral/7b-v2.6-dpo-laser-q6_K",
    ],
    ["host/namespace/model:tag", name("host", "namespace", "model", "tag"), "host/namespace/model/tag"],
    [
      "host:port/namespace/model:tag",
      name("host:port", "namespace", "model", "tag"),
      "host:port/namespace/model/tag",
    ],
    ["host/namespace/model", name("host", "namespace", "model", ""), "host/namespace/model/latest"],
    [
      "host:port/namespace/model",
      name("host:port", "namespace", "model", ""),
      "host:port/namespace/model/latest",
    ],
    ["namespace/model", name("", "namespace", "model", ""), "registry.ollama.ai/namespace/model/latest"],
    ["model", name("", "", "model", ""), "registry.ollama.ai/library/model/latest"],
    ["h/nn/mm:t", name("h", "nn", "mm", "t"), "h/nn/mm/t"],
    [`${p80}/${p80}/${p80}:${p80}`, name(p80, p80, p80, p80), [p80, p80, p80, p80].join("/")],
    [`${p350}/${p80}/${p80}:${p80}`, name(p350, p80, p80, p80), [p350, p80, p80, p80].join("/")],
  ];
  for (const [input, bare, file] of cases) {
    assert.deepEqual(parseNameBare(input), bare, input);
    assert.equal(nameFilepath(parseName(input)), file.split("/").join(path.sep), input);
  }
});

test("keeps a scheme apart from the host", () => {
  assert.deepEqual(parseNameBare("scheme://host:port/namespace/model:tag"), {
    ...name("host:port", "namespace", "model", "tag"),
    scheme: "scheme",
  });
  assert.equal(
    nameFilepath(parseName("https://example.com/ns/m:t")),
    ["example.com", "ns", "m", "t"].join(path.sep),
  );
});

test("fills Ollama's defaults", () => {
  assert.equal(nameToString(parseName("xx")), "registry.ollama.ai/library/xx:latest");
  assert.equal(nameToString(parseName("me/xx:v1")), "registry.ollama.ai/me/xx:v1");
});

test("marks promised but empty parts as missing", () => {
  assert.equal(parseNameBare("mm:").tag, MISSING_PART);
  assert.equal(parseNameBare("/nn/mm").host, MISSING_PART);
  assert.equal(isFullyQualified(parseName("mm:")), false);
});

test("validates full names like Ollama", () => {
  const valid = [
    "_why/_the/_lucky:_stiff",
    "h/n/m:t",
    "h/nn/mm:t",
    "host/namespace/model:tag",
    "host:https/namespace/model:tag",
    `${p80}/${p80}/${p80}:${p80}`,
    `${p350}/${p80}/${p80}:${p80}`,
  ];
  const invalid = [
    "",
    "host/namespace/model",
    "namespace/model",
    "model",
    "m",
    "n/m:",
    "h/n/m",
    "@t",
    "m@d",
    "^",
    "mm:",
    "/nn/mm",
    "//",
    "//mm",
    "hh//",
    "//mm:@",
    "00@",
    "@",
    "-hh/nn/mm:tt",
    "hh/-nn/mm:tt",
    "hh/nn/-mm:tt",
    "hh/nn/mm:-tt",
    "host/name:space/model:tag",
    `${"3".repeat(351)}/${p80}/${p80}:${p80}`,
    `h/${"8".repeat(81)}/m:t`,
    `h/n/${"8".repeat(81)}:t`,
    `h/n/m:${"8".repeat(81)}`,
  ];
  for (const s of valid) {
    assert.equal(isFullyQualified(parseNameBare(s)), true, s);
    assert.equal(nameToString(parseNameBare(s)), s, `round trip ${s}`);
  }
  for (const s of invalid) assert.equal(isFullyQualified(parseNameBare(s)), false, s);
});

test("current Ollama has no @digest form", () => {
  const digest = `sha256:${"a".repeat(64)}`;
  assert.equal(isFullyQualified(parseName(`llama3@${digest}`)), false);
  assert.equal(isFullyQualified(parseName(`llama3:latest@${digest}`)), false);
});

test("checks each part's characters and lengths", () => {
  const cases: [Parameters<typeof isValidPart>[0], string, boolean][] = [
    ["host", "", false],
    ["host", "a", true],
    ["host", "a.", true],
    ["host", "a.b", true],
    ["host", "a:123", true],
    ["host", "a:123/aa/bb", false],
    ["namespace", "bb", true],
    ["namespace", "a.", false],
    ["namespace", "a-b_c", true],
    ["model", "-h", false],
    ["model", "llama3.1", true],
    ["model", "a:b", false],
    ["tag", "q4_K_M", true],
    ["tag", "é", false],
    ["digest", `sha256-1${"0".repeat(63)}`, true],
    ["digest", "sha256.1", true], // the code, not its comment, allows dots here
    ["digest", "sha256 1", false],
  ];
  for (const [kind, s, want] of cases) assert.equal(isValidPart(kind, s), want, `${kind} ${s}`);
});

test("validates namespaces alone", () => {
  for (const s of ["a", "himynameisjoe", "himynameisreallyreallyreallyreallylongbutitshouldstillbevalid"]) {
    assert.equal(isValidNamespace(s), true, s);
  }
  for (const s of ["", "a:b", "a/b", "a:b/c", "a/b:c", "a/b:c/d", "a/b:c/d@e", "a/b:c/d@sha256-100"]) {
    assert.equal(isValidNamespace(s), false, s);
  }
});

test("prints the shortest display form", () => {
  const cases: [string, string][] = [
    ["registry.ollama.ai/library/model:latest", "model:latest"],
    ["registry.ollama.ai/library/model:tag", "model:tag"],
    ["registry.ollama.ai/namespace/model:tag", "namespace/model:tag"],
    ["host/namespace/model:tag", "host/namespace/model:tag"],
    ["host/library/model:tag", "host/library/model:tag"],
    ["REGISTRY.ollama.ai/Library/Model:TAG", "Model:TAG"],
  ];
  for (const [input, want] of cases) assert.equal(displayShortest(parseNameBare(input)), want, input);
  assert.equal(displayShortest(parseName("llama3")), "llama3:latest");
  assert.equal(displayShortest(parseName("user/model:tag")), "user/model:tag");
});

test("maps manifest paths back to names", () => {
  const j = (...parts: string[]) => parts.join(path.sep);
  assert.deepEqual(
    parseNameFromFilepath(j("host", "namespace", "model", "tag")),
    name("host", "namespace", "model", "tag"),
  );
  assert.deepEqual(
    parseNameFromFilepath(j("host:port", "namespace", "model", "tag")),
    name("host:port", "namespace", "model", "tag"),
  );
  for (const bad of [
    j("namespace", "model", "tag"),
    j("model", "tag"),
    "model",
    j("..", "..", "model", "tag"),
    j("", "namespace", ".", "tag"),
    j(".", ".", ".", "."),
    j("", "path", "to", "random", "file"),
    j("host", "namespace", "model", ".hidden"),
  ]) {
    assert.equal(parseNameFromFilepath(bad), undefined, bad);
  }
});

test("never yields a path that leaves the manifests folder", () => {
  const hostile = [
    "../../etc/passwd",
    "../x:y",
    "a/../../b:c",
    "/etc/passwd",
    "/abs/ns/m:t",
    "h/n/..:t",
    "h/n/m:..",
    "h/../m:t",
    "..",
    ".",
    "h/n/.m:t",
    "h\\n/m:t",
    "c:\\windows/ns/m:t",
    "h/n/m:t/x",
    "h/n/m:t\0",
  ];
  for (const s of hostile) {
    assert.throws(() => parseModelName(s), InvalidNameError, s);
    assert.throws(() => nameFilepath(parseNameBare(s)), InvalidNameError, s);
  }
  assert.throws(() => nameFilepath(name("..", "n", "m", "t")), InvalidNameError);
});

test("words invalid-name errors per request field", () => {
  assert.throws(() => parseModelName("bad name"), { message: "invalid model name" });
  assert.throws(() => parseModelName("a:b:", "name"), { message: 'name "a:b:" is invalid' });
  assert.throws(() => parseModelName("-x", "source"), { message: 'source "-x" is invalid' });
  assert.throws(() => parseModelName("x:", "destination"), { message: 'destination "x:" is invalid' });
});

test("adopts the on-disk spelling of a name", () => {
  const existing = [parseName("Llama3:Latest"), parseName("llama3:v2"), parseName("Me/Thing:x")];
  assert.equal(
    nameToString(canonicaliseName(parseName("LLAMA3:latest"), existing)),
    "registry.ollama.ai/library/Llama3:Latest",
  );
  assert.equal(
    nameToString(canonicaliseName(parseName("llama3:V2"), existing)),
    "registry.ollama.ai/library/llama3:v2",
  );
  // No whole match: parts are adopted one by one, so a new tag joins the existing folder.
  assert.equal(
    nameToString(canonicaliseName(parseName("me/thing:new"), existing)),
    "registry.ollama.ai/Me/Thing:new",
  );
  // An exact-case match wins over a fold match.
  const both = [parseName("abc:latest"), parseName("ABC:latest")];
  assert.equal(canonicaliseName(parseName("ABC"), both).model, "ABC");
  assert.equal(canonicaliseName(parseName("abc"), both).model, "abc");
  assert.equal(canonicaliseName(parseName("new"), existing).model, "new");
});
