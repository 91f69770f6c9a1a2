import type { PageProps } from '../app.js';
import type { CreditsAnswer } from '../api-types.js';
import { Lines } from '../components/charts.js';
import { StatCard } from '../components/stat-card.js';
import { time, usd } from '../format.js';
import { useApi } from '../use-api.js';
import { apiRange } from '../url-state.js';
import { Section, Status } from './section.js';

/** OpenRouter balances per key over time, the alert level and the run-out forecast of the latest reading. */
export function CreditsPage({ location, range }: PageProps) {
  const tenant = location.params.get('tenant');
  const answer = useApi<CreditsAnswer>(`credits?${apiRange(range)}${tenant !== null ? `&tenant=${encodeURIComponent(tenant)}` : ''}`);
  const data = answer.data;
  const keyName = (s: { tenantId?: string; keyFingerprint: string }) => `${s.tenantId ? `${s.tenantId} ` : ''}${s.keyFingerprint}`;
  const x = data ? [...new Set(data.snapshots.map((s) => s.timestampMs))].sort((a, b) => a - b) : [];
  const series = data
    ? data.keys.map((key) => {
        const points = new Map(data.snapshots.filter((s) => s.keyFingerprint === key.keyFingerprint).map((s) => [s.timestampMs, s.remaining === null ? null : Number(s.remaining)]));
        return { key: keyName(key), values: x.map((t) => points.get(t) ?? null) };
      })
    : [];
  return (
    <div class="page" data-testid="page-credits">
      <h1 class="page-title">
        Credits <span class="muted">{range.label}</span>
      </h1>
      <Status state={answer} />
      {data && data.keys.length === 0 ? (
        <p class="card empty">
          No credit snapshots in this range. Run <code>llm-cost credits monitor</code>, or give the collector an OpenRouter configuration with a
          monitor section (<code>--openrouter-config</code>).
        </p>
      ) : null}
      {data && data.keys.length > 0 ? (
        <>
          <div class="cards fill">
            {data.keys.map((key) => (
              <StatCard key={key.keyFingerprint} label={keyName(key)} value={usd(key.remaining)} exact={key.remaining === null ? undefined : `${key.remaining} USD`}>
                <div class={`level level-${key.level}`}>{key.level}</div>
                <div class="muted small">
                  {key.burnRatePerHour !== null ? `${usd(key.burnRatePerHour)}/h` : 'burn rate unknown'}
                  {key.runsOutAtMs !== null ? ` · runs out ${time(new Date(key.runsOutAtMs).toISOString())}` : ''}
                </div>
              </StatCard>
            ))}
          </div>
          <Section title="Balance over time">
            <Lines testId="credits-chart" x={x.map((t) => t / 1000)} series={series} />
          </Section>
        </>
      ) : null}
    </div>
  );
}
