/**
 * A real tollama server for integration tests: in-process, on 127.0.0.1 with a free port, over a
 * temporary model store. Models are put in the store the way `tollama create` would leave them.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, type Config } from "../../src/config/index.js";
import { createApp, type App } from "../../src/server/app.js";
import type { Engine } from "../../src/engine/types.js";
import type { Clock } from "../../src/scheduler/clock.js";
import { MEDIA_TYPES, type Layer } from "../../src/store/index.js";
import { tinyModel } from "./models.js";

export interface TestServer {
  app: App;
  url: string;
  config: Config;
  close(): Promise<void>;
}

/** Env overrides use Ollama's variable names; one thread keeps llama.cpp from oversubscribing CI. */
export async function startServer(
  env: Record<string, string> = {},
  engine?: Engine,
  clock?: Clock,
): Promise<TestServer> {
  const models = await mkdtemp(join(tmpdir(), "tollama-test-"));
  const config = loadConfig(
    { OLLAMA_MODELS: models, OLLAMA_NUM_THREAD: "1", OLLAMA_NUM_PARALLEL: "2", ...env },
    () => {},
  );
  const app = createApp({ config, ...(engine ? { engine } : {}), ...(clock ? { clock } : {}) });
  const addr = await app.listen("127.0.0.1", 0);
  return {
    app,
    config,
    url: `http://127.0.0.1:${addr.port}`,
    async close() {
      await app.close();
      await rm(models, { recursive: true, force: true });
    },
  };
}

export interface ModelFixture {
  gguf?: string;
  /** A GGUF stored as the model's vision projector layer (the model then has the vision capability). */
  projector?: string;
  template?: string;
  system?: string;
  params?: Record<string, unknown>;
}

/** Writes a model (GGUF + optional template/system/params layers) straight into the store. */
export async function addModel(server: TestServer, name: string, fixture: ModelFixture = {}): Promise<void> {
  const store = server.app.store;
  const gguf = fixture.gguf ?? (await tinyModel());
  const blob = await store.writeBlob(await readFile(gguf));
  const layers: Layer[] = [{ mediaType: MEDIA_TYPES.model, digest: blob.digest, size: blob.size }];
  const text = async (data: string, mediaType: string) =>
    layers.push((await store.createLayer(data, mediaType)).layer);
  if (fixture.projector !== undefined) {
    const p = await store.writeBlob(await readFile(fixture.projector));
    layers.push({ mediaType: MEDIA_TYPES.projector, digest: p.digest, size: p.size });
  }
  if (fixture.template !== undefined) await text(fixture.template, MEDIA_TYPES.template);
  if (fixture.system !== undefined) await text(fixture.system, MEDIA_TYPES.system);
  if (fixture.params !== undefined) await text(JSON.stringify(fixture.params), MEDIA_TYPES.params);
  await store.writeModel(name, {
    config: {
      model_format: "gguf",
      model_family: "qwen2",
      model_families: ["qwen2"],
      model_type: "",
      file_type: "Q8_0",
    },
    layers,
  });
}

export const chatmlTemplate = `{{- range .Messages }}<|im_start|>{{ .Role }}
{{ .Content }}<|im_end|>
{{ end }}<|im_start|>assistant
`;

// A qwen2.5-like ChatML template with tools: calls are `<tool_call>` JSON lines.
export const toolTemplate = `{{- if .Tools }}<|im_start|>system
<tools>
{{- range .Tools }}
{{ .Function }}
{{- end }}
</tools><|im_end|>
{{ end }}
{{- range .Messages }}<|im_start|>{{ .Role }}
{{ if .Content }}{{ .Content }}{{ else if .ToolCalls }}<tool_call>
{{ range .ToolCalls }}{"name": "{{ .Function.Name }}", "arguments": {{ .Function.Arguments }}}
{{ end }}</tool_call>{{ end }}<|im_end|>
{{ end }}<|im_start|>assistant
`;

// Small templates of our own in two common shapes: Qwen-style tool calls, and <think> tags.
export const qwenLikeTemplate = `{{- if .Tools }}<|im_start|>system
You may call these tools: {{ range .Tools }}{{ . }}{{ end }}
Answer with <tool_call>{"name": ..., "arguments": {...}}</tool_call>.<|im_end|>
{{ end }}{{- range .Messages }}<|im_start|>{{ .Role }}
{{ if .ToolCalls }}{{ range .ToolCalls }}<tool_call>
{"name": "{{ .Function.Name }}", "arguments": {{ .Function.Arguments }}}
</tool_call>{{ end }}{{ else }}{{ .Content }}{{ end }}<|im_end|>
{{ end }}<|im_start|>assistant
`;
export const thinkTemplate = `{{- range .Messages }}<|im_start|>{{ .Role }}
{{ if .Thinking }}<think>{{ .Thinking }}</think>{{ end }}{{ .Content }}<|im_end|>
{{ end }}<|im_start|>assistant
{{ if not .Think }}<think></think>{{ end }}`;
