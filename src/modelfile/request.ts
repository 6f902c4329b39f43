// The file-independent half of Ollama's Modelfile.CreateRequest: everything a create request
// needs except reading files. FROM/ADAPTER/DRAFT paths are returned raw so the caller (the CLI)
// decides whether each is a file, a directory or a model name.
import type { Modelfile } from "./parser.js";
import { DEPRECATED_PARAMETERS, formatParam, type ParamValue } from "./params.js";

export interface ModelfileMessage {
  role: string;
  content: string;
}

export interface CreateFields {
  /** FROM arguments in order (a model name, or a file or directory path). */
  from: string[];
  adapters: string[];
  drafts: string[];
  template?: string;
  system?: string;
  license?: string[];
  messages?: ModelfileMessage[];
  parameters?: Record<string, ParamValue>;
  renderer?: string;
  parser?: string;
  requires?: string;
}

// golang.org/x/mod/semver accepts "v1", "v1.2" and "v1.2.3" with optional pre-release and build.
const SEMVER =
  /^v(0|[1-9]\d*)(?:\.(0|[1-9]\d*)(?:\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)?)?$/;

export const ERR_REQUIRES_SEMVER = "requires must be a valid semver (e.g. 0.14.0)";

export function normalizeRequires(v: string): string {
  const withV = v.startsWith("v") ? v : `v${v}`;
  if (!SEMVER.test(withV) || prereleaseWithoutPatch(withV)) throw new Error(ERR_REQUIRES_SEMVER);
  return withV.slice(1);
}

// The shorthand forms ("v1", "v1.2") may not carry a pre-release or build suffix.
function prereleaseWithoutPatch(v: string): boolean {
  return /[-+]/.test(v) && v.split(/[-+]/)[0]?.split(".").length !== 3;
}

/**
 * Collects a parsed Modelfile into create-request fields. Parameter values are typed (errors are
 * Ollama's); deprecated parameters are reported through warn and dropped.
 */
export function collectCreateFields(mf: Modelfile, warn: (msg: string) => void = () => {}): CreateFields {
  const out: CreateFields = { from: [], adapters: [], drafts: [] };
  const licenses: string[] = [];
  const messages: ModelfileMessage[] = [];
  const params: Record<string, ParamValue> = {};

  for (const { name, args } of mf.commands) {
    switch (name) {
      case "model":
        out.from.push(args);
        break;
      case "adapter":
        out.adapters.push(args);
        break;
      case "draft":
        out.drafts.push(args);
        break;
      case "template":
      case "system":
      case "renderer":
      case "parser":
        out[name] = args;
        break;
      case "license":
        licenses.push(args);
        break;
      case "requires":
        out.requires = normalizeRequires(args);
        break;
      case "message": {
        const i = args.indexOf(": ");
        messages.push(
          i < 0 ? { role: args, content: "" } : { role: args.slice(0, i), content: args.slice(i + 2) },
        );
        break;
      }
      default:
        addParameter(params, name, args, warn);
    }
  }

  if (Object.keys(params).length > 0) out.parameters = params;
  if (messages.length > 0) out.messages = messages;
  if (licenses.length > 0) out.license = licenses;
  return out;
}

function addParameter(
  params: Record<string, ParamValue>,
  name: string,
  value: string,
  warn: (msg: string) => void,
): void {
  if (DEPRECATED_PARAMETERS.includes(name)) {
    warn(`warning: parameter ${name} is deprecated`);
    return;
  }
  const typed = formatParam(name, [value]);
  const prev = params[name];
  params[name] = Array.isArray(prev) && Array.isArray(typed) ? [...prev, ...typed] : typed;
}
