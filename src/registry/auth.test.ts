import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { basicAuthorization, parseChallenge, tokenUrl } from "./auth.js";

describe("parseChallenge", () => {
  it("reads quoted parameters, commas inside quotes included", () => {
    const c = parseChallenge(
      'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull,push"',
    );
    assert.deepEqual(c, {
      scheme: "bearer",
      params: {
        realm: "https://auth.example.com/token",
        service: "registry.example.com",
        scope: "repository:a/b:pull,push",
      },
    });
  });

  it("reads unquoted values, escapes and other schemes", () => {
    assert.deepEqual(parseChallenge("Basic realm=registry"), {
      scheme: "basic",
      params: { realm: "registry" },
    });
    assert.equal(parseChallenge('Bearer realm="a\\"b"')?.params.realm, 'a"b');
    assert.equal(parseChallenge(undefined), undefined);
    assert.equal(parseChallenge(""), undefined);
  });
});

describe("tokenUrl", () => {
  it("adds the service and one scope parameter per space-separated scope", () => {
    const url = tokenUrl({
      scheme: "bearer",
      params: {
        realm: "https://r.example/token?x=1",
        service: "svc",
        scope: "repository:a/b:pull repository:c/d:pull",
      },
    });
    assert.equal(url.searchParams.get("x"), "1");
    assert.equal(url.searchParams.get("service"), "svc");
    assert.deepEqual(url.searchParams.getAll("scope"), ["repository:a/b:pull", "repository:c/d:pull"]);
  });

  it("refuses a challenge without a realm", () => {
    assert.throws(() => tokenUrl({ scheme: "bearer", params: {} }), /no realm/);
  });
});

describe("basicAuthorization", () => {
  it("encodes user:password", () => {
    assert.equal(
      basicAuthorization({ username: "aladdin", password: "opensesame" }),
      "Basic YWxhZGRpbjpvcGVuc2VzYW1l",
    );
  });
});
