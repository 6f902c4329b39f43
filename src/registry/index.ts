// Public API of the registry client. The HTTP layer imports from here only.
export { pull, pullModel, MANIFEST_ACCEPT, type PullOptions, type TransferOptions } from "./pull.js";
export { push, pushModel, type PushOptions } from "./push.js";
export { progressStream, shortDigest, type ProgressFn, type ProgressResponse } from "./progress.js";
export { resolveEndpoint, manifestUrl, blobUrl, type Endpoint } from "./endpoint.js";
export { DEFAULT_TUNING, type Tuning } from "./tuning.js";
export type { Credentials } from "./auth.js";
export {
  InsecureProtocolError,
  MaxRetriesError,
  RegistryError,
  RegistryHttpError,
  RegistryNotFoundError,
  UnauthorizedError,
} from "./errors.js";
