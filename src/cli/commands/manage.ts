// cp, rm and stop: small commands that change what the server holds or has loaded.
import { println, type Ctx } from "../context.js";

export async function copy(src: string, dst: string, ctx: Ctx): Promise<void> {
  await ctx.client.copy(src, dst);
  println(ctx.io.stdout, `copied '${src}' to '${dst}'`);
}

/** Unloads a model as Ollama does: show it, then an empty generate with keep_alive 0. */
export async function unload(model: string, ctx: Ctx): Promise<void> {
  await ctx.client.show(model);
  for await (const chunk of ctx.client.generate({ model, keep_alive: 0 })) void chunk;
}

const isNotFound = (err: unknown): boolean => err instanceof Error && /not found/i.test(err.message);

export async function stop(model: string, ctx: Ctx): Promise<void> {
  try {
    await unload(model, ctx);
  } catch (err) {
    if (isNotFound(err)) throw new Error(`couldn't find model "${model}" to stop`);
    throw err;
  }
}

export async function remove(models: string[], ctx: Ctx): Promise<void> {
  for (const model of models) {
    try {
      await unload(model, ctx);
    } catch (err) {
      if (!isNotFound(err)) println(ctx.io.stderr, `Warning: unable to stop model '${model}'`);
    }
    await ctx.client.delete(model);
    println(ctx.io.stdout, `deleted '${model}'`);
  }
}
