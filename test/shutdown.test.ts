import { test } from "node:test";
import assert from "node:assert/strict";
import { addModel, chatmlTemplate, startServer } from "./helpers/server.js";

test("shutdown ends running streams with an error line and returns promptly", async () => {
  const server = await startServer();
  await addModel(server, "tiny", { template: chatmlTemplate });
  const res = await fetch(`${server.url}/api/generate`, {
    method: "POST",
    body: JSON.stringify({ model: "tiny", prompt: "go", options: { num_predict: 1_000_000 } }),
  });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  await reader.read();
  const started = Date.now();
  const closing = server.close();
  let text = "";
  const decoder = new TextDecoder();
  for (;;) {
    const chunk = await reader.read().then(
      (c) => (c.done ? undefined : c.value),
      () => undefined,
    );
    if (!chunk) break;
    text += decoder.decode(chunk);
  }
  await closing;
  assert.ok(Date.now() - started < 5000, "closed within 5 s");
  const last = text.trim().split("\n").at(-1) ?? "";
  assert.deepEqual(JSON.parse(last), { error: "server shutting down" });
});
