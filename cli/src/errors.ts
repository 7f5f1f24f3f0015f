// The CLI's failures and their exit codes: 2 for a command line we cannot understand, 1 for everything else.
// main.ts prints them as one or two lines; a stack is never shown.

export const EXIT_OK = 0
export const EXIT_ERROR = 1
export const EXIT_USAGE = 2

/** Bad flags, missing arguments, unknown commands. `help` names the command whose --help to suggest. */
export class UsageError extends Error {
  readonly help: string
  constructor(message: string, help = '') {
    super(message)
    this.help = help
  }
}

/** A failure the user can act on (no credentials, agent not found…). */
export class CliError extends Error {}

export interface ProblemBody {
  type?: string
  title?: string
  status?: number
  code?: string
  detail?: string
  [extension: string]: unknown
}

/** An application/problem+json answer (or any non-2xx) from the platform. */
export class ApiProblem extends Error {
  readonly status: number
  readonly problem: ProblemBody
  constructor(status: number, problem: ProblemBody) {
    super(problem.title ?? `HTTP ${status}`)
    this.status = status
    this.problem = problem
  }

  /** `Slug breaks a rule: slug must be 3 to 40 characters long (rule: length) [422 invalid-slug]` */
  describe(): string {
    const { title, detail, code } = this.problem
    const extras = Object.entries(this.problem)
      .filter(([key, value]) => !['type', 'title', 'status', 'code', 'detail', 'instance'].includes(key) && ['string', 'number'].includes(typeof value))
      .map(([key, value]) => `${key}: ${String(value)}`)
    return `${title ?? 'Request failed'}${detail ? `: ${detail}` : ''}${extras.length ? ` (${extras.join(', ')})` : ''} [${this.status}${code ? ` ${code}` : ''}]`
  }
}
