/**
 * tollama's built-in prompt templates (Go text/template syntax), one per common chat format, and
 * the detection that picks one for a GGUF's Hugging Face chat template at create time (Ollama's
 * template.Named). Each template renders `.Messages` the way the model family was trained; the
 * golden renders in ../shared/fixtures/ollama-templates check them byte for byte.
 */

export interface BuiltinTemplate {
  name: string;
  template: string;
  /** Default parameters stored beside the template (stop words), in key order. */
  parameters: Record<string, unknown>;
}

const T = (name: string, template: string, parameters: Record<string, unknown>): BuiltinTemplate => ({
  name,
  template,
  parameters,
});

// Shared shape for "role header, content, terminator" formats whose system prompt comes first.
function headerFormat(opts: {
  system: [string, string];
  user: [string, string];
  assistant: [string, string];
  generation: string;
}): string {
  const [sysOpen, sysClose] = opts.system;
  const [userOpen, userClose] = opts.user;
  const [asstOpen, asstClose] = opts.assistant;
  // No trim markers after the literal parts: `{{-` would eat their trailing newlines.
  return (
    `{{- if .System }}${sysOpen}{{ .System }}${sysClose}{{ end }}` +
    `{{- range .Messages }}` +
    `{{- if eq .Role "user" }}${userOpen}{{ .Content }}${userClose}` +
    `{{ else if eq .Role "assistant" }}${asstOpen}{{ .Content }}${asstClose}{{ end }}` +
    `{{- end }}${opts.generation}`
  );
}

export const BUILTIN_TEMPLATES: readonly BuiltinTemplate[] = [
  T(
    "chatml",
    `{{- range .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end }}<|im_start|>assistant\n`,
    { stop: ["<|im_start|>", "<|im_end|>"] },
  ),
  T(
    "llama3-instruct",
    `{{- range .Messages }}<|start_header_id|>{{ .Role }}<|end_header_id|>\n\n{{ .Content }}<|eot_id|>\n{{- end }}<|start_header_id|>assistant<|end_header_id|>\n\n`,
    { stop: ["<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"] },
  ),
  T(
    "mistral-instruct",
    `{{- $system := .System }}\n` +
      `{{- range .Messages }}\n` +
      `{{- if eq .Role "user" }}[INST] {{ if $system }}{{ $system }}\n\n{{ $system = "" }}{{ end }}{{ .Content }}[/INST]\n` +
      `{{- else if eq .Role "assistant" }} {{ .Content }}</s>\n` +
      `{{- end }}\n` +
      `{{- end }}`,
    // What Ollama stores as mistral-instruct's default stop words (not [INST]).
    { stop: ["<|im_start|>", "<|im_end|>"] },
  ),
  T(
    "llama2-chat",
    `{{- $system := .System }}\n` +
      `{{- range .Messages }}\n` +
      `{{- if eq .Role "user" }}[INST] <<SYS>>{{ if $system }}\n{{ $system }}\n{{ $system = "" }}{{ end }}<</SYS>>\n\n{{ .Content }} [/INST]\n` +
      `{{- else if eq .Role "assistant" }} {{ .Content }}</s><s>\n` +
      `{{- end }}\n` +
      `{{- end }}`,
    { stop: ["[INST]", "[/INST]", "<<SYS>>", "<</SYS>>"] },
  ),
  T(
    "gemma-instruct",
    `{{- $system := .System }}\n` +
      `{{- range .Messages }}\n` +
      `{{- if eq .Role "user" }}<start_of_turn>user\n{{ if $system }}{{ $system }}\n{{ $system = "" }}{{ end }}{{ .Content }}<end_of_turn>\n` +
      `{{ else if eq .Role "assistant" }}<start_of_turn>model\n{{ .Content }}<end_of_turn>\n` +
      `{{ end }}\n` +
      `{{- end }}<start_of_turn>model\n`,
    { stop: ["<start_of_turn>", "<end_of_turn>"] },
  ),
  T(
    "gemma3-instruct",
    `{{- $system := .System }}\n` +
      `{{- range .Messages }}\n` +
      `{{- if eq .Role "user" }}<start_of_turn>user\n{{ if $system }}{{ $system }}\n\n{{ $system = "" }}{{ end }}{{ .Content }}<end_of_turn>\n` +
      `{{ else if eq .Role "assistant" }}<start_of_turn>model\n{{ .Content }}<end_of_turn>\n` +
      `{{ end }}\n` +
      `{{- end }}<start_of_turn>model\n\n`,
    { stop: ["<end_of_turn>"], temperature: 0.1 },
  ),
  T("phi-3", `{{- range .Messages }}<|{{ .Role }}|>\n{{ .Content }}<|end|>\n{{ end }}<|assistant|>\n`, {
    stop: ["<|end|>", "<|system|>", "<|user|>", "<|assistant|>"],
  }),
  T("zephyr", `{{- range .Messages }}<|{{ .Role }}|>\n{{ .Content }}</s>\n{{ end }}<|assistant|>\n`, {
    stop: ["<|system|>", "</s>", "<|user|>", "<|assistant|>"],
  }),
  T(
    "vicuna",
    headerFormat({
      system: ["", "\n\n"],
      user: ["USER: ", "\n"],
      assistant: ["ASSISTANT: ", "</s>\n"],
      generation: "ASSISTANT:",
    }),
    { stop: ["USER:", "ASSISTANT:"] },
  ),
  T(
    "alpaca",
    headerFormat({
      system: ["", "\n\n"],
      user: ["### Instruction:\n", "\n\n"],
      assistant: ["### Response:\n", "\n\n"],
      generation: "### Response:\n",
    }),
    { stop: ["### Instruction:", "### Response"] },
  ),
  T(
    "openchat",
    headerFormat({
      system: ["GPT4 Correct System: ", "<|end_of_turn|>"],
      user: ["GPT4 Correct User: ", "<|end_of_turn|>"],
      assistant: ["GPT4 Correct Assistant: ", "<|end_of_turn|>"],
      generation: "GPT4 Correct Assistant:",
    }),
    { stop: ["<|end_of_turn|>"] },
  ),
  T(
    "granite-instruct",
    headerFormat({
      system: ["System:\n", "\n\n"],
      user: ["Question:\n", "\n\n"],
      assistant: ["Answer:\n", "\n\n"],
      generation: "Answer:\n",
    }),
    { stop: ["System:", "Question:", "Answer:"] },
  ),
  T(
    "command-r",
    headerFormat({
      system: ["<|START_OF_TURN_TOKEN|><|SYSTEM_TOKEN|>", "<|END_OF_TURN_TOKEN|>"],
      user: ["<|START_OF_TURN_TOKEN|><|USER_TOKEN|>", "<|END_OF_TURN_TOKEN|>"],
      assistant: ["<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>", "<|END_OF_TURN_TOKEN|>"],
      generation: "<|END_OF_TURN_TOKEN|><|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>\n",
    }),
    { stop: ["<|START_OF_TURN_TOKEN|>", "<|END_OF_TURN_TOKEN|>"] },
  ),
  T(
    "falcon-instruct",
    headerFormat({
      system: ["System: ", "\n"],
      user: ["User:\n", "\n"],
      assistant: ["Falcon:\n", "\n"],
      generation: "Falcon:\n",
    }),
    { stop: ["User:", "Assistant:"] },
  ),
  T(
    "chatqa",
    headerFormat({
      system: ["System: ", "\n\n"],
      user: ["User: ", "\n\n"],
      assistant: ["Assistant: ", "\n\n"],
      generation: "Assistant:",
    }),
    { stop: ["System:", "User:", "Assistant:", "<|begin_of_text|>"] },
  ),
  T(
    "solar-instruct",
    headerFormat({
      system: ["### System:\n", "\n\n"],
      user: ["### User:\n", "\n\n"],
      assistant: ["### Assistant:\n", "</s>\n\n"],
      generation: "### Assistant:\n",
    }),
    { stop: ["### System:", "### User:", "### Assistant"] },
  ),
  T(
    "starcoder2-instruct",
    headerFormat({
      system: ["", "\n\n"],
      user: ["### Instruction\n", "\n\n"],
      assistant: ["### Response\n", "<|endoftext|>\n\n"],
      generation: "### Response\n",
    }),
    { stop: ["### Instruction", "### Response", "<|endoftext|>"] },
  ),
  T(
    "magicoder",
    headerFormat({
      system: ["", "\n\n"],
      user: ["@@ Instruction\n", "\n\n"],
      assistant: ["@@ Response\n", "\n\n"],
      generation: "@@ Response\n",
    }),
    { stop: ["@@ Instruction", "@@ Response"] },
  ),
  T(
    "alfred",
    headerFormat({
      system: ["<start_system>", "<end_message>"],
      user: ["<start_user>", "<end_message>"],
      assistant: ["<start_assistant>", "<end_message>"],
      generation: "<start_assistant>",
    }),
    { stop: ["<start_system>", "<end_message>", "<start_user>", "<start_assistant>"] },
  ),
  T(
    "codellama-70b-instruct",
    headerFormat({
      system: ["Source: system\n\n ", " <step> "],
      user: ["Source: user\n\n ", " <step> "],
      assistant: ["Source: assistant\n\n ", " <step> "],
      generation: "Source: assistant\nDestination: user\n\n ",
    }),
    { stop: ["Source:", "Destination:", "<step>"] },
  ),
];

export function builtinTemplate(name: string): BuiltinTemplate | undefined {
  return BUILTIN_TEMPLATES.find((t) => t.name === name);
}

// Ollama only adopts a built-in template when the GGUF's chat template is close to a known one
// (edit distance under 100). Long templates, and those that handle tools or reasoning, are never
// that close; they are left to the Jinja fallback, which renders them faithfully.
const MAX_DETECT_LENGTH = 4000;
const TOO_RICH = /\btools?\b|tool_call|<think>|reasoning_content/;

type Rule = [name: string, test: (s: string) => boolean];
const has =
  (...needles: string[]) =>
  (s: string) =>
    needles.every((n) => s.includes(n));

/** Ordered from most to least specific: the first rule that matches names the template. */
const RULES: Rule[] = [
  ["command-r", has("<|START_OF_TURN_TOKEN|>")],
  ["llama3-instruct", has("<|start_header_id|>")],
  ["gemma3-instruct", (s) => s.includes("<start_of_turn>") && /image|<start_of_image>/.test(s)],
  ["gemma-instruct", has("<start_of_turn>")],
  ["chatml", has("<|im_start|>")],
  ["openchat", has("GPT4 Correct")],
  ["alfred", (s) => s.includes("<start_user>") || s.includes("<start_system>")],
  ["codellama-70b-instruct", has("Source:", "<step>")],
  ["magicoder", has("@@ Instruction")],
  ["alpaca", has("### Instruction:")],
  ["starcoder2-instruct", has("### Instruction")],
  ["solar-instruct", (s) => s.includes("### User:") || s.includes("### Assistant:")],
  ["phi-3", has("<|end|>")],
  ["zephyr", has("<|user|>")],
  ["llama2-chat", has("[INST]", "<<SYS>>")],
  ["mistral-instruct", has("[INST]")],
  ["granite-instruct", has("Question:", "Answer:")],
  ["falcon-instruct", has("Falcon:")],
  ["chatqa", has("User: ", "Assistant:")],
  ["vicuna", has("USER:", "ASSISTANT:")],
];

/** The built-in template for a Hugging Face chat template, or undefined when none fits. */
export function detectTemplate(chatTemplate: string): BuiltinTemplate | undefined {
  if (chatTemplate === "" || chatTemplate.length > MAX_DETECT_LENGTH || TOO_RICH.test(chatTemplate))
    return undefined;
  for (const [name, test] of RULES) {
    if (test(chatTemplate)) return builtinTemplate(name);
  }
  return undefined;
}
