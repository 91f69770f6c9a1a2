/** A positive number of milliseconds from the environment; undefined when unset or not a positive number. */
export function envMs(name: string, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const text = env[name];
  const value = Number(text);
  return text && Number.isFinite(value) && value > 0 ? value : undefined;
}
