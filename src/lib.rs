//! policy-exec decides, for every shell command an AI coding agent runs, whether it may
//! run: allow, deny, or request a human.
//!
//! # Architecture
//!
//! Data flows one way. Each folder owns one step and never reaches back up the chain:
//!
//! ```text
//!  policy-config/*.yaml ──► resolve/ ──► effective policy (serde_json::Value) + policy_hash
//!                                            │
//!                                            ▼
//!           (per judgement: lookup/ picks the installed tree + the repository's
//!            repo.yaml, resolves through a stat-checked compiled cache)
//!                                policy/bundle.rs: Bundle (serde shape of   ◄── packs/:
//!                                policy-wrapper-rules.json; the enabled        embedded
//!                                packs' rules join here) ──► policy/rule.rs:    rule packs
//!                                compiled
//!                                Rules (Matcher + refinements + Condition), indexed by
//!                                program name
//!                                            │
//!  "-c script" ──► command/ ──► Analysis { commands: Vec<SimpleCommand>, dynamic parts,
//!                  (walk/: brush-parser AST, word expansion, nested scripts, cd / git -C
//!                  tracking; each simple command's program looked up once in
//!                  programs/: a row per program — options, what it runs, stdin — grouped
//!                  by family, followed by the walk's generic mechanisms)
//!                                            │
//!                                            ▼
//!                  policy/engine.rs: evaluate(analysis, rules, &dyn RepoState) ──► Evaluation
//!                  (every simple command, its matching rules, predicate values, decision)
//!                        │  per command: its file operands (redirections, program table)
//!                        └─► paths/: path_rules (forbidden paths) ──► deny | request
//!                                            │              ▲
//!                                            │              └── git/: RepoState over git2
//!                                            ▼                  (memoised, lazily asked;
//!                                                               gitdir.rs: what a .git holds)
//!                  report/: `check` exit codes + JSON, `explain` trace text + JSON,
//!                  shell and hook refusals
//!                                            │
//!                                            ▼
//!                  shell/: bash argv → judge → exec(real shell, Permit) | refuse | ask
//!                  hook/:  harness hook JSON → judge → reply in the harness's format
//!                          (OpenCode: through shims/opencode/policy-exec.js, a plugin)
//!                  cli check
//!                                            │ every judgement (decision, prompt answer)
//!                                            ▼
//!                  log/: one redacted JSON line per judgement, O_APPEND day files
//!                        ──► `log denials|tail|show|export --ocsf` (read-only views)
//!                        ──► diff/: two resolved policies + logged commands replayed
//!                                   through both ──► widening | narrowing (exit 1 | 0)
//!                                   ◄── modes/: `mode diff|set` (a task-domain switch)
//!
//!  a refusal (never an allow) ──► grants/: the store's grants for the exact argv, scope,
//!        │                         rules overridden ──► allow "by grant" (one-use: O_EXCL)
//!        ▼
//!  agent: propose/status/wait/withdraw (grants/proposal.rs: <state>/proposals/*.json)
//!  human: inbox/approve/reject/grants (approve/: re-judge, show, typed code, review
//!         token ──► <store>/<grant>.json + verdicts/) — approve/gate.rs refuses the
//!         agent's shells and terminals (tier A); tier B: a root-owned store via sudo
//!
//!  shims/wiring.yaml ──► setup/ (table) ──► `setup H`: resolve/ + render::sync (native
//!  (per-harness wiring)                     rules, hook) + shims ──► doctor/ verdict
//!                                       ──► `uninstall`: ledger + render::pristine
//!                                       ──► `run codex`: private passwd view ──► shell/
//! ```
//!
//! * [`command`] parses a script with a real bash grammar and lists every simple command
//!   bash could run, with words expanded the way bash expands them where they are literal,
//!   and marked unknown where they are not. Its walk over the grammar knows no program by
//!   name: what a program runs (wrappers, shells, interpreters, `xargs`, `find -exec`,
//!   git aliases, …) is a row of its table of programs, grouped by family.
//! * [`policy`] owns the rule model, matching, condition semantics inherited from the
//!   reference wrappers, and the pure decision engine. It reads no file, clock or
//!   environment: repository state comes through the [`git::RepoState`] trait.
//! * [`paths`] owns path rules (`path_rules`, forbidden paths): which file operands a
//!   simple command has (its redirections, wherever they were written, and a per-program
//!   table of operand roles), how each resolves (`cd`/`git -C`, `~`, the repository's
//!   top, lexical normalisation, symlinks of the longest existing prefix) and which rules
//!   it meets (a rule's `except` patterns leave some alone: `.env.example`). The engine
//!   asks it per command; it only ever makes a decision stricter, reads the file system
//!   only through [`git::RepoState`], and never reads a file's contents. Operands only
//!   known at run time carry a shape (`command::Word::Unknown`: a listing's names, a
//!   glob loop's values; `command::programs::listings`) that a rule must meet; names
//!   that exist when the command runs are also compared with the entries now in the
//!   tree (or git's index, for what git lists), and a whole-tree reader (`grep -r`, a
//!   forced `git add`) meets the protected files the tree holds
//!   (`RepoState::tree_entries`, `tracked_entries`), unless the script made files first.
//!   A rule about uncommitted work compares what a command deletes or moves out of the
//!   work tree with git's status (`RepoState::uncommitted_files`), by path for `rm` and
//!   by the `-name` tests of a `find` that deletes.
//! * [`modes`] is `policy-exec mode show|diff|set`: the installed mode (a task-domain,
//!   `<root>/mode`, read by [`lookup`] when `POLICY_EXEC_TASK_DOMAIN` is unset); a
//!   narrowing switch applies at once, a widening one goes through one function
//!   ([`modes::authorize_widening`]) that refuses it until the human-approval path exists.
//! * [`diff`] compares two resolved policies: each change widening, narrowing or neutral
//!   (anything not provably narrowing widens), every rule example and the decision log's
//!   recent commands replayed through both, each flip toward allow listed; `diff` exits 1
//!   on widening (a CI gate beside `snapshot`).
//! * [`git`] answers the three predicates (and git alias look-ups) with libgit2, hardened
//!   against repository-controlled code (no hooks, filters, fsmonitor; `GIT_DIR` ignored).
//! * [`resolve`] merges the six scope files exactly as the reference does and hashes the
//!   result byte-compatibly with Python's `json.dumps(sort_keys=True)`.
//! * [`govern`] checks policy trees without judging commands: `validate` (our JSON
//!   Schema in `schemas/`, then the engine's own compiler and rule examples, then every
//!   resolve chain), `versions`, `snapshot` (reference-shaped `policy_hash` snapshots,
//!   drift with the first differing key) and `init` (an embedded, valid scaffold).
//! * [`packs`] holds the rule packs (`bundles/packs/<name>.yaml`, embedded): named rule
//!   sets a scope enables with `packs: [...]` (united across scopes); their command and
//!   path rules join the bundle in [`policy::bundle::build`] with origin scope `pack`
//!   (the secrets pack's files are path rules about reading).
//! * [`report`] renders an [`policy::engine::Evaluation`] for `check` and `explain`.
//! * [`render`] turns a resolved policy into host artifacts: the wrapper bundle and
//!   dispatch manifest, and each harness's native permission file (`render::hosts`:
//!   a rule is reduced to literal tokens and how they relate to what it matches, and a
//!   host gets only entries that never widen the policy, with a per-rule report; Codex,
//!   Claude, Cursor, Droid, Gemini's policy TOML and OpenCode's `permission.bash`, while
//!   Copilot CLI, which has no file that can hold a partial policy, gets the reason).
//!   `render::apply` merges them into live files (ledger of our entries, reference
//!   markers cleaned, staged then renamed with at most three backups per file) and,
//!   with `--hooks`, installs the hook entries and the OpenCode plugin;
//!   `render::pristine` records each harness file before it is first changed, so
//!   `uninstall` can give it back byte for byte; `render::sync` is `sync`.
//! * [`setup`] puts policy-exec in front of one harness (`setup claude|codex|cursor|droid|gemini|copilot|opencode`)
//!   the way the wiring table (`shims/wiring.yaml`, [`setup::table`]) says that harness
//!   allows — native rules and hook through `render::sync`, the shell shims, the shell
//!   setting where the harness reads one from a file — and ends with `doctor`'s verdict;
//!   `uninstall` takes out what install, setup and `sync --apply` added; `run codex`
//!   starts Codex with the shim as its login shell in a private mount namespace, never
//!   by changing the account's login shell.
//! * [`lookup`] is per-project policy: for each judgement it picks the scope files that
//!   apply (the installed tree's system, user, harness and task-domain scopes; the repo
//!   scope of the repository containing the judged directory, else the installed one),
//!   and returns the compiled policy from a cache checked with a few `stat`s
//!   (`$XDG_CACHE_HOME/policy-exec/`), rebuilding it when any file changed. An installed
//!   tree that cannot be read is a deny, never a fall back.
//! * [`policy::load`] finds the policy to judge with (`--bundle`, `--manifest`,
//!   `POLICY_EXEC_MANIFEST`, `$XDG_CONFIG_HOME/policy-exec/`, `/etc/policy-exec/`, the
//!   embedded default) and turns every failure into the manifest's fallback decision.
//! * [`shell`] is shell mode: started as `bash`/`sh`/`zsh`/`dash` (a shim), it reads bash's
//!   argv, judges the script with the same engine, then `exec`s the real shell (only with
//!   an [`shell::exec::Permit`], built from an allow or an approved prompt), refuses with
//!   a human line and a JSON line (exit 126), or asks on `/dev/tty` (this binary's own
//!   exact hook command, which Gemini and Copilot run through their shell, passes
//!   unjudged). Linked under a program's name (an exec guard), it judges that program's
//!   exact argv the same way and execs the real program found on `PATH` after the guard.
//! * [`hook`] is hook mode (`policy-exec hook claude|droid|codex|cursor|gemini|copilot|
//!   opencode`): it reads the harness's pre-command JSON (bounded), judges the command
//!   in the payload's `cwd` with the same lookup and engine as `check`, and replies
//!   allow/deny/ask in the harness's format. Anything it cannot judge — bad input, no
//!   policy, a panic, a hang past its deadline — is a deny in that format plus exit 2
//!   with the reason on stderr.
//! * [`doctor`] checks an installation without judging commands: per harness, whether
//!   its shell (as that harness picks it: passwd, `CLAUDE_CODE_SHELL`, `$SHELL`, the
//!   first `bash` on `PATH`, `COPILOT_BASH_PATH`, OpenCode's `shell` key) or its hook
//!   (or OpenCode's plugin) reaches policy-exec (a Codex hook only once the user trusted
//!   it; Codex's launcher), whether the native files still hold our ledger entries for
//!   the current policy_hash, and which policy and real shell shell mode will use;
//!   every problem with the command that fixes it. It only reads (and probes whether a
//!   private mount namespace is allowed).
//! * [`log`] is the decision log: it turns a finished judgement into one redacted,
//!   size-capped JSON line appended to a UTC day file, and serves the read-only views.
//!   It never changes a decision (except the operator's `log.required`, applied by the
//!   callers); its settings come only from the system and user scopes.
//! * [`grants`] owns exceptions a human grants (SPEC §11): the grant and proposal records,
//!   matching a refused command against grants (exact or prefix argv, directory or
//!   repository scope, unexpired, uses left, the rules it overrides; never a dynamic or
//!   "could match" command; a deny only with `exceptions: allowed`), and the store
//!   (tier A: the user's state; tier B: a root-owned `approvals.store`). It also holds the
//!   agent verbs (`propose`, `status`, `wait`, `withdraw`).
//! * [`approve`] holds the human verbs (`inbox`, `approve`, `reject`, `grants …`) and
//!   [`approve::gate`], the tier-A checks the verbs and the terminal prompt run so the
//!   agent cannot drive them in the known ways (the shell-mode marker, policy-exec shell
//!   ancestors by marker or logged pid, terminals, who holds the pty's master).
//! * [`learn`] turns human acts in the decision log into suggestions (SPEC §14): shapes
//!   of commands move hint → candidate → confirmed (a pattern grant only a human makes)
//!   → suspended → archived; `rules …` are the supervision views; [`learn::export`]
//!   writes the effective policy into `AGENTS.md`/`CLAUDE.md` between markers.
//! * [`files`] reads every file a decision depends on (manifest, bundle, scope files,
//!   script operands): regular files only, opened without blocking, with a size cap, so
//!   a FIFO, `/dev/zero` or a huge file is an error, never a hang.
//! * [`facade`] is the library for harness authors: load a policy (embedded,
//!   installed, a tree, a bundle), judge a script in a directory and explain it, resolve
//!   a tree, diff two policies, read the log — one doc example per entry point.
//! * [`cli`] is the clap front end (and the switch into shell mode); `main.rs` only calls
//!   [`run`].
#![forbid(unsafe_code)]

pub mod approve;
pub mod cli;
pub mod command;
pub mod diff;
pub mod doctor;
pub mod facade;
pub mod files;
pub mod git;
pub mod govern;
pub mod grants;
pub mod hook;
pub mod learn;
pub mod log;
pub mod lookup;
pub mod modes;
pub mod packs;
pub mod paths;
pub mod policy;
pub mod render;
pub mod report;
pub mod resolve;
pub mod setup;
pub mod shell;

pub use cli::run;
