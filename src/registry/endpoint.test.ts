import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { blobUrl, manifestUrl, repositoryOf, resolveEndpoint, uploadsUrl } from "./endpoint.js";

const DIGEST = `sha256:${"ab".repeat(32)}`;

describe("resolveEndpoint", () => {
  it("maps a short name onto registry.ollama.ai over https", () => {
    const e = resolveEndpoint("llama3.2");
    assert.equal(manifestUrl(e).href, "https://registry.ollama.ai/v2/library/llama3.2/manifests/latest");
    assert.equal(blobUrl(e, DIGEST).href, `https://registry.ollama.ai/v2/library/llama3.2/blobs/${DIGEST}`);
  });

  it("keeps host ports and hf.co style names", () => {
    assert.equal(
      manifestUrl(resolveEndpoint("hf.co/bartowski/Llama-3.2-1B-GGUF:Q4_K_M")).href,
      "https://hf.co/v2/bartowski/Llama-3.2-1B-GGUF/manifests/Q4_K_M",
    );
    assert.equal(
      manifestUrl(resolveEndpoint("localhost:5000/me/m:v1", true)).href,
      "http://localhost:5000/v2/me/m/manifests/v1",
    );
  });

  it("speaks http only when insecure, and refuses an http:// name without it", () => {
    assert.throws(() => resolveEndpoint("http://example.com/me/m"), { message: "insecure protocol http" });
    assert.equal(resolveEndpoint("http://example.com/me/m", true).base.protocol, "http:");
    assert.equal(resolveEndpoint("https://example.com/me/m", true).base.protocol, "http:");
    assert.equal(resolveEndpoint("https://example.com/me/m").base.protocol, "https:");
  });

  it("builds upload URLs, with a cross-repository mount when asked", () => {
    const e = resolveEndpoint("example.com/me/m");
    assert.equal(uploadsUrl(e).href, "https://example.com/v2/me/m/blobs/uploads/");
    const mount = uploadsUrl(e, { digest: DIGEST, from: repositoryOf("example.com/you/base:latest") });
    assert.equal(mount.searchParams.get("mount"), DIGEST);
    assert.equal(mount.searchParams.get("from"), "you/base");
  });

  it("rejects invalid names with the store's message", () => {
    assert.throws(() => resolveEndpoint("bad name!"), { message: "invalid model name" });
  });
});
