import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeChatRequest } from "./requests.js";
import { marshalGoAny, marshalToolArguments, marshalTools, goJsonString } from "./tools.js";

const toolBody = JSON.stringify({
  tools: [
    {
      type: "function",
      extra: "dropped",
      function: {
        name: "get_weather",
        description: "Weather <now> & later",
        parameters: {
          type: "object",
          required: ["city"],
          properties: {
            unit: { type: "string", enum: ["c", "f"], description: "" },
            city: { type: ["string", "null"], description: "City" },
            opts: { type: "object", properties: { z: { type: "integer" }, a: { type: "boolean" } } },
            list: { type: "array", items: { type: "string", b: 1, a: 2 } },
          },
        },
      },
    },
  ],
}).replace('"type":"function"', '"type":"function","function":{"name":"ignored"}');

void test("tools print back like Go json.Marshal, property order preserved", () => {
  const r = decodeChatRequest(toolBody);
  assert.equal(
    marshalTools(r.tools),
    '[{"type":"function","function":{"name":"get_weather","description":"Weather \\u003cnow\\u003e \\u0026 later",' +
      '"parameters":{"type":"object","required":["city"],"properties":{' +
      '"unit":{"type":"string","enum":["c","f"]},' +
      '"city":{"type":["string","null"],"description":"City"},' +
      '"opts":{"type":"object","properties":{"z":{"type":"integer"},"a":{"type":"boolean"}}},' +
      '"list":{"type":"array","items":{"a":2,"b":1,"type":"string"}}}}}}]',
  );
  assert.equal(marshalTools(undefined), "null");
  assert.equal(
    marshalTools(decodeChatRequest('{"tools":[{"type":"function","function":{"name":"f"}}]}').tools),
    '[{"type":"function","function":{"name":"f","parameters":{"type":"","properties":null}}}]',
  );
});

void test("tool call arguments keep their order, nested maps sort", () => {
  const r = decodeChatRequest(
    '{"messages":[{"role":"assistant","tool_calls":[{"function":{"name":"f","arguments":{"b":1,"2":[true,null],"a":{"y":1,"x":"<"}}}}]}]}',
  );
  const args = r.messages?.[0]?.toolCalls?.[0]?.function.arguments;
  assert.ok(args);
  assert.equal(marshalToolArguments(args), '{"b":1,"2":[true,null],"a":{"x":"\\u003c","y":1}}');
});

void test("Go string and number encoding", () => {
  assert.equal(goJsonString('a"\\\n\t\b\f\u0001\u2028'), '"a\\"\\\\\\n\\t\\b\\f\\u0001\\u2028"');
  assert.equal(marshalGoAny([1e21, 1e-7, 0.1, -0, 100]), "[1e+21,1e-7,0.1,-0,100]");
});
