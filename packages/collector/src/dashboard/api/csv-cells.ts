/**
 * A text cell for a CSV that people open in a spreadsheet: a value that starts with `=`, `+`, `-`, `@`, a tab or a
 * carriage return would be read as a formula (OWASP "CSV injection"), so it gets a leading `'`, which spreadsheets
 * show as text. Tag values, user ids and model names come from the instrumented applications, not from us.
 */
export function safeCsvCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}
