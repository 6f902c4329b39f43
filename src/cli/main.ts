// The `tollama` command line: Ollama's commands, flags and output, over HTTP to OLLAMA_HOST.
import { Command, CommanderError } from "commander";
import { Client, ConnectionError } from "./client.js";
import type { Ctx } from "./context.js";
import { clientBaseUrl } from "./host.js";
import type { Io } from "./io.js";
import { create } from "./commands/create.js";
import { list, ps } from "./commands/list.js";
import { copy, remove, stop } from "./commands/manage.js";
import { run } from "./commands/run.js";
import { show } from "./commands/show.js";
import { pull, push } from "./commands/transfer.js";
import { version } from "./commands/version.js";

export interface CliDeps {
  io: Io;
  env: NodeJS.ProcessEnv;
  client?: Client;
  now?: () => number;
  serve?: () => Promise<void>;
  cwd?: string;
}

/** Cobra's argument-count errors, which Ollama's CLI prints. */
export function checkArgs(args: string[], min: number, max = min): void {
  if (min === max && args.length !== min) throw new Error(`accepts ${min} arg(s), received ${args.length}`);
  if (args.length < min) throw new Error(`requires at least ${min} arg(s), only received ${args.length}`);
  if (args.length > max) throw new Error(`accepts at most ${max} arg(s), received ${args.length}`);
}

/**
 * A bare `--think` takes no value in Ollama (`--think=high` does), so the word after it stays a
 * prompt; commander's optional values would swallow it, hence the rewrite.
 */
export function normalizeArgv(argv: string[]): string[] {
  return argv.map((a) => (a === "--think" ? "--think=true" : a));
}

async function defaultServe(): Promise<void> {
  // Imported only here so that client commands start without loading the server and its engine.
  const { serve } = await import("../server/serve.js");
  await serve();
}

export function buildProgram(deps: CliDeps): Command {
  const client = deps.client ?? new Client(clientBaseUrl(deps.env.OLLAMA_HOST));
  const ctx: Ctx = { io: deps.io, client, now: deps.now ?? Date.now };
  const { io } = deps;

  // Ollama checks the server before each command that needs it, so a missing server is reported
  // before slow local work (hashing files for create).
  const heartbeat = async (): Promise<void> => {
    try {
      await client.heartbeat();
    } catch (err) {
      if (err instanceof ConnectionError) throw err;
    }
  };

  const program = new Command("tollama")
    .description("Large language model runner")
    .usage("[flags]\n  tollama [command]")
    .option("-v, --version", "Show version information")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: () => {},
    })
    .argument("[command...]")
    .action(async (rest: string[], opts: { version?: boolean }) => {
      if (rest[0] === "help") return help(program, rest.slice(1), io);
      if (rest[0] !== undefined) throw new Error(`unknown command "${rest[0]}" for "tollama"`);
      if (opts.version) return version(ctx);
      program.outputHelp();
    });

  program
    .command("serve")
    .alias("start")
    .description("Start tollama")
    .addHelpText("after", envHelp(SERVE_ENV))
    .action(async () => (deps.serve ?? defaultServe)());

  program
    .command("create")
    .usage("MODEL [flags]")
    .description("Create a model")
    .argument("[args...]")
    .option("-f, --file <file>", 'Name of the Modelfile (default "Modelfile")')
    .option("-q, --quantize <type>", "Quantize model to this level (e.g. q4_K_M)")
    .action(async (args: string[], opts: { file?: string; quantize?: string }) => {
      checkArgs(args, 1);
      await heartbeat();
      await create(args[0] as string, opts, ctx, deps.cwd);
    });

  program
    .command("show")
    .usage("MODEL [flags]")
    .description("Show information for a model")
    .argument("[args...]")
    .option("--license", "Show license of a model")
    .option("--modelfile", "Show Modelfile of a model")
    .option("--parameters", "Show parameters of a model")
    .option("--template", "Show template of a model")
    .option("--system", "Show system message of a model")
    .option("-v, --verbose", "Show detailed model information")
    .action(async (args: string[], opts: Record<string, boolean>) => {
      checkArgs(args, 1);
      await heartbeat();
      await show(args[0] as string, opts, ctx);
    });

  program
    .command("run")
    .usage("MODEL [PROMPT] [flags]")
    .description("Run a model")
    .argument("[args...]")
    .option("--keepalive <duration>", "Duration to keep a model loaded (e.g. 5m)")
    .option("--verbose", "Show timings for response")
    .option("--insecure", "Use an insecure registry")
    .option("--nowordwrap", "Don't wrap words to the next line automatically")
    .option("--format <format>", "Response format (e.g. json)")
    .option("--think [level]", "Enable thinking mode: true/false or high/medium/low for supported models")
    .option("--hidethinking", "Hide thinking output (if provided)")
    .option("--truncate", "For embedding models: truncate inputs exceeding context length")
    .option("--dimensions <n>", "Truncate output embeddings to specified dimension", (v) =>
      Number.parseInt(v, 10),
    )
    .action(async (args: string[], opts: Record<string, unknown>) => {
      checkArgs(args, 1, Infinity);
      await heartbeat();
      await run(args[0] as string, args.slice(1), opts, ctx);
    });

  program
    .command("stop")
    .usage("MODEL")
    .description("Stop a running model")
    .argument("[args...]")
    .action(async (args: string[]) => {
      checkArgs(args, 1);
      await heartbeat();
      await stop(args[0] as string, ctx);
    });

  for (const [name, fn, what] of [
    ["pull", pull, "Pull a model from a registry"],
    ["push", push, "Push a model to a registry"],
  ] as const) {
    program
      .command(name)
      .usage("MODEL [flags]")
      .description(what)
      .argument("[args...]")
      .option("--insecure", "Use an insecure registry")
      .action(async (args: string[], opts: { insecure?: boolean }) => {
        checkArgs(args, 1);
        await heartbeat();
        await fn(args[0] as string, opts, ctx);
      });
  }

  program
    .command("list")
    .usage("[flags]")
    .alias("ls")
    .description("List models")
    .argument("[args...]")
    .action(async (args: string[]) => {
      await heartbeat();
      await list(args, ctx);
    });

  program
    .command("ps")
    .usage("[flags]")
    .description("List running models")
    .argument("[args...]")
    .action(async (args: string[]) => {
      await heartbeat();
      await ps(args, ctx);
    });

  program
    .command("cp")
    .usage("SOURCE DESTINATION")
    .description("Copy a model")
    .argument("[args...]")
    .action(async (args: string[]) => {
      checkArgs(args, 2);
      await heartbeat();
      await copy(args[0] as string, args[1] as string, ctx);
    });

  program
    .command("rm")
    .usage("MODEL [MODEL...]")
    .description("Remove a model")
    .argument("[args...]")
    .action(async (args: string[]) => {
      checkArgs(args, 1, Infinity);
      await heartbeat();
      await remove(args, ctx);
    });

  program
    .command("version")
    .description("Show version information")
    .action(async () => version(ctx));

  return program;
}

/** `tollama help [command]`, as cobra adds `ollama help` (an unknown topic shows the main help). */
function help(program: Command, path: string[], io: Io): void {
  let cmd = program;
  for (const name of path) {
    const sub = cmd.commands.find((c) => c.name() === name || c.aliases().includes(name));
    if (!sub) {
      io.stdout.write(`Unknown help topic [${path.map((p) => `\`${p}\``).join(" ")}]\n`);
      program.outputHelp();
      return;
    }
    cmd = sub;
  }
  cmd.outputHelp();
}

/** The variables `serve` reads, listed under its help as Ollama's is. */
const SERVE_ENV: Array<[string, string]> = [
  ["OLLAMA_DEBUG", "Log more, llama.cpp's own lines included (OLLAMA_DEBUG=1)"],
  ["OLLAMA_HOST", "Address to listen on (default 127.0.0.1:11434)"],
  [
    "OLLAMA_CONTEXT_LENGTH",
    "num_ctx when neither request nor Modelfile sets one (default by VRAM, 4096 on CPU)",
  ],
  ["OLLAMA_KEEP_ALIVE", 'How long an idle model stays loaded (default "5m")'],
  ["OLLAMA_MAX_LOADED_MODELS", "Most models loaded at once (default 3)"],
  ["OLLAMA_MAX_QUEUE", "Most requests waiting for a model to load (default 512)"],
  ["OLLAMA_MODELS", "Model store (default ~/.ollama/models)"],
  ["OLLAMA_NUM_PARALLEL", "Requests served at once per model (default: what fits, up to 8)"],
  ["OLLAMA_NOPRUNE", "Keep unused blobs at startup"],
  ["OLLAMA_ORIGINS", "Extra allowed CORS origins, comma separated"],
  ["OLLAMA_FLASH_ATTENTION", "Flash attention on or off (default: where the model supports it)"],
  ["OLLAMA_KV_CACHE_TYPE", "K/V cache type: f16, q8_0, q4_0 or another llama-server takes (default f16)"],
  ["OLLAMA_LLM_LIBRARY", "cpu to keep models off the GPU"],
  ["OLLAMA_GPU_OVERHEAD", "Bytes of each GPU's memory kept free of models"],
  ["OLLAMA_LOAD_TIMEOUT", 'How long a model load may stall before it fails (default "5m")'],
];

function envHelp(vars: Array<[string, string]>): string {
  return (
    "\nEnvironment Variables:\n" + vars.map(([name, what]) => `      ${name.padEnd(27)}   ${what}`).join("\n")
  );
}

function errorMessage(err: unknown): string {
  if (err instanceof CommanderError) return err.message.replace(/^error: /, "");
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Runs the CLI and returns the exit code; errors print as Ollama's do: "Error: <message>". */
export async function runCli(argv: string[], deps: CliDeps): Promise<number> {
  const program = buildProgram(deps);
  try {
    await program.parseAsync(normalizeArgv(argv), { from: "user" });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError && err.exitCode === 0) return 0;
    deps.io.stderr.write(`Error: ${errorMessage(err)}\n`);
    return 1;
  }
}

export async function main(argv: string[]): Promise<void> {
  const io: Io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
  const code = await runCli(argv, { io, env: process.env });
  if (code !== 0) process.exitCode = code;
}
