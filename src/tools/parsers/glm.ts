// GLM-4.6/4.7 call bodies (Ollama's model/parsers/glm46.go): the function name, then key/value pairs
//   get_weather
//   <arg_key>city</arg_key>
//   <arg_value>Paris</arg_value>
// whose values are bare text typed by the tool's schema. Ollama reads them as XML after escaping the
// text, so the text comes back as written ("a < b" stays as is).

import type { CallBodyParser } from "./calls.js";
import { parameterTypes, typedValue } from "./typed.js";

const keyTag = /<arg_key>([\s\S]*?)<\/arg_key>/gu;
const valueTag = /<arg_value>([\s\S]*?)<\/arg_value>/gu;

export const parseGlmCall: CallBodyParser = (raw, tools) => {
  const firstKey = raw.indexOf("<arg_key>");
  const name = (firstKey < 0 ? raw : raw.slice(0, firstKey)).trim();
  if (name === "" || /[<>]/u.test(name)) return undefined;
  const keys = [...raw.matchAll(keyTag)].map((m) => (m[1] ?? "").trim());
  // As parseValue: only one newline each side belongs to the format.
  const values = [...raw.matchAll(valueTag)].map((m) => (m[1] ?? "").replace(/^\n/u, "").replace(/\n$/u, ""));
  if (keys.length !== values.length) return undefined;
  const args: Record<string, unknown> = {};
  keys.forEach((key, i) => {
    args[key] = typedValue(values[i] ?? "", parameterTypes(tools, name, key));
  });
  return { name, arguments: args };
};
