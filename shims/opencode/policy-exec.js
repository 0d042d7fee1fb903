// policy-exec for OpenCode: asks `policy-exec hook opencode` about every command
// OpenCode's bash tool is about to run, and blocks it (by throwing, which OpenCode
// reports to the model) on a deny, a request (OpenCode's plugins cannot ask), a
// non-zero exit, a reply it cannot read, or no answer within DEADLINE_MS.
//
// Install: `policy-exec sync --apply --hooks` writes this file to
// ~/.config/opencode/plugin/policy-exec.js with COMMAND pinned to that policy-exec binary
// and installation; by hand, copy it there (or to <project>/.opencode/plugin/) and put
// policy-exec's absolute path in COMMAND.
//
// Limits, stated plainly: OpenCode skips a plugin that fails to load without saying so,
// and `opencode run --pure` loads no plugins at all; either way this guard is bypassed.
// Shell mode (policy-exec as OpenCode's `shell`) has neither gap and is the recommended
// wiring; this plugin is a second line, or the only one where shell mode cannot be used.
//
// Checked against OpenCode 1.18.33 (`tool.execute.before`: input {tool, sessionID, callID},
// output {args: {command, workdir?, timeout?}}).

import { spawn } from "node:child_process";

// The hook command, one JSON array on one line (rewritten by `sync --apply --hooks`).
const COMMAND = ["policy-exec", "hook", "opencode"];
const [PROGRAM, ...ARGS] = COMMAND;
// OpenCode waits for the plugin; policy-exec answers deny on its own after 8 s.
const DEADLINE_MS = 10000;

function judge(payload) {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(PROGRAM, ARGS, { stdio: ["pipe", "pipe", "pipe"] });
    } catch (e) {
      resolve({ error: `cannot start ${PROGRAM} (${e.message})` });
      return;
    }
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve({ error: `no decision within ${DEADLINE_MS / 1000} s` });
    }, DEADLINE_MS);
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ error: `cannot start ${PROGRAM} (${e.message})` });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, err });
    });
    child.stdin.on("error", () => {});
    child.stdin.end(JSON.stringify(payload));
  });
}

export const PolicyExec = async ({ directory }) => ({
  "tool.execute.before": async (input, output) => {
    if (input.tool !== "bash") return;
    const r = await judge({
      tool: input.tool,
      sessionID: input.sessionID,
      callID: input.callID,
      args: output.args,
      cwd: directory,
    });
    // SECURITY: every way of not getting a clear answer blocks the command.
    if (r.error) throw new Error(`policy-exec: denied: ${r.error}: nothing was judged, so it must not run`);
    if (r.code !== 0) {
      const why = r.err.trim() || `policy-exec exited with ${r.signal || r.code}`;
      throw new Error(why.startsWith("policy-exec:") ? why : `policy-exec: denied: ${why}`);
    }
    if (r.out.trim() === "") return; // no opinion: OpenCode's own permissions decide
    let reply;
    try {
      reply = JSON.parse(r.out);
    } catch {
      throw new Error(`policy-exec: denied: unreadable reply from policy-exec: ${r.out.slice(0, 200)}`);
    }
    if (reply.decision === "allow") return;
    throw new Error(reply.reason || `policy-exec: denied (${JSON.stringify(reply.decision)})`);
  },
});
