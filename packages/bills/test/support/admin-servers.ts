/**
 * Loopback stand-ins for OpenAI's and Anthropic's admin reports (127.0.0.1, port 0), on the shared provider server,
 * serving the shapes of the API references (see the package README): daily buckets with cursor pagination
 * (`limit` buckets a page, `has_more`, `next_page`, `page=`), empty days as empty buckets, days not reached yet left
 * out, the key checked the provider's way (401 with its error body otherwise), and replies queued per report path
 * (429 with Retry-After, 5xx) served before the report. The bill itself is state the test sets and revises.
 */
import { startProviderServer, type ProviderReply, type ProviderServer, type RecordedRequest } from '../../../../test/support/index.js';

const DAY_MS = 86_400_000;

export interface AdminServer {
  readonly server: ProviderServer;
  /** Base URL to pass as `baseUrl`, e.g. `http://127.0.0.1:1234/v1`. */
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  /** The results of one report for one day (`YYYY-MM-DD`); a later call revises the day. */
  setDay(report: string, day: string, results: object[]): void;
  /** Days after this one (exclusive end, `YYYY-MM-DD`) have no bucket yet: the report has not reached them. */
  reportUntil(day: string | undefined): void;
  /** Replies served, in order, before anything else to requests of a report (`costs`, `cost_report`, ...). */
  enqueue(report: string, ...replies: ProviderReply[]): void;
  /** Requests to one report. */
  requestsTo(report: string): RecordedRequest[];
  close(): Promise<void>;
}

interface Flavour {
  /** Report name (last path segment) → required group_by values. */
  reports: Record<string, readonly string[]>;
  prefix: string;
  authorized(request: RecordedRequest, keys: ReadonlySet<string>): boolean;
  unauthorized(request: RecordedRequest): ProviderReply;
  /** The requested range in ms, from the query; undefined when the query lacks it. */
  range(query: URLSearchParams): { startMs: number; endMs: number } | undefined;
  groupBy(query: URLSearchParams): string[];
  bucket(startMs: number, results: object[]): object;
  page(buckets: object[], hasMore: boolean, nextPage: string | null): object;
  badRequest(message: string): ProviderReply;
}

const OPENAI: Flavour = {
  reports: { costs: ['project_id', 'line_item'], completions: ['project_id', 'model', 'batch'], embeddings: ['project_id', 'model'] },
  prefix: '/v1/organization',
  authorized: (request, keys) => keys.has(String(request.headers.authorization ?? '').replace(/^Bearer /, '')),
  // OpenAI echoes the key it refused in its message: our errors must redact it.
  unauthorized: (request) => ({
    status: 401,
    body: {
      error: {
        message: `Incorrect API key provided: ${String(request.headers.authorization ?? '').replace(/^Bearer /, '')}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      },
    },
  }),
  range: (query) => {
    const start = Number(query.get('start_time'));
    const end = query.has('end_time') ? Number(query.get('end_time')) : Number.NaN;
    return Number.isFinite(start) && Number.isFinite(end) ? { startMs: start * 1000, endMs: end * 1000 } : undefined;
  },
  groupBy: (query) => query.getAll('group_by'),
  bucket: (startMs, results) => ({ object: 'bucket', start_time: startMs / 1000, end_time: (startMs + DAY_MS) / 1000, results }),
  page: (data, hasMore, nextPage) => ({ object: 'page', data, has_more: hasMore, next_page: nextPage }),
  badRequest: (message) => ({ status: 400, body: { error: { message, type: 'invalid_request_error', param: null, code: null } } }),
};

const ANTHROPIC: Flavour = {
  reports: { cost_report: ['workspace_id', 'description'], messages: ['workspace_id', 'model', 'service_tier'] },
  prefix: '/v1/organizations',
  authorized: (request, keys) => keys.has(String(request.headers['x-api-key'] ?? '')) && request.headers['anthropic-version'] === '2023-06-01',
  unauthorized: () => ({ status: 401, body: { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } } }),
  range: (query) => {
    const start = Date.parse(query.get('starting_at') ?? '');
    const end = Date.parse(query.get('ending_at') ?? '');
    return Number.isFinite(start) && Number.isFinite(end) ? { startMs: start, endMs: end } : undefined;
  },
  groupBy: (query) => query.getAll('group_by[]'),
  bucket: (startMs, results) => ({
    starting_at: new Date(startMs).toISOString().replace('.000Z', 'Z'),
    ending_at: new Date(startMs + DAY_MS).toISOString().replace('.000Z', 'Z'),
    results,
  }),
  page: (data, hasMore, nextPage) => ({ data, has_more: hasMore, next_page: nextPage }),
  badRequest: (message) => ({ status: 400, body: { type: 'error', error: { type: 'invalid_request_error', message } } }),
};

async function startAdminServer(flavour: Flavour, adminKeys: readonly string[]): Promise<AdminServer> {
  const keys = new Set(adminKeys);
  const days = new Map<string, Map<string, object[]>>();
  const queued: Array<{ report: string; reply: ProviderReply }> = [];
  let until: string | undefined;

  const reportOf = (url: string) => url.split('?')[0]!.split('/').pop() ?? '';

  const server = await startProviderServer((request) => {
    const report = reportOf(request.url);
    const at = queued.findIndex((entry) => entry.report === report);
    if (at >= 0) return queued.splice(at, 1)[0]!.reply;
    if (!flavour.authorized(request, keys)) return flavour.unauthorized(request);
    const required = flavour.reports[report];
    if (request.method !== 'GET' || required === undefined || !request.url.startsWith(flavour.prefix)) return undefined;
    const query = new URL(request.url, 'http://x').searchParams;
    const range = flavour.range(query);
    if (range === undefined) return flavour.badRequest('the range is required');
    if (query.get('bucket_width') !== '1d') return flavour.badRequest('bucket_width must be 1d here');
    const groupBy = flavour.groupBy(query);
    if (required.some((group) => !groupBy.includes(group))) return flavour.badRequest(`group_by must include ${required.join(', ')}`);
    const limit = Number(query.get('limit') ?? '7');
    if (!Number.isInteger(limit) || limit < 1 || limit > 31) return flavour.badRequest('limit must be 1 to 31 for daily buckets');
    // The cursor is opaque to the client: here the index of the first bucket of the page, base64 encoded.
    const page = query.get('page');
    const first = page === null ? 0 : Number(Buffer.from(page, 'base64').toString('utf8'));
    const all: object[] = [];
    for (let ms = range.startMs; ms < range.endMs; ms += DAY_MS) {
      const day = new Date(ms).toISOString().slice(0, 10);
      if (until !== undefined && day >= until) break;
      all.push(flavour.bucket(ms, days.get(report)?.get(day) ?? []));
    }
    const next = first + limit;
    const hasMore = next < all.length;
    return { body: flavour.page(all.slice(first, next), hasMore, hasMore ? Buffer.from(String(next)).toString('base64') : null) };
  });

  return {
    server,
    baseUrl: `${server.url}/v1`,
    requests: server.requests,
    setDay(report, day, results) {
      if (flavour.reports[report] === undefined) throw new Error(`no report ${report}`);
      const byDay = days.get(report) ?? new Map<string, object[]>();
      byDay.set(day, results);
      days.set(report, byDay);
    },
    reportUntil(day) {
      until = day;
    },
    enqueue(report, ...replies) {
      for (const reply of replies) queued.push({ report, reply });
    },
    requestsTo: (report) => server.requests.filter((request) => reportOf(request.url) === report),
    close: () => server.close(),
  };
}

export const startOpenAiAdmin = (adminKeys: readonly string[]) => startAdminServer(OPENAI, adminKeys);
export const startAnthropicAdmin = (adminKeys: readonly string[]) => startAdminServer(ANTHROPIC, adminKeys);

// --- Results in the documented shapes ------------------------------------------------------------------------------

/** An OpenAI costs result: `amount.value` in USD as a JSON number. */
export const openAiCost = (lineItem: string | null, value: number, projectId: string | null = 'proj_abc') => ({
  object: 'organization.costs.result',
  amount: { value, currency: 'usd' },
  line_item: lineItem,
  project_id: projectId,
});

export const openAiCompletions = (
  model: string | null,
  tokens: { input: number; cached?: number; output: number; requests: number; batch?: boolean },
  projectId: string | null = 'proj_abc',
) => ({
  object: 'organization.usage.completions.result',
  input_tokens: tokens.input,
  output_tokens: tokens.output,
  input_cached_tokens: tokens.cached ?? 0,
  input_audio_tokens: 0,
  output_audio_tokens: 0,
  num_model_requests: tokens.requests,
  project_id: projectId,
  user_id: null,
  api_key_id: null,
  model,
  batch: tokens.batch ?? false,
});

export const openAiEmbeddings = (model: string, input: number, requests: number, projectId: string | null = 'proj_abc') => ({
  object: 'organization.usage.embeddings.result',
  input_tokens: input,
  num_model_requests: requests,
  project_id: projectId,
  user_id: null,
  api_key_id: null,
  model,
});

/** An Anthropic cost_report result: `amount` in cents as a decimal string. */
export const anthropicCost = (
  description: string | null,
  cents: string,
  extra: { model?: string | null; costType?: string; tokenType?: string | null; workspaceId?: string | null; serviceTier?: string | null } = {},
) => ({
  currency: 'USD',
  amount: cents,
  workspace_id: extra.workspaceId === undefined ? 'wrkspc_01' : extra.workspaceId,
  description,
  cost_type: extra.costType ?? 'tokens',
  context_window: '0-200k',
  model: extra.model === undefined ? null : extra.model,
  service_tier: extra.serviceTier === undefined ? 'standard' : extra.serviceTier,
  token_type: extra.tokenType === undefined ? null : extra.tokenType,
});

export const anthropicMessages = (
  model: string,
  tokens: { uncached: number; cacheRead?: number; write5m?: number; write1h?: number; output: number },
  workspaceId: string | null = 'wrkspc_01',
) => ({
  uncached_input_tokens: tokens.uncached,
  cache_read_input_tokens: tokens.cacheRead ?? 0,
  cache_creation: { ephemeral_5m_input_tokens: tokens.write5m ?? 0, ephemeral_1h_input_tokens: tokens.write1h ?? 0 },
  output_tokens: tokens.output,
  server_tool_use: { web_search_requests: 0 },
  workspace_id: workspaceId,
  api_key_id: null,
  model,
  service_tier: 'standard',
  context_window: '0-200k',
});
