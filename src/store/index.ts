// Public API of the model store. Other modules import from here only.
export { createStore } from "./store.js";
export type { CreatedLayer, ModelContents, NameInput, Store, StoreOptions, WriteOptions } from "./store.js";

export {
  BlobNotFoundError,
  CorruptManifestError,
  DigestMismatchError,
  InvalidDigestError,
  InvalidNameError,
  ModelNotFoundError,
  StoreError,
  goQuote,
  type NameRole,
} from "./errors.js";

export {
  DEFAULT_HOST,
  DEFAULT_NAMESPACE,
  DEFAULT_SCHEME,
  DEFAULT_TAG,
  canonicaliseName,
  displayShortest,
  isFullyQualified,
  isValidNamespace,
  isValidPart,
  nameFilepath,
  nameToString,
  namesEqualFold,
  parseModelName,
  parseName,
  parseNameBare,
  parseNameFromFilepath,
  type ModelName,
  type PartKind,
} from "./names.js";

export {
  assertDigest,
  blobFileName,
  isValidDigest,
  sha256Digest,
  type BlobInfo,
  type BlobSource,
} from "./blobs.js";

export {
  CONFIG_MEDIA_TYPE,
  MANIFEST_MEDIA_TYPE,
  MEDIA_TYPES,
  encodeConfig,
  encodeManifest,
  manifestDigests,
  manifestSize,
  parseConfig,
  parseManifestBytes,
  type ConfigV2,
  type DraftConfig,
  type Layer,
  type Manifest,
  type ManifestFile,
  type ParsedManifest,
} from "./manifest.js";

export { goJson, goJsonLine, type GoJsonOptions } from "./gojson.js";
export type { ManifestEntry } from "./scan.js";
export type { ResolvedLayer, StoredMessage, StoredModel } from "./model.js";
export type { ModelDetails, ModelSummary } from "./summary.js";
export type { PruneReport } from "./prune.js";
