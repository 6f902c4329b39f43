/** /api/generate without HTTP: Ollama's GenerateHandler flow, as a stream of events. */
import type { GenerateRequest } from "../api/wire/index.js";
import type { TemplateMessage } from "../template/index.js";
import { parseOllamaTemplate, thinkValues } from "../template/index.js";
import { errors } from "./errors.js";
import {
  checkCapabilities,
  effectiveOptions,
  isUnloadRequest,
  resolveModel,
  resolveThink,
  schedule,
  thinkEnabled,
  type CoreDeps,
  type InferenceEvent,
} from "./inference.js";
import type { Capability, ResolvedModel } from "./models.js";
import { parseFormat } from "./options.js";
import { chatPrompt } from "./prompt.js";
import { complete } from "./stream.js";
import { shiftByDefault } from "./complete.js";

/**
 * `withContext`: whether the done event carries the token context, which /api/generate answers and
 * costs a tokenization of the prompt and the answer (default true; /v1/completions has no use for it).
 */
export async function* generate(
  deps: CoreDeps,
  req: GenerateRequest,
  signal: AbortSignal,
  startNs: bigint,
  withContext = true,
): AsyncGenerator<InferenceEvent> {
  const model = await resolveModel(deps, req.model);
  if (req.prompt === "" && isUnloadRequest(req.keepAlive)) {
    await deps.scheduler.expire(model.modelPath);
    yield { type: "early", doneReason: "unload" };
    return;
  }
  if (req.raw && (req.template !== "" || req.system !== "" || (req.context?.length ?? 0) > 0)) {
    throw errors.rawWithTemplate();
  }
  const think = req.raw ? undefined : resolveThink(model, req.think, req.model);
  const wanted: Capability[] = ["completion"];
  if (req.suffix !== "") wanted.push("insert");
  if ((req.images?.length ?? 0) > 0) wanted.push("vision");
  checkCapabilities(model, wanted, req.model, "generate");
  const eff = effectiveOptions(deps.config, model, req.options);
  const format = parseFormat(req.format);

  const lease = await schedule(deps, model, eff, req.keepAlive);
  const loadNs = Number(process.hrtime.bigint() - startNs);
  try {
    if (req.prompt === "") {
      yield { type: "early", doneReason: "load" };
      return;
    }
    // A context from an earlier answer goes in as its text, ahead of the rendered prompt, as in
    // Ollama (which hands out contexts without BOS; the prompt gets its own).
    const earlier = req.raw || !req.context?.length ? "" : lease.model.detokenize(req.context);
    const prompt = req.raw
      ? req.prompt
      : earlier + renderGeneratePrompt(model, req, think, eff.options.numCtx, (s) => lease.model.tokenize(s));
    if (req.debugRenderOnly) {
      yield { type: "early", debug: { renderedTemplate: prompt, imageCount: req.images?.length ?? 0 } };
      return;
    }
    if ((req.images?.length ?? 0) > 0) throw errors.imagesUnsupported(req.model);
    yield* complete(
      {
        lease,
        prompt,
        options: eff.options,
        format,
        shift: req.shift ?? shiftByDefault(model),
        truncate: req.truncate ?? true,
        logprobs: req.logprobs ? { top: req.topLogprobs } : undefined,
        signal,
      },
      {
        model,
        think: thinkEnabled(think),
        tools: undefined,
        startNs,
        loadNs,
        withContext: withContext && !req.raw,
      },
    );
  } finally {
    lease.release();
  }
}

function renderGeneratePrompt(
  model: ResolvedModel,
  req: GenerateRequest,
  think: GenerateRequest["think"],
  numCtx: number,
  tokenize: (s: string) => number[],
): string {
  const template = req.template !== "" ? parseOllamaTemplate(req.template) : model.template;
  if (req.suffix !== "")
    return template.render({ prompt: req.prompt, suffix: req.suffix, ...thinkValues(think) });
  const messages: TemplateMessage[] = [];
  const system = req.system !== "" ? req.system : (model.stored.system ?? "");
  if (system !== "") messages.push({ role: "system", content: system });
  if (!req.context)
    messages.push(...(model.stored.messages ?? []).map((m) => ({ role: m.role, content: m.content })));
  messages.push({ role: "user", content: req.prompt, images: req.images });
  if (req.template !== "") return template.render({ messages, ...thinkValues(think) });
  return chatPrompt(model, { messages, think, numCtx, truncate: req.truncate ?? true, tokenize }).prompt;
}
