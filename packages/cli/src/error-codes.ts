/**
 * The CLI's error codes. The Jobs client's codes are a family derived from the API's answer
 * (`DATABRICKS_JOBS_<error_code>` or `DATABRICKS_JOBS_HTTP_<status>`; see jobs/errors.ts).
 * @packageDocumentation
 */
import { type CodedErrorOptions, type MacrometaSparkError, defineErrorCodes, errorFromTable } from "@macrometa-spark/core";

export const CLI_ERROR_CODES = defineErrorCodes({
  /** A job spec that does not validate, or cannot be turned into a Databricks job. */
  INVALID_JOB_SPEC: { retryable: false, message: "{detail}" },
  /** A sync's checkpoint belongs to another subscription. */
  CHECKPOINT_MISMATCH: {
    retryable: false,
    message: "checkpoint {checkpoint} belongs to subscription '{found}', not '{expected}'; use a new checkpointLocation to start over",
  },
  /** `--ui` named something that is not a TCP port. */
  UI_BAD_PORT: { retryable: false, message: "UI port must be an integer from 0 to 65535, got {port}" },
  /** The monitoring page's server could not bind its address. */
  UI_LISTEN_FAILED: { retryable: false, message: "UI server could not listen on {host}:{port}: {reason}" },
});

export type CliErrorCode = keyof typeof CLI_ERROR_CODES;

/** An error of one of the CLI's codes. */
export function cliError(code: CliErrorCode, values: Readonly<Record<string, unknown>>, options?: CodedErrorOptions): MacrometaSparkError {
  return errorFromTable(CLI_ERROR_CODES, code, values, options);
}
