/** @packageDocumentation A Macrometa-compatible GDN server (HTTP + stream WebSockets) for offline use and tests. */
export { startLocalGdn, type LocalGdn, type LocalGdnOptions } from "./server.js";
export type { LocalUser } from "./auth.js";
export { parseApiKey } from "./auth.js";
export { Faults, type FaultSettings, type HoldFilter } from "./faults.js";
export { LosslessNumber, parseJson, stringifyJson, type JsonValue } from "./json.js";
export { ManualClock, systemClock, type Clock, type ClockTimer } from "./clock.js";
export { LOCAL_GDN_ERRORS, type LocalGdnErrorCode } from "./error-codes.js";
