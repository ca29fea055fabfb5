/**
 * Where `mmspark run` keeps what belongs to one user across runs (default checkpoints): the
 * XDG state directory, so two users on one machine never share a checkpoint in /tmp.
 * @packageDocumentation
 */
import { homedir } from "node:os";
import { join } from "node:path";

/** $MMSPARK_STATE_DIR, else $XDG_STATE_HOME/mmspark, else ~/.local/state/mmspark. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env["MMSPARK_STATE_DIR"]) return env["MMSPARK_STATE_DIR"];
  if (env["XDG_STATE_HOME"]) return join(env["XDG_STATE_HOME"], "mmspark");
  return join(env["HOME"] || homedir(), ".local", "state", "mmspark");
}

/** A job's checkpoint when its spec names none: <state dir>/checkpoints/<job name>. */
export function defaultCheckpointLocation(jobName: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(stateDir(env), "checkpoints", jobName.replace(/[^A-Za-z0-9._-]/g, "_"));
}
