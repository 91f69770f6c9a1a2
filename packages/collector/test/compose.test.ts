import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

import { collectorConfigFromArgs, parseEnvFile } from '../src/config/collector-config.js';
import { TOKENS, startTestCollector, waitFor, type CollectorFixture } from './helpers/collector-fixture.js';
import { createOtlpExporter, exportSpans } from './helpers/otel-spans.js';
import { sdkGenAiSpans } from './helpers/sdk-genai-spans.js';

/*
 * No Docker engine runs where the tests run, so this checks everything docker-compose.yml wires, and starts the
 * collector from the very configuration file the compose service uses.
 */

const repoRoot = resolve(__dirname, '../../..');
// `merge`: the compose file shares the image build between services with a YAML merge key (<<: *anchor).
const compose = parseYaml(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Record<string, any>>;
};
const services = compose.services;
const collectorService = services.collector!;
const envFile = join(repoRoot, collectorService.env_file as string);
const fileEnv = parseEnvFile(readFileSync(envFile, 'utf8'));

/** `${NAME:-default}` as compose resolves it with NAME unset. */
const composeDefault = (value: string): string => value.replace(/\$\{\w+:-([^}]*)\}/g, '$1');

describe('docker-compose.yml', () => {
  it('pins the official images and the Grafana plugin', () => {
    expect(services.clickhouse!.image).toMatch(/^clickhouse\/clickhouse-server:\d+\.\d+\.\d+\.\d+$/);
    expect(services.grafana!.image).toMatch(/^grafana\/grafana:\d+\.\d+\.\d+$/);
    expect(services.grafana!.environment.GF_PLUGINS_PREINSTALL_SYNC).toMatch(/^grafana-clickhouse-datasource@\d+\.\d+\.\d+$/);
  });

  it('builds the collector from the repository and runs `llm-cost collector` with the tested env file', () => {
    expect(existsSync(join(repoRoot, collectorService.build.dockerfile))).toBe(true);
    expect(collectorService.command).toEqual(['collector']);
    expect(existsSync(envFile)).toBe(true);
    const port = fileEnv.LLM_COST_COLLECTOR_PORT;
    expect(collectorService.ports).toContain(`${port}:${port}`);
    const grpcPort = fileEnv.LLM_COST_COLLECTOR_GRPC_PORT;
    expect(grpcPort).toBe('4317');
    expect(collectorService.ports).toContain(`${grpcPort}:${grpcPort}`);
    expect(collectorService.healthcheck.test.join(' ')).toContain(`127.0.0.1:${port}/readyz`);
  });

  it('points the collector at the ClickHouse service with the credentials ClickHouse is started with', () => {
    const clickhouse = services.clickhouse!.environment;
    const url = new URL(fileEnv.LLM_COST_CLICKHOUSE_URL!);
    expect(url.hostname).toBe('clickhouse');
    expect(url.port).toBe('8123');
    expect(fileEnv.LLM_COST_CLICKHOUSE_USER).toBe(clickhouse.CLICKHOUSE_USER);
    expect(fileEnv.LLM_COST_CLICKHOUSE_DATABASE).toBe(clickhouse.CLICKHOUSE_DB);
    expect(composeDefault(collectorService.environment.LLM_COST_CLICKHOUSE_PASSWORD)).toBe(
      composeDefault(clickhouse.CLICKHOUSE_PASSWORD),
    );
    expect(collectorService.depends_on.clickhouse.condition).toBe('service_healthy');
  });

  it('gives Grafana a read-only ClickHouse user, the data source and the dashboards', () => {
    const grafana = services.grafana!;
    const clickhouse = services.clickhouse!;
    const mounts = new Map<string, string>(
      [...grafana.volumes, ...clickhouse.volumes]
        .filter((v: string) => v.startsWith('./'))
        .map((v: string) => [v.split(':')[1]!, v.split(':')[0]!]),
    );
    const provisioning = mounts.get('/etc/grafana/provisioning')!;
    const dashboards = mounts.get('/var/lib/grafana/dashboards/llm-cost')!;
    const users = mounts.get('/etc/clickhouse-server/users.d/grafana.xml')!;
    for (const path of [provisioning, dashboards, users]) expect(existsSync(join(repoRoot, path)), path).toBe(true);

    const datasource = parseYaml(readFileSync(join(repoRoot, provisioning, 'datasources/clickhouse.yaml'), 'utf8')).datasources[0];
    expect(datasource.jsonData).toMatchObject({ host: 'clickhouse', port: 8123, protocol: 'http', username: 'grafana' });
    expect(datasource.jsonData.defaultDatabase).toBe(clickhouse.environment.CLICKHOUSE_DB);
    expect(datasource.secureJsonData.password).toBe('$GRAFANA_CLICKHOUSE_PASSWORD');
    expect(composeDefault(grafana.environment.GRAFANA_CLICKHOUSE_PASSWORD)).toBe(
      composeDefault(clickhouse.environment.GRAFANA_CLICKHOUSE_PASSWORD),
    );
    const usersXml = readFileSync(join(repoRoot, users), 'utf8');
    expect(usersXml).toContain('<grafana>');
    expect(usersXml).toContain('from_env="GRAFANA_CLICKHOUSE_PASSWORD"');
    expect(usersXml).toContain(`GRANT SELECT ON ${clickhouse.environment.CLICKHOUSE_DB}.*`);
    expect(usersXml).toMatch(/<readonly>1<\/readonly>/);

    const dashboardProvider = parseYaml(readFileSync(join(repoRoot, provisioning, 'dashboards/llm-cost.yaml'), 'utf8'));
    expect(dashboardProvider.providers[0].options.path).toBe('/var/lib/grafana/dashboards/llm-cost');
    expect(existsSync(join(repoRoot, dashboards, 'llm-cost.json'))).toBe(true);
  });

  it('runs the quickstart app with its spans going to the collector under a configured token', () => {
    const app = services['example-app']!;
    const entry = app.entrypoint as string[];
    expect(entry[0]).toBe('node');
    expect(existsSync(join(repoRoot, entry[1]!))).toBe(true);
    expect(entry[1]).toBe('examples/quickstart/src/main.mjs');
    expect(app.environment.OTEL_EXPORTER_OTLP_ENDPOINT).toBe(`http://collector:${fileEnv.LLM_COST_COLLECTOR_PORT}`);
    const { options } = collectorConfigFromArgs([], fileEnv);
    const bearer = /^Authorization=Bearer (\S+)$/.exec(app.environment.OTEL_EXPORTER_OTLP_HEADERS)![1];
    expect(options.tokens!.map((t) => t.token)).toContain(bearer);
    expect(options.readTokens).toContain(app.environment.LLM_COST_COLLECTOR_TOKEN);
    expect(app.depends_on.collector.condition).toBe('service_healthy');
  });
});

describe('the collector started with the compose configuration', () => {
  let fx: CollectorFixture;
  const { options } = collectorConfigFromArgs(
    [],
    // Everything from the compose env file except where it listens and which store it writes: the tests bind to
    // loopback and use an embedded store instead of the `clickhouse` service.
    {
      ...fileEnv,
      LLM_COST_COLLECTOR_HOST: '127.0.0.1',
      LLM_COST_COLLECTOR_PORT: '0',
      LLM_COST_COLLECTOR_GRPC_PORT: '0',
      LLM_COST_CLICKHOUSE_URL: undefined,
      LLM_COST_CLICKHOUSE_USER: undefined,
    },
  );
  const demoToken = options.tokens![0]!;

  beforeAll(async () => {
    // startTestCollector supplies the temporary embedded path.
    fx = await startTestCollector(options);
  });
  afterAll(() => fx.close());

  it('uses the limits and tokens of the file', () => {
    expect(options).toMatchObject({
      maxBodyBytes: Number(fileEnv.LLM_COST_COLLECTOR_MAX_BODY_BYTES),
      maxQueueSize: Number(fileEnv.LLM_COST_COLLECTOR_MAX_QUEUE),
      batchSize: Number(fileEnv.LLM_COST_COLLECTOR_BATCH_SIZE),
      retryAfterSeconds: Number(fileEnv.LLM_COST_COLLECTOR_RETRY_AFTER),
      database: fileEnv.LLM_COST_CLICKHOUSE_DATABASE,
      host: '127.0.0.1',
      port: 0,
    });
    expect(options.url).toBeUndefined();
    expect(demoToken.tenant).toBe('demo');
  });

  it("accepts the example app's token for the demo tenant and refuses others", async () => {
    const exporter = createOtlpExporter('json', fx.collector.url, { headers: { Authorization: `Bearer ${demoToken.token}` } });
    expect((await exportSpans(exporter, sdkGenAiSpans('quickstart', [{ model: 'gpt-4o-mini', inputTokens: 10, outputTokens: 5 }]))).code).toBe(0);
    await exporter.shutdown();
    await waitFor(
      async () => (await fx.queries.usageInPeriod({ from: Date.now() - 86_400_000, to: Date.now() + 86_400_000, tenantId: 'demo' })).calls === 1,
      'the demo row',
    );
    const refused = await fetch(`${fx.collector.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKENS.acme}` },
      body: '{}',
    });
    expect(refused.status).toBe(401);
  });
});
