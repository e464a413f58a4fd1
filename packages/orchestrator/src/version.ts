/** The orchestrator's version, sent in every AWS request's user agent as `orgpatch/<version>`. Kept equal to package.json by a test. */
export const ORGPATCH_VERSION = '0.1.0';
