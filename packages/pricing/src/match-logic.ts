/**
 * The engine's model/provider match rules (`equals`, `starts_with`, `ends_with`, `contains`, `regex`, `or`, `and`),
 * compiled once into predicates. Semantics follow `@pydantic/genai-prices` 0.1.8 exactly: string clauses compare
 * case-insensitively, `regex` is tested as written against the lower-cased, trimmed id.
 */

/** Tests a lower-cased, trimmed id. */
export type IdPredicate = (id: string) => boolean;

/**
 * Compile a match clause. Throws an `Error` naming the problem when the clause is not one the engine understands
 * (the caller turns it into a data problem with its location).
 */
export function compileMatch(clause: unknown): IdPredicate {
  if (typeof clause !== 'object' || clause === null || Array.isArray(clause)) {
    throw new Error(`match clause must be an object, got ${JSON.stringify(clause)}`);
  }
  const keys = Object.keys(clause);
  if (keys.length !== 1) throw new Error(`match clause must have exactly one key, got ${JSON.stringify(keys)}`);
  const kind = keys[0] as string;
  const arg = (clause as Record<string, unknown>)[kind];
  switch (kind) {
    case 'or':
    case 'and': {
      if (!Array.isArray(arg) || arg.length === 0) throw new Error(`"${kind}" needs a non-empty array`);
      const parts = arg.map(compileMatch);
      return kind === 'or' ? (id) => parts.some((p) => p(id)) : (id) => parts.every((p) => p(id));
    }
    case 'equals':
    case 'starts_with':
    case 'ends_with':
    case 'contains': {
      if (typeof arg !== 'string') throw new Error(`"${kind}" needs a string`);
      const text = arg.toLowerCase();
      if (kind === 'equals') return (id) => id === text;
      if (kind === 'starts_with') return (id) => id.startsWith(text);
      if (kind === 'ends_with') return (id) => id.endsWith(text);
      return (id) => id.includes(text);
    }
    case 'regex': {
      if (typeof arg !== 'string') throw new Error('"regex" needs a string');
      let re: RegExp;
      try {
        re = new RegExp(arg);
      } catch (error) {
        throw new Error(`invalid regex ${JSON.stringify(arg)}: ${(error as Error).message}`);
      }
      return (id) => re.test(id);
    }
    default:
      throw new Error(`unknown match clause "${kind}"`);
  }
}
