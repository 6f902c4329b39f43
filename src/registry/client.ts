// A registry session: one token (or basic credentials) shared by every request of a pull or push,
// refreshed on a 401 challenge, and redirects followed by hand so credentials never reach a host
// other than the registry's.
import { basicAuthorization, fetchToken, parseChallenge, type Credentials } from "./auth.js";
import { RegistryHttpError, RegistryNotFoundError, UnauthorizedError } from "./errors.js";
import { discard, header, readText, send, type HttpRequest, type HttpResponse } from "./http.js";

export const USER_AGENT = `tollama (${process.arch} ${process.platform}) Node/${process.version}`;

const MAX_REDIRECTS = 10;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface ClientOptions {
  credentials?: Credentials;
  /** A bearer token to start with (skips the first challenge round trip). */
  token?: string;
  userAgent?: string;
  /** Socket inactivity that fails a request (the stall timeout). */
  idleTimeoutMs?: number;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  body?: HttpRequest["body"];
  signal?: AbortSignal;
  /** Return 3xx responses instead of following them (upload flows read their Location). */
  manualRedirect?: boolean;
}

export class RegistryClient {
  private token: string | undefined;
  private readonly credentials: Credentials | undefined;
  readonly userAgent: string;
  private readonly idleTimeoutMs: number | undefined;

  constructor(options: ClientOptions = {}) {
    this.token = options.token;
    this.credentials = options.credentials;
    this.userAgent = options.userAgent ?? USER_AGENT;
    this.idleTimeoutMs = options.idleTimeoutMs;
  }

  private authorization(): string | undefined {
    if (this.token) return `Bearer ${this.token}`;
    // Ollama sends configured credentials up front; so do we (only ever to the registry's host).
    return this.credentials ? basicAuthorization(this.credentials) : undefined;
  }

  /** Answers a 401: fetch a token for a Bearer challenge, or switch to Basic credentials. */
  private async authenticate(res: HttpResponse, signal?: AbortSignal): Promise<boolean> {
    const challenge = parseChallenge(header(res, "www-authenticate"));
    if (challenge?.scheme === "bearer") {
      this.token = await fetchToken({
        challenge,
        credentials: this.credentials,
        userAgent: this.userAgent,
        signal,
        idleTimeoutMs: this.idleTimeoutMs,
      });
      return true;
    }
    // Credentials already went out as Basic unless a token displaced them; retrying is pointless.
    if (challenge?.scheme === "basic" && this.credentials && this.token) {
      this.token = undefined;
      return true;
    }
    return false;
  }

  /**
   * One request with Ollama's makeRequestWithRetry semantics: a 401 fetches a token and retries
   * once, 404 is "file does not exist", any other status >= 400 is "<code>: <body>".
   */
  async request(method: string, url: URL, options: RequestOptions = {}): Promise<HttpResponse> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const res = await this.sendFollowing(method, url, options);
      if (res.status === 401) {
        discard(res);
        if (!(await this.authenticate(res, options.signal))) break;
        continue;
      }
      if (res.status === 404) {
        discard(res);
        throw new RegistryNotFoundError();
      }
      if (res.status >= 400) throw new RegistryHttpError(res.status, await readText(res).catch(() => ""));
      return res;
    }
    throw new UnauthorizedError();
  }

  /** Follows GET/HEAD redirects; the Authorization header stays with the registry's host:port. */
  private async sendFollowing(method: string, url: URL, options: RequestOptions): Promise<HttpResponse> {
    let current = url;
    let currentMethod = method;
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { "User-Agent": this.userAgent, ...options.headers };
      const auth = current.host === url.host ? this.authorization() : undefined;
      if (auth) headers.Authorization = auth;
      const res = await send({
        method: currentMethod,
        url: current,
        headers,
        body: options.body,
        signal: options.signal,
        idleTimeoutMs: this.idleTimeoutMs,
      });
      const location = header(res, "location");
      const follows = !options.manualRedirect && (currentMethod === "GET" || currentMethod === "HEAD");
      if (!follows || !REDIRECT_STATUSES.has(res.status) || !location) return res;
      discard(res);
      if (hop >= MAX_REDIRECTS) throw new Error(`stopped after ${MAX_REDIRECTS} redirects`);
      current = new URL(location, current);
      if (res.status === 303 && currentMethod !== "HEAD") currentMethod = "GET";
    }
  }
}
