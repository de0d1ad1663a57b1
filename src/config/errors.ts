// The one error a bad bundle or config gives: every problem found, each
// naming the file and the field (`config.json: process.user.uid: must be an
// integer`), so a user can fix them all from one message. runc stops at the
// first problem and often names only a Go struct field; here the field is the
// JSON path as written in config.json.

/** One thing wrong with a document. field is a path such as `mounts[2].destination`, or '' for the whole file. */
export interface Problem {
  readonly field: string;
  readonly message: string;
}

/** The most problems one message lists; the rest are counted. */
const MAX_LISTED = 20;

export class SpecError extends Error {
  override readonly name = 'SpecError';

  /**
   * file: the file (or directory) as the user named it, e.g.
   * `bundle/config.json`. problems: at least one.
   */
  constructor(readonly file: string, readonly problems: readonly Problem[]) {
    super(formatProblems(file, problems));
  }

  /** The first problem's field, for callers that report one. */
  get field(): string {
    return this.problems[0]?.field ?? '';
  }
}

function formatProblems(file: string, problems: readonly Problem[]): string {
  const lines = problems.slice(0, MAX_LISTED).map((p) => `${file}: ${p.field === '' ? '' : p.field + ': '}${p.message}`);
  if (problems.length > MAX_LISTED) lines.push(`${file}: ... and ${problems.length - MAX_LISTED} more problems`);
  return lines.join('\n');
}

/**
 * A field path from JSON keys and array indices: `process.args[0]`,
 * `annotations["org.example.key"]` for keys that are not identifiers.
 */
export function fieldPath(segments: readonly (string | number)[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}
