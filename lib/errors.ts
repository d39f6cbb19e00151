/**
 * Typed errors. Every error a user can cause is one of these classes: each
 * names what is wrong and where (op index, tensor, field) and carries a hint
 * that says what to do. They are formatted in one place (`formatError`), and
 * the CLI maps classes to exit codes (`exitCodeFor`).
 */

export interface ErrorContext {
  /** Operator index in execution order. */
  opIndex?: number;
  /** Operator name, e.g. CONV_2D or CUSTOM:ethos-u. */
  op?: string;
  /** Tensor index and name. */
  tensor?: number;
  tensorName?: string;
  /** Subgraph index. */
  subgraph?: number;
  /** Byte offset in the model file. */
  offset?: number;
  /** Board id or file. */
  board?: string;
  /** JSON path of a field (board files, configs). */
  field?: string;
  /** File the error is about. */
  file?: string;
}

export class TinyforgeError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly context: ErrorContext;
  constructor(code: string, message: string, hint?: string, context: ErrorContext = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.hint = hint;
    this.context = context;
  }
  toJSON(): Record<string, unknown> {
    return { error: this.name, code: this.code, message: this.message, hint: this.hint, ...this.context };
  }
}

/** The bytes are not a well-formed TFLite flatbuffer (or point outside themselves). */
export class ModelFormatError extends TinyforgeError {}

/** A well-formed model that tinyforge cannot (yet) run: float, hybrid, dynamic, custom ops... */
export class UnsupportedModelError extends TinyforgeError {}

/** One operator that the simulator cannot run as the model describes it. */
export class UnsupportedOpError extends TinyforgeError {}

/** Bad input to a command (input file sizes, flag values). */
export class UsageError extends TinyforgeError {}

/** A run that TFLM itself would abort on (data-dependent: a gather index out of range, a softmax sum overflow...). */
export class InferenceError extends TinyforgeError {}

export class PlanError extends TinyforgeError {}
export class BoardError extends TinyforgeError {}
export class ToolchainError extends TinyforgeError {}
export class SerialError extends TinyforgeError {}
export class GenerateError extends TinyforgeError {}
/** A sensor pre-processing pipeline (tinyforge.json / flags) that cannot feed this model, or a bad sensor recording. */
export class PipelineError extends TinyforgeError {}

/** A model has several problems: all of them are reported at once. */
export class ModelProblemsError extends TinyforgeError {
  readonly problems: readonly Problem[];
  constructor(problems: readonly Problem[]) {
    const first = problems[0];
    super(
      first?.code ?? 'problems',
      problems.length === 1 ? first!.message : `${problems.length} problems: ${problems.map((p) => p.message).join('; ')}`,
      first?.hint,
      {},
    );
    this.problems = problems;
  }
  override toJSON(): Record<string, unknown> {
    return { error: this.name, code: this.code, message: this.message, problems: this.problems };
  }
}

/** A problem found while checking a model (inspect lists them; other commands refuse on them). */
export interface Problem {
  /** Stable machine-readable code, e.g. 'float-model', 'unsupported-op'. */
  code: string;
  message: string;
  hint?: string;
  opIndex?: number;
  op?: string;
  tensor?: number;
  tensorName?: string;
  subgraph?: number;
}

/**
 * Messages quote model-supplied strings (tensor names, custom op codes): on a
 * terminal, control characters in them could move the cursor or recolour the
 * screen, so every line part is printed with them replaced.
 */
function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x08\x0a-\x1f\x7f\x9b]/g, '?');
}

/** One formatting for every error: "message\n  at: op 3 (CONV_2D), tensor 7 'x'\n  hint: ...". */
export function formatError(err: unknown): string {
  if (err instanceof ModelProblemsError) {
    return err.problems.map(formatProblem).join('\n');
  }
  if (err instanceof TinyforgeError) {
    const lines = [`error: ${clean(err.message)}`];
    const where = describeContext(err.context);
    if (where) lines.push(`  at: ${clean(where)}`);
    if (err.hint) lines.push(`  hint: ${clean(err.hint)}`);
    return lines.join('\n');
  }
  const e = err as Error;
  return `internal error (a bug in tinyforge, please report it): ${e?.stack ?? String(err)}`;
}

export function formatProblem(p: Problem): string {
  const lines = [`problem [${clean(p.code)}]: ${clean(p.message)}`];
  const where = describeContext(p);
  if (where) lines.push(`  at: ${clean(where)}`);
  if (p.hint) lines.push(`  hint: ${clean(p.hint)}`);
  return lines.join('\n');
}

function describeContext(c: ErrorContext): string {
  const parts: string[] = [];
  if (c.file) parts.push(`file ${c.file}`);
  if (c.subgraph !== undefined && c.subgraph !== 0) parts.push(`subgraph ${c.subgraph}`);
  if (c.opIndex !== undefined) parts.push(`operator ${c.opIndex}${c.op ? ` (${c.op})` : ''}`);
  else if (c.op) parts.push(`operator ${c.op}`);
  if (c.tensor !== undefined) parts.push(`tensor ${c.tensor}${c.tensorName !== undefined ? ` ${JSON.stringify(c.tensorName)}` : ''}`);
  if (c.offset !== undefined) parts.push(`byte offset ${c.offset}`);
  if (c.board) parts.push(`board ${c.board}`);
  if (c.field) parts.push(`field ${c.field}`);
  return parts.join(', ');
}

/** CLI exit codes: 2 for anything the user can fix, 1 only for internal bugs. */
export function exitCodeFor(err: unknown): number {
  return err instanceof TinyforgeError ? 2 : 1;
}
