// template/: prompt rendering. Everything other modules use is exported from here.
//
//   parseOllamaTemplate(text)      Ollama's Go-template prompt (template.Parse): .render(values), .vars(),
//                                  usesTools / usesSuffix (capabilities "tools", "insert"), .template.root
//                                  (the parse tree, Go-shaped, for thinking/tool-tag inference)
//   parseJinjaTemplate(text)       a GGUF's Hugging Face chat template (tokenizer.chat_template)
//   rendererForName(name)         Ollama's built-in renderers (a Modelfile's RENDERER), where implemented
//   tagImages(messages)            [img-N] markers for images, as Ollama does before rendering
//   GoTemplate                     the bare Go text/template engine
//
// Errors are TemplateError with Go's message text ("template: :1: unclosed action").

export { parseOllamaTemplate, defaultTemplateSource, collate, identifiers, ollamaFuncs } from "./ollama.js";
export type { OllamaTemplate } from "./ollama.js";
export type { RenderValues, TemplateMessage, Tool, ToolCall, ToolProperty } from "./types.js";
export { thinkValues } from "./types.js";
export { tagImages, type TaggedImages } from "./images.js";
export { rendererForName, type Renderer } from "./renderers/index.js";
export { parseJinjaTemplate, type JinjaTemplate, type JinjaRenderValues } from "./jinja.js";
export { GoTemplate, type GoTemplateOptions } from "./go/template.js";
export { TemplateError } from "./go/errors.js";
export type { FuncMap, FuncSpec, FuncDef } from "./go/funcs.js";
export type * from "./go/ast.js";
export { nodeString } from "./go/ast.js";
export { GoFloat, makeStruct, withStringer, withJson, goStringer, goJson, goStruct } from "./go/values.js";
export { marshalGo } from "./gojson.js";
