/**
 * Driving arduino-cli: find it, check its version, install the board's core
 * and libraries, compile a sketch, find the board's port, upload. Every step
 * runs arduino-cli with JSON output and parses the documented shapes; every
 * failure becomes a ToolchainError whose hint is the command to run.
 *
 * The contract (shared/docs/anchors.md §5, checked against
 * arduino/arduino-cli internal/cli/feedback/errorcodes.go and
 * internal/cli/feedback/result/rpc.go):
 * - `--json` exists since 1.0.0 (arduino-cli#2587); older versions take
 *   `--format json`, which newer ones still accept (hidden). We pick by version.
 * - compile prints {compiler_out, compiler_err, builder_result{build_path,
 *   used_libraries[], executable_sections_size[{name,size,max_size}],
 *   diagnostics[]}, success, error?} on stdout, also on failure (exit 1).
 *   Zero-valued fields are omitted (omitempty).
 * - Other fatal errors print {"error": "..."} on stderr.
 * - board list: {detected_ports:[{port{address,protocol,label},
 *   matching_boards[{name,fqbn}]}]} since 0.36; a bare array of the same
 *   items in 0.19-0.35; a bare array of {address, boards[]} before 0.19.
 * - core list: {platforms:[{id, installed_version}]} since 0.36, else a bare
 *   array of {id, installed}. lib list: {installed_libraries:[{library}]}
 *   since 0.36, else a bare array of {library}.
 * - Exit codes (errorcodes.go): 0 ok, 1 generic (a failed compile or upload),
 *   3 no config file, 5 network, 6 core config, 7 bad argument, 8/9 daemon
 *   TCP port, 10 inventory initialisation, 11 missing programmer. anchors.md
 *   §5 lists 8/9/10 as sketch/compilation/upload; no arduino-cli release has
 *   used those meanings (compile and upload failures exit 1).
 */
import { accessSync, constants, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { ResolvedBoard } from '../../lib/boards.js';
import { ToolchainError } from '../../lib/errors.js';
import { findOnPath, runTool, tail, type RunResult } from './exec.js';

/** Oldest arduino-cli tinyforge drives: 0.19 gave board list its port/matching_boards shape. */
export const MIN_ARDUINO_CLI_VERSION = '0.19.0';
/** First version with the `--json` flag. */
const JSON_FLAG_VERSION = '1.0.0';
export const INSTALL_ARDUINO_CLI_HINT =
  'install arduino-cli (https://arduino.github.io/arduino-cli/latest/installation/, e.g. `curl -fsSL https://raw.githubusercontent.com/arduino/arduino-cli/master/install.sh | sh`), or pass --arduino-cli PATH, or set TINYFORGE_ARDUINO_CLI';

/** Long steps report here; the CLI shows a spinner on a TTY and plain lines otherwise. */
export interface ProgressSink {
  /** A step starts ("compiling for esp32:esp32:esp32"). */
  start(step: string): void;
  /** The step that started last ended; `detail` is the summary line. */
  done(detail: string): void;
  fail(detail: string): void;
}

const SILENT: ProgressSink = { start() {}, done() {}, fail() {} };

export interface ArduinoCli {
  /** Absolute path of the executable. */
  readonly path: string;
  /** Where it was found: the flag, the environment variable or PATH. */
  readonly from: '--arduino-cli' | 'TINYFORGE_ARDUINO_CLI' | 'PATH';
  /** VersionString of `arduino-cli version` (e.g. "1.1.1", "nightly-20240101"). */
  readonly version: string;
  /** The flag(s) that ask for JSON output on this version. */
  readonly jsonFlag: readonly string[];
  /** Environment of every run (PATH, HOME, ARDUINO_* settings...). */
  readonly env: NodeJS.ProcessEnv;
  readonly progress: ProgressSink;
}

export interface FindOptions {
  /** --arduino-cli PATH. */
  path?: string;
  /** Default process.env; also passed to every arduino-cli run. */
  env?: NodeJS.ProcessEnv;
  progress?: ProgressSink;
}

/** The arduino-cli to use: --arduino-cli PATH, then $TINYFORGE_ARDUINO_CLI, then PATH; its version checked. */
export async function findArduinoCli(opts: FindOptions = {}): Promise<ArduinoCli> {
  const env = opts.env ?? process.env;
  let path: string;
  let from: ArduinoCli['from'];
  if (opts.path) {
    path = checkExecutable(opts.path, '--arduino-cli');
    from = '--arduino-cli';
  } else if (env.TINYFORGE_ARDUINO_CLI) {
    path = checkExecutable(env.TINYFORGE_ARDUINO_CLI, 'TINYFORGE_ARDUINO_CLI');
    from = 'TINYFORGE_ARDUINO_CLI';
  } else {
    const found = findOnPath(process.platform === 'win32' ? 'arduino-cli.exe' : 'arduino-cli', env);
    if (!found) throw new ToolchainError('arduino-cli-missing', 'arduino-cli is not installed (not found on PATH); tinyforge flash needs it to compile and upload', INSTALL_ARDUINO_CLI_HINT);
    path = found;
    from = 'PATH';
  }
  const version = await readVersion(path, env);
  if (isRelease(version) && compareVersions(version, MIN_ARDUINO_CLI_VERSION) < 0) {
    throw new ToolchainError(
      'arduino-cli-too-old',
      `arduino-cli ${version} (${path}) is too old: expected ${MIN_ARDUINO_CLI_VERSION} or newer`,
      `update it: run \`arduino-cli upgrade\` or reinstall from https://arduino.github.io/arduino-cli/latest/installation/`,
    );
  }
  // Snapshots and nightlies are built from the main branch: treat them as new.
  const jsonFlag = !isRelease(version) || compareVersions(version, JSON_FLAG_VERSION) >= 0 ? ['--json'] : ['--format', 'json'];
  return { path, from, version, jsonFlag, env, progress: opts.progress ?? SILENT };
}

function checkExecutable(p: string, from: string): string {
  const abs = resolve(p);
  let ok = false;
  try {
    accessSync(abs, constants.X_OK);
    ok = statSync(abs).isFile();
  } catch {
    ok = false;
  }
  if (!ok) throw new ToolchainError('arduino-cli-missing', `${from} ${p} is not an executable file`, `point ${from} at the arduino-cli binary (\`which arduino-cli\` prints it), or ${INSTALL_ARDUINO_CLI_HINT.replace(/, or pass.*$/, '')}`);
  return abs;
}

async function readVersion(path: string, env: NodeJS.ProcessEnv): Promise<string> {
  // `version --json` needs >= 1.0.0; before that `--format json` is the spelling.
  for (const flags of [['--json'], ['--format', 'json']]) {
    const r = await runTool(path, ['version', ...flags], { what: 'checking the arduino-cli version', env: env as Record<string, string>, timeoutMs: 30_000 });
    if (r.exitCode !== 0) continue;
    const v = parseJson(r.stdout) as { VersionString?: unknown } | undefined;
    if (v && typeof v.VersionString === 'string') return v.VersionString;
  }
  throw new ToolchainError('arduino-cli-version', `${path} did not report its version: \`${path} version --json\` printed no {"VersionString": ...}`, `check that ${path} is arduino-cli (run \`${path} version\`); ${INSTALL_ARDUINO_CLI_HINT}`);
}

const isRelease = (v: string) => /^\d+\.\d+\.\d+/.test(v);

/** Compares the x.y.z prefixes of two versions. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).slice(0, 3).map((n) => parseInt(n, 10) || 0);
  const pb = b.split(/[.-]/).slice(0, 3).map((n) => parseInt(n, 10) || 0);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
  return 0;
}

// ---- running it ----

function parseJson(text: string): unknown {
  const t = text.trim();
  if (!t) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

/** The error text of a fatal arduino-cli run: {"error": ...} on stderr (JSON mode) or plain text. */
function fatalText(r: RunResult): string {
  for (const s of [r.stderr, r.stdout]) {
    const j = parseJson(s) as { error?: unknown } | undefined;
    if (j && typeof j.error === 'string' && j.error) return j.error;
  }
  return tail(`${r.stderr}${r.stdout}`.trim(), 15) || '(it printed nothing)';
}

function shellQuote(a: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

/** How a user types the command that tinyforge ran, for hints. */
export function commandLine(args: readonly string[]): string {
  return ['arduino-cli', ...args].map(shellQuote).join(' ');
}

/**
 * The error for a non-zero exit code that the step itself does not explain.
 * Codes from arduino-cli internal/cli/feedback/errorcodes.go.
 */
export function exitCodeError(cli: ArduinoCli, args: readonly string[], r: RunResult, what: string, board?: ResolvedBoard): ToolchainError {
  const text = fatalText(r);
  const ctx = board ? { board: board.id } : {};
  const cmd = commandLine(args);
  switch (r.exitCode) {
    case 3:
      return new ToolchainError('arduino-cli-config', `${what}: arduino-cli found no configuration file (exit code 3): ${text}`, 'run `arduino-cli config init`, then retry', ctx);
    case 5:
      return new ToolchainError('arduino-cli-network', `${what}: arduino-cli could not download (network error, exit code 5): ${text}`, `check the network connection and proxy (arduino-cli config get network.proxy), then run \`arduino-cli core update-index\` and retry \`${cmd}\``, ctx);
    case 6:
      return new ToolchainError('arduino-cli-core-config', `${what}: arduino-cli's data or download folders are missing or not writable (exit code 6): ${text}`, 'check directories.data and directories.downloads in `arduino-cli config dump`, or run `arduino-cli config init --overwrite`', ctx);
    case 7:
      return new ToolchainError('arduino-cli-bad-argument', `${what}: arduino-cli rejected the arguments (exit code 7): ${text}`, `check the board's fqbn${board?.fqbn ? ` (${board.fqbn} in ${board.file})` : ''} with \`arduino-cli board listall\`; the command was \`${cmd}\``, ctx);
    case 10:
      return new ToolchainError('arduino-cli-inventory', `${what}: arduino-cli could not initialise its inventory (exit code 10): ${text}`, 'check that directories.data in `arduino-cli config dump` is writable, or run `arduino-cli config init --overwrite`', ctx);
    case 11:
      return new ToolchainError('upload-programmer', `${what}: this board needs a programmer to upload (exit code 11): ${text}`, `list them with \`arduino-cli board details -b ${board?.fqbn ?? 'FQBN'}\` and run \`${cmd} -P PROGRAMMER\``, ctx);
    default:
      return new ToolchainError('arduino-cli-failed', `${what}: \`${cmd}\` failed with exit code ${r.exitCode}: ${text}`, `run \`${cmd}\` by hand to see its full output`, ctx);
  }
}

interface Step {
  what: string;
  timeoutMs: number;
  /** Shown by the progress sink; default: no progress line. */
  progress?: string;
}

async function run(cli: ArduinoCli, args: readonly string[], step: Step): Promise<RunResult> {
  const full = [...args, ...cli.jsonFlag];
  if (step.progress) cli.progress.start(step.progress);
  try {
    return await runTool(cli.path, full, {
      what: step.what,
      env: cli.env as Record<string, string>,
      timeoutMs: step.timeoutMs,
      timeoutHint: `run \`${commandLine(args)}\` by hand to see where it stops`,
    });
  } catch (e) {
    if (step.progress) cli.progress.fail(`${step.progress}: failed`);
    throw e;
  }
}

/** Ends the progress step of a run that returned. */
function finish(cli: ArduinoCli, step: Step, r: RunResult, detail?: string): void {
  if (!step.progress) return;
  if (r.exitCode === 0) cli.progress.done(detail ?? `${step.progress} (${(r.ms / 1000).toFixed(1)} s)`);
  else cli.progress.fail(`${step.progress}: failed`);
}

/** The board's fqbn and arduino data; a ToolchainError for boards arduino-cli cannot build for. */
export function requireFqbn(board: ResolvedBoard): { fqbn: string; arduino: NonNullable<ResolvedBoard['arduino']> } {
  if (!board.fqbn || !board.arduino) {
    throw new ToolchainError('no-fqbn', `board ${board.id} is not an Arduino board (its fqbn is null), so arduino-cli cannot build for it`, board.emulation ? `run it under its emulator instead: tinyforge validate MODEL --board ${board.id} --emulate` : 'pick a board with an fqbn (tinyforge analyze --help lists the ids), or set "fqbn" in your board file', { board: board.id });
  }
  return { fqbn: board.fqbn, arduino: board.arduino };
}

// ---- cores ----

/** The command that installs the board's core (with its board-manager URL when it needs one). */
export function coreInstallArgs(board: ResolvedBoard): string[] {
  const { arduino } = requireFqbn(board);
  return ['core', 'install', arduino.core, ...(arduino.boardManagerUrl ? ['--additional-urls', arduino.boardManagerUrl] : [])];
}

/** Installed platforms: id -> version. */
export async function installedCores(cli: ArduinoCli): Promise<Map<string, string>> {
  const args = ['core', 'list'];
  const r = await run(cli, args, { what: 'listing the installed cores', timeoutMs: 120_000 });
  if (r.exitCode !== 0) throw exitCodeError(cli, args, r, 'listing the installed cores');
  const j = parseJson(r.stdout);
  const list = Array.isArray(j) ? j : ((j as { platforms?: unknown } | undefined)?.platforms ?? []);
  const out = new Map<string, string>();
  for (const p of Array.isArray(list) ? (list as Record<string, unknown>[]) : []) {
    const version = p.installed_version ?? p.installed;
    if (typeof p.id === 'string' && typeof version === 'string' && version) out.set(p.id.toLowerCase(), version);
  }
  return out;
}

/** Installs the board's core unless it is there; with install false, a missing core is an error that names the command. */
export async function ensureCore(cli: ArduinoCli, board: ResolvedBoard, opts: { install: boolean }): Promise<{ core: string; version: string; installed: boolean }> {
  const { arduino } = requireFqbn(board);
  const have = (await installedCores(cli)).get(arduino.core.toLowerCase());
  if (have) return { core: arduino.core, version: have, installed: false };
  const args = coreInstallArgs(board);
  if (!opts.install) throw missingCore(board, 'it is not installed');
  const step = { what: `installing the ${arduino.core} core`, timeoutMs: 45 * 60_000, progress: `installing core ${arduino.core}` };
  const r = await run(cli, args, step);
  finish(cli, step, r);
  if (r.exitCode === 1 && /not found/i.test(fatalText(r))) {
    throw new ToolchainError('core-install-failed', `installing core ${arduino.core} failed: ${fatalText(r)}`, arduino.boardManagerUrl ? `check that ${arduino.boardManagerUrl} is reachable, then run \`${commandLine(args)}\`` : `run \`arduino-cli core update-index\`, then \`${commandLine(args)}\``, { board: board.id });
  }
  if (r.exitCode !== 0) throw exitCodeError(cli, args, r, `installing core ${arduino.core}`, board);
  const after = (await installedCores(cli)).get(arduino.core.toLowerCase());
  return { core: arduino.core, version: after ?? 'unknown', installed: true };
}

function missingCore(board: ResolvedBoard, why: string): ToolchainError {
  const { arduino, fqbn } = requireFqbn(board);
  return new ToolchainError('core-missing', `the ${arduino.core} core that builds ${fqbn} is missing: ${why}`, `run \`${commandLine(coreInstallArgs(board))}\` (or let tinyforge flash install it: drop --no-install)`, { board: board.id });
}

// ---- libraries ----

/** "NAME@1.2.3" -> { name, version }. */
export function splitLibrary(spec: string): { name: string; version: string | null } {
  const at = spec.lastIndexOf('@');
  return at > 0 ? { name: spec.slice(0, at), version: spec.slice(at + 1) } : { name: spec, version: null };
}

/** Installed libraries: lower-cased name -> version. */
export async function installedLibraries(cli: ArduinoCli): Promise<Map<string, string>> {
  const args = ['lib', 'list'];
  const r = await run(cli, args, { what: 'listing the installed libraries', timeoutMs: 120_000 });
  if (r.exitCode !== 0) throw exitCodeError(cli, args, r, 'listing the installed libraries');
  const j = parseJson(r.stdout);
  const list = Array.isArray(j) ? j : ((j as { installed_libraries?: unknown } | undefined)?.installed_libraries ?? []);
  const out = new Map<string, string>();
  for (const item of Array.isArray(list) ? (list as { library?: { name?: unknown; version?: unknown } }[]) : []) {
    const lib = item.library;
    if (lib && typeof lib.name === 'string') out.set(lib.name.toLowerCase(), typeof lib.version === 'string' ? lib.version : '');
  }
  return out;
}

/**
 * Installs the libraries (Library Manager NAME or NAME@VERSION) that are not
 * there, or with a different version than pinned. With install false, any
 * missing one is an error naming the command.
 */
export async function ensureLibraries(cli: ArduinoCli, specs: readonly string[], opts: { install: boolean; board?: ResolvedBoard }): Promise<{ installed: string[]; present: string[] }> {
  const result = { installed: [] as string[], present: [] as string[] };
  if (specs.length === 0) return result;
  const have = await installedLibraries(cli);
  const missing = specs.filter((s) => {
    const { name, version } = splitLibrary(s);
    const v = have.get(name.toLowerCase());
    return v === undefined || (version !== null && v !== version);
  });
  result.present = specs.filter((s) => !missing.includes(s));
  if (missing.length === 0) return result;
  const args = ['lib', 'install', ...missing];
  const ctx = opts.board ? { board: opts.board.id } : {};
  if (!opts.install) {
    throw new ToolchainError('library-missing', `${missing.length === 1 ? 'library' : 'libraries'} ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not installed${opts.board ? ` (board ${opts.board.id} needs ${missing.length === 1 ? 'it' : 'them'})` : ''}`, `run \`${commandLine(args)}\` (or let tinyforge flash install ${missing.length === 1 ? 'it' : 'them'}: drop --no-install)`, ctx);
  }
  const step = { what: `installing ${missing.join(', ')}`, timeoutMs: 20 * 60_000, progress: `installing ${missing.length === 1 ? 'library' : 'libraries'} ${missing.join(', ')}` };
  const r = await run(cli, args, step);
  finish(cli, step, r);
  if (r.exitCode !== 0) {
    const text = fatalText(r);
    const notFound = /Library '([^']+)' not found/i.exec(text);
    if (notFound) {
      throw new ToolchainError('library-not-found', `library ${notFound[1]} is not in the Library Manager index: ${text}`, `run \`arduino-cli lib update-index\` and \`arduino-cli lib search ${shellQuote(splitLibrary(notFound[1]!).name)}\` to find its current name, then \`arduino-cli lib install NAME\`; fix the name in ${opts.board?.file ?? 'the board file'}`, ctx);
    }
    throw exitCodeError(cli, args, r, `installing ${missing.join(', ')}`, opts.board);
  }
  result.installed = missing;
  return result;
}

// ---- compile ----

export interface SectionSize {
  readonly name: string;
  readonly size: number;
  /** 0 when the board has no limit for it (omitted by arduino-cli). */
  readonly maxSize: number;
}

export interface CompileDiagnostic {
  readonly severity: string;
  readonly message: string;
  readonly file: string | null;
  readonly line: number | null;
  readonly column: number | null;
}

export interface CompileReport {
  readonly fqbn: string;
  readonly sketchDir: string;
  readonly buildPath: string;
  /** Program (flash) bytes: the text section. */
  readonly flashBytes: number;
  /** arduino-cli's flash limit (upload.maximum_size), else the board file's; null if neither. */
  readonly flashMaxBytes: number | null;
  /** Static RAM bytes: the data section; null when arduino-cli did not report one. */
  readonly ramBytes: number | null;
  readonly ramMaxBytes: number | null;
  readonly sections: readonly SectionSize[];
  readonly usedLibraries: readonly { readonly name: string; readonly version: string | null; readonly dir: string | null }[];
  readonly diagnostics: readonly CompileDiagnostic[];
  readonly platform: { readonly id: string; readonly version: string } | null;
  readonly warnings: readonly string[];
  readonly ms: number;
}

/** The compile --json document (fields this module reads). */
interface CompileJson {
  compiler_out?: string;
  compiler_err?: string;
  success?: boolean;
  error?: string;
  builder_result?: {
    build_path?: string;
    used_libraries?: { name?: string; version?: string; install_dir?: string }[];
    executable_sections_size?: { name?: string; size?: number; max_size?: number }[];
    board_platform?: { id?: string; version?: string };
    diagnostics?: { severity?: string; message?: string; file?: string; line?: number; column?: number }[];
  };
}

export interface CompileOptions {
  /** --build-path (a cache folder reused across builds); default: arduino-cli's own. */
  buildPath?: string;
  /** key=value, each passed as --build-property (after the board's own). */
  buildProperties?: readonly string[];
  /** Extra library specs (NAME) whose headers may be missing, for the error hint. */
  libraryHints?: readonly { header: string; library: string }[];
}

/** The arguments of the compile step. */
export function compileArgs(board: ResolvedBoard, sketchDir: string, opts: CompileOptions = {}): string[] {
  const { fqbn, arduino } = requireFqbn(board);
  const props = [...arduino.buildProperties, ...(opts.buildProperties ?? [])];
  return [
    'compile',
    '--fqbn', fqbn,
    ...props.flatMap((p) => ['--build-property', p]),
    ...(opts.buildPath ? ['--build-path', opts.buildPath] : []),
    resolve(sketchDir),
  ];
}

export async function compileSketch(cli: ArduinoCli, board: ResolvedBoard, sketchDir: string, opts: CompileOptions = {}): Promise<CompileReport> {
  const { fqbn } = requireFqbn(board);
  const args = compileArgs(board, sketchDir, opts);
  const step = { what: `compiling ${basename(sketchDir)} for ${fqbn}`, timeoutMs: 30 * 60_000, progress: `compiling ${basename(sketchDir)} for ${fqbn}` };
  const r = await run(cli, args, step);
  const j = parseJson(r.stdout) as CompileJson | undefined;
  if (r.exitCode !== 0 || !j || j.success === false) {
    finish(cli, step, { ...r, exitCode: r.exitCode || 1 });
    throw compileError(cli, board, args, r, j, opts);
  }
  const br = j.builder_result ?? {};
  const sections: SectionSize[] = (br.executable_sections_size ?? []).map((s) => ({ name: String(s.name ?? ''), size: Number(s.size ?? 0), maxSize: Number(s.max_size ?? 0) }));
  const text = sections.find((s) => s.name === 'text');
  const data = sections.find((s) => s.name === 'data');
  const warnings: string[] = [];
  if (!text) warnings.push('arduino-cli reported no text section size; flash use is unknown');
  if (text && text.maxSize && board.memory.maxTextBytes !== null && text.maxSize !== board.memory.maxTextBytes) {
    warnings.push(`arduino-cli's flash limit ${text.maxSize} B differs from memory.maxTextBytes ${board.memory.maxTextBytes} B in ${board.file} (a board menu option, or an outdated board file)`);
  }
  if (data && data.maxSize && board.memory.maxDataBytes !== null && data.maxSize !== board.memory.maxDataBytes) {
    warnings.push(`arduino-cli's RAM limit ${data.maxSize} B differs from memory.maxDataBytes ${board.memory.maxDataBytes} B in ${board.file}`);
  }
  const report: CompileReport = {
    fqbn,
    sketchDir: resolve(sketchDir),
    buildPath: br.build_path ?? opts.buildPath ?? '',
    flashBytes: text?.size ?? 0,
    flashMaxBytes: text?.maxSize || board.memory.maxTextBytes,
    ramBytes: data ? data.size : null,
    ramMaxBytes: data?.maxSize || board.memory.maxDataBytes,
    sections,
    usedLibraries: (br.used_libraries ?? []).map((l) => ({ name: String(l.name ?? ''), version: l.version ? String(l.version) : null, dir: l.install_dir ? String(l.install_dir) : null })),
    diagnostics: diagnostics(j),
    platform: br.board_platform?.id ? { id: br.board_platform.id, version: String(br.board_platform.version ?? '') } : null,
    warnings,
    ms: r.ms,
  };
  finish(cli, step, r, `compiled for ${fqbn} in ${(r.ms / 1000).toFixed(1)} s: flash ${report.flashBytes} B${report.ramBytes !== null ? `, RAM ${report.ramBytes} B` : ''}`);
  return report;
}

function diagnostics(j: CompileJson | undefined): CompileDiagnostic[] {
  return (j?.builder_result?.diagnostics ?? []).map((d) => ({
    severity: String(d.severity ?? ''),
    message: String(d.message ?? ''),
    file: d.file ? String(d.file) : null,
    line: d.line ?? null,
    column: d.column ?? null,
  }));
}

function compileError(cli: ArduinoCli, board: ResolvedBoard, args: string[], r: RunResult, j: CompileJson | undefined, opts: CompileOptions): ToolchainError {
  const ctx = { board: board.id };
  const { fqbn } = requireFqbn(board);
  const cmd = commandLine(args);
  if (!j) return exitCodeError(cli, args, r, `compiling for ${fqbn}`, board);
  const error = j.error ?? '';
  const compilerErr = j.compiler_err ?? '';
  const all = `${error}\n${compilerErr}\n${r.stderr}`;
  if (/Platform '([^']+)' not found/.test(all)) {
    return missingCore(board, /not found in any known index/i.test(all) ? 'arduino-cli does not know its package index' : 'it is not installed');
  }
  const header = /fatal error: ([^\s:]+\.h(?:pp)?): No such file or directory/.exec(all);
  if (header) {
    const h = header[1]!;
    const known = [
      ...(opts.libraryHints ?? []),
      ...(board.tflm.header && board.tflm.install ? [{ header: board.tflm.header, library: board.tflm.install.replace(/^arduino-cli lib install\s+/, '') }] : []),
      ...board.sensors.filter((s) => s.header && s.library).map((s) => ({ header: s.header!.replace(/^<|>$/g, ''), library: s.library! })),
    ].find((k) => basename(k.header) === basename(h));
    return new ToolchainError(
      'library-missing',
      `compiling for ${fqbn}: header ${h} was not found, so a library the sketch includes is not installed`,
      known ? `run \`${commandLine(['lib', 'install', known.library])}\`, then flash again` : `find the library that provides it with \`arduino-cli lib search ${shellQuote(h.replace(/\.h(pp)?$/, ''))}\`, then run \`arduino-cli lib install NAME\``,
      ctx,
    );
  }
  for (const [which, memory] of [['text', 'flash'], ['data', 'RAM']] as const) {
    if (new RegExp(`${which} section exceeds available space`).test(all)) {
      const s = j.builder_result?.executable_sections_size?.find((x) => x.name === which);
      const sizes = s?.size ? `: needs ${s.size} B, ${fqbn} allows ${s.max_size ?? '?'} B` : '';
      return new ToolchainError('sketch-too-big', `the firmware does not fit the ${memory} of ${fqbn}${sizes}`, `run \`tinyforge analyze MODEL --board ${board.id}\` for what takes the space and what to try (a smaller model, another board)`, ctx);
    }
  }
  const errs = diagnostics(j).filter((d) => d.severity === 'ERROR' || d.severity === 'error');
  const first = errs[0];
  const where = first ? `${first.file ?? '?'}${first.line ? `:${first.line}` : ''}${first.column ? `:${first.column}` : ''}: ${first.message}` : tail(compilerErr || error || r.stderr, 15);
  return new ToolchainError(
    'compile-failed',
    `compiling for ${fqbn} failed${errs.length > 1 ? ` (${errs.length} errors; the first)` : ''}: ${where}`,
    `run \`${cmd.replace(/ --json| --format json/, '')}\` for the full compiler output; if the error is in tinyforge's generated files, please report it`,
    ctx,
  );
}

// ---- ports ----

export interface DetectedPort {
  readonly address: string;
  readonly protocol: string;
  readonly label: string;
  readonly boards: readonly { readonly name: string; readonly fqbn: string }[];
}

/** Parses `board list` JSON: {detected_ports:[...]} (>= 0.36), a bare array of {port, matching_boards} (0.19-0.35) or of {address, boards} (older). */
export function parseBoardList(json: unknown): DetectedPort[] {
  const list = Array.isArray(json) ? json : ((json as { detected_ports?: unknown } | null | undefined)?.detected_ports ?? []);
  if (!Array.isArray(list)) return [];
  return (list as Record<string, any>[]).map((item) => {
    const port = (item.port ?? item) as Record<string, unknown>;
    const boards = (item.matching_boards ?? item.boards ?? []) as { name?: unknown; fqbn?: unknown }[];
    return {
      address: String(port.address ?? ''),
      protocol: String(port.protocol ?? ''),
      label: String(port.label ?? port.address ?? ''),
      boards: (Array.isArray(boards) ? boards : []).filter((m) => typeof m.fqbn === 'string').map((m) => ({ name: String(m.name ?? ''), fqbn: String(m.fqbn) })),
    };
  }).filter((p) => p.address);
}

/** Board-level FQBN (packager:arch:board) without menu options. */
const boardPart = (fqbn: string) => fqbn.split(':').slice(0, 3).join(':');

export async function listPorts(cli: ArduinoCli): Promise<DetectedPort[]> {
  const args = ['board', 'list'];
  const step = { what: 'looking for connected boards', timeoutMs: 120_000, progress: 'looking for connected boards' };
  const r = await run(cli, args, step);
  if (r.exitCode !== 0) {
    finish(cli, step, r);
    throw exitCodeError(cli, args, r, 'looking for connected boards');
  }
  const ports = parseBoardList(parseJson(r.stdout));
  finish(cli, step, r, `found ${ports.length} port${ports.length === 1 ? '' : 's'}`);
  return ports;
}

/** The one port whose matching boards include the board's fqbn; an error naming what to pass otherwise. */
export function pickPort(ports: readonly DetectedPort[], board: ResolvedBoard): DetectedPort {
  const { fqbn } = requireFqbn(board);
  const want = boardPart(fqbn);
  const matches = ports.filter((p) => p.boards.some((b) => boardPart(b.fqbn) === want));
  if (matches.length === 1) return matches[0]!;
  const ctx = { board: board.id };
  if (matches.length > 1) {
    return fail(new ToolchainError('several-boards', `${matches.length} connected boards match ${want}: ${matches.map((p) => p.address).join(', ')}; expected one`, `pick one: --port ${matches[0]!.address}`, ctx));
  }
  const serial = ports.filter((p) => p.protocol === 'serial' || p.protocol === '');
  const seen = ports.length === 0
    ? 'arduino-cli board list found no ports'
    : `arduino-cli board list found ${ports.map((p) => `${p.address} (${p.boards.length ? p.boards.map((b) => b.fqbn).join(', ') : 'unknown board'})`).join(', ')}`;
  const hint = serial.length > 0
    ? `if the board is on one of those ports (boards behind a USB-serial bridge show no name), pass it: --port ${serial[0]!.address}; otherwise connect it by USB and run \`arduino-cli board list\``
    : 'connect the board by USB (a data cable, not a charge-only one), run `arduino-cli board list` until it shows a port, then flash again or pass --port PORT';
  return fail(new ToolchainError('no-board', `no connected board matches ${want}: ${seen}`, hint, ctx));
}

function fail(e: ToolchainError): never {
  throw e;
}

// ---- upload ----

export interface UploadReport {
  readonly port: string;
  /** The port the board came back on (some boards re-enumerate after the upload). */
  readonly newPort: string | null;
  readonly ms: number;
}

export function uploadArgs(board: ResolvedBoard, sketchDir: string, port: string, inputDir?: string): string[] {
  const { fqbn } = requireFqbn(board);
  return ['upload', '-p', port, '--fqbn', fqbn, ...(inputDir ? ['--input-dir', inputDir] : []), resolve(sketchDir)];
}

/** Uploads what compileSketch built (upload does not compile: pass the compile's build path as inputDir). */
export async function uploadSketch(cli: ArduinoCli, board: ResolvedBoard, sketchDir: string, port: string, opts: { inputDir?: string } = {}): Promise<UploadReport> {
  const { fqbn } = requireFqbn(board);
  const args = uploadArgs(board, sketchDir, port, opts.inputDir);
  const step = { what: `uploading to ${port}`, timeoutMs: 10 * 60_000, progress: `uploading to ${fqbn} on ${port}` };
  const r = await run(cli, args, step);
  if (r.exitCode === 1) {
    finish(cli, step, r);
    const j = parseJson(r.stderr) as { error?: string; output?: { stdout?: string; stderr?: string } } | undefined;
    const out = tail(`${j?.output?.stdout ?? ''}${j?.output?.stderr ?? ''}`.trim(), 10);
    throw new ToolchainError(
      'upload-failed',
      `uploading to ${fqbn} on ${port} failed: ${fatalText(r)}${out ? `\n${out}` : ''}`,
      `check that ${port} is the board (\`arduino-cli board list\`) and no serial monitor holds it open; double-press reset to enter the bootloader if the board does not respond; then run \`${commandLine(args)}\``,
      { board: board.id },
    );
  }
  if (r.exitCode !== 0) {
    finish(cli, step, r);
    throw exitCodeError(cli, args, r, `uploading to ${port}`, board);
  }
  const j = parseJson(r.stdout) as { updated_upload_port?: { address?: string } } | undefined;
  finish(cli, step, r, `uploaded to ${port} in ${(r.ms / 1000).toFixed(1)} s`);
  return { port, newPort: j?.updated_upload_port?.address ?? null, ms: r.ms };
}
