/** /api/chat without HTTP: Ollama's ChatHandler flow, as a stream of events. */
import type { ChatRequest } from "../api/wire/index.js";
import type { TemplateMessage } from "../template/index.js";
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
import { templateMessage, templateTool } from "./convert.js";
import { errors } from "./errors.js";

export async function* chat(
  deps: CoreDeps,
  req: ChatRequest,
  signal: AbortSignal,
  startNs: bigint,
): AsyncGenerator<InferenceEvent> {
  const model = await resolveModel(deps, req.model, { empty: errors.modelRequired });
  const messages = req.messages ?? [];
  if (messages.length === 0 && isUnloadRequest(req.keepAlive)) {
    await deps.scheduler.expire(model.modelPath);
    yield { type: "early", doneReason: "unload" };
    return;
  }
  const wanted: Capability[] = ["completion"];
  if ((req.tools?.length ?? 0) > 0) wanted.push("tools");
  if (messages.some((m) => (m.images?.length ?? 0) > 0)) wanted.push("vision");
  const think = resolveThink(model, req.think, req.model);
  checkCapabilities(model, wanted, req.model, "chat");
  const eff = effectiveOptions(deps.config, model, req.options);
  const format = parseFormat(req.format);

  const lease = await schedule(deps, model, eff, req.keepAlive);
  const loadNs = Number(process.hrtime.bigint() - startNs);
  try {
    if (messages.length === 0) {
      yield { type: "early", doneReason: "load" };
      return;
    }
    const tools = req.tools?.map(templateTool);
    const conversation = withModelMessages(model, messages.map(templateMessage));
    const { prompt, imageCount } = chatPrompt(model, {
      messages: conversation,
      tools,
      think,
      numCtx: eff.options.numCtx,
      truncate: req.truncate ?? true,
      tokenize: (s) => lease.model.tokenize(s),
    });
    if (req.debugRenderOnly) {
      yield { type: "early", debug: { renderedTemplate: prompt, imageCount } };
      return;
    }
    if (imageCount > 0) throw errors.imagesUnsupported(req.model);
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
        tools: req.tools,
        // an assistant message last is a prefill the answer continues (Ollama's parser Init)
        lastMessage: conversation.at(-1),
        startNs,
        loadNs,
        withContext: false,
      },
    );
  } finally {
    lease.release();
  }
}

/** The Modelfile's MESSAGEs come first, and its SYSTEM unless the request starts with one. */
function withModelMessages(model: ResolvedModel, messages: TemplateMessage[]): TemplateMessage[] {
  const out: TemplateMessage[] = [
    ...(model.stored.messages ?? []).map((m) => ({ role: m.role, content: m.content })),
    ...messages,
  ];
  const system = model.stored.system;
  if (messages[0]?.role !== "system" && system) out.unshift({ role: "system", content: system });
  return out;
}
