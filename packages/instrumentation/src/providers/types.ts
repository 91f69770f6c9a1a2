/**
 * What a provider module knows: how to recognise its endpoints, and how to read usage from a JSON body and from its
 * stream events. Adding a provider means adding one module (and its fixtures).
 */
import type { PricingMode, TokenUsage } from '@llm-cost/semconv';

/** What kind of endpoint a request goes to. */
export type EndpointKind =
  | 'chat_completions'
  | 'responses'
  | 'completions'
  | 'embeddings'
  | 'messages'
  | 'generate_content'
  | 'stream_generate_content'
  | 'embed_content';

export interface Endpoint {
  readonly kind: EndpointKind;
  /** `gen_ai.operation.name`. */
  readonly operation: string;
  /** Model named by the URL (Gemini `models/{model}:generateContent`, Azure `deployments/{deployment}`). */
  readonly modelInPath?: string;
  /** The URL itself asks for a stream (Gemini `:streamGenerateContent`). */
  readonly streamInPath?: boolean;
}

/** What the response told us; filled in by the provider module. */
export interface CallResult {
  responseModel?: string;
  responseId?: string;
  finishReasons?: string[];
  usage?: TokenUsage;
  /** Provider-reported cost in USD, exact decimal string. */
  providerReportedCost?: string;
  /** OpenAI-style `service_tier` of the response. */
  serviceTier?: string;
  pricingMode?: PricingMode;
  /** Set when a 2xx response carried an error (an `error` stream event). */
  errorType?: string;
  /**
   * The stream showed its terminal event (`[DONE]`, Anthropic `message_stop`, Responses `response.completed`,
   * Gemini's `finishReason` chunk): a consumer that stops reading after it has still read the whole answer.
   */
  streamComplete?: boolean;
  /** Provider scratch space while reading stream events (Anthropic merges message_start and message_delta usage). */
  rawUsage?: Record<string, unknown>;
}

export interface ProviderModule {
  /** `gen_ai.provider.name`. */
  readonly name: string;
  /** OpenAI-compatible API: `stream_options.include_usage` applies to its chat / completion streams. */
  readonly openAiCompatible: boolean;
  /** The first stream event must be read as well as the last ones (Anthropic's `message_start` has the input). */
  readonly readsFirstStreamEvent: boolean;
  /** The endpoint a URL path (no query) addresses, or undefined when it is not an LLM call we capture. */
  matchPath(path: string): Endpoint | undefined;
  /** Reads a parsed JSON response body. Must not throw on any input. */
  readBody(body: unknown, endpoint: Endpoint, out: CallResult): void;
  /**
   * Whether a stream event's raw `data:` text can carry anything we read (a cheap test that spares a JSON.parse of
   * content-only events). Must not throw.
   */
  streamEventMatters(data: string): boolean;
  /** Reads one parsed stream event (`data:` JSON), in stream order. Must not throw on any input. */
  readStreamEvent(eventName: string | undefined, data: unknown, endpoint: Endpoint, out: CallResult): void;
  /** The provider's usage object → canonical usage (pure; undefined when it has no token counts). */
  normalizeUsage(usage: unknown): TokenUsage | undefined;
}
