/**
 * Expands a panel's SQL the way Grafana and the official ClickHouse data source plugin (grafana-clickhouse-datasource,
 * v4) do before the query reaches ClickHouse, so the tests run exactly what a dashboard would:
 *
 * 1. Frontend, `Datasource.applyTemplateVariables` (src/data/CHDatasource.ts): `$__conditionalAll(phrase, $var)`
 *    becomes `1=1` when the variable is All (`$__all`) or empty, else `phrase`; then Grafana's template service
 *    replaces `$var` / `${var}` / `[[var]]` with the plugin's formatter: a multi-value list becomes `'a','b'`, a single
 *    value is inserted as is. Grafana's own `$__interval`, `$__interval_ms`, `$__from`, `$__to` are replaced here too.
 * 2. Backend, `pkg/macros/macros.go`: `$__timeFilter(col)` -> `col >= toDateTime(from) AND col <= toDateTime(to)`,
 *    `$__timeFilter_ms`, `$__dateFilter(col)` -> `col >= toDate('YYYY-MM-DD') AND col <= toDate(...)`,
 *    `$__dateTimeFilter(dateCol, timeCol)` / `$__dt`, `$__timeInterval(col)` ->
 *    `toStartOfInterval(toDateTime(col), INTERVAL <s> second)`, `$__timeInterval_ms`, `$__interval_s`,
 *    `$__fromTime`, `$__toTime`, `$__fromTime_ms`, `$__toTime_ms`.
 * Any other `$__` macro left over is an error, so a typo in a dashboard fails the test instead of reaching ClickHouse.
 */

export interface DashboardVariableValue {
  /** A single value (textbox, constant, single-select). */
  value?: string;
  /** Selected values of a multi-value variable; `['$__all']` for All. */
  values?: string[];
  /** Every option of the variable (what All expands to when the variable has no custom all value). */
  options?: string[];
}

export interface MacroContext {
  from: Date;
  to: Date;
  /** Grafana's computed interval for the panel, in milliseconds. */
  intervalMs: number;
  variables: Record<string, DashboardVariableValue>;
}

const ALL = '$__all';

export function expandGrafanaSql(sql: string, ctx: MacroContext): string {
  return expandBackendMacros(replaceTemplateVariables(applyConditionalAll(sql, ctx), ctx), ctx);
}

/** Splits macro arguments at top-level commas, as the plugin's `getMacroArgs` does. */
function macroArgs(text: string, open: number): { args: string[]; end: number } {
  let depth = 0;
  let start = open + 1;
  const args: string[] = [];
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) {
        args.push(text.slice(start, i));
        return { args, end: i + 1 };
      }
    } else if (c === ',' && depth === 1) {
      args.push(text.slice(start, i));
      start = i + 1;
    }
  }
  throw new Error(`unbalanced macro arguments in: ${text.slice(open, open + 80)}`);
}

function applyConditionalAll(sql: string, ctx: MacroContext): string {
  const macro = '$__conditionalAll(';
  let at = sql.lastIndexOf(macro);
  while (at !== -1) {
    const { args, end } = macroArgs(sql, at + macro.length - 1);
    if (args.length !== 2) throw new Error(`$__conditionalAll needs 2 arguments: ${sql.slice(at, end)}`);
    const name = args[1]!.trim().replace(/^\$\{?/, '').replace(/\}$/, '');
    const variable = ctx.variables[name];
    if (!variable) throw new Error(`$__conditionalAll refers to unknown variable ${name}`);
    const value = (variable.values ?? [variable.value ?? '']).join(',');
    const phrase = value === '' || value === ALL ? '1=1' : args[0]!;
    sql = sql.slice(0, at) + phrase + sql.slice(end);
    at = sql.lastIndexOf(macro);
  }
  return sql;
}

function formatValue(variable: DashboardVariableValue): string {
  if (variable.values) {
    const list = variable.values.length === 1 && variable.values[0] === ALL ? (variable.options ?? []) : variable.values;
    // The plugin's formatter: arrays become 'a','b' (no escaping; Grafana's values here come from our own columns).
    return `'${list.join("','")}'`;
  }
  return variable.value ?? '';
}

function replaceTemplateVariables(sql: string, ctx: MacroContext): string {
  const builtins: Record<string, string> = {
    __interval: `${Math.round(ctx.intervalMs / 1000)}s`,
    __interval_ms: String(ctx.intervalMs),
    __from: String(ctx.from.getTime()),
    __to: String(ctx.to.getTime()),
  };
  return sql.replace(/\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)/g, (match, a?: string, b?: string, c?: string) => {
    const name = (a ?? b ?? c)!;
    if (name in builtins) return builtins[name]!;
    if (name.startsWith('__')) return match; // a data source macro, expanded by the backend
    const variable = ctx.variables[name];
    if (!variable) throw new Error(`unknown dashboard variable $${name}`);
    return formatValue(variable);
  });
}

const seconds = (d: Date): number => Math.floor(d.getTime() / 1000);
const isoDay = (d: Date): string => d.toISOString().slice(0, 10);

function expandBackendMacros(sql: string, ctx: MacroContext): string {
  const intervalS = Math.max(Math.floor(ctx.intervalMs / 1000), 1);
  const intervalMs = Math.max(ctx.intervalMs, 1);
  const from = `toDateTime(${seconds(ctx.from)})`;
  const to = `toDateTime(${seconds(ctx.to)})`;
  const fromMs = `fromUnixTimestamp64Milli(${ctx.from.getTime()})`;
  const toMs = `fromUnixTimestamp64Milli(${ctx.to.getTime()})`;
  const macros: Record<string, (args: string[]) => string> = {
    fromTime: () => from,
    toTime: () => to,
    fromTime_ms: () => fromMs,
    toTime_ms: () => toMs,
    timeFilter: ([c]) => `${c} >= ${from} AND ${c} <= ${to}`,
    timeFilter_ms: ([c]) => `${c} >= ${fromMs} AND ${c} <= ${toMs}`,
    dateFilter: ([c]) => `${c} >= toDate('${isoDay(ctx.from)}') AND ${c} <= toDate('${isoDay(ctx.to)}')`,
    dateTimeFilter: ([d, t]) =>
      `(${d} >= toDate('${isoDay(ctx.from)}') AND ${d} <= toDate('${isoDay(ctx.to)}')) AND (${t} >= ${from} AND ${t} <= ${to})`,
    timeInterval: ([c]) => `toStartOfInterval(toDateTime(${c}), INTERVAL ${intervalS} second)`,
    timeInterval_ms: ([c]) => `toStartOfInterval(toDateTime64(${c}, 3), INTERVAL ${intervalMs} millisecond)`,
    interval_s: () => String(intervalS),
  };
  macros.dt = macros.dateTimeFilter!;
  const withArgs = new Set(['timeFilter', 'timeFilter_ms', 'dateFilter', 'dateTimeFilter', 'dt', 'timeInterval', 'timeInterval_ms']);
  let out = '';
  let i = 0;
  for (;;) {
    const at = sql.indexOf('$__', i);
    if (at === -1) return out + sql.slice(i);
    const name = /^\$__(\w+)/.exec(sql.slice(at))![1]!;
    const expand = macros[name];
    if (!expand) throw new Error(`macro $__${name} is not one the ClickHouse plugin expands`);
    out += sql.slice(i, at);
    let next = at + 3 + name.length;
    let args: string[] = [];
    if (withArgs.has(name)) {
      if (sql[next] !== '(') throw new Error(`$__${name} needs arguments`);
      const parsed = macroArgs(sql, next);
      args = parsed.args.map((a) => a.trim());
      next = parsed.end;
    }
    out += expand(args);
    i = next;
  }
}
