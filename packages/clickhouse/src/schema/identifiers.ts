import { InvalidOptionError } from '../errors.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Database and cluster names end up inside DDL and queries, so they are restricted to plain identifiers rather
 * than escaped: a name that needs quoting is almost certainly a mistake, and refusing it keeps SQL injection out.
 */
export function assertIdentifier(kind: string, value: string): string {
  if (!IDENTIFIER.test(value)) {
    throw new InvalidOptionError(`${kind} must match ${IDENTIFIER.source}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** `database`.`table`, both already checked or defined by us. */
export function qualified(database: string, table: string): string {
  return `\`${database}\`.\`${table}\``;
}

/** A ClickHouse string literal: single quotes, with backslash and quote escaped. */
export function stringLiteral(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
